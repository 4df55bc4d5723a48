#!/usr/bin/env bash
# The .deb of this build tree, unpacked into a throwaway root with `dpkg -x`:
# its control fields (shared-library dependencies, adduser, the conffile,
# the user made by postinst), its layout, and the installed binary run
# against the installed data: `validate`, `simulate` (Redis unreachable, so
# the shipped files), the shipped conffile read by `serve --check-config`,
# which also shows the data directory found beside the binary. The binary
# is this tree's own (a sanitizer build in scripts/test); scripts/package
# makes the release one and runs lintian on it.
#
# usage: package_test.sh BUILD_DIR [jemalloc|glibc]
#   the allocator the tree's binary was linked with (HELPLINE_JEMALLOC):
#   jemalloc means the package must depend on libjemalloc2, glibc that it
#   must not (default glibc).
set -uo pipefail
BUILD="$1"
ALLOCATOR="${2:-glibc}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
expect() {  # expect DESCRIPTION PATTERN TEXT
  grep -qE -- "$2" <<<"$3" || fail "$1: expected /$2/ in: $3"
}

start=$(date +%s)
if ! cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log" >&2
  echo "FAIL: cpack" >&2
  exit 1
fi
deb="$(ls "$tmp"/out/helpline_*.deb)"
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB, built in $(( $(date +%s) - start )) s"

# Control: dependencies from dpkg-shlibdeps, plus adduser for postinst.
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for lib in adduser libhiredis libcurl libssl libstdc; do expect "Depends" "(^|, )$lib" "$depends"; done
case "$ALLOCATOR" in
  jemalloc) expect "Depends (jemalloc build)" "(^|, )libjemalloc2" "$depends" ;;
  glibc) grep -q jemalloc <<<"$depends" && fail "Depends: libjemalloc in a build without HELPLINE_JEMALLOC: $depends" ;;
  *) fail "unknown allocator $ALLOCATOR" ;;
esac
expect "Package" "^helpline$" "$(dpkg-deb -f "$deb" Package)"
mkdir -p "$tmp/control" && dpkg-deb -e "$deb" "$tmp/control"
expect "conffiles" "^/etc/helpline/helpline.conf$" "$(cat "$tmp/control/conffiles")"
expect "postinst" "adduser --system" "$(cat "$tmp/control/postinst")"
expect "postinst mode" "^755$" "$(stat -c %a "$tmp/control/postinst")"
expect "postinst writes the secrets file" "HELPLINE_SENDER_SECRET=" "$(cat "$tmp/control/postinst")"
expect "prerm stops the service" "stop helpline.service" "$(cat "$tmp/control/prerm")"

# Layout.
root="$tmp/root"
dpkg -x "$deb" "$root"
for f in usr/bin/helpline usr/share/helpline/engine/keywords.json usr/share/helpline/engine/messages.json usr/share/helpline/geo/us-zip.tsv \
         usr/share/helpline/schema/directory.schema.json etc/helpline/helpline.conf \
         usr/share/man/man1/helpline.1.gz usr/share/doc/helpline/copyright usr/share/doc/helpline/changelog.gz \
         lib/systemd/system/helpline.service lib/systemd/system/helpline-refresh-directory.service \
         lib/systemd/system/helpline-refresh-directory.timer usr/libexec/helpline/refresh-directory; do
  [ -f "$root/$f" ] || fail "missing /$f"
done
ls "$root"/usr/share/helpline/directory/*.json >/dev/null 2>&1 || fail "no directory files in /usr/share/helpline/directory"
[ -x "$root/usr/bin/helpline" ] || fail "/usr/bin/helpline is not executable"
unexpected="$(cd "$root" && find . -type f | grep -vE '^\./(usr/bin/helpline|usr/share/(helpline|man|doc|lintian)/|etc/helpline/helpline\.conf$|lib/systemd/system/helpline|usr/libexec/helpline/refresh-directory$)')"
[ -z "$unexpected" ] || fail "files outside the layout: $unexpected"
zcat "$root/usr/share/man/man1/helpline.1.gz" | grep -q '^\.SH NAME' || fail "man page not readable"

# The installed binary against the installed data. Nothing may come from the
# source tree: no HELPLINE_DATA_DIR, Redis unreachable.
hl="$root/usr/bin/helpline"
run() { env -u HELPLINE_DATA_DIR HELPLINE_REDIS_URL="unix://$tmp/no-redis.sock" "$@"; }
out="$(run "$hl" validate "$root/usr/share/helpline/directory" 2>&1)"; rc=$?
[ $rc -eq 0 ] || fail "validate exit $rc: $out"
expect "validate" "^valid: " "$out"
out="$(run "$hl" simulate --from +16045550123 "need narcan in BC please" 2>&1)"; rc=$?
[ $rc -eq 0 ] || fail "simulate exit $rc: $out"
expect "simulate reads the installed directory" "files $root/usr/share/helpline/directory" "$out"
expect "simulate answers" "[Nn]aloxone" "$out"
out="$(run env HELPLINE_SENDER_SECRET=package-test-secret-0123456789 \
       "$hl" serve --config "$root/etc/helpline/helpline.conf" --check-config 2>&1)"; rc=$?
[ $rc -eq 0 ] || fail "serve --check-config with the shipped conffile: exit $rc: $out"
expect "data_dir found beside the binary" "data_dir = $root/usr/share/helpline$" "$out"
# The override wins: a data directory that does not exist is an error.
out="$(run env HELPLINE_DATA_DIR="$tmp/nowhere" "$hl" simulate HELP 2>&1)" && fail "HELPLINE_DATA_DIR ignored: $out"

# The units as systemd reads them, against the unpacked root (the binary,
# the refresh script and the man page of Documentation= are there; the
# host's targets and /bin/kill of ExecReload are copied in).
if command -v systemd-analyze >/dev/null; then
  units=(helpline.service helpline-refresh-directory.service helpline-refresh-directory.timer)
  mkdir -p "$root/usr/lib/systemd/system" "$root/bin"
  cp -a /lib/systemd/system/*.target "$root/usr/lib/systemd/system/"
  cp /bin/kill "$root/bin/kill"
  out="$(cd "$root/lib/systemd/system" && MANPATH="$root/usr/share/man" \
         systemd-analyze verify --root="$root" "${units[@]}" 2>&1)"; rc=$?
  [ $rc -eq 0 ] && [ -z "$out" ] || fail "systemd-analyze verify (exit $rc): $out"
  out="$(systemd-analyze security --offline=true --root="$root" --no-pager helpline.service 2>&1)"
  score="$(grep -oE 'exposure level for helpline.service: [0-9.]+' <<<"$out" | grep -oE '[0-9.]+$')"
  echo "systemd-analyze security: helpline.service exposure ${score:-?}"
  # 10 is fully exposed; below 2 is what systemd calls "OK" (green).
  awk -v s="${score:-99}" 'BEGIN { exit !(s < 2.0) }' || fail "exposure ${score:-?} is not below 2.0: $out"
else
  echo "SKIP: systemd-analyze not installed (package systemd); units not verified" >&2
fi

echo "package test: $fails failure(s) in $(( $(date +%s) - start )) s"
[ $fails -eq 0 ]
