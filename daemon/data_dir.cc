#include "daemon/data_dir.h"

#include <filesystem>
#include <system_error>

namespace helpline::daemon {

std::string DefaultDataDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.has_parent_path()) {
    const std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "helpline";
    if (std::filesystem::is_regular_file(installed / "engine" / "keywords.json", ec)) return installed.string();
  }
  return HELPLINE_DATA_DIR;
}

}  // namespace helpline::daemon
