#include "daemon/request_log.h"

#include <utility>  // before Asio (see STACK-NOTES)

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace helpline::daemon {
namespace {

// The request log of one loop thread. Lines are collected during a loop turn
// and written with one write() when the loop gets to the flush posted after
// the first of them (and when the buffer grows large, and when the thread
// ends), instead of one unbuffered stderr write per request.
class LogBuffer {
 public:
  ~LogBuffer() { Flush(); }
  void Use(boost::asio::io_context* io) { io_ = io; }
  void Append(const char* line, std::size_t n) {
    text_.append(line, n);
    if (io_ == nullptr || text_.size() >= kMaxBuffered) {
      Flush();
    } else if (!flush_posted_) {
      flush_posted_ = true;
      boost::asio::post(*io_, [this] { Flush(); });
    }
  }
  void Flush() {
    flush_posted_ = false;
    if (text_.empty()) return;
    std::fwrite(text_.data(), 1, text_.size(), stderr);
    std::fflush(stderr);
    text_.clear();
  }

 private:
  static constexpr std::size_t kMaxBuffered = 64 * 1024;
  std::string text_;
  boost::asio::io_context* io_ = nullptr;  // this thread's loop, once it handled a request
  bool flush_posted_ = false;
};
thread_local LogBuffer t_log;

}  // namespace

void UseLoopForRequestLog(boost::asio::io_context* io) { t_log.Use(io); }

// Formatted by hand, with the timestamp made once a second: this runs for every request.
void LogRequest(const RequestLog& req, std::string_view route, int status, double ms, std::string_view outcome,
                std::string_view sender_hash) {
  thread_local std::time_t stamped = -1;
  thread_local char ts[32];
  const std::time_t now = std::time(nullptr);
  if (now != stamped) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    stamped = now;
  }
  char num[32];
  thread_local std::string line;
  line.clear();
  line.append(ts).append(" req=").append(req.id).append(" method=").append(std::string_view(req.method).substr(0, 16));
  line.append(" route=").append(route).append(" status=");
  line.append(num, std::to_chars(num, num + sizeof num, status).ptr);
  line.append(" ms=");
  line.append(num, std::to_chars(num, num + sizeof num, ms, std::chars_format::fixed, 2).ptr);
  line.append(" outcome=").append(outcome).append(" sender=").append(sender_hash.substr(0, 12)).append("\n");
  t_log.Append(line.data(), line.size());
}

}  // namespace helpline::daemon
