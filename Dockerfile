# OmniRoute container: the single compiled binary on a slim glibc base, as a non-root user.
#   docker build -t omniroute .
#   docker run -d -p 127.0.0.1:20128:20128 -v omniroute-data:/data omniroute
#
# Optional:
#   --build-arg BUILD_IMAGE=…    image that compiles the binary (default node:20-bookworm-slim)
#   --build-arg RUNTIME_IMAGE=…  glibc base the binary runs on (default debian:bookworm-slim)
#   --target prebuilt            skip compiling: take dist/omniroute (from `npm run build`) from the
#                                build context. .dockerignore leaves dist/ out, so use a context
#                                folder holding this file and dist/omniroute (test/appliance/docker.test.ts
#                                does exactly that, with podman).
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build: npm installs the locked dependencies (Bun itself comes from the `bun` devDependency,
# so package-lock.json is the only lockfile), then `npm run build` compiles dist/omniroute.
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && ./dist/omniroute --version

# --- runtime: nothing but the binary. Migrations, htmx and CSS are embedded in it; root
# certificates for HTTPS upstreams are bundled by Bun (NODE_EXTRA_CA_CERTS adds a corporate CA).
FROM ${RUNTIME_IMAGE} AS runtime
RUN groupadd --system --gid 10001 omniroute \
 && useradd --system --uid 10001 --gid omniroute --home-dir /data --shell /usr/sbin/nologin omniroute \
 && mkdir -p /data \
 && chown omniroute:omniroute /data \
 && chmod 700 /data
# The SQLite database, its backups (db_backups/) and secret.key live here: keep it on a volume.
ENV DATA_DIR=/data HOST=0.0.0.0 PORT=20128
VOLUME ["/data"]
EXPOSE 20128
USER omniroute
WORKDIR /data
# No curl in the image: bash's /dev/tcp speaks just enough HTTP to ask the health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-20128} && printf 'GET /api/monitoring/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"healthy\"' <&3"]
# SIGTERM (docker stop) lets in-flight streams finish for up to 10 s, then exits 0: give it more
# than Docker's default 10 s grace, `docker stop -t 15`. SIGHUP (`docker kill -s HUP`) reloads
# the configuration from the database.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/omniroute"]

# --- prebuilt (--target prebuilt): the runtime with a binary built beforehand.
FROM runtime AS prebuilt
COPY dist/omniroute /usr/local/bin/omniroute
RUN ["/usr/local/bin/omniroute", "--version"]

# --- release (the default, last stage): the runtime with the binary compiled above.
FROM runtime AS release
COPY --from=build /src/dist/omniroute /usr/local/bin/omniroute
RUN ["/usr/local/bin/omniroute", "--version"]
