# Tickmesh relay: the relay bundle, the built PWA and the relay's few runtime packages.
# Build:  docker build -t tickmesh-relay .      (or: podman build / buildah bud)
# Run:    docker run -p 8080:8080 -v tickmesh-data:/data --read-only tickmesh-relay
# See README "Deploy" for TLS, keys and Kubernetes (deploy/k8s/).

# Base image (both stages); override with --build-arg BASE=... e.g. for an offline build.
ARG BASE=node:20-bookworm-slim

# ---- build: dev dependencies, protobuf generation, esbuild bundle, vite build -------------
FROM ${BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY relay/package.json relay/
COPY web/package.json web/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
 # Only what the bundle leaves external (ws, pino, prom-client, proper-lockfile and theirs).
 && rm -rf node_modules \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=relay --include-workspace-root=false

# ---- runtime: no compilers, no dev packages, not root ---------------------------------------
FROM ${BASE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    WEB_ROOT=/app/web/dist
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/relay/dist ./relay/dist
COPY --from=build /src/web/dist ./web/dist
COPY scripts/healthcheck.mjs ./healthcheck.mjs
# The data directory (journal, signing secret, accounts) is the only thing written: a volume,
# so the root filesystem can be mounted read-only. One relay per volume (the lock enforces it).
RUN mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
# No curl in the slim image: a few lines of node (HTTP, or HTTPS when TLS_CERT is set).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "healthcheck.mjs"]
# SIGTERM (docker stop, a pod's termination): stop accepting, close sessions with 1001
# SESSION_SHUTTING_DOWN, flush the journal, exit (forced after 5 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "relay/dist/main.js"]
