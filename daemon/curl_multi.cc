#include "daemon/curl_multi.h"

#include <utility>  // before Asio (see STACK-NOTES)

// Design: curl's asiohiper pattern. libcurl owns the sockets and tells us,
// through CURLMOPT_SOCKETFUNCTION, which ones to watch for what; we watch
// each with an asio::posix::stream_descriptor (assigned on first interest,
// released, never closed, on CURL_POLL_REMOVE: curl closes the fd) and hand
// readiness back with curl_multi_socket_action. CURLMOPT_TIMERFUNCTION sets
// one steady_timer for curl's own deadlines (timeouts, connect retries).
// Finished transfers are collected with curl_multi_info_read after every
// action.
//
// Lifetimes. Socket watchers are shared_ptrs captured by their wait handlers
// and flagged `removed` on REMOVE, so a completion after a REMOVE (or after
// the fd number was reused by a new socket) never acts. Handlers hold a
// weak_ptr to the State. Easy handles are recycled (curl_easy_reset) so the
// hot path allocates little; connections live in the multi handle's cache,
// which is what makes keep-alive work across easy handles.

#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace helpline::daemon {
namespace {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;

constexpr std::size_t kMaxIdleEasyHandles = 256;

gateway::HttpResult Failure(std::string error) {
  gateway::HttpResult r;
  r.transport_ok = false;
  r.error = std::move(error);
  return r;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

struct Socket {
  explicit Socket(asio::io_context& io) : sd(io) {}
  asio::posix::stream_descriptor sd;
  int mask = 0;  // CURL_POLL_IN / OUT / INOUT
  bool reading = false;
  bool writing = false;
  bool removed = false;
};

struct Transfer {
  CURL* easy = nullptr;
  CurlMulti::Callback done;
  gateway::OutboundRequest request;  // owns the body curl reads
  curl_slist* headers = nullptr;
  gateway::HttpResult result;
  std::size_t header_bytes = 0;
  std::size_t max_body_bytes = 0;
  std::size_t max_header_bytes = 0;
  char error[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (headers != nullptr) curl_slist_free_all(headers);
  }
};

std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  const std::size_t bytes = size * n;
  std::string& body = t->result.body;
  if (body.size() < t->max_body_bytes) body.append(data, std::min(bytes, t->max_body_bytes - body.size()));
  return bytes;  // the rest is discarded: the connection stays reusable
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  const std::size_t bytes = size * n;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue, say): keep only the last
    t->result.headers.clear();
    t->header_bytes = 0;
    return bytes;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return bytes;  // the blank line, or junk
  t->header_bytes += bytes;
  if (t->header_bytes > t->max_header_bytes) return bytes;
  t->result.headers.emplace_back(std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  return bytes;
}

}  // namespace

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      std::fputs("fatal: curl_global_init failed\n", stderr);
      std::abort();
    }
  });
}

struct CurlMulti::State : std::enable_shared_from_this<CurlMulti::State> {
  State(asio::io_context& io_in, Options options_in) : io(io_in), options(options_in), timer(io_in) {
    CurlGlobalInit();
    multi = curl_multi_init();
    if (multi == nullptr) {
      std::fputs("fatal: curl_multi_init failed\n", stderr);
      std::abort();
    }
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &State::OnSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &State::OnTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_connections);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_host_connections);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  }

  ~State() {
    // Let go of the descriptors first: curl closes the fds in cleanup, and a
    // descriptor released after that might name a reused fd.
    for (auto& [fd, socket] : sockets) {
      socket->removed = true;
      socket->sd.release();
    }
    sockets.clear();
    for (auto& [easy, transfer] : transfers) {
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
    }
    transfers.clear();
    for (CURL* easy : idle) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
  }

  static int OnSocket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    static_cast<State*>(userp)->Watch(fd, what);
    return 0;
  }

  static int OnTimer(CURLM*, long timeout_ms, void* userp) {
    static_cast<State*>(userp)->SetTimer(timeout_ms);
    return 0;
  }

  void Watch(curl_socket_t fd, int what) {
    auto it = sockets.find(fd);
    if (what == CURL_POLL_REMOVE) {
      if (it == sockets.end()) return;
      it->second->removed = true;
      it->second->sd.release();  // cancels its waits; curl closes the fd
      sockets.erase(it);
      return;
    }
    if (it == sockets.end()) {
      auto socket = std::make_shared<Socket>(io);
      ErrorCode ec;
      socket->sd.assign(fd, ec);
      if (ec) {
        std::fprintf(stderr, "curl_multi: cannot watch socket %d: %s\n", fd, ec.message().c_str());
        return;  // the transfer then ends with curl's own timeout
      }
      it = sockets.emplace(fd, std::move(socket)).first;
    }
    it->second->mask = what;
    Arm(it->second, fd);
  }

  void Arm(const std::shared_ptr<Socket>& socket, curl_socket_t fd) {
    if (socket->removed) return;
    if ((socket->mask & CURL_POLL_IN) != 0 && !socket->reading) {
      socket->reading = true;
      socket->sd.async_wait(asio::posix::stream_descriptor::wait_read,
                            [weak = weak_from_this(), socket, fd](const ErrorCode& ec) {
                              socket->reading = false;
                              auto self = weak.lock();
                              if (ec || socket->removed || self == nullptr) return;
                              if ((socket->mask & CURL_POLL_IN) == 0) return;
                              self->Action(fd, CURL_CSELECT_IN);
                              self->Arm(socket, fd);
                            });
    }
    if ((socket->mask & CURL_POLL_OUT) != 0 && !socket->writing) {
      socket->writing = true;
      socket->sd.async_wait(asio::posix::stream_descriptor::wait_write,
                            [weak = weak_from_this(), socket, fd](const ErrorCode& ec) {
                              socket->writing = false;
                              auto self = weak.lock();
                              if (ec || socket->removed || self == nullptr) return;
                              if ((socket->mask & CURL_POLL_OUT) == 0) return;
                              self->Action(fd, CURL_CSELECT_OUT);
                              self->Arm(socket, fd);
                            });
    }
  }

  void SetTimer(long timeout_ms) {
    if (timeout_ms < 0) {
      timer.cancel();
      return;
    }
    // Never act inside curl's own call: even a 0 ms timeout goes through the loop.
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
    timer.async_wait([weak = weak_from_this()](const ErrorCode& ec) {
      auto self = weak.lock();
      if (ec || self == nullptr) return;
      self->Action(CURL_SOCKET_TIMEOUT, 0);
    });
  }

  void Action(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi, fd, events, &running);
    CollectDone();
  }

  void CollectDone() {
    // A callback may Perform() (adding a handle) or Stop(): both are fine
    // outside curl_multi_socket_action, and a removed handle's messages are
    // dropped from the queue by curl.
    auto keep = shared_from_this();
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode code = msg->data.result;
      auto it = transfers.find(easy);
      if (it == transfers.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      transfers.erase(it);
      curl_multi_remove_handle(multi, easy);
      gateway::HttpResult result = std::move(t->result);
      if (code == CURLE_OK) {
        result.transport_ok = true;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result.status);
      } else {
        result.transport_ok = false;
        result.status = 0;
        result.error = t->error[0] != '\0' ? std::string(t->error) : std::string(curl_easy_strerror(code));
      }
      Recycle(easy);
      Callback done = std::move(t->done);
      t.reset();
      done(std::move(result));
    }
  }

  void Recycle(CURL* easy) {
    if (idle.size() >= kMaxIdleEasyHandles) {
      curl_easy_cleanup(easy);
      return;
    }
    curl_easy_reset(easy);
    idle.push_back(easy);
  }

  void Fail(Callback done, std::string error) {
    asio::post(io, [done = std::move(done), error = std::move(error)]() mutable { done(Failure(std::move(error))); });
  }

  void Perform(gateway::OutboundRequest request, std::chrono::milliseconds timeout, Callback done) {
    if (stopped) {
      Fail(std::move(done), "stopped");
      return;
    }
    auto t = std::make_unique<Transfer>();
    t->max_body_bytes = options.max_body_bytes;
    t->max_header_bytes = options.max_header_bytes;
    for (const auto& [name, value] : request.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value) || name.find(':') != std::string::npos) {
        Fail(std::move(done), "invalid request header");
        return;
      }
      std::string line = name;
      line += value.empty() ? ";" : ": ";  // "Name;" is how curl sends an empty header
      line += value;
      t->headers = curl_slist_append(t->headers, line.c_str());
    }
    t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
    if (HasLineBreak(request.method) || HasLineBreak(request.url)) {
      Fail(std::move(done), "invalid request line");
      return;
    }
    t->request = std::move(request);
    t->done = std::move(done);

    CURL* easy = nullptr;
    if (!idle.empty()) {
      easy = idle.back();
      idle.pop_back();
    } else {
      easy = curl_easy_init();
      if (easy == nullptr) {
        Fail(std::move(t->done), "curl_easy_init failed");
        return;
      }
    }
    t->easy = easy;
    const gateway::OutboundRequest& r = t->request;
    const long timeout_ms = std::max<long>(1, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    // No CURLOPT_PIPEWAIT: on an HTTP/1.1 server it would hold a burst back
    // behind the first connection's response instead of opening more.
    if (r.method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POST, 1L);
    } else if (r.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    if (r.method != "GET" && (r.method == "POST" || !r.body.empty())) {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
    transfers.emplace(easy, std::move(t));
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
      std::unique_ptr<Transfer> back = std::move(transfers[easy]);
      transfers.erase(easy);
      Recycle(easy);
      Fail(std::move(back->done), "curl_multi_add_handle failed");
      return;
    }
  }

  void Stop() {
    if (stopped) return;
    stopped = true;
    std::vector<Callback> abandoned;
    for (auto& [easy, t] : transfers) {
      curl_multi_remove_handle(multi, easy);
      abandoned.push_back(std::move(t->done));
      curl_easy_cleanup(easy);
    }
    transfers.clear();
    if (!abandoned.empty()) {
      asio::post(io, [abandoned = std::move(abandoned)]() mutable {
        for (Callback& done : abandoned) done(Failure("stopped"));
      });
    }
  }

  asio::io_context& io;
  const Options options;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::vector<CURL*> idle;  // reset easy handles, ready for reuse
  bool stopped = false;
};

CurlMulti::CurlMulti(asio::io_context& io, Options options) : state_(std::make_shared<State>(io, options)) {}
CurlMulti::CurlMulti(asio::io_context& io) : CurlMulti(io, Options{}) {}

CurlMulti::~CurlMulti() {
  state_->Stop();
  state_->timer.cancel();
}

void CurlMulti::Perform(gateway::OutboundRequest request, std::chrono::milliseconds timeout, Callback done) {
  state_->Perform(std::move(request), timeout, std::move(done));
}

void CurlMulti::Stop() { state_->Stop(); }

std::size_t CurlMulti::in_flight() const { return state_->transfers.size(); }

}  // namespace helpline::daemon
