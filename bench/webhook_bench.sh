#!/usr/bin/env bash
# Webhook benchmark (issue 4): in one run, starts redis-server and the daemon,
# pre-signs distinct Twilio webhooks (distinct MessageSid, varied senders and
# keywords), drives them with wrk (50 connections, 15 s), then drives a
# reference responder started in the same run (nginx returning a constant
# TwiML body of the same size) the same way, and prints req/s, p50 and p99
# for both and the ratio, and the CPU time each process spent per request
# (the 2 cores are shared by wrk, the server and Redis, so where the CPU goes
# decides the rate). Loopback only; bounded in time.
#
# usage: bench/webhook_bench.sh BUILD_DIR   (scripts/bench webhook builds and calls it)
# env:   DURATION (15s, at least 6s), CONNECTIONS (50), THREADS (daemon loops and nginx workers, 1),
#        REQUESTS (pre-signed distinct requests, 300000)
set -euo pipefail
BUILD="$1"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/bench/webhook_setup.sh"  # TOKEN, tmp, pids, cleanup, free_port, start_redis_and_load
HL="$BUILD/daemon/helpline"
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-1}"
REQUESTS="${REQUESTS:-300000}"
export BENCH_DIR="$ROOT/bench"  # the wrk scripts load wrk_report.lua from here
seconds="${DURATION%s}"
# The value of KEY=NUMBER in a RESULT line: field KEY LINE.
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
# Drives URL with the pre-signed requests for DURATION; prints wrk's RESULT
# line, then "CPU name=µs ..." for wrk and for each NAME=PID given: CPU time
# per request over the middle of the run (from 3 s to 1 s before the end, so
# wrk's init, which formats every request once, is left out).
drive() {
  local url="$1"; shift
  REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/bench/webhook.lua" \
    "$url" >"$tmp/wrk.out" &
  local wp=$! procs=("$@") before=() after=() t0 t1
  procs+=("wrk=$wp")
  ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
  sleep 3
  t0=$(date +%s.%N); for p in "${procs[@]}"; do before+=("$(ticks "${p#*=}")"); done
  sleep $((seconds - 4))
  t1=$(date +%s.%N); for p in "${procs[@]}"; do after+=("$(ticks "${p#*=}")"); done
  wait "$wp"
  local result; result="$(grep '^RESULT' "$tmp/wrk.out")"
  echo "$result"
  local rps; rps="$(field rps "$result")"
  local line="CPU"
  for i in "${!procs[@]}"; do
    line+=" ${procs[$i]%%=*}=$(awk -v d=$((after[i] - before[i])) -v r="$rps" -v t0="$t0" -v t1="$t1" \
      -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", d / hz * 1e6 / (r * (t1 - t0)) }')"
  done
  echo "$line"
}

start_redis_and_load
port="$(free_port)"
write_daemon_config "$port" $THREADS
HELPLINE_SENDER_SECRET="bench-secret-0123456789abcdef" HELPLINE_TWILIO_AUTH_TOKEN="$TOKEN" \
  "$HL" serve --config "$tmp/helpline.conf" >"$tmp/daemon.out" 2>"$tmp/daemon.err" &
pids+=($!)
daemon_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$tmp/daemon.out" 2>/dev/null && break; sleep 0.05; done
grep -q "listening on" "$tmp/daemon.out" || { echo "the daemon did not start:" >&2; cat "$tmp/daemon.err" >&2; exit 1; }
url="http://127.0.0.1:$port/webhooks/twilio"

echo "pre-signing $REQUESTS distinct requests..."
"$BUILD/bench/webhook_requests" "$url" "$TOKEN" "$REQUESTS" "$tmp/requests.tsv"
echo "daemon: wrk -t1 -c$CONNECTIONS -d$DURATION (loops: $THREADS)"
REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d2s -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$port" >/dev/null
daemon_out="$(drive "http://127.0.0.1:$port" "helpline=$daemon_pid" "redis=$redis_pid")"
daemon_result="$(grep '^RESULT' <<<"$daemon_out")"
daemon_cpu="$(grep '^CPU' <<<"$daemon_out")"

start_nginx_reference "$url"
echo "reference (nginx, constant $bytes-byte TwiML): wrk -t1 -c$CONNECTIONS -d$DURATION (workers: $THREADS)"
# The same script and the same pre-signed requests as the daemon got.
REQUESTS="$tmp/requests.tsv" wrk -t1 -c"$CONNECTIONS" -d2s -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$nport" >/dev/null
nginx_out="$(drive "http://127.0.0.1:$nport" "nginx=$nginx_worker")"
nginx_result="$(grep '^RESULT' <<<"$nginx_out")"
nginx_cpu="$(grep '^CPU' <<<"$nginx_out")"

echo
printf '%-30s %10s %10s %10s %8s %8s\n' "" "req/s" "p50 ms" "p99 ms" "errors" "non-2xx"
printf '%-30s %10s %10s %10s %8s %8s\n' "helpline (signed webhooks)" "$(field rps "$daemon_result")" \
  "$(field p50_ms "$daemon_result")" "$(field p99_ms "$daemon_result")" "$(field errors "$daemon_result")" \
  "$(field non2xx "$daemon_result")"
printf '%-30s %10s %10s %10s %8s %8s\n' "nginx (constant TwiML)" "$(field rps "$nginx_result")" \
  "$(field p50_ms "$nginx_result")" "$(field p99_ms "$nginx_result")" "$(field errors "$nginx_result")" \
  "$(field non2xx "$nginx_result")"
ratio="$(awk -v a="$(field rps "$daemon_result")" -v b="$(field rps "$nginx_result")" 'BEGIN { printf "%.2f", a / b }')"
echo "ratio helpline/nginx: $ratio  (target >= 0.50; daemon p99 target <= 5 ms)"
echo "CPU per request, µs (steady state): ${daemon_cpu#CPU } | ${nginx_cpu#CPU }"
echo "distinct requests: $REQUESTS pre-signed; daemon sent $(field requests "$daemon_result") (beyond that, MessageSids repeat and take the duplicate path)"
