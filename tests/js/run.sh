#!/usr/bin/env bash
# Runs one of the JavaScript tests with its npm dependencies, installed
# (npm ci from the committed package-lock.json, npm's cache in
# ~/.cache/npm) into the build tree, never into the sources.
#
# usage: run.sh NODE_DIR SCRIPT.mjs [ARGS...]   (NODE_DIR: e.g. build/dev/js)
# exit 77 (ctest SKIP_RETURN_CODE) only when node/npm are missing or the
# packages can be neither downloaded nor found in the cache.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$1"; script="$2"; shift 2
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node or npm not installed (scripts/setup installs nodejs and npm)"
  exit 77
fi
mkdir -p "$dir"
(
  flock 9
  if ! cmp -s "$here/package-lock.json" "$dir/package-lock.json" || [ ! -d "$dir/node_modules" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$dir/"
    if ! (cd "$dir" && npm ci --cache "${NPM_CONFIG_CACHE:-$HOME/.cache/npm}" --prefer-offline \
            --no-audit --no-fund >"$dir/npm.log" 2>&1); then
      cat "$dir/npm.log"
      rm -f "$dir/package-lock.json"
      echo "SKIP: npm ci failed: the registry is unreachable and the packages are not cached"
      exit 77
    fi
  fi
) 9>"$dir/.lock" || exit $?
exec node "$here/$script" "$dir" "$@"
