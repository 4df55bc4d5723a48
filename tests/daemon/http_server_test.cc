// The HTTP server over raw TCP on 127.0.0.1: framing, keep-alive,
// pipelining, limits, timeouts and the drain, seen from the wire.

#include "daemon/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace helpline::daemon {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct WireResponse {
  int status = 0;  // 0: none arrived
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return "";
  }
  bool HasHeader(const std::string& lower_name) const {
    for (const auto& h : headers) {
      if (h.first == lower_name) return true;
    }
    return false;
  }
};

// A blocking client socket whose reads all wait with a deadline.
class RawClient {
 public:
  RawClient() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {}
  explicit RawClient(int port) : RawClient() { Connect(port); }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  bool Connect(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    return connected_;
  }

  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the server closed: the test sees it when reading
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Everything up to and including `marker`, or "" if it does not arrive in time.
  std::string ReadUntil(std::string_view marker, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    std::size_t at;
    while ((at = pending_.find(marker)) == std::string::npos) {
      if (!Fill(deadline)) return "";
    }
    std::string out = pending_.substr(0, at + marker.size());
    pending_.erase(0, at + marker.size());
    return out;
  }

  // One response, its body framed by Content-Length (absent: no body).
  WireResponse ReadResponse(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    WireResponse r;
    const std::string head = ReadUntil("\r\n\r\n", timeout);
    if (head.empty()) return r;
    std::size_t line_end = head.find("\r\n");
    r.status_line = head.substr(0, line_end);
    r.status = std::atoi(r.status_line.substr(r.status_line.find(' ') + 1).c_str());
    std::size_t pos = line_end + 2;
    while (pos < head.size() - 2) {
      const std::size_t end = head.find("\r\n", pos);
      const std::string line = head.substr(pos, end - pos);
      const std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers.emplace_back(std::move(name), std::move(value));
      pos = end + 2;
    }
    const std::string length = r.Header("content-length");
    const std::size_t want = length.empty() ? 0 : std::stoul(length);
    while (pending_.size() < want) {
      if (!Fill(deadline)) break;
    }
    r.body = pending_.substr(0, want);
    pending_.erase(0, std::min(want, pending_.size()));
    return r;
  }

  // True if the server ends the connection within `timeout` (bytes before
  // the end are discarded).
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Fill(deadline)) pending_.clear();
    return closed_;
  }

  // Bytes received beyond the responses read so far.
  const std::string& pending() const { return pending_; }

 private:
  // Receives once; false at the deadline or when the connection has ended.
  bool Fill(Clock::time_point deadline) {
    if (closed_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;  // EOF or reset
      return false;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string pending_;
};

// The server under test, run on its own thread; drained when destroyed.
class TestServer {
 public:
  TestServer(HttpServerOptions options, HttpHandler handler) : server_(WithTestAddress(options), std::move(handler)) {
    Status s = server_.Listen();
    EXPECT_TRUE(s.ok()) << s.message();
    thread_ = std::thread([this] {
      server_.Run();
      stopped_.set_value();
    });
  }
  ~TestServer() { EXPECT_TRUE(Drain(2s)) << "Run() did not return after Drain()"; }

  HttpServer& http() { return server_; }
  int port() const { return server_.port(); }

  // Drains and waits for Run() to return; false if it did not within `timeout`.
  bool Drain(std::chrono::milliseconds deadline, std::chrono::milliseconds timeout = 5s) {
    if (!thread_.joinable()) return true;
    server_.Drain(deadline);
    const bool returned = stopped_future_.wait_for(timeout) == std::future_status::ready;
    thread_.join();
    return returned;
  }

 private:
  static HttpServerOptions WithTestAddress(HttpServerOptions options) {
    options.address = "127.0.0.1";
    options.port = 0;
    return options;
  }

  HttpServer server_;
  std::promise<void> stopped_;
  std::future<void> stopped_future_ = stopped_.get_future();
  std::thread thread_;
};

// Answers every request with its target, its method and its body.
void Echo(int, HttpRequest req, Responder respond) {
  respond(HttpResponse{200, "text/plain; charset=utf-8", req.method + " " + req.target + "\n" + req.body, {}});
}

// Answers after `delay`, from a timer on the request's loop.
HttpHandler AnswerLater(HttpServer*& server, std::chrono::milliseconds delay) {
  return [&server, delay](int loop, HttpRequest req, Responder respond) {
    auto timer = std::make_shared<boost::asio::steady_timer>(server->loop(loop), delay);
    timer->async_wait([timer, respond, target = req.target](const boost::system::error_code&) {
      respond(HttpResponse{200, "text/plain; charset=utf-8", "late " + target, {}});
    });
  };
}

template <typename Predicate>
bool WaitFor(Predicate done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(HttpServer, AnswersASimpleGetFromInsideTheHandlerCall) {
  std::vector<std::pair<std::string, std::string>> seen_headers;
  std::string seen_id;
  TestServer server({}, [&](int loop, HttpRequest req, Responder respond) {
    EXPECT_EQ(loop, 0);
    seen_headers = req.headers;
    seen_id = req.id;
    respond(HttpResponse{200, "text/plain; charset=utf-8", "ok " + req.method + " " + req.target, {}});
  });
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  client.Send("GET /healthz?x=1 HTTP/1.1\r\nHost: example\r\nX-Mixed-Case: Value One\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(r.body, "ok GET /healthz?x=1");
  EXPECT_FALSE(r.HasHeader("connection"));
  EXPECT_EQ(seen_headers,
            (std::vector<std::pair<std::string, std::string>>{{"host", "example"}, {"x-mixed-case", "Value One"}}));
  EXPECT_FALSE(seen_id.empty());
}

TEST(HttpServer, KeepsAnHttp11ConnectionAliveForTheNextRequest) {
  std::vector<std::string> ids;
  TestServer server({}, [&](int loop, HttpRequest req, Responder respond) {
    ids.push_back(req.id);
    Echo(loop, std::move(req), std::move(respond));
  });
  RawClient client(server.port());
  client.Send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "GET /one\n");
  EXPECT_EQ(server.http().open_connections(), 1);
  client.Send("GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "GET /two\n");
  EXPECT_EQ(server.http().open_connections(), 1);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_NE(ids[0], ids[1]);
}

TEST(HttpServer, AnswersPipelinedRequestsInOrderEvenWhenTheFirstIsSlower) {
  HttpServer* http = nullptr;
  HttpHandler later = AnswerLater(http, 100ms);
  TestServer server({}, [&](int loop, HttpRequest req, Responder respond) {
    if (req.target == "/slow") return later(loop, std::move(req), std::move(respond));
    Echo(loop, std::move(req), std::move(respond));
  });
  http = &server.http();
  RawClient client(server.port());
  client.Send(
      "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /third HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "late /slow");
  EXPECT_EQ(client.ReadResponse().body, "POST /fast\nabc");
  EXPECT_EQ(client.ReadResponse().body, "GET /third\n");
}

TEST(HttpServer, ClosesAnHttp10ConnectionAfterTheAnswer) {
  TestServer server({}, Echo);
  RawClient client(server.port());
  client.Send("GET /old HTTP/1.0\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status_line, "HTTP/1.0 200 OK");
  EXPECT_EQ(r.body, "GET /old\n");
  EXPECT_FALSE(r.HasHeader("connection"));
  EXPECT_TRUE(client.ClosedWithin(2s));
}

TEST(HttpServer, KeepsAnHttp10ConnectionAliveWhenAskedTo) {
  TestServer server({}, Echo);
  RawClient client(server.port());
  client.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.body, "GET /a\n");
  EXPECT_EQ(r.Header("connection"), "keep-alive");
  client.Send("GET /b HTTP/1.0\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "GET /b\n");
  EXPECT_TRUE(client.ClosedWithin(2s));
}

TEST(HttpServer, HonoursConnectionClose) {
  TestServer server({}, Echo);
  RawClient client(server.port());
  client.Send("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.body, "GET /bye\n");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(client.ClosedWithin(2s));
}

TEST(HttpServer, DeliversAPostBodyIntact) {
  TestServer server({}, Echo);
  std::string body;
  for (int i = 0; i < 20000; ++i) body += static_cast<char>(i * 7);  // every byte value, NULs included
  RawClient client(server.port());
  client.Send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  client.Send(body);
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body == "POST /in\n" + body) << r.body.size() << " bytes back";
}

TEST(HttpServer, DecodesAChunkedBody) {
  TestServer server({}, Echo);
  RawClient client(server.port());
  client.Send("POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  client.Send("6;ext=1\r\n world\r\n0\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /chunks\nhello world");
}

TEST(HttpServer, RejectsABodyAnnouncedOverTheLimitWith413BeforeReadingIt) {
  bool called = false;
  HttpServerOptions options;
  options.max_body_bytes = 100;
  TestServer server(options, [&](int loop, HttpRequest req, Responder respond) {
    called = true;
    Echo(loop, std::move(req), std::move(respond));
  });
  RawClient client(server.port());
  client.Send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, "request body larger than 100 bytes\n");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(client.ClosedWithin(3s));
  EXPECT_FALSE(called);
}

TEST(HttpServer, TellsTheApplicationAboutEveryAnswerItGivesOnItsOwn) {
  std::mutex mu;
  std::vector<std::string> rejected;  // "status method target"
  HttpServerOptions options;
  options.max_body_bytes = 100;
  options.on_reject = [&](int loop, int status, std::string_view method, std::string_view target,
                          std::string_view) -> std::optional<HttpResponse> {
    std::lock_guard lock(mu);
    EXPECT_EQ(loop, 0);
    rejected.push_back(std::to_string(status) + " " + std::string(method) + " " + std::string(target));
    return std::nullopt;
  };
  TestServer server(options, Echo);
  {
    RawClient client(server.port());
    client.Send("POST /webhooks/twilio?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n");
    EXPECT_EQ(client.ReadResponse().status, 413);
  }
  {
    RawClient client(server.port());
    client.Send("\x01\x02 garbage\r\n\r\n");
    EXPECT_EQ(client.ReadResponse().status, 400);
  }
  {
    RawClient client(server.port());  // answered by the handler: not reported
    client.Send("GET /fine HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(client.ReadResponse().status, 200);
  }
  std::lock_guard lock(mu);
  EXPECT_EQ(rejected, (std::vector<std::string>{"413 POST /webhooks/twilio?x=1", "400  "}));
}

TEST(HttpServer, AnAnswerFromOnRejectReplacesTheServersText) {
  HttpServerOptions options;
  options.max_body_bytes = 100;
  options.on_reject = [](int, int status, std::string_view, std::string_view target,
                         std::string_view reason) -> std::optional<HttpResponse> {
    if (!target.starts_with("/json")) return std::nullopt;
    return HttpResponse{status, "application/json", "{\"reason\":\"" + std::string(reason) + "\"}", {}};
  };
  TestServer server(options, Echo);
  for (const std::string target : {"/json", "/text"}) {
    RawClient client(server.port());
    client.Send("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n");
    WireResponse r = client.ReadResponse();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.body, target == "/json" ? "{\"reason\":\"request body larger than 100 bytes\"}"
                                        : "request body larger than 100 bytes\n");
    EXPECT_EQ(r.Header("connection"), "close");
  }
}

TEST(HttpServer, RejectsAChunkedBodyThatGrowsPastTheLimitWith413) {
  HttpServerOptions options;
  options.max_body_bytes = 100;
  TestServer server(options, Echo);
  RawClient client(server.port());
  client.Send("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  client.Send("3c\r\n" + std::string(60, 'a') + "\r\n");
  client.Send("3c\r\n" + std::string(60, 'b') + "\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, "request body larger than 100 bytes\n");
  EXPECT_TRUE(client.ClosedWithin(3s));
}

TEST(HttpServer, RejectsHeadersOverTheLimitWith431) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  TestServer server(options, Echo);
  RawClient client(server.port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.body, "request headers too large\n");
  EXPECT_TRUE(client.ClosedWithin(3s));
}

TEST(HttpServer, RejectsGarbageWith400AndAReason) {
  TestServer server({}, Echo);
  RawClient client(server.port());
  client.Send("THIS IS NOT HTTP\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("malformed HTTP request: ", 0), 0u) << r.body;
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(client.ClosedWithin(3s));
}

TEST(HttpServer, SendsContinueBeforeReadingAnExpectedBody) {
  TestServer server({}, Echo);
  RawClient client(server.port());
  client.Send("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(client.ReadUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  client.Send("hello");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /upload\nhello");
}

TEST(HttpServer, SendsAnAnswerGivenLaterOnTheLoop) {
  HttpServer* http = nullptr;
  TestServer server({}, AnswerLater(http, 50ms));
  http = &server.http();
  RawClient client(server.port());
  client.Send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "late /wait");
  client.Send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "late /again");
}

TEST(HttpServer, IgnoresASecondAnswerAndAnAnswerForAnEarlierRequest) {
  Responder first;
  TestServer server({}, [&](int, HttpRequest req, Responder respond) {
    if (req.target == "/1") {
      respond(HttpResponse{200, "text/plain", "one", {}});
      respond(HttpResponse{500, "text/plain", "one again", {}});
      first = respond;
      return;
    }
    first(HttpResponse{500, "text/plain", "stale", {}});
    first = nullptr;  // a Responder must not outlive the server
    respond(HttpResponse{200, "text/plain", "two", {}});
    respond(HttpResponse{500, "text/plain", "two again", {}});
  });
  RawClient client(server.port());
  client.Send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "one");
  client.Send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().body, "two");
  EXPECT_FALSE(client.ClosedWithin(100ms));
  EXPECT_EQ(client.pending(), "");
}

TEST(HttpServer, WritesAnExactContentLengthTheContentTypeAndExtraHeaders) {
  TestServer server({}, [](int, HttpRequest, Responder respond) {
    respond(HttpResponse{201,
                         "application/json",
                         "{\"ok\":true}",
                         {{"Cache-Control", "no-store"},
                          {"X-Injected", "a\r\nSet-Cookie: evil"},
                          {"Content-Length", "999"},
                          {"Allow", "GET, POST"}}});
  });
  RawClient client(server.port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status_line, "HTTP/1.1 201 Created");
  EXPECT_EQ(r.body, "{\"ok\":true}");
  EXPECT_EQ(r.Header("content-length"), "11");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("server"), "helpline");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(r.Header("allow"), "GET, POST");
  EXPECT_FALSE(r.HasHeader("x-injected"));
  EXPECT_FALSE(r.HasHeader("set-cookie"));
  EXPECT_FALSE(client.ClosedWithin(100ms));
  EXPECT_EQ(client.pending(), "");
}

TEST(HttpServer, AnswersAHeadRequestWithTheLengthButNoBody) {
  TestServer server({}, Echo);
  RawClient client(server.port());
  client.Send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string head = client.ReadUntil("\r\n\r\n");
  EXPECT_NE(head.find("Content-Length: 8\r\n"), std::string::npos) << head;
  client.Send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  WireResponse r = client.ReadResponse();  // no stray body bytes before it
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /after\n");
}

TEST(HttpServer, ClosesANewConnectionThatSendsNoHeadersInTime) {
  HttpServerOptions options;
  options.header_timeout = 200ms;
  TestServer server(options, Echo);
  RawClient client(server.port());
  client.Send("GET / HTTP/1.1\r\nHost:");  // and then nothing
  const auto start = Clock::now();
  EXPECT_TRUE(client.ClosedWithin(3s));
  EXPECT_GE(Clock::now() - start, 150ms);
  EXPECT_TRUE(WaitFor([&] { return server.http().open_connections() == 0; }));
}

TEST(HttpServer, ClosesAKeepAliveConnectionIdleForTooLong) {
  HttpServerOptions options;
  options.idle_timeout = 300ms;
  TestServer server(options, Echo);
  RawClient client(server.port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.ReadResponse().status, 200);
  const auto start = Clock::now();
  EXPECT_TRUE(client.ClosedWithin(3s));
  EXPECT_GE(Clock::now() - start, 250ms);
}

TEST(HttpServer, ClosesARequestWhoseBodyStallsPastTheRequestTimeout) {
  HttpServerOptions options;
  options.request_timeout = 300ms;
  TestServer server(options, Echo);
  RawClient client(server.port());
  client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  const auto start = Clock::now();
  EXPECT_TRUE(client.ClosedWithin(3s));
  EXPECT_GE(Clock::now() - start, 250ms);
}

TEST(HttpServer, ClosesAConnectionWhoseAnswerOutlivesTheRequestTimeoutAndThenDrainsAtOnce) {
  HttpServerOptions options;
  options.request_timeout = 200ms;
  HttpServer* http = nullptr;
  std::atomic<bool> answered{false};
  HttpHandler later = AnswerLater(http, 500ms);
  TestServer server(options, [&](int loop, HttpRequest req, Responder respond) {
    later(loop, std::move(req), [respond, &answered](HttpResponse r) {
      respond(std::move(r));
      answered = true;
    });
  });
  http = &server.http();
  RawClient client(server.port());
  client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(client.ClosedWithin(3s));
  EXPECT_EQ(client.pending(), "");
  EXPECT_TRUE(WaitFor([&] { return answered.load(); }));
  // The late answer ended the request: nothing is left in flight.
  const auto start = Clock::now();
  EXPECT_TRUE(server.Drain(10s));
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST(HttpServer, RefusesConnectionsOverTheLimitWith503) {
  HttpServerOptions options;
  options.max_connections = 1;
  TestServer server(options, Echo);
  {
    RawClient first(server.port());
    first.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(first.ReadResponse().status, 200);
    RawClient second(server.port());
    WireResponse r = second.ReadResponse();
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "too many connections\n");
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_TRUE(second.ClosedWithin(3s));
  }
  ASSERT_TRUE(WaitFor([&] { return server.http().open_connections() == 0; }));
  RawClient third(server.port());
  third.Send("GET /3 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(third.ReadResponse().body, "GET /3\n");
}

TEST(HttpServer, DrainLetsAnInFlightRequestFinishWithConnectionClose) {
  HttpServer* http = nullptr;
  std::atomic<bool> started{false};
  HttpHandler later = AnswerLater(http, 300ms);
  TestServer server({}, [&](int loop, HttpRequest req, Responder respond) {
    started = true;
    later(loop, std::move(req), std::move(respond));
  });
  http = &server.http();
  const int port = server.port();
  RawClient client(port);
  client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitFor([&] { return started.load(); }));
  std::future<bool> drained = std::async(std::launch::async, [&] { return server.Drain(5s); });
  WireResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "late /slow");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(drained.get());
  EXPECT_FALSE(RawClient(port).connected());
}

// Lowers the process's descriptor limit so that no new descriptor can be
// opened, until destroyed.
class NoNewDescriptors {
 public:
  NoNewDescriptors() {
    ok_ = ::getrlimit(RLIMIT_NOFILE, &saved_) == 0;
    const int lowest_free = ::dup(0);
    ::close(lowest_free);
    rlimit tight = saved_;
    tight.rlim_cur = static_cast<rlim_t>(lowest_free);
    ok_ = ok_ && lowest_free >= 0 && ::setrlimit(RLIMIT_NOFILE, &tight) == 0;
  }
  ~NoNewDescriptors() { Restore(); }
  bool ok() const { return ok_; }
  void Restore() {
    if (ok_) ::setrlimit(RLIMIT_NOFILE, &saved_);
    ok_ = false;
  }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// While the process has no descriptor left, accept() fails (EMFILE): the
// open connections are still served, new ones wait in the listen queue and
// are served once descriptors are free again.
TEST(HttpServer, KeepsAcceptingAfterRunningOutOfFileDescriptors) {
  TestServer server({}, Echo);
  RawClient open(server.port());
  open.Send("GET /before HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(open.ReadResponse().body, "GET /before\n");
  std::vector<std::unique_ptr<RawClient>> waiting;
  for (int i = 0; i < 3; ++i) waiting.push_back(std::make_unique<RawClient>());
  NoNewDescriptors limit;
  ASSERT_TRUE(limit.ok());
  for (auto& client : waiting) EXPECT_TRUE(client->Connect(server.port()));
  open.Send("GET /during HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(open.ReadResponse().body, "GET /during\n");
  EXPECT_EQ(server.http().open_connections(), 1);
  limit.Restore();
  for (auto& client : waiting) client->Send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  for (auto& client : waiting) EXPECT_EQ(client->ReadResponse().body, "GET /after\n");
  EXPECT_EQ(server.http().open_connections(), 4);
}

}  // namespace
}  // namespace helpline::daemon
