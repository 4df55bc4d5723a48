// Fuzz target: the daemon's HTTP/1.1 request parser
// (daemon/internal/http_request_parser.h), driven as the server's
// Connection::Parse drives it: the header first (not eager), then the body,
// bytes arriving in reads of a size the input chooses, keep-alive requests
// parsed one after another from the same bytes.
//
// Input: one byte choosing the read size (1..256 bytes), then the raw bytes
// a client sends. Invariants: the parser consumes no more than it was given;
// a finished request has a method and a target, lower-case header names and a
// body within the limit; an error is one of Beast's (never a crash or a hang).

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>  // before Asio: g++ 12 + C++20 (see STACK-NOTES)

#include "daemon/internal/http_request_parser.h"
#include "fuzz/fuzz_support.h"

using helpline::daemon::RequestParser;
using helpline::fuzz::FuzzInput;
namespace http = boost::beast::http;

namespace {

// HttpServerOptions' defaults.
constexpr std::size_t kMaxHeaderBytes = 16384;
constexpr std::size_t kMaxBodyBytes = 65536;
constexpr int kMaxRequests = 16;

void CheckRequest(const helpline::daemon::HttpRequest& request) {
  FUZZ_CHECK(!request.method.empty());
  FUZZ_CHECK(!request.target.empty());
  FUZZ_CHECK(request.body.size() <= kMaxBodyBytes);
  for (const auto& [name, value] : request.headers) {
    FUZZ_CHECK(!name.empty());
    for (char c : name) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
    FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::size_t read_size = std::size_t{in.Byte()} + 1;
  std::string_view wire = in.Rest();  // bytes not yet "read" from the socket
  std::string buffer;                 // read, not yet consumed by a parser

  auto read_more = [&]() {
    if (wire.empty()) return false;
    const std::size_t n = std::min(read_size, wire.size());
    buffer.append(wire.substr(0, n));
    wire.remove_prefix(n);
    return true;
  };

  for (int requests = 0; requests < kMaxRequests; ++requests) {
    RequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    parser.body_limit(kMaxBodyBytes);
    parser.eager(false);
    bool header_seen = false;
    for (;;) {
      if (buffer.empty() && !read_more()) {
        // The client closed: a request cut short is an error, between
        // requests it is a normal end.
        return 0;
      }
      boost::beast::error_code ec;
      const std::size_t used = parser.put(boost::asio::const_buffer(buffer.data(), buffer.size()), ec);
      FUZZ_CHECK(used <= buffer.size());
      buffer.erase(0, used);
      if (ec == http::error::need_more) {
        if (!read_more()) return 0;
        continue;
      }
      if (ec) return 0;  // the server answers 400/413/431 and closes
      if (!header_seen && parser.is_header_done()) {
        header_seen = true;
        parser.eager(true);
      }
      if (parser.is_done()) break;
    }
    CheckRequest(parser.request);
    if (!parser.keep_alive()) return 0;
  }
  return 0;
}
