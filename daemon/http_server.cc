// The HTTP server (see http_server.h). The only file that includes Beast.
//
// Design. Each loop owns an acceptor bound with SO_REUSEPORT and runs one
// coroutine per connection: read the headers (idle or header timeout), then
// the body (request timeout, body limit), hand the request to the
// application, await its response (the application may answer later, after
// Redis), write it, and go round again while keep-alive holds. Every error
// the network can cause ends the connection; malformed requests get a 4xx
// with a reason first. Draining closes the acceptors and marks responses
// "Connection: close"; the loops stop when the last request has been
// answered or the deadline passes.

#include "daemon/http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdio>
#include <thread>

namespace helpline::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

const std::string& HttpRequest::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return kEmpty;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> next_id{0};
  std::vector<asio::io_context*> loops;
  std::vector<std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>>> guards;

  std::string NewId() {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(next_id.fetch_add(1) + 1));
    return buf;
  }

  // Waits for the application's response, resuming on this loop.
  template <typename Token>
  auto AsyncHandle(int loop, HttpRequest req, Token&& token) {
    return asio::async_initiate<Token, void(HttpResponse)>(
        [this, loop](auto completion, HttpRequest r) {
          // One allocation per request for the completion and its "answered" flag.
          struct Pending {
            decltype(completion) complete;
            bool done = false;
          };
          auto pending = std::make_shared<Pending>(Pending{std::move(completion)});
          auto ex = loops[static_cast<std::size_t>(loop)]->get_executor();
          handler(loop, std::move(r), [pending, ex](HttpResponse resp) {
            if (pending->done) return;  // exactly once
            pending->done = true;
            asio::post(ex, [pending, resp = std::move(resp)]() mutable { pending->complete(std::move(resp)); });
          });
        },
        token, std::move(req));
  }

  static http::response<http::string_body> Error(int status, const std::string& reason, unsigned version) {
    http::response<http::string_body> res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = reason + "\n";
    res.keep_alive(false);
    res.prepare_payload();
    return res;
  }

  asio::awaitable<void> Session(int loop, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    beast::error_code ec;
    const bool over_limit = connections.fetch_add(1) + 1 > options.max_connections;
    struct Decrement {
      std::atomic<std::int64_t>& n;
      ~Decrement() { n.fetch_sub(1); }
    } decrement{connections};
    if (over_limit) {
      auto res = Error(503, "too many connections", 11);
      stream.expires_after(std::chrono::seconds(1));
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    bool first = true;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      stream.expires_after(first ? options.header_timeout : options.idle_timeout);
      first = false;
      co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == http::error::header_limit) {
          auto res = Error(431, "request headers too large", 11);
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        } else if (ec == http::error::body_limit) {  // a Content-Length over the limit is known from the headers
          auto res = Error(413, "request body larger than " + std::to_string(options.max_body_bytes) + " bytes", 11);
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        } else if (ec != http::error::end_of_stream && ec != beast::error::timeout && ec != asio::error::eof &&
                   ec != asio::error::connection_reset && ec != asio::error::operation_aborted) {
          auto res = Error(400, "malformed HTTP request: " + ec.message(), 11);
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        break;
      }
      stream.expires_after(options.request_timeout);
      const unsigned version = parser.get().version();
      if (parser.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> cont{http::status::continue_, version};
        co_await http::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
      }
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == http::error::body_limit) {
          auto res = Error(413, "request body larger than " + std::to_string(options.max_body_bytes) + " bytes", version);
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        } else if (ec != beast::error::timeout && ec != http::error::end_of_stream && ec != asio::error::eof) {
          auto res = Error(400, "malformed HTTP request: " + ec.message(), version);
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        break;
      }
      auto msg = parser.release();
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      req.headers.reserve(16);
      for (const auto& field : msg) {
        std::string name(field.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        req.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      req.body = std::move(msg.body());
      req.id = NewId();
      const bool keep_alive = msg.keep_alive();

      in_flight.fetch_add(1);
      HttpResponse app = co_await AsyncHandle(loop, std::move(req), asio::use_awaitable);
      http::response<http::string_body> res{static_cast<http::status>(app.status), version};
      res.set(http::field::content_type, app.content_type);
      res.set(http::field::server, "helpline");
      for (const auto& [k, v] : app.headers) res.set(k, v);
      res.body() = std::move(app.body);
      res.keep_alive(keep_alive && !draining.load());
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      in_flight.fetch_sub(1);
      if (ec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> Accept(int loop, tcp::acceptor& acceptor) {
    beast::error_code ec;
    while (!draining.load()) {
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
        continue;  // EMFILE and friends: keep serving the open connections
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(acceptor.get_executor(), Session(loop, std::move(socket)), [](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            std::fprintf(stderr, "helpline: connection ended by an exception: %s\n", ex.what());
          }
        }
      });
    }
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  const int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) {
    loops_.push_back(std::make_unique<asio::io_context>(1));
    impl_->loops.push_back(loops_.back().get());
    impl_->guards.push_back(
        std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(loops_.back()->get_executor()));
  }
}

HttpServer::~HttpServer() {
  // Order matters: acceptors and work guards belong to the loops, so they go
  // first; then the loops, whose pending connection coroutines still touch
  // impl_ (the connection counter) as they are destroyed; impl_ last.
  impl_->acceptors.clear();
  impl_->guards.clear();
  loops_.clear();
}

Status HttpServer::Listen() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) return InvalidArgument("listen address '" + impl_->options.address + "': " + ec.message());
  int port = impl_->options.port;
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    auto acceptor = std::make_unique<tcp::acceptor>(*loops_[i]);
    tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Unavailable("cannot listen on " + impl_->options.address + ":" + std::to_string(port) + ": " + ec.message());
    if (port == 0) port = acceptor->local_endpoint().port();  // the other loops join the chosen port
    impl_->acceptors.push_back(std::move(acceptor));
  }
  port_ = port;
  return Status::Ok();
}

void HttpServer::Run() {
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    asio::co_spawn(*loops_[i], impl_->Accept(static_cast<int>(i), *impl_->acceptors[i]), asio::detached);
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) threads.emplace_back([this, i] { loops_[i]->run(); });
  loops_[0]->run();
  for (auto& t : threads) t.join();
}

void HttpServer::Drain(std::chrono::milliseconds deadline) {
  if (impl_->draining.exchange(true)) return;
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    asio::post(*loops_[i], [this, i] {
      beast::error_code ec;
      impl_->acceptors[i]->close(ec);
    });
  }
  // Watch from loop 0: stop everything when idle or at the deadline.
  auto timer = std::make_shared<asio::steady_timer>(*loops_[0]);
  auto give_up = std::chrono::steady_clock::now() + deadline;
  auto check = std::make_shared<std::function<void()>>();
  *check = [this, timer, give_up, check] {
    if (impl_->in_flight.load() == 0 || std::chrono::steady_clock::now() >= give_up) {
      for (auto& g : impl_->guards) g->reset();
      for (auto& l : loops_) l->stop();
      *check = nullptr;  // break the cycle
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([check](const beast::error_code&) {
      if (*check) (*check)();
    });
  };
  asio::post(*loops_[0], [check] { (*check)(); });
}

std::int64_t HttpServer::open_connections() const { return impl_->connections.load(); }

}  // namespace helpline::daemon
