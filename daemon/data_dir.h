#pragma once
// Where the binary finds its data (engine/*.json, directory/*.json, schema/)
// when neither --data, HELPLINE_DATA_DIR nor the config file's data_dir says.
//
//   std::string dir = DefaultDataDir();   // "/usr/share/helpline" once installed
//
// Order: `<directory of the running executable>/../share/helpline` when it
// holds engine/keywords.json (an installed tree: the .deb's /usr/bin/helpline
// finds /usr/share/helpline, and so does a copy unpacked with `dpkg -x` into
// any root, or `cmake --install --prefix P`), else the compile-time default
// HELPLINE_DATA_DIR (CMake cache variable of that name: the source tree's
// data/ for a build tree, /usr/share/helpline in scripts/package).
//
// Thread-safety: reads /proc/self/exe and the file system; safe from any thread.

#include <string>

namespace helpline::daemon {

// The data directory as described above; never empty.
std::string DefaultDataDir();

}  // namespace helpline::daemon
