-- wrk script: cycles through pre-signed Twilio webhooks (see bench/webhook_bench.sh).
-- REQUESTS (env) is the file written by webhook_requests: "SIGNATURE<TAB>BODY" lines.
-- Every request is formatted once, in init (after wrk has set the Host
-- header), so the load generator spends as little CPU as possible per
-- request: on a 2-core machine it shares the cores with the server under
-- test. The reference responder is driven with this same script and bytes.
-- FIRST (env, default 0) skips that many requests at the start, so a run
-- after a warm-up sends webhooks the warm-up did not (new, not duplicates).
local lines = {}
for line in io.lines(os.getenv("REQUESTS")) do
  local tab = line:find("\t", 1, true)
  lines[#lines + 1] = {line:sub(1, tab - 1), line:sub(tab + 1)}
end
local requests = {}
local n = #lines
local i = tonumber(os.getenv("FIRST") or "0")

init = function(args)
  for k, l in ipairs(lines) do
    requests[k] = wrk.format("POST", "/webhooks/twilio",
      {["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = l[1]}, l[2])
  end
  lines = nil
end

request = function()
  i = i + 1
  return requests[(i - 1) % n + 1]
end

dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")
