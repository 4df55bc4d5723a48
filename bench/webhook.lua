-- wrk script: cycles through pre-signed Twilio webhooks (see bench/webhook_bench.sh).
-- REQUESTS (env) is the file written by webhook_requests: "SIGNATURE<TAB>BODY" lines.
local requests = {}
for line in io.lines(os.getenv("REQUESTS")) do
  local tab = line:find("\t", 1, true)
  requests[#requests + 1] = {line:sub(tab + 1), line:sub(1, tab - 1)}
end
local n = #requests
local i = 0
request = function()
  local r = requests[i % n + 1]
  i = i + 1
  return wrk.format("POST", "/webhooks/twilio",
    {["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = r[2]}, r[1])
end

dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")
