#!/usr/bin/env bash
# `npm run test:containers`: the chaos fleet through testcontainers, on a machine without a
# Docker engine. Opt-in, not part of `npm test`. Recipe measured in ../shared/notes/containers-and-faults.md:
#   podman (root) with runc and explicit ulimits, its Docker-compatible API on a unix socket,
#   images built locally from the installed memcached/redis-server (nothing can be pulled),
#   testcontainers with Ryuk off and the host pinned to 127.0.0.1.
# Everything it creates is removed at the end, whatever happens: containers, images, the API
# service, its scratch files, and net.ipv4.ip_forward is put back as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then echo "test:containers: needs root (rootful podman)" >&2; exit 1; fi
missing=()
for tool in podman runc; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test:containers: installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc iptables >/dev/null
fi

work=$(mktemp -d /tmp/shardcache-containers-XXXXXX)
forward_before=$(sysctl -n net.ipv4.ip_forward)
service_pid=""
export CONTAINERS_CONF="$work/containers.conf"
export DOCKER_HOST="unix://$work/podman.sock"
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export SHARDCACHE_MEMCACHED_IMAGE=localhost/shardcache-memcached:local
export SHARDCACHE_REDIS_IMAGE=localhost/shardcache-redis:local

cleanup() {
  set +e
  ids=$(podman ps -aq --filter label=org.shardcache.fleet=true 2>/dev/null)
  [ -n "$ids" ] && podman rm -f -t 0 $ids >/dev/null 2>&1
  ids=$(podman ps -aq --filter label=org.testcontainers=true 2>/dev/null)
  [ -n "$ids" ] && podman rm -f -t 0 $ids >/dev/null 2>&1
  podman rmi -f "$SHARDCACHE_MEMCACHED_IMAGE" "$SHARDCACHE_REDIS_IMAGE" >/dev/null 2>&1
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  sysctl -qw net.ipv4.ip_forward="$forward_before"
  rm -rf "$work"
  echo "test:containers: cleaned up (containers, images, API service, ip_forward=$(sysctl -n net.ipv4.ip_forward))"
}
trap cleanup EXIT

# crun cannot run here (hybrid cgroups) and the sandbox cannot raise rlimits above its hard limits.
cat > "$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
exit_command_delay = 2
CONF

# One root filesystem from the host's binaries and the libraries they link; bash and cat for
# testcontainers' port wait strategy.
rootfs="$work/rootfs"
for binary in /usr/bin/memcached /usr/bin/redis-server /bin/sh /bin/bash /bin/cat /usr/bin/timeout; do
  mkdir -p "$rootfs$(dirname "$binary")"; cp -L "$binary" "$rootfs$binary"
  for lib in $(ldd "$binary" | grep -oE '/[^ ]+'); do mkdir -p "$rootfs$(dirname "$lib")"; cp -L "$lib" "$rootfs$lib"; done
done
mkdir -p "$rootfs"/{etc,tmp,proc,dev,sys}; chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
tar -C "$rootfs" -czf "$work/rootfs.tar.gz" .
# One image per server, without EXPOSE (podman 4.3 turns an image's EXPOSE into null bindings).
podman import -q "$work/rootfs.tar.gz" "$SHARDCACHE_MEMCACHED_IMAGE" >/dev/null
podman import -q "$work/rootfs.tar.gz" "$SHARDCACHE_REDIS_IMAGE" >/dev/null

podman system service --time=0 "$DOCKER_HOST" &
service_pid=$!
for _ in $(seq 1 100); do [ -S "$work/podman.sock" ] && break; sleep 0.05; done

npx vitest run --config packages/chaos/vitest.containers.config.ts
