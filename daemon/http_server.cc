// The HTTP server (see http_server.h). The only .cc file that includes Beast
// (its request parser is internal/http_request_parser.h, shared with fuzz/).
//
// Design. Each loop owns an acceptor bound with SO_REUSEPORT. Every accepted
// socket becomes one Connection: a callback-driven state machine in a single
// heap object, kept alive by the shared_ptrs its pending operations (read,
// write, timer) and an unanswered request's Responder hold.
//
//          header complete           request complete         respond()
//   kHeader ---------------> kBody -----------------> kHandle ----------> kWrite
//      ^    (Expect: 100-continue: write                                    |
//      |     "100 Continue" first)                                         |
//      +------------------------ written, keep-alive -----------------------+
//                                                                           |
//   kWrite --written, not keep-alive--> kLinger --client EOF or timeout--> kClosed
//   a malformed or oversized request --> a 4xx with a reason (kWrite), then kLinger
//   a network error or a timeout in any phase --> kClosed
//
// Parsing is Beast's basic_parser, hardened against hostile input; our
// subclass only copies the request line, the fields (names lower-cased) and
// the body into an HttpRequest, so no intermediate beast::http::fields are
// built. Bytes come from async_read_some into a per-connection flat_buffer
// and are fed to put(); bytes beyond the current request (a pipelined next
// one) stay in the buffer and are parsed only once the current answer has
// been written, so answers go out in order.
//
// Timeouts. One steady_timer per connection and a deadline: a phase change
// (new request: header_timeout for the first, idle_timeout between
// keep-alive requests; header complete: request_timeout for body, handler
// and write; linger) only stores a new deadline. The timer is armed at most
// `check_period` (the shortest of those timeouts) ahead; when it fires before
// the deadline it re-arms for the rest. A new deadline is always at least
// check_period away, so no phase change touches the timer; only one that
// moves the deadline before the armed expiry (linger, the 503) re-arms it.
//
// Answers. The status line and headers are formatted into one
// per-connection string and written with the body in one gather write. The
// write starts once the running handler returns (posted): the answers to one
// burst of Redis replies then leave back to back, and the client takes them
// in one wake-up (on 2 cores: +7% webhooks/s and 0.6 ms off p99, measured). The
// handler may call respond() inside its own call or later, both on the loop
// thread; respond() only starts a write (Asio never completes an operation
// inside its initiating call), so nothing re-enters the parser. A sequence
// number makes a second call, or a call for an earlier request, a no-op.
//
// Errors. Every error the network can cause ends the connection; malformed
// requests get a 4xx with a reason first. A connection that ends after an
// answer shuts down its sending side and discards input until the client
// closes (bounded by kLingerTimeout), so that unread request bytes do not
// make the kernel reset the connection before the client has read the
// answer. Draining closes the acceptors and marks answers
// "Connection: close"; the loops stop when the last request has been
// answered or the deadline passes.

#include "daemon/http_server.h"
#include "daemon/internal/http_request_parser.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string_view>
#include <thread>

namespace helpline::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

const std::string& HttpRequest::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return kEmpty;
}

namespace {

constexpr std::size_t kReadBytes = 8192;  // per read; the buffer holds at most max_header_bytes plus this
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr auto kRejectTimeout = std::chrono::seconds(1);  // to write the 503 of a connection over the limit
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// What every connection of the server shares. Outlives the loops.
struct ServerState {
  HttpServerOptions options;
  HttpHandler handler;
  Clock::duration check_period;  // see "Timeouts" above
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> in_flight{0};  // handed to the handler, answer not yet written
  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> next_id{0};

  std::string NewId() {
    char buf[20];
    auto end = std::to_chars(buf, buf + sizeof buf, next_id.fetch_add(1) + 1, 16).ptr;
    return std::string(buf, end);
  }
};

void AppendNumber(std::string& out, std::uint64_t n) {
  char buf[20];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

// The server owns the framing of its answers, and a CR or LF in an extra
// header would let its value start a header of its own.
bool IsWritableExtraHeader(const std::string& name, const std::string& value) {
  if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
      beast::iequals(name, "connection")) {
    return false;
  }
  auto has_line_break = [](const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; };
  return !name.empty() && !has_line_break(name) && !has_line_break(value);
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerState& server, int loop, tcp::socket socket)
      : server_(server),
        loop_(loop),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        over_limit_(server.connections.fetch_add(1) + 1 > server.options.max_connections) {}

  ~Connection() {
    EndInFlight();  // the handler dropped its Responder without answering
    server_.connections.fetch_sub(1);
  }

  void Start() {
    const auto now = Clock::now();
    deadline_ = now + (over_limit_ ? Clock::duration(kRejectTimeout) : server_.options.header_timeout);
    ArmTimer(now);
    if (over_limit_) {
      SendError(503, "too many connections");
      return;
    }
    BeginRequest();
  }

 private:
  enum class Phase { kHeader, kBody, kHandle, kWrite, kLinger, kClosed };

  void BeginRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->eager(false);  // stop after the header: the timeout changes, and Expect may need an answer
    phase_ = Phase::kHeader;
    SetDeadline(sequence_ == 0 ? server_.options.header_timeout : server_.options.idle_timeout);
    Parse();
  }

  // Feeds the buffered bytes to the parser; reads when it needs more.
  void Parse() {
    RequestParser& parser = *parser_;
    while (buffer_.size() > 0) {
      beast::error_code ec;
      buffer_.consume(parser.put(buffer_.data(), ec));
      if (ec == http::error::need_more) break;
      if (ec) return Fail(ec);
      if (phase_ == Phase::kHeader && parser.is_header_done()) {
        phase_ = Phase::kBody;
        SetDeadline(server_.options.request_timeout);
        parser.eager(true);
        // A client that already sent body bytes is not waiting for the 100.
        if (parser.expect_continue && parser.version >= 11 && !parser.is_done() && buffer_.size() == 0) {
          return WriteContinue();
        }
      }
      if (parser.is_done()) return Dispatch();
    }
    Read();
  }

  void Read() {
    socket_.async_read_some(
        buffer_.prepare(kReadBytes),
        [self = shared_from_this()](const beast::error_code& ec, std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const beast::error_code& ec, std::size_t n) {
    if (phase_ == Phase::kClosed) return;
    if (phase_ == Phase::kLinger) {
      if (ec) return Close();
      return Read();  // discard: nothing is committed to the buffer
    }
    if (ec) {
      // A request cut short by the client's half-close is answered like any
      // truncated request; a client that leaves between requests just goes.
      if (ec == asio::error::eof && parser_->got_some()) return Fail(http::error::partial_message);
      return Close();
    }
    buffer_.commit(n);
    Parse();
  }

  void WriteContinue() {
    asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                        if (self->phase_ == Phase::kClosed) return;
                        if (ec) return self->Close();
                        self->Parse();
                      });
  }

  void Dispatch() {
    phase_ = Phase::kHandle;
    HttpRequest request = std::move(parser_->request);
    request.id = server_.NewId();
    const std::uint64_t sequence = ++sequence_;
    awaiting_ = sequence;
    in_flight_ = true;
    server_.in_flight.fetch_add(1);
    Responder respond = [self = shared_from_this(), sequence](HttpResponse response) {
      self->Respond(sequence, std::move(response));
    };
    const std::string id = request.id;
    try {
      server_.handler(loop_, std::move(request), std::move(respond));
    } catch (const std::exception& e) {
      // Not onto the loop: this request gets a 500 unless already answered.
      std::fprintf(stderr, "helpline: request %s ended by an exception: %s\n", id.c_str(), e.what());
      Respond(sequence, HttpResponse{500, "text/plain; charset=utf-8", "internal error\n", {}});
    }
  }

  void Respond(std::uint64_t sequence, HttpResponse response) {
    if (sequence != awaiting_) return;  // a second call, or one for an earlier request
    awaiting_ = 0;
    if (phase_ == Phase::kClosed) return EndInFlight();  // the request timed out meanwhile
    Send(std::move(response), parser_->keep_alive() && !server_.draining.load());
  }

  void Fail(const beast::error_code& ec) {
    if (ec == http::error::header_limit) return SendError(431, "request headers too large");
    if (ec == http::error::body_limit) {
      return SendError(413, "request body larger than " + std::to_string(server_.options.max_body_bytes) + " bytes");
    }
    SendError(400, "malformed HTTP request: " + ec.message());
  }

  void SendError(int status, std::string reason) {
    if (server_.options.on_reject) {
      const bool parsed = parser_.has_value();
      std::optional<HttpResponse> instead = server_.options.on_reject(
          loop_, status, parsed ? std::string_view(parser_->request.method) : std::string_view(),
          parsed ? std::string_view(parser_->request.target) : std::string_view(), reason);
      if (instead) return Send(std::move(*instead), false);
    }
    Send(HttpResponse{status, "text/plain; charset=utf-8", std::move(reason) + "\n", {}}, false);
  }

  void Send(HttpResponse response, bool keep_alive) {
    phase_ = Phase::kWrite;
    const int version = parser_ ? parser_->version : 11;
    const bool head = parser_ && parser_->head;
    // RFC 9110: these carry neither a body nor a Content-Length.
    const bool bodyless = response.status < 200 || response.status == 204 || response.status == 304;
    // Literals as string_views: their lengths are known, no strlen per piece.
    using namespace std::string_view_literals;
    head_.clear();
    head_ += version == 10 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv;
    AppendNumber(head_, static_cast<std::uint64_t>(response.status));
    head_ += ' ';
    const auto reason = http::obsolete_reason(static_cast<http::status>(response.status));
    head_.append(reason.data(), reason.size());
    head_ += "\r\nServer: helpline\r\n"sv;
    if (!response.content_type.empty()) {
      head_ += "Content-Type: "sv;
      head_ += response.content_type;
      head_ += "\r\n"sv;
    }
    for (const auto& [name, value] : response.headers) {
      if (!IsWritableExtraHeader(name, value)) continue;
      head_ += name;
      head_ += ": "sv;
      head_ += value;
      head_ += "\r\n"sv;
    }
    if (!bodyless) {
      head_ += "Content-Length: "sv;
      AppendNumber(head_, response.body.size());
      head_ += "\r\n"sv;
    }
    if (!keep_alive && version >= 11) head_ += "Connection: close\r\n"sv;
    if (keep_alive && version == 10) head_ += "Connection: keep-alive\r\n"sv;
    head_ += "\r\n"sv;
    body_ = std::move(response.body);
    if (head || bodyless) body_.clear();
    // Written once the running handler returns (see "Answers" above).
    asio::post(socket_.get_executor(), [self = shared_from_this(), keep_alive] { self->StartWrite(keep_alive); });
  }

  void StartWrite(bool keep_alive) {
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(socket_, buffers,
                      [self = shared_from_this(), keep_alive](const beast::error_code& ec, std::size_t) {
                        self->OnWritten(ec, keep_alive);
                      });
  }

  void OnWritten(const beast::error_code& ec, bool keep_alive) {
    EndInFlight();
    if (phase_ == Phase::kClosed) return;
    if (ec) return Close();
    if (!keep_alive) return Linger();
    BeginRequest();
  }

  void Linger() {
    phase_ = Phase::kLinger;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    SetDeadline(kLingerTimeout);
    Read();
  }

  void Close() {
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    socket_.close(ignored);  // completes the pending read or write with operation_aborted
    timer_.cancel();
  }

  void EndInFlight() {
    if (!in_flight_) return;
    in_flight_ = false;
    server_.in_flight.fetch_sub(1);
  }

  void SetDeadline(Clock::duration timeout) {
    const auto now = Clock::now();
    deadline_ = now + timeout;
    if (deadline_ < armed_) ArmTimer(now);
  }

  void ArmTimer(Clock::time_point now) {
    armed_ = std::min(deadline_, now + server_.check_period);
    timer_.expires_at(armed_);  // a pending wait completes with operation_aborted
    timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) { self->OnTimer(ec); });
  }

  void OnTimer(const beast::error_code& ec) {
    if (ec == asio::error::operation_aborted || phase_ == Phase::kClosed) return;
    const auto now = Clock::now();
    if (now >= deadline_) return Close();
    ArmTimer(now);
  }

  ServerState& server_;
  const int loop_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  const bool over_limit_;
  Phase phase_ = Phase::kHeader;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;  // basic_parser cannot be reset: one per request, in place
  Clock::time_point deadline_;
  Clock::time_point armed_ = Clock::time_point::max();  // the timer's expiry
  std::uint64_t sequence_ = 0;                          // requests handed to the handler
  std::uint64_t awaiting_ = 0;                          // the sequence number owed an answer; 0: none
  bool in_flight_ = false;                              // counted in server_.in_flight
  std::string head_;                                    // the answer's status line and headers
  std::string body_;
};

}  // namespace

struct HttpServer::Impl {
  ServerState state;
  std::vector<asio::io_context*> loops;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::unique_ptr<asio::steady_timer>> accept_retry;
  std::vector<std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>>> guards;

  void Accept(std::size_t i) {
    acceptors[i]->async_accept([this, i](const beast::error_code& ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptors[i]->is_open()) return;
        // EMFILE and friends: the listening socket stays readable, so an
        // immediate retry would spin; the open connections are served
        // meanwhile, and one of them may close.
        accept_retry[i]->expires_after(kAcceptRetry);
        accept_retry[i]->async_wait([this, i](const beast::error_code& e) {
          if (!e && acceptors[i]->is_open()) Accept(i);
        });
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Connection>(state, static_cast<int>(i), std::move(socket))->Start();
      if (!state.draining.load()) Accept(i);
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  ServerState& state = impl_->state;
  state.options = std::move(options);
  state.handler = std::move(handler);
  state.check_period = std::max<Clock::duration>(
      std::min({state.options.header_timeout, state.options.request_timeout, state.options.idle_timeout}),
      std::chrono::milliseconds(1));
  const int n = std::max(1, state.options.threads);
  for (int i = 0; i < n; ++i) {
    loops_.push_back(std::make_unique<asio::io_context>(1));
    impl_->loops.push_back(loops_.back().get());
    impl_->accept_retry.push_back(std::make_unique<asio::steady_timer>(*loops_.back()));
    impl_->guards.push_back(
        std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(loops_.back()->get_executor()));
  }
}

HttpServer::~HttpServer() {
  // Order matters: acceptors, timers and work guards belong to the loops, so
  // they go first; then the loops, whose pending handlers own connections
  // that still touch impl_->state (the connection counter) as they are
  // destroyed; impl_ last.
  impl_->acceptors.clear();
  impl_->accept_retry.clear();
  impl_->guards.clear();
  loops_.clear();
}

Status HttpServer::Listen() {
  const HttpServerOptions& options = impl_->state.options;
  beast::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return InvalidArgument("listen address '" + options.address + "': " + ec.message());
  int port = options.port;
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
    if (ec)
      return Unavailable("cannot listen on " + options.address + ":" + std::to_string(port) + ": " + ec.message());
    if (port == 0) port = acceptor->local_endpoint().port();  // the other loops join the chosen port
    impl_->acceptors.push_back(std::move(acceptor));
  }
  port_ = port;
  return Status::Ok();
}

void HttpServer::Run() {
  for (std::size_t i = 0; i < loops_.size(); ++i) asio::post(*loops_[i], [this, i] { impl_->Accept(i); });
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) threads.emplace_back([this, i] { loops_[i]->run(); });
  loops_[0]->run();
  for (auto& t : threads) t.join();
}

void HttpServer::Drain(std::chrono::milliseconds deadline, std::function<bool()> also_idle) {
  if (impl_->state.draining.exchange(true)) return;
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    asio::post(*loops_[i], [this, i] {
      beast::error_code ec;
      impl_->acceptors[i]->close(ec);
      impl_->accept_retry[i]->cancel();
    });
  }
  // Watch from loop 0: stop everything when idle or at the deadline.
  auto timer = std::make_shared<asio::steady_timer>(*loops_[0]);
  auto give_up = Clock::now() + deadline;
  auto check = std::make_shared<std::function<void()>>();
  *check = [this, timer, give_up, check, also_idle = std::move(also_idle)] {
    const bool idle = impl_->state.in_flight.load() == 0 && (!also_idle || also_idle());
    if (idle || Clock::now() >= give_up) {
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

std::int64_t HttpServer::open_connections() const { return impl_->state.connections.load(); }

}  // namespace helpline::daemon
