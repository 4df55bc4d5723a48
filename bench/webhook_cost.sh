#!/usr/bin/env bash
# The daemon's cost per signed Twilio webhook, measured in ways that hold on
# a busy machine (issue 14 item 7), beside bench/webhook_bench.sh (which
# needs a quiet one for its rates):
#
#   instr  the daemon runs under valgrind --tool=callgrind; after WARMUP
#          requests its counters are zeroed, N requests are sent one after
#          another on one keep-alive connection, and the instructions the
#          daemon executed (user space: the kernel's share is not counted)
#          are divided by N. Repeatable to a fraction of a percent whatever
#          else the machine runs. The dump is kept (CALLGRIND_OUT) for
#          callgrind_annotate.
#   redis-instr  as instr, but redis-server runs under callgrind and the
#          daemon natively: Redis's instructions per webhook (its commands,
#          the scripts' Lua, its event loop; one request at a time, so each
#          command has a read and a write of its own) and where they go.
#   cpu    the daemon runs natively; wrk (CONNECTIONS, DURATION) drives it with
#          the same pre-signed requests, and the daemon's utime+stime from
#          /proc over a window inside wrk's run is divided by the webhooks
#          the daemon counted in it (/metrics): kernel included, but
#          load-sensitive. Also prints the daemon's resident memory after
#          the run and its peak (VmRSS, VmHWM).
#   redis  wrk as in cpu mode, after a warm-up, on webhooks the warm-up did
#          not send: Redis's commands per webhook (INFO commandstats: calls,
#          usec per call) and redis-server's utime+stime per webhook over
#          the run (issue 14 item 7: Redis shares the 2 cores).
#   syscalls  wrk as in cpu mode while `perf stat` counts the system calls of
#          the daemon and of Redis (some calls by name, and all of them)
#          over the whole run, divided by the webhooks the daemon counted;
#          then the same for nginx returning a constant TwiML body of the
#          same size (as in webhook_bench.sh), divided by the requests wrk
#          counted. Less load-sensitive than the CPU time (a busier machine
#          still means more wake-ups with fewer requests each).
#
# Both start their own redis-server (unix socket) and load data/directory.
#
# usage: bench/webhook_cost.sh instr|redis-instr|cpu|redis|syscalls HELPLINE_BINARY WEBHOOK_REQUESTS_BINARY
# env:   N (2000), WARMUP (200), CALLGRIND_OUT (file to keep the dump in),
#        DURATION (10, seconds, cpu, redis and syscalls modes), CONNECTIONS (50, the same),
#        SENDERS (100000: distinct senders the requests cycle through; with
#        SENDERS <= WARMUP every counted webhook comes from a known sender
#        whose rate window is open, instead of a first message),
#        SENDER_STATE_LAYOUT (hash or string: the daemon's sender_state_layout;
#        unset: the daemon's default, which an older build needs)
set -euo pipefail
MODE="$1"
HL="$(realpath "$2")"
GEN="$(realpath "$3")"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/bench/webhook_setup.sh"  # TOKEN, tmp, pids, cleanup, free_port, start_redis_and_load
SYSCALL_EVENTS="raw_syscalls:sys_enter"
for call in read write readv writev recvfrom sendto recvmsg sendmsg epoll_wait epoll_pwait epoll_ctl futex ioctl \
  accept4 close timerfd_settime getpid clock_gettime; do
  SYSCALL_EVENTS+=",syscalls:sys_enter_$call"
done
: "${N:=2000}" "${WARMUP:=200}" "${DURATION:=10}" "${CONNECTIONS:=50}" "${SENDERS:=100000}"  # defaults (see above)

redis_run=()
if [ "$MODE" = redis-instr ]; then
  redis_run=(valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" --dump-instr=no)
fi
start_redis_and_load
port="$(free_port)"
write_daemon_config "$port" 1
url="http://127.0.0.1:$port/webhooks/twilio"
"$GEN" "$url" "$TOKEN" $((WARMUP + N > 300000 ? WARMUP + N : 300000)) "$tmp/requests.tsv" "$SENDERS"

run=()
if [ "$MODE" = instr ]; then
  run=(valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" --dump-instr=no)
fi
HELPLINE_SENDER_SECRET="bench-secret-0123456789abcdef" HELPLINE_TWILIO_AUTH_TOKEN="$TOKEN" \
  "${run[@]}" "$HL" serve --config "$tmp/helpline.conf" >"$tmp/daemon.out" 2>"$tmp/daemon.err" &
pids+=($!)
daemon_pid=$!
for _ in $(seq 1 1200); do grep -q "listening on" "$tmp/daemon.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$tmp/daemon.out" || { echo "the daemon did not start:" >&2; cat "$tmp/daemon.err" >&2; exit 1; }

if [ "$MODE" = instr ] || [ "$MODE" = redis-instr ]; then
  counted_pid=$daemon_pid
  [ "$MODE" = instr ] || counted_pid=$redis_pid
  # Sends lines [first, first+count) of requests.tsv in order on one
  # connection; fails on any answer but 200.
  send() {
    python3 - "$port" "$tmp/requests.tsv" "$1" "$2" <<'PY'
import http.client, sys
port, path, first, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(path) as f:
    lines = f.read().splitlines()[first:first + count]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for line in lines:
    sig, body = line.split("\t", 1)
    c.request("POST", "/webhooks/twilio", body=body,
              headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("answer %d" % r.status)
PY
  }
  send 0 "$WARMUP"
  callgrind_control -z "$counted_pid" >/dev/null
  send "$WARMUP" "$N"
  sleep 0.2  # the last answers' background SETs
  callgrind_control -d "$counted_pid" >/dev/null
  sleep 1
  dump="$(ls -t "$tmp"/callgrind.out* | head -1)"
  total="$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$dump" | head -1)"
  [ -n "$total" ] || total="$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$dump" | head -1)"
  [ -z "${CALLGRIND_OUT:-}" ] || cp "$dump" "$CALLGRIND_OUT"
  awk -v t="$total" -v n="$N" 'BEGIN { printf "instructions per request: %.0f (%d requests, %d in all)\n", t / n, n, t }'
  exit 0
fi

# cpu mode: wrk for DURATION; the daemon's CPU per webhook it counted over a
# window inside wrk's run. wrk reads and formats every request before its
# clock starts, which takes seconds on a loaded machine, so the window is
# placed by the daemon's own count (/metrics), not by wall time from wrk's
# launch: it opens once the count has moved by 1,000 and a second has
# passed, and lasts DURATION-3 seconds.
export BENCH_DIR="$ROOT/bench"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
served() {
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^helpline_webhook_messages_total/ { s += $NF } END { printf "%d\n", s }'
}
REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d2s -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$port" >/dev/null

if [ "$MODE" = redis ]; then
  # What the webhooks cost Redis: INFO commandstats (reset after the warm-up;
  # commands a script calls are counted under their own names as well as the
  # EVALSHA) and redis-server's utime+stime over one wrk run of DURATION that
  # starts past the warm-up's requests, both divided by the webhooks the
  # daemon counted in the run. The background SETs of the last answers are
  # flushed when the loop turns, before the counters are read.
  rcli() { redis-cli -s "$tmp/redis.sock" "$@"; }
  outcome() {
    curl -s "http://127.0.0.1:$port/metrics" | awk -v o="$1" '$1 ~ "^helpline_webhook_messages_total.*\"" o "\"" { s += $NF } END { printf "%d\n", s }'
  }
  n0=$(served)
  d0=$(outcome duplicate)
  rcli CONFIG RESETSTAT >/dev/null
  r0=$(ticks "$redis_pid")
  FIRST=$((n0 + 1000)) REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$port" >"$tmp/wrk.out"
  sleep 0.5
  r1=$(ticks "$redis_pid")
  n1=$(served)
  d1=$(outcome duplicate)
  rcli INFO commandstats | tr -d '\r' >"$tmp/commandstats.txt"
  grep '^RESULT' "$tmp/wrk.out"
  n=$((n1 - n0))
  awk -v rd=$((r1 - r0)) -v n="$n" -v dup=$((d1 - d0)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "redis CPU per webhook: %.2f us (%d webhooks, %d of them duplicates)\n", rd / hz * 1e6 / n, n, dup }'
  # cmdstat_NAME:calls=C,usec=U,usec_per_call=P,...
  awk -F'[:,=]' -v n="$n" '/^cmdstat_/ && $1 !~ /^cmdstat_(config|info)/ {
      name = $1; sub(/^cmdstat_/, "", name)
      printf "  %-10s %.3f per webhook, %.2f us per call, %.2f us per webhook\n", name, $3 / n, $7, $5 / n
    }' "$tmp/commandstats.txt"
  exit 0
fi

if [ "$MODE" = syscalls ]; then
  # Prints "WHO syscalls per request: all=..., call=..." from a perf stat -x, file and a request count.
  per_request() {
    awk -F, -v who="$1" -v n="$3" '
      $3 ~ /^(raw_)?syscalls:/ && $1 ~ /^[0-9]+$/ {
        name = $3; sub(/^syscalls:sys_enter_/, "", name)
        if (name == "raw_syscalls:sys_enter") { total = $1; next }
        if ($1 > 0) line = line sprintf(" %s=%.2f", name, $1 / n)
      }
      END { printf "%s syscalls per request: all=%.2f,%s (%d requests)\n", who, total / n, line, n }' "$2"
  }
  # Runs wrk against URL (its output in OUT) while perf counts the system
  # calls of each PID into FILE; perf is attached before wrk starts and
  # stopped after it ends (an idle daemon makes few calls).
  # usage: count_over_run URL OUT PID FILE [PID FILE]...
  count_over_run() {
    local url="$1" out="$2" perf_pids=()
    shift 2
    while [ $# -gt 0 ]; do
      perf stat -x, -e "$SYSCALL_EVENTS" -p "$1" -o "$2" &
      perf_pids+=($!)
      shift 2
    done
    sleep 1
    REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/bench/webhook.lua" \
      "$url" >"$out"
    kill -INT "${perf_pids[@]}"
    wait "${perf_pids[@]}" || true
  }
  n0=$(served)
  count_over_run "http://127.0.0.1:$port" "$tmp/wrk.out" "$daemon_pid" "$tmp/perf-daemon.txt" \
    "$redis_pid" "$tmp/perf-redis.txt"
  n1=$(served)
  grep '^RESULT' "$tmp/wrk.out"
  per_request daemon "$tmp/perf-daemon.txt" $((n1 - n0))
  per_request redis "$tmp/perf-redis.txt" $((n1 - n0))

  # The reference: nginx returning a constant TwiML body of a typical reply's size.
  start_nginx_reference "$url"
  REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d2s -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$nport" >/dev/null
  count_over_run "http://127.0.0.1:$nport" "$tmp/wrk-nginx.out" "$nginx_worker" "$tmp/perf-nginx.txt"
  nresult="$(grep '^RESULT' "$tmp/wrk-nginx.out")"
  echo "nginx $nresult"
  per_request nginx "$tmp/perf-nginx.txt" "$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$nresult")"
  exit 0
fi
before=$(served)
# Past the warm-up's requests: from the first again, the warm-up's webhooks
# would come back as duplicates (the cheaper path).
FIRST=$((before + 1000)) REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/bench/webhook.lua" \
  "http://127.0.0.1:$port" >"$tmp/wrk.out" &
wp=$!
until [ "$(served)" -gt $((before + 1000)) ]; do
  kill -0 "$wp" 2>/dev/null || { echo "wrk ended before the window opened" >&2; exit 1; }
  sleep 0.1
done
sleep 1
t0=$(date +%s.%N)
n0=$(served)
c0=$(ticks "$daemon_pid")
u0=$(awk '{ print $14 }' "/proc/$daemon_pid/stat")
r0=$(ticks "$redis_pid")
sleep $((DURATION - 3))
t1=$(date +%s.%N)
n1=$(served)
c1=$(ticks "$daemon_pid")
u1=$(awk '{ print $14 }' "/proc/$daemon_pid/stat")
r1=$(ticks "$redis_pid")
wait "$wp"
# The daemon's resident memory once wrk is done (VmRSS) and its peak
# (VmHWM): the allocator's footprint under this load (round 6, jemalloc).
awk '/^VmRSS|^VmHWM/ { printf "%s %.1f MiB%s", $1, $2 / 1024, /^VmRSS/ ? "\n" : ", " }' "/proc/$daemon_pid/status" |
  sed 's/^/daemon memory: /'
result="$(grep '^RESULT' "$tmp/wrk.out")"
awk -v d=$((c1 - c0)) -v u=$((u1 - u0)) -v rd=$((r1 - r0)) -v n=$((n1 - n0)) -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
  'BEGIN { printf "daemon CPU per request: %.1f us (user %.1f, kernel %.1f), redis %.1f us (%.0f req/s in the window, %d webhooks)\n", d / hz * 1e6 / n, u / hz * 1e6 / n, (d - u) / hz * 1e6 / n, rd / hz * 1e6 / n, n / (t1 - t0), n }'
echo "$result"
