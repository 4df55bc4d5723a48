# Shared shell helpers for scripts/*. Source it; do not run it.
# shellcheck shell=bash

HELPLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian 12 packages the build, the tests and the run need (dpkg-dev and
# lintian: scripts/package; nodejs, npm and chromium: tests/js; nginx:
# tests/e2e/multi_daemon_test.mjs, which runs it unprivileged on loopback;
# libjemalloc-dev: the allocator of optimised builds, cmake/HelplineDeps.cmake).
HELPLINE_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl
  libhiredis-dev rapidjson-dev libphonenumber-dev libicu-dev libjemalloc-dev
  libcurl4-openssl-dev libboost-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server redis-tools openssl python3 python3-twilio
  dpkg-dev lintian nodejs chromium nginx
)

# What scripts/fuzz (and the short fuzzing run of scripts/test) adds: clang
# and its libFuzzer runtime.
HELPLINE_FUZZ_PACKAGES=(clang libclang-rt-14-dev)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs whatever of HELPLINE_PACKAGES (plus any packages given as
# arguments) is missing, as root or through sudo.
ensure_packages() {
  local missing=() p
  for p in "${HELPLINE_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Debian's nodejs comes without npm (a package of its own); NodeSource's
  # nodejs bundles it and conflicts with Debian's npm package.
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} by hand"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build_tree DIR [cmake args...]: configures (once) and builds DIR with 2 jobs.
build_tree() {
  local dir="$1"; shift
  cmake -S "$HELPLINE_ROOT" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "${HELPLINE_JOBS:-2}"
}
