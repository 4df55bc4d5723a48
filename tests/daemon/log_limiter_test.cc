// LogLimiter: the first `burst` lines of a window pass, the rest are held
// back and counted, and the next line let through reports that count.

#include "daemon/log_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>

namespace helpline::daemon {
namespace {

using std::chrono::seconds;
using Clock = LogLimiter::Clock;

TEST(LogLimiter, LetsABurstThroughThenHoldsBackTheRestOfTheWindow) {
  LogLimiter limiter(3, std::chrono::minutes(1));
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) {
    const auto admitted = limiter.Admit(t0 + seconds(i));
    ASSERT_TRUE(admitted.has_value()) << i;
    EXPECT_EQ(*admitted, 0u);
  }
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(limiter.Admit(t0 + seconds(10)).has_value());
  EXPECT_EQ(limiter.held_total(), 50u);
}

TEST(LogLimiter, TheFirstLineOfTheNextWindowReportsWhatWasHeldBack) {
  LogLimiter limiter(2, std::chrono::minutes(1));
  const Clock::time_point t0{};
  ASSERT_TRUE(limiter.Admit(t0));
  ASSERT_TRUE(limiter.Admit(t0));
  for (int i = 0; i < 7; ++i) ASSERT_FALSE(limiter.Admit(t0 + seconds(30)));
  const std::optional<std::uint64_t> next = limiter.Admit(t0 + seconds(60));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 7u);
  // The count is reported once, not again.
  const std::optional<std::uint64_t> after = limiter.Admit(t0 + seconds(61));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after, 0u);
  EXPECT_EQ(limiter.held_total(), 7u);
}

TEST(LogLimiter, AWindowIsMeasuredFromItsFirstLineNotFromTheClockMinute) {
  LogLimiter limiter(1, std::chrono::minutes(1));
  const Clock::time_point t0 = Clock::time_point{} + seconds(45);
  ASSERT_TRUE(limiter.Admit(t0));
  EXPECT_FALSE(limiter.Admit(t0 + seconds(59)));  // same window
  EXPECT_TRUE(limiter.Admit(t0 + seconds(60)));   // a new one
}

TEST(LogLimiter, AZeroWindowOrBurstIsReadSafely) {
  LogLimiter every(5, Clock::duration::zero());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(every.Admit(Clock::time_point{}));
  LogLimiter one(0, std::chrono::minutes(1));  // burst < 1 is read as 1
  EXPECT_TRUE(one.Admit(Clock::time_point{}));
  EXPECT_FALSE(one.Admit(Clock::time_point{}));
}

}  // namespace
}  // namespace helpline::daemon
