# Shared by bench/webhook_bench.sh and bench/webhook_cost.sh (sourced, not
# run): the Redis and the daemon configuration both benchmarks start from.
# Expects $HL (the helpline binary) and $ROOT (the source tree); sets up
# $tmp (a scratch directory removed at exit), pids (processes stopped at
# exit) and TOKEN (the Twilio auth token the requests are signed with).

TOKEN="bench-token-0123456789"
tmp="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$tmp" 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts redis-server on a unix socket in $tmp (redis_pid), points
# HELPLINE_REDIS_URL at it and loads the shipped directory.
start_redis_and_load() {
  redis-server --port 0 --unixsocket "$tmp/redis.sock" --save "" --appendonly no --dir "$tmp" \
    --logfile "$tmp/redis.log" --daemonize no &
  pids+=($!)
  redis_pid=$!
  for _ in $(seq 1 100); do [ -S "$tmp/redis.sock" ] && break; sleep 0.05; done
  export HELPLINE_REDIS_URL="unix://$tmp/redis.sock"
  "$HL" load "$ROOT/data/directory" --quiet >/dev/null
}

# Writes $tmp/helpline.conf: loopback, port $1, $2 loops, no rate limit to speak of.
write_daemon_config() {
  cat >"$tmp/helpline.conf" <<CONF
listen_address = 127.0.0.1
port = $1
threads = $2
rate_limit_messages = 100000000
CONF
}
