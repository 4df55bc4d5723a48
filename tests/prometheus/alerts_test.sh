#!/usr/bin/env bash
# The Prometheus alert rules (docs/prometheus/alerts.yml): `promtool check
# rules`, then their unit tests (alerts_test.yml: each alert fires on the
# series that should fire it, and only those), and the Grafana dashboard
# (docs/grafana/helpline.json) is JSON whose queries parse and name only metrics the
# daemon exports (daemon/metrics.cc) or Prometheus's own `up`.
#
# usage: alerts_test.sh SOURCE_DIR
# exit 77 (ctest SKIP_RETURN_CODE) when promtool is missing: it comes with
# Debian's `prometheus` package (19 MB download, 96 MB installed, and a
# server the test does not need), so it is optional, not in scripts/lib.sh.
set -uo pipefail
src="$1"
fail=0
if ! command -v promtool >/dev/null; then
  echo "SKIP: promtool not installed (apt-get install prometheus)"
  exit 77
fi
cd "$src/docs/prometheus" || exit 1
promtool check rules alerts.yml || fail=1
promtool test rules alerts_test.yml || fail=1

# Every helpline_* name the rules and the dashboard use is exported.
exported="$(grep -o 'helpline_[a-z_]*' "$src/daemon/metrics.cc" | sort -u)"
[ -n "$exported" ] || { echo "FAIL: no metric names found in daemon/metrics.cc"; fail=1; }
used="$( (grep -o 'helpline_[a-z_]*' alerts.yml; grep -o 'helpline_[a-z_]*' "$src/docs/grafana/helpline.json") \
        | sed -E 's/_(bucket|sum|count)$//' | sort -u)"
for name in $used; do
  grep -qx "$name" <<<"$exported" || { echo "FAIL: $name is used but daemon/metrics.cc does not export it"; fail=1; }
done
# The dashboard is JSON, and each panel's query parses as PromQL: they are
# written out as recording rules for `promtool check rules`.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$src/docs/grafana/helpline.json" "$tmp/dashboard_rules.yml" <<'PY' || { echo "FAIL: docs/grafana/helpline.json"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
assert len(exprs) >= 10, "too few queries"
with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        f.write(f"      - record: dashboard_query_{i}\n        expr: {json.dumps(e)}\n")
PY
promtool check rules "$tmp/dashboard_rules.yml" >/dev/null || { echo "FAIL: a dashboard query is not PromQL" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "alerts: rules, rule tests and dashboard OK"
exit "$fail"
