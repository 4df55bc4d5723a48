#pragma once
// A synthetic directory for benchmarks: N resources spread over every US
// state and Canadian province, each with a distinct valid toll-free number,
// a text line, a web page, categories and a Spanish translation — about the
// shape of the real data, at scale. Deterministic for a given N.

#include <string>
#include <vector>

#include "directory/model.h"

namespace helpline::bench {

// The resources, as the validator would return them (normalized numbers).
std::vector<directory::Resource> SyntheticResources(int n);

// The same directory as JSON files, one per jurisdiction, written into `dir`;
// returns their paths. Phone numbers are written in national form so the
// validator has real work to do.
std::vector<std::string> WriteSyntheticFiles(const std::string& dir, int n);

}  // namespace helpline::bench
