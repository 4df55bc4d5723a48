// The test processes themselves: every test executable ignores SIGPIPE
// (tests/support/ignore_sigpipe.cc), as `helpline serve` does.

#include <csignal>

#include <gtest/gtest.h>

namespace {

TEST(TestProcess, IgnoresSigpipeAsServeDoes) {
  struct sigaction now {};
  ASSERT_EQ(sigaction(SIGPIPE, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_IGN) << "a write to a killed server's socket would end the test process";
}

}  // namespace
