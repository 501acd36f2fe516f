#!/usr/bin/env bash
# Builds the relay's image from the Dockerfile with buildah and runs it with podman: serves
# /healthz and /readyz, passes its own HEALTHCHECK, keeps a read-only root, stops on SIGTERM
# with exit 0. relay/test/container-image.test.ts runs it (as root, where buildah and podman
# are installed). No registry is reachable here, so the base image (both stages, BASE) is
# made locally: Debian bookworm minbase (debootstrap) plus this machine's Node, cached as
# localhost/tickmesh-node20-base. Elsewhere: BASE=node:20-bookworm-slim scripts/container-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${BASE:-localhost/tickmesh-node20-base}"
TAG="${TAG:-localhost/tickmesh-relay:ci}"
PORT="${PORT:-18080}"
# This host has hybrid cgroups (crun refuses them; runc works) and no systemd for podman.
RT=(--runtime "$(command -v runc)")
P=(podman --runtime "$(command -v runc)" --cgroup-manager cgroupfs)
NAME="tickmesh-ci-$$"
VOL="tickmesh-ci-$$"
cleanup() {
  "${P[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
  "${P[@]}" volume rm -f "$VOL" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step() { echo "container-image: $*" >&2; }

if [ "$BASE" = localhost/tickmesh-node20-base ] && ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  step "making the base image $BASE (debootstrap bookworm minbase + node $(node -v))"
  root=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules"
  cp -a "$node_bin" "$root/usr/local/bin/node"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # The machine's trusted CAs (its HTTPS egress may be intercepted), so npm ci works inside.
  # minbase has no ca-certificates package, hence no /etc/ssl/certs of its own.
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  c=$(buildah from scratch)
  buildah copy "$c" "$root" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node "$c"
  buildah commit --rm "$c" "$BASE" >/dev/null
  rm -rf "$root"
fi

step "building $TAG from BASE=$BASE"
# docker format: OCI images drop HEALTHCHECK.
buildah bud -q --format docker "${RT[@]}" --build-arg BASE="$BASE" -t "$TAG" . >/dev/null

step "running it read-only on port $PORT"
"${P[@]}" volume create "$VOL" >/dev/null
"${P[@]}" run -d --name "$NAME" --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
  -p "127.0.0.1:$PORT:8080" -v "$VOL:/data" --read-only "$TAG" >/dev/null
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "healthz $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
echo "readyz $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz")"
echo "pwa $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")"
if "${P[@]}" exec "$NAME" node healthcheck.mjs; then echo "healthcheck 0"; else echo "healthcheck $?"; fi
echo "user $("${P[@]}" exec "$NAME" id -u)"
if "${P[@]}" exec "$NAME" touch /app/x 2>/dev/null; then echo "rootfs writable"; else echo "rootfs read-only"; fi
echo "healthcheck-config $("${P[@]}" image inspect --format '{{.HealthCheck.Test}}' "$TAG" 2>/dev/null || true)"
start=$(date +%s%N)
"${P[@]}" stop -t 10 "$NAME" >/dev/null
echo "stop-ms $(( ($(date +%s%N) - start) / 1000000 ))"
echo "exit $("${P[@]}" inspect --format '{{.State.ExitCode}}' "$NAME")"
echo "image-bytes $("${P[@]}" image inspect --format '{{.Size}}' "$TAG")"
