// helpline: the operator CLI and (later) the daemon. See daemon/cli.h.
#include <unistd.h>

#include <iostream>

#include "daemon/cli.h"

int main(int argc, char** argv) {
  return helpline::cli::RunCli(argc, argv, std::cout, std::cerr, isatty(STDERR_FILENO) != 0);
}
