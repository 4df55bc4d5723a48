#pragma once
// CurlMulti: HTTP requests on a Boost.Asio io_context through libcurl's
// multi-socket API, for the outbox's sends to providers' REST APIs. Many
// transfers run at once on one loop thread without blocking it; finished
// connections stay open in the multi handle's cache and are reused
// (keep-alive; HTTP/2 multiplexing over TLS where the server offers it).
//
//   CurlMulti http(io);
//   http.Perform(std::move(request), std::chrono::seconds(10), [](gateway::HttpResult r) {
//     if (!r.transport_ok) { ... r.error ... }      // refused, reset, timeout, stopped
//     else Use(r.status, r.headers, r.body);
//   });
//
// Results. transport_ok is false (status 0, `error` says why) when no
// complete response arrived: connection refused or reset, DNS failure, TLS
// failure, the timeout (connect + send + response, as a whole), an invalid
// request (a header with CR/LF), or Stop(). Otherwise status, headers (in
// order, names as received; of the final response only) and the body are
// filled in. The body is bounded by Options::max_body_bytes: a longer body is
// truncated (the rest is read and discarded, so the connection stays
// reusable) and the result is still transport_ok. The response headers are
// bounded the same way by max_header_bytes (later headers are dropped).
// Redirects are not followed; only http and https are allowed.
//
// Callbacks. Every Perform() gets exactly one callback, on the io_context's
// thread, never inside Perform() or Stop(). Stop() (and the destructor)
// abandon the transfers in flight: their callbacks get transport_ok=false
// with error "stopped", posted to the io_context (so they run only if the
// loop runs again; a destroyed io_context destroys them unrun). Perform()
// after Stop() fails the same way.
//
// Thread-safety: none. Create, use and destroy a CurlMulti on the thread that
// runs its io_context (or before it runs). The io_context must outlive it.
// Do not destroy a CurlMulti from inside one of its callbacks; Stop() is fine.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "gateway/outbound.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace helpline::daemon {

// curl_global_init(CURL_GLOBAL_DEFAULT), once per process, thread-safe. Every
// CurlMulti calls it; call it yourself before starting threads that use
// libcurl's easy API directly. There is no matching cleanup (process exit).
void CurlGlobalInit();

class CurlMulti {
 public:
  struct Options {
    // Response bodies longer than this are truncated. Default 1 MiB.
    std::size_t max_body_bytes = 1 << 20;
    // Response header bytes kept per transfer. Default 64 KiB.
    std::size_t max_header_bytes = 64 << 10;
    // Connections kept open for reuse (CURLMOPT_MAXCONNECTS); should be at
    // least the number of concurrent transfers. Default 128.
    long max_connections = 128;
    // Concurrent connections per host (CURLMOPT_MAX_HOST_CONNECTIONS); 0 is
    // no limit (transfers beyond it wait in curl's queue). Default 0.
    long max_host_connections = 0;
  };

  using Callback = std::function<void(gateway::HttpResult)>;

  CurlMulti(boost::asio::io_context& io, Options options);
  explicit CurlMulti(boost::asio::io_context& io);
  // Stop(), then closes the cached connections.
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts `request`; `done` gets the result (see the header comment).
  // `timeout` bounds the whole transfer, including the connect.
  void Perform(gateway::OutboundRequest request, std::chrono::milliseconds timeout, Callback done);

  // Abandons every transfer in flight (their callbacks get "stopped",
  // posted) and refuses new ones. Idempotent.
  void Stop();

  // Transfers started and not yet called back.
  std::size_t in_flight() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with handlers through weak_ptr
};

}  // namespace helpline::daemon
