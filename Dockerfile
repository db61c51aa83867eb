# OmniRoute container: the single compiled binary on a slim glibc base, as a non-root user.
#   docker build -t omniroute .
#   docker run -d -p 20128:20128 -v omniroute-data:/data omniroute
#
# Build arguments (all optional):
#   BUILD_IMAGE    image that compiles the binary            (default node:20-bookworm-slim)
#   RUNTIME_IMAGE  glibc base the binary runs on             (default debian:bookworm-slim)
#   BINARY_FROM    `build` compiles inside the image; `prebuilt` takes dist/omniroute from the
#                  build context instead (run `npm run build` first; the build stage is skipped,
#                  so nothing is downloaded). The context must then include dist/omniroute,
#                  which .dockerignore leaves out: use a context folder holding just this file
#                  and dist/omniroute, e.g. test/appliance/docker.test.ts does.
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim
ARG BINARY_FROM=build

# --- build: npm installs the locked dependencies (Bun itself comes from the `bun` devDependency,
# so package-lock.json is the only lockfile), then `npm run build` compiles dist/omniroute.
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && ./dist/omniroute --version

# --- prebuilt: the binary from the context, for CI and for hosts that already built it.
FROM scratch AS prebuilt
COPY dist/omniroute /src/dist/omniroute

FROM ${BINARY_FROM} AS binary

# --- runtime: nothing but the binary. Migrations, htmx and CSS are embedded in it; root
# certificates for HTTPS upstreams are bundled by Bun (NODE_EXTRA_CA_CERTS adds a corporate CA).
FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 omniroute \
 && useradd --system --uid 10001 --gid omniroute --home-dir /data --shell /usr/sbin/nologin omniroute \
 && mkdir -p /data \
 && chown omniroute:omniroute /data \
 && chmod 700 /data
COPY --from=binary /src/dist/omniroute /usr/local/bin/omniroute
RUN /usr/local/bin/omniroute --version

# The SQLite database, its backups (db_backups/) and secret.key live here: keep it on a volume.
ENV DATA_DIR=/data HOST=0.0.0.0 PORT=20128
VOLUME ["/data"]
EXPOSE 20128
USER omniroute
WORKDIR /data

# No curl in the image: bash's /dev/tcp speaks just enough HTTP to ask the health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-20128} && printf 'GET /api/monitoring/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"healthy\"' <&3"]

# SIGTERM (docker stop) lets in-flight streams finish for up to 10 s, then exits 0;
# give it more than Docker's default 10 s grace: `docker stop -t 15`. SIGHUP
# (`docker kill -s HUP`) reloads the configuration from the database.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/omniroute"]
