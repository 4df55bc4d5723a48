-- wrk script for bench/soak: the pre-signed webhooks of webhook.lua, paced.
-- Each connection waits DELAY_MS (env) after every response, so that
-- CONNECTIONS connections send about CONNECTIONS * 1000 / DELAY_MS requests
-- per second (a little less: the latency adds to the delay). Reports one
-- line: "SOAK requests=.. rps=.. p50_ms=.. p90_ms=.. p99_ms=.. p999_ms=.. max_ms=.. errors=.. non2xx=..".
dofile(os.getenv("BENCH_DIR") .. "/webhook.lua")
local pause = tonumber(os.getenv("DELAY_MS") or "0")
delay = function() return pause end
function done(summary, latency, requests_)
  io.write(string.format(
    "SOAK requests=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
