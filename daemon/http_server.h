#pragma once
// The HTTP/1.1 server: one event loop (io_context) per thread, each with its
// own acceptor on the shared port (SO_REUSEPORT: the kernel spreads
// connections), keep-alive, bounded headers and bodies, header/idle and
// request timeouts, a connection limit, and a graceful drain. Beast stays in
// http_server.cc; the application sees plain request/response values.
//
//   HttpServer server(options, [&](int loop, HttpRequest req, Responder respond) {
//     respond(HttpResponse{200, "text/plain", "ok"});   // now or later, on the same loop
//   });
//   server.Listen();   // then server.port()
//   server.Run();      // blocks until Drain() finishes
//
// Thread-safety: Listen() and Run() from one thread; Drain() from any thread.
// The handler runs on loop `loop`'s thread and must call `respond` exactly
// once, on that same thread, and never after the HttpServer is destroyed.

#include <utility>  // before Asio: g++ 12 + C++20 (see STACK-NOTES)

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace helpline::daemon {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // "/webhooks/twilio?x=1"
  // In the order received, names lower-case; a repeated name keeps every
  // value (Header() returns the first). A vector, not a map: a request has a
  // handful of headers, and this is built for every request.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string id;  // a request id for logs ("a1b2c3-42")

  // The header's value or "".
  const std::string& Header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(int loop, HttpRequest, Responder)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads = 1;
  std::size_t max_body_bytes = 65536;
  std::size_t max_header_bytes = 16384;
  std::chrono::milliseconds header_timeout{5000};    // to receive the headers of a new request
  std::chrono::milliseconds request_timeout{10000};  // to receive the body and send the answer
  std::chrono::milliseconds idle_timeout{30000};     // keep-alive wait for the next request
  int max_connections = 2048;
  // Called on the loop's thread for every answer the server gives on its own,
  // without the handler: 413, 431, 400 for malformed HTTP, 503 over the
  // connection limit. `method` and `target` as far as they were parsed, else
  // ""; `reason` the plain-text reason. For the
  // application's request log and metrics; a response returned replaces the
  // server's text answer (the status should stay). Optional.
  std::function<std::optional<HttpResponse>(int loop, int status, std::string_view method, std::string_view target,
                                            std::string_view reason)>
      on_reject = nullptr;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every loop's acceptor. Unavailable (address in use...) on failure.
  Status Listen();
  int port() const { return port_; }
  int loops() const { return static_cast<int>(loops_.size()); }
  boost::asio::io_context& loop(int i) { return *loops_[static_cast<std::size_t>(i)]; }

  // Runs every loop (one thread each, this thread included) until drained.
  void Run();
  // Stops accepting, lets in-flight requests finish (answers carry
  // "Connection: close"), and stops the loops when none is left or after
  // `deadline`. Safe from any thread, e.g. a signal handler's loop. When
  // given, `also_idle` (called on loop 0, must be thread-safe) must say true
  // too before the loops stop early (e.g. the outbox's sends are done).
  void Drain(std::chrono::milliseconds deadline, std::function<bool()> also_idle = nullptr);

  std::int64_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
  int port_ = 0;
};

}  // namespace helpline::daemon
