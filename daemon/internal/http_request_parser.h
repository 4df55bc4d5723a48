#pragma once
// The request parser of the HTTP server (http_server.cc), in a header of its
// own so that the fuzz harness (fuzz/http_request_fuzz.cc) drives exactly the
// parser the server uses. Beast's basic_parser checks the syntax and the
// limits; this subclass only copies the request line, the fields (names
// lower-cased) and the body into an HttpRequest.
//
//   RequestParser parser;
//   parser.header_limit(16384);
//   parser.body_limit(65536);
//   beast::error_code ec;
//   std::size_t used = parser.put(boost::asio::buffer(bytes), ec);  // need_more, an error, or done
//   if (parser.is_done()) handle(std::move(parser.request));
//
// Private to the daemon (daemon/internal/, like directory/internal/): Beast
// types appear here, so only http_server.cc and the fuzz harness include it.
//
// Thread-safety: one parser per request, used from one thread.

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>
#include <utility>  // before Asio: g++ 12 + C++20 (see STACK-NOTES)

#include "daemon/http_server.h"

namespace helpline::daemon {

// Fills an HttpRequest straight from Beast's parser callbacks.
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  HttpRequest request;
  int version = 11;   // 10 or 11
  bool head = false;  // a HEAD request: the answer carries no body
  bool expect_continue = false;

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_string,
                       boost::beast::string_view target, int v, boost::beast::error_code&) override {
    request.method.assign(method_string.data(), method_string.size());
    request.target.assign(target.data(), target.size());
    request.headers.reserve(16);  // a request has a handful: one allocation
    version = v;
    head = method == boost::beast::http::verb::head;
  }
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}  // requests only
  void on_field_impl(boost::beast::http::field field, boost::beast::string_view name, boost::beast::string_view value,
                     boost::beast::error_code&) override {
    if (field == boost::beast::http::field::expect && boost::beast::iequals(value, "100-continue"))
      expect_continue = true;
    auto& [lower, copy] = request.headers.emplace_back();
    lower.resize(name.size());
    // Field names are ASCII tokens (the parser has checked): no locale needed.
    std::transform(name.begin(), name.end(), lower.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    copy.assign(value.data(), value.size());
  }
  void on_header_impl(boost::beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, boost::beast::error_code&) override {
    if (length) request.body.reserve(*length);  // the parser has checked it against the body limit
  }
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, boost::beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(boost::beast::error_code&) override {}
};

}  // namespace helpline::daemon
