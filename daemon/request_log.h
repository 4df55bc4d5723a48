#pragma once
// The request log: one line per request, never a number or a message body:
//   2026-12-05T07:00:00Z req=3f2a method=POST route=webhook_twilio status=200 ms=1.25 outcome=answered sender=9c1d...
// Lines are collected per loop thread during a loop turn and written with
// one write() when the loop gets to the flush posted after the first of them
// (and when the buffer grows large, and when the thread ends), instead of
// one unbuffered stderr write per request.
//
//   UseLoopForRequestLog(&io);                        // once per request, on its loop thread
//   LogRequest(RequestLog(req), "lookup", 200, 0.42, "ok", "");
//
// Thread-safety: each thread has its own buffer; call from any thread.

#include <string>
#include <string_view>
#include <utility>

#include "daemon/http_server.h"

namespace boost::asio {
class io_context;
}

namespace helpline::daemon {

// What a log line needs of a request; small enough to carry into callbacks
// (the request itself, with its headers and body, is not copied along).
struct RequestLog {
  RequestLog(const HttpRequest& r) : id(r.id), method(r.method) {}  // NOLINT: implicit by design
  RequestLog(std::string i, std::string m) : id(std::move(i)), method(std::move(m)) {}
  std::string id;
  std::string method;
};

// Lines logged on this thread are flushed at `io`'s next turn (the thread's
// own loop). Without it (or with null) each line is written at once.
void UseLoopForRequestLog(boost::asio::io_context* io);

// One line for `req`: `route`, `status`, `ms` of handling, the `outcome` and
// at most 12 characters of `sender_hash` (a keyed hash, never a number).
void LogRequest(const RequestLog& req, std::string_view route, int status, double ms, std::string_view outcome,
                std::string_view sender_hash);

}  // namespace helpline::daemon
