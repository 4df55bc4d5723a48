# Shared by bench/webhook_bench.sh and bench/webhook_cost.sh (sourced, not
# run): the Redis, the daemon configuration and the nginx reference both
# benchmarks start from.
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
# HELPLINE_REDIS_URL at it and loads the shipped directory. A caller may set
# the array redis_run to a command that runs redis-server (valgrind).
start_redis_and_load() {
  ${redis_run[@]+"${redis_run[@]}"} redis-server --port 0 --unixsocket "$tmp/redis.sock" --save "" --appendonly no --dir "$tmp" \
    --logfile "$tmp/redis.log" --daemonize no &
  pids+=($!)
  redis_pid=$!
  for _ in $(seq 1 600); do [ -S "$tmp/redis.sock" ] && break; sleep 0.05; done
  export HELPLINE_REDIS_URL="unix://$tmp/redis.sock"
  "$HL" load "$ROOT/data/directory" --quiet >/dev/null
}

# Writes $tmp/helpline.conf: loopback, port $1, $2 loops, no rate limit to speak of,
# and sender_state_layout when SENDER_STATE_LAYOUT is set.
write_daemon_config() {
  cat >"$tmp/helpline.conf" <<CONF
listen_address = 127.0.0.1
port = $1
threads = $2
rate_limit_messages = 100000000
${SENDER_STATE_LAYOUT:+sender_state_layout = $SENDER_STATE_LAYOUT}
CONF
}

# Starts the reference responder: nginx (THREADS workers, default 1) on a
# free port ($nport) answering every request with a constant TwiML body as
# long as a typical reply, the daemon's answer to HELP at URL $1 ($bytes);
# $nginx_worker is its (first) worker's pid.
start_nginx_reference() {
  local sample
  sample="$(HELPLINE_TWILIO_AUTH_TOKEN="$TOKEN" "$ROOT/scripts/twilio-request" -u "$1" -f +16045550123 HELP)"
  bytes=${#sample}
  nport="$(free_port)"
  mkdir -p "$tmp/nginx"
  printf '%s' "$sample" > "$tmp/nginx/body.xml"
  cat > "$tmp/nginx.conf" <<NGINX
worker_processes ${THREADS:-1};
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx;
  proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx; uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    location = /webhooks/twilio {
      default_type "text/xml; charset=utf-8";
      return 200 '$(sed "s/'/\\\\'/g" "$tmp/nginx/body.xml")';
    }
  }
}
NGINX
  nginx -c "$tmp/nginx.conf" -p "$tmp" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$nport/webhooks/twilio" -d x=1 && break; sleep 0.05; done
  for _ in $(seq 1 100); do [ -s "$tmp/nginx.pid" ] && break; sleep 0.05; done
  nginx_worker="$(pgrep -P "$(cat "$tmp/nginx.pid")" | head -1)"
}
