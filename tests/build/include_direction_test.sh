#!/usr/bin/env bash
# cmake/CheckIncludeDirection.cmake accepts the real tree and refuses a tree
# with each kind of violation, naming the file and line.
#   include_direction_test.sh SOURCE_DIR
set -euo pipefail
src="$1"
script="$src/cmake/CheckIncludeDirection.cmake"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake -DROOT="$src" -DSTAMP="$tmp/stamp" -P "$script" || fail "the real tree is refused"
[ -f "$tmp/stamp" ] || fail "no stamp written on success"

# expect_refused FILE CONTENT MESSAGE: a tree with only FILE is refused with MESSAGE.
expect_refused() {
  local file="$1" content="$2" message="$3" tree="$tmp/tree$RANDOM"
  mkdir -p "$tree/$(dirname "$file")"
  printf '%b' "$content" > "$tree/$file"
  if out="$(cmake -DROOT="$tree" -P "$script" 2>&1)"; then
    fail "$file accepted: $content"
  fi
  grep -qF "$message" <<<"$out" || fail "$file: expected '$message' in: $out"
}
expect_ok() {
  local file="$1" content="$2" tree="$tmp/tree$RANDOM"
  mkdir -p "$tree/$(dirname "$file")"
  printf '%b' "$content" > "$tree/$file"
  cmake -DROOT="$tree" -P "$script" >/dev/null 2>&1 || fail "$file refused: $content"
}

expect_refused common/x.cc '#include "common/x.h"\n#include "daemon/app.h"\n' 'common/x.cc:2: common/ may not include daemon/'
expect_refused redis/x.h '#include "directory/model.h"\n' 'redis/x.h:1: redis/ may not include directory/'
expect_refused directory/x.cc '#include "gateway/provider.h"\n' 'directory/x.cc:1: directory/ may not include gateway/'
expect_refused gateway/twilio/x.cc '#include "redis/value.h"\n' 'gateway/twilio/x.cc:1: gateway/ may not include redis/'
expect_refused daemon/engine/x.cc '#include "redis/value.h"\n' 'daemon/engine/x.cc:1: daemon/engine/ may not include redis/'
expect_refused daemon/engine/y.cc '#include "daemon/outbox.h"\n' 'daemon/engine/y.cc:1: daemon/engine/ may not include daemon/'
expect_refused directory/z.cc '#  include <hiredis/hiredis.h>\n' 'directory/z.cc:1: hiredis is private to redis/'
expect_refused daemon/z.cc '#include <openssl/evp.h>\n' 'daemon/z.cc:1: OpenSSL is included only by common/crypto.cc'

expect_ok daemon/x.cc '#include "daemon/engine/intent.h"\n#include "gateway/provider.h"\n#include "redis/value.h"\n'
expect_ok daemon/engine/x.cc '#include "directory/model.h"\n#include "common/status.h"\n'
expect_ok redis/x.cc '#include <hiredis/hiredis.h>\n'
expect_ok common/crypto.cc '#include <openssl/evp.h>\n'
echo "include direction: the real tree passes, 8 violations refused, 4 allowed cases pass"
