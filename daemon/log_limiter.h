// LogLimiter: bounds how many lines of one kind a component writes.
//
// A long provider outage makes the outbox retry every message again and
// again; one stderr line per retry is then an unbounded stream (journald
// copes, a pipe nobody reads blocks the loop). A limiter lets the first
// `burst` lines of each window through and holds the rest back, counting
// them; the next line let through reports how many were held back since the
// previous one, so an operator still sees the volume.
//
//   LogLimiter retries(20, std::chrono::minutes(1));
//   if (auto held = retries.Admit(now)) {
//     std::fprintf(stderr, "... held_back=%llu\n", *held);
//   }
//
// Not thread-safe: one limiter per event loop (the outbox worker owns its
// own). Header-only, no allocation.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace helpline::daemon {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // burst < 1 is read as 1; a window <= 0 lets every line through.
  LogLimiter(int burst, Clock::duration window) : burst_(burst < 1 ? 1 : burst), window_(window) {}

  // Whether a line may be written at `now`. When it may, returns the number
  // of lines held back since the last admitted one (0 usually); when it may
  // not, returns nullopt and counts the line as held back.
  std::optional<std::uint64_t> Admit(Clock::time_point now) {
    if (window_ <= Clock::duration::zero()) return TakeHeld();
    if (!started_ || now - window_start_ >= window_) {
      started_ = true;
      window_start_ = now;
      used_ = 0;
    }
    if (used_ >= burst_) {
      ++held_;
      ++held_total_;
      return std::nullopt;
    }
    ++used_;
    return TakeHeld();
  }

  // Lines held back since construction.
  std::uint64_t held_total() const { return held_total_; }

 private:
  std::uint64_t TakeHeld() {
    const std::uint64_t h = held_;
    held_ = 0;
    return h;
  }

  int burst_;
  Clock::duration window_;
  bool started_ = false;
  Clock::time_point window_start_{};
  int used_ = 0;
  std::uint64_t held_ = 0;
  std::uint64_t held_total_ = 0;
};

}  // namespace helpline::daemon
