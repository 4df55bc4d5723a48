// Every test executable ignores SIGPIPE, as `helpline serve` does
// (daemon/serve.cc): tests kill redis-server and fake providers under live
// clients, and a write to the dead peer's socket must be an error on that
// socket, not the end of the test process. (Without it, an outbox test that
// kills its Redis died of SIGPIPE once under load: its async client wrote
// before it saw the socket close.) Linked into each test executable by
// helpline_add_test_executable (tests/CMakeLists.txt), not into a library,
// so the initializer is never dropped by the linker.

#include <csignal>

namespace {

const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

}  // namespace
