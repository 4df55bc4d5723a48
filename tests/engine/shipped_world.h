#pragma once
// The shipped engine (data/engine) and directory (data/directory), loaded
// once per test executable: what the golden corpus and the evaluation set
// run against. Aborts if the shipped data does not load (the validator and
// engine tests say why). Thread-safety: built once (function-local static),
// immutable after.

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "daemon/engine/message_engine.h"
#include "directory/validator.h"

namespace helpline::engine {

struct ShippedWorld {
  std::shared_ptr<const directory::DirectoryIndex> index;
  std::unique_ptr<MessageEngine> engine;
};

inline const ShippedWorld& TheShippedWorld() {
  static const ShippedWorld world = [] {
    ShippedWorld w;
    directory::Validator validator;
    auto report = validator.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
    if (!report.ok()) std::abort();
    w.index = directory::DirectoryIndex::Build(std::move(report.resources), 1);
    auto engine = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
    if (!engine.ok()) {
      std::fprintf(stderr, "shipped engine data: %s\n", engine.status().message().c_str());
      std::abort();
    }
    w.engine = std::make_unique<MessageEngine>(std::move(engine).value());
    return w;
  }();
  return world;
}

}  // namespace helpline::engine
