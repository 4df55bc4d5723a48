#include "redis/url.h"

// Grammar accepted (anything else is InvalidArgument):
//
//   redis://[[user]:password@]host[:port][/db][?query]
//   unix:///absolute/path.sock[?query]
//   redis+sentinel://[[user]:password@]sentinel[,sentinel...]/master_name[/db][?query]
//   sentinel = host[:port], port 26379 by default
//   query = key=value pairs joined by '&'; keys: db, password, username, and
//           with sentinels also sentinel_username, sentinel_password
//
// host may be an IPv6 literal in brackets ("[::1]"). user and password (in the
// authority or the query) are percent-decoded. The password never appears in
// an error message or in Redacted(): errors quote the URL with it masked.

#include <charconv>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace helpline::redis {
namespace {

constexpr std::string_view kRedisScheme = "redis://";
constexpr std::string_view kUnixScheme = "unix://";
constexpr std::string_view kSentinelScheme = "redis+sentinel://";
constexpr std::string_view kMask = "***";

// The input URL with any password masked, fit to quote in an error. Works on
// malformed input too: masks the text between the first ':' of the user info
// and the last '@' of the authority, and the value of any password= pair.
std::string RedactRaw(std::string_view url) {
  std::string out;
  std::string_view rest = url;
  if (std::size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    out.append(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    std::size_t authority_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, authority_end);
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
      std::string_view userinfo = authority.substr(0, at);
      std::size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) {
        out.append(userinfo.substr(0, colon + 1)).append(kMask);
      } else {
        out.append(kMask);  // ambiguous: could be a password typed without ':'
      }
      out.append(authority.substr(at));
      rest.remove_prefix(authority.size());
    }
  }
  // Mask password= values in the query.
  std::size_t q = rest.find('?');
  out.append(rest.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view query = rest.substr(q + 1);
  out.push_back('?');
  bool first = true;
  while (true) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out.push_back('&');
    first = false;
    if (std::string_view key = pair.substr(0, pair.find('=')); key == "password" || key == "sentinel_password") {
      out.append(key).append("=").append(kMask);
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

Status Bad(std::string_view url, std::string_view problem) {
  std::string m = "redis URL '";
  m += RedactRaw(url);
  m += "': ";
  m += problem;
  return InvalidArgument(std::move(m));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "%XX" sequences to bytes; nullopt on a malformed escape. '+' stays '+'.
std::optional<std::string> PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// A decimal integer in [lo, hi], all of `s`.
std::optional<int> ParseInt(std::string_view s, int lo, int hi) {
  int value = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < lo || value > hi) return std::nullopt;
  return value;
}

// Applies "db=..&password=..&username=.." to `out`.
Status ParseQuery(std::string_view url, std::string_view query, bool db_in_path, Url& out) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    // Not quoted: a stray secret could be the pair.
    if (eq == std::string_view::npos) return Bad(url, "a query parameter has no '='");
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    if (key == "db") {
      if (db_in_path) return Bad(url, "db given both in the path and in the query");
      std::optional<int> db = ParseInt(value, 0, std::numeric_limits<int>::max());
      if (!db) return Bad(url, "bad db '" + std::string(value) + "' (want a non-negative integer)");
      out.db = *db;
    } else if (key == "password") {
      std::optional<std::string> password = PercentDecode(value);
      if (!password) return Bad(url, "bad percent-encoding in the password");
      out.password = std::move(*password);
    } else if (key == "username") {
      std::optional<std::string> username = PercentDecode(value);
      if (!username) return Bad(url, "bad percent-encoding in the username");
      out.username = std::move(*username);
    } else if (out.is_sentinel() && (key == "sentinel_username" || key == "sentinel_password")) {
      std::optional<std::string> decoded = PercentDecode(value);
      if (!decoded) return Bad(url, "bad percent-encoding in " + std::string(key));
      (key == "sentinel_username" ? out.sentinel_username : out.sentinel_password) = std::move(*decoded);
    } else {
      return Bad(url, "unknown query parameter '" + std::string(key) + "' (known: db, password, username" +
                          (out.is_sentinel() ? ", sentinel_username, sentinel_password)" : ")"));
    }
  }
  return Status::Ok();
}

// "[user]:password@" (everything before the last '@' of the authority) into `out`.
Status ParseUserInfo(std::string_view url, std::string_view userinfo, Url& out) {
  std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) {
    return Bad(url, "user info must be '[user]:password@' (a ':' is required)");
  }
  std::optional<std::string> user = PercentDecode(userinfo.substr(0, colon));
  if (!user) return Bad(url, "bad percent-encoding in the user name");
  std::optional<std::string> password = PercentDecode(userinfo.substr(colon + 1));
  if (!password) return Bad(url, "bad percent-encoding in the password");
  out.username = std::move(*user);
  out.password = std::move(*password);
  return Status::Ok();
}

// "host[:port]" or "[v6]:port"; `default_port` when none is given.
Result<Endpoint> ParseHostPort(std::string_view url, std::string_view text, int default_port) {
  Endpoint out;
  out.port = default_port;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return Bad(url, "unterminated '[' in the IPv6 host");
    out.host = std::string(text.substr(1, close - 1));
    std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad(url, "unexpected text after the IPv6 host");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    std::size_t colon = text.find(':');
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      has_port = true;
    }
  }
  if (out.host.empty()) return Bad(url, "missing host");
  if (has_port) {
    std::optional<int> port = ParseInt(port_text, 1, 65535);
    if (!port) return Bad(url, "bad port '" + std::string(port_text) + "' (want 1-65535)");
    out.port = *port;
  }
  return out;
}

// The db of the path ("" for none), then the query (npos: none).
Status ParseDbAndQuery(std::string_view url, std::string_view db_text, std::string_view rest, std::size_t q, Url& out) {
  bool db_in_path = false;
  if (!db_text.empty()) {
    std::optional<int> db = ParseInt(db_text, 0, std::numeric_limits<int>::max());
    if (!db) return Bad(url, "bad db '" + std::string(db_text) + "' (want a non-negative integer)");
    out.db = *db;
    db_in_path = true;
  }
  if (q != std::string_view::npos) {
    HL_RETURN_IF_ERROR(ParseQuery(url, rest.substr(q + 1), db_in_path, out));
  }
  return Status::Ok();
}

Result<Url> ParseUnix(std::string_view url) {
  Url out;
  out.port = 0;
  std::string_view rest = url.substr(kUnixScheme.size());
  std::size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (path.empty()) return Bad(url, "missing socket path");
  if (path.front() != '/') {
    return Bad(url, "unix socket path must be absolute (unix:///path/to.sock)");
  }
  if (path == "/" || path.back() == '/') return Bad(url, "unix socket path names a directory");
  if (path.find('#') != std::string_view::npos) return Bad(url, "fragments ('#') are not supported");
  out.unix_socket = std::string(path);
  if (q != std::string_view::npos) {
    HL_RETURN_IF_ERROR(ParseQuery(url, rest.substr(q + 1), /*db_in_path=*/false, out));
  }
  return out;
}

Result<Url> ParseTcp(std::string_view url) {
  Url out;
  std::string_view rest = url.substr(kRedisScheme.size());
  if (rest.find('#') != std::string_view::npos) return Bad(url, "fragments ('#') are not supported");
  std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  // User info: the last '@' ends it, so an unencoded '@' in a password still parses.
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    HL_RETURN_IF_ERROR(ParseUserInfo(url, userinfo, out));
  }

  Result<Endpoint> endpoint = ParseHostPort(url, authority, out.port);
  if (!endpoint.ok()) return endpoint.status();
  out.host = std::move(endpoint->host);
  out.port = endpoint->port;

  // "/db", then "?query".
  std::size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (!path.empty()) path.remove_prefix(1);  // the '/'
  HL_RETURN_IF_ERROR(ParseDbAndQuery(url, path, rest, q, out));
  return out;
}

Result<Url> ParseSentinel(std::string_view url) {
  Url out;
  out.port = 0;
  std::string_view rest = url.substr(kSentinelScheme.size());
  if (rest.find('#') != std::string_view::npos) return Bad(url, "fragments ('#') are not supported");
  std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    HL_RETURN_IF_ERROR(ParseUserInfo(url, authority.substr(0, at), out));
    authority.remove_prefix(at + 1);
  }
  while (true) {
    std::size_t comma = authority.find(',');
    Result<Endpoint> sentinel = ParseHostPort(url, authority.substr(0, comma), kDefaultSentinelPort);
    if (!sentinel.ok()) return sentinel.status();
    out.sentinels.push_back(std::move(*sentinel));
    if (comma == std::string_view::npos) break;
    authority.remove_prefix(comma + 1);
  }

  // "/master_name[/db]", then "?query".
  std::size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (!path.empty()) path.remove_prefix(1);  // the '/'
  std::size_t slash = path.find('/');
  std::optional<std::string> name = PercentDecode(path.substr(0, slash));
  if (!name) return Bad(url, "bad percent-encoding in the master name");
  if (name->empty()) return Bad(url, "missing master name (redis+sentinel://host:port/MASTER_NAME[/db])");
  for (char c : *name) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return Bad(url, "the master name has a space or control character");
  }
  out.master_name = std::move(*name);
  std::string_view db_text = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  HL_RETURN_IF_ERROR(ParseDbAndQuery(url, db_text, rest, q, out));
  return out;
}

}  // namespace

std::string Url::Redacted() const {
  std::string out;
  if (!unix_socket.empty()) {
    out = "unix://" + unix_socket;
    char sep = '?';
    if (db != 0) {
      out += sep;
      out += "db=" + std::to_string(db);
      sep = '&';
    }
    if (!username.empty()) {
      out += sep;
      out += "username=" + username;
      sep = '&';
    }
    if (!password.empty()) {
      out += sep;
      out += "password=";
      out += kMask;
    }
    return out;
  }
  if (is_sentinel()) return RedactedSentinel();
  out = "redis://";
  if (!username.empty() || !password.empty()) {
    out += username;
    out += ':';
    if (!password.empty()) out += kMask;
    out += '@';
  }
  if (host.find(':') != std::string::npos) {
    out += '[' + host + ']';
  } else {
    out += host;
  }
  out += ':' + std::to_string(port) + '/' + std::to_string(db);
  return out;
}

std::string Url::RedactedSentinel() const {
  std::string out = "redis+sentinel://";
  if (!username.empty() || !password.empty()) {
    out += username;
    out += ':';
    if (!password.empty()) out += kMask;
    out += '@';
  }
  for (std::size_t i = 0; i < sentinels.size(); ++i) {
    if (i > 0) out += ',';
    out += EndpointText(sentinels[i]);
  }
  out += '/' + master_name + '/' + std::to_string(db);
  char sep = '?';
  if (!sentinel_username.empty()) {
    out += sep;
    out += "sentinel_username=" + sentinel_username;
    sep = '&';
  }
  if (!sentinel_password.empty()) {
    out += sep;
    out += "sentinel_password=";
    out += kMask;
  }
  return out;
}

std::string EndpointText(const Endpoint& e) {
  std::string out = e.host.find(':') != std::string::npos ? '[' + e.host + ']' : e.host;
  return out + ':' + std::to_string(e.port);
}

Result<Url> ParseUrl(std::string_view url) {
  if (url.starts_with(kRedisScheme)) return ParseTcp(url);
  if (url.starts_with(kUnixScheme)) return ParseUnix(url);
  if (url.starts_with(kSentinelScheme)) return ParseSentinel(url);
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Bad(url,
               "missing scheme (want redis://host:port/db, unix:///path.sock or redis+sentinel://host:port/master)");
  }
  std::string scheme(url.substr(0, scheme_end));
  if (scheme == "rediss") return Bad(url, "TLS (rediss://) is not supported; use redis:// or unix://");
  return Bad(url, "unknown scheme '" + scheme + "' (want redis://, unix:// or redis+sentinel://)");
}

}  // namespace helpline::redis
