# OmniRoute container: the single compiled binary on a slim glibc base.
#   docker build -t omniroute .
#   docker run -d -p 20128:20128 -v omniroute-data:/data omniroute

# --- build: npm installs the locked dependencies (Bun itself comes from the `bun` devDependency,
# so package-lock.json is the only lockfile), then `npm run build` compiles dist/omniroute.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && ./dist/omniroute --version

# --- runtime: nothing but the binary. Migrations, htmx and CSS are embedded in it; root
# certificates for HTTPS upstreams are bundled by Bun (NODE_EXTRA_CA_CERTS adds a corporate CA).
FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 omniroute \
 && useradd --system --uid 10001 --gid omniroute --home-dir /data --shell /usr/sbin/nologin omniroute \
 && mkdir -p /data \
 && chown omniroute:omniroute /data \
 && chmod 700 /data
COPY --from=build /src/dist/omniroute /usr/local/bin/omniroute

# The SQLite database and secret.key live here: keep it on a volume.
ENV DATA_DIR=/data HOST=0.0.0.0 PORT=20128
VOLUME ["/data"]
EXPOSE 20128
USER omniroute
WORKDIR /data

# No curl in the image: bash's /dev/tcp speaks just enough HTTP to ask the health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-20128} && printf 'GET /api/monitoring/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"healthy\"' <&3"]

# SIGTERM (docker stop) lets in-flight streams finish for up to 10 s, then exits 0;
# give it more than Docker's default 10 s grace: `docker stop -t 15`.
ENTRYPOINT ["/usr/local/bin/omniroute"]
