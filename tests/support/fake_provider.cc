#include "tests/support/fake_provider.h"

#include <utility>  // before Asio (see STACK-NOTES)

// The only Beast translation unit of the test support library. One
// io_context on one thread; one Session per connection: read a request,
// decide (under the mutex), maybe wait, answer or close, read the next.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace helpline::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string FakeRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

struct FakeProvider::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::uint16_t port = 0;

  mutable std::mutex mu;
  mutable std::condition_variable changed;
  FakeProviderPolicy policy;                           // guarded by mu
  Handler handler;                                     // guarded by mu
  std::function<void(const FakeRequest&)> on_request;  // guarded by mu
  std::vector<FakeRequest> requests;                   // guarded by mu
  std::uint64_t count = 0;                             // guarded by mu
  std::uint64_t replayed = 0;                          // guarded by mu
  std::uint64_t delivered_total = 0;                   // guarded by mu
  std::uint64_t accepted = 0;                          // guarded by mu
  std::map<std::string, int> delivered;                // guarded by mu
  std::map<std::string, FakeResponse> idempotent;      // guarded by mu: key -> the 2xx it got

  // Decides the answer to `r` (filling in r.n) and records it.
  FakeResponse Decide(FakeRequest& r) {
    Handler h;
    std::function<void(const FakeRequest&)> observe;
    FakeProviderPolicy p;
    {
      std::lock_guard<std::mutex> lock(mu);
      r.n = ++count;
      h = handler;
      observe = on_request;
      p = policy;
      if (p.keep_requests) requests.push_back(r);
    }
    if (observe) observe(r);
    const std::string key = r.Header(p.id_header);
    {
      std::lock_guard<std::mutex> lock(mu);
      if (p.honour_idempotency && !key.empty()) {
        if (auto it = idempotent.find(key); it != idempotent.end()) {
          ++replayed;
          changed.notify_all();
          FakeResponse replay = it->second;
          replay.delay_ms = 0;
          return replay;
        }
      }
    }
    FakeResponse out;
    if (h) {
      out = h(r);
    } else {
      out.status = p.status;
      out.body = p.body;
      out.headers = p.headers;
      out.delay_ms = p.delay_ms;
      if (p.close_every > 0 && r.n % static_cast<std::uint64_t>(p.close_every) == 0) {
        out.close_without_answer = true;
      } else if (p.fail_every > 0 && r.n % static_cast<std::uint64_t>(p.fail_every) == 0) {
        out.status = p.fail_status;
        out.body = R"({"error":"injected failure"})";
        if (!p.retry_after.empty()) out.headers.emplace_back("Retry-After", p.retry_after);
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    if (!out.close_without_answer && out.status >= 200 && out.status <= 299) {
      ++delivered[key];
      ++delivered_total;
      if (p.honour_idempotency && !key.empty()) idempotent.emplace(key, out);
    }
    changed.notify_all();
    return out;
  }

  void Accept();
  const std::function<FakeResponse(FakeRequest&)> decide = [this](FakeRequest& r) { return Decide(r); };
};

namespace {

using Decider = std::function<FakeResponse(FakeRequest&)>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `decide` outlives the session (it belongs to the provider, whose
  // io_context destroys every session before it goes).
  Session(tcp::socket socket, const Decider& decide)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), decide_(decide) {}

  void Read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_, [self = shared_from_this()](const ErrorCode& ec, std::size_t) {
      if (ec) {
        self->Close();
        return;
      }
      self->OnRequest();
    });
  }

 private:
  void OnRequest() {
    FakeRequest r;
    r.method = std::string(request_.method_string());
    r.target = std::string(request_.target());
    for (const auto& field : request_)
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.body = request_.body();
    const bool keep_alive = request_.keep_alive();
    const unsigned version = request_.version();
    FakeResponse answer = decide_(r);
    if (answer.close_without_answer) {
      Close();
      return;
    }
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(answer.status));
    bool has_type = false;
    for (const auto& [k, v] : answer.headers) {
      response_.insert(k, v);
      has_type = has_type || EqualsIgnoreCase(k, "Content-Type");
    }
    if (!has_type) response_.set(http::field::content_type, "application/json");
    response_.body() = std::move(answer.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    if (answer.delay_ms <= 0) {
      Write();
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(answer.delay_ms));
    timer_.async_wait([self = shared_from_this()](const ErrorCode& ec) {
      if (ec) return;
      self->Write();
    });
  }

  void Write() {
    http::async_write(socket_, response_, [self = shared_from_this()](const ErrorCode& ec, std::size_t) {
      if (ec || !self->response_.keep_alive()) {
        self->Close();
        return;
      }
      self->Read();
    });
  }

  void Close() {
    ErrorCode ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  const Decider& decide_;
};

}  // namespace

void FakeProvider::Impl::Accept() {
  acceptor.async_accept([this](const ErrorCode& ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
    } else {
      socket.set_option(tcp::no_delay(true));
      {
        std::lock_guard<std::mutex> lock(mu);
        ++accepted;
      }
      std::make_shared<Session>(std::move(socket), decide)->Read();
    }
    Accept();
  });
}

FakeProvider::FakeProvider(FakeProviderPolicy policy) : impl_(std::make_unique<Impl>()) {
  impl_->policy = std::move(policy);
  ErrorCode ec;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "FakeProvider: cannot listen on 127.0.0.1: %s\n", ec.message().c_str());
    std::abort();
  }
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FakeProvider::~FakeProvider() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t FakeProvider::port() const { return impl_->port; }

std::string FakeProvider::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

void FakeProvider::SetPolicy(FakeProviderPolicy policy) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->policy = std::move(policy);
}

void FakeProvider::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->handler = std::move(handler);
}

void FakeProvider::SetOnRequest(std::function<void(const FakeRequest&)> on_request) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->on_request = std::move(on_request);
}

std::vector<FakeRequest> FakeProvider::Requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

std::uint64_t FakeProvider::request_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->count;
}

std::uint64_t FakeProvider::replays() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->replayed;
}

std::map<std::string, int> FakeProvider::Delivered() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->delivered;
}

int FakeProvider::DeliveredCount(const std::string& id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->delivered.find(id);
  return it == impl_->delivered.end() ? 0 : it->second;
}

std::uint64_t FakeProvider::delivered_total() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->delivered_total;
}

std::uint64_t FakeProvider::connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->accepted;
}

bool FakeProvider::WaitForRequests(std::uint64_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->count >= n; });
}

bool FakeProvider::WaitForDelivered(std::uint64_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->delivered_total >= n; });
}

}  // namespace helpline::testing
