#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing (protoc for the
# wire-compatibility test; Chromium for browser tests; openssl and certutil for the LAN test; nats-server and haproxy for the cluster tests;
# buildah, podman, runc and debootstrap, as root, for the container image test). Needs root or passwordless sudo;
# otherwise it says what to install and fails, rather than letting tests fail obscurely.
set -euo pipefail
need=()
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
[ -x /usr/bin/chromium ] || need+=(chromium)
# The LAN test: a CA and certificates (openssl), the browsers' trust of that CA (certutil), hosts (ip netns).
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# The cluster tests (relay/test/cluster-*.test.ts): a real NATS server, HAProxy in front of two edges.
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
# The container image test (relay/test/container-image.test.ts): a daemonless builder and runtime.
if [ "$(id -u)" -eq 0 ]; then
  for tool in buildah podman runc debootstrap curl; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "tests need Debian packages: ${need[*]} — installing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "cannot run apt-get; install: ${need[*]}" >&2; exit 1; }
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
