-- wrk script for the reference responder: the same POST shape, constant answer.
request = function()
  return wrk.format("POST", "/webhooks/twilio", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "MessageSid=SM0&From=%2B16045550123&Body=HELP")
end
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")
