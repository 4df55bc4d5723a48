// Message engine benchmark (Google Benchmark): typical messages handled
// against a 100,000-resource synthetic directory. Target: median <= 5 us per
// message on the 2-core machine. References measured in the same run:
//   BM_Reference_CopyReply      copying a 400-byte reply (a floor: any reply costs this)
//   BM_Reference_PhoneParse     one libphonenumber parse of the sender (what the
//                               engine keeps off its hot path)
// See docs/BENCHMARKS.md for how to run and read it.

#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/synthetic_directory.h"
#include "daemon/engine/message_engine.h"

namespace {

using namespace helpline;

struct World {
  std::shared_ptr<const directory::DirectoryIndex> index;
  std::unique_ptr<engine::MessageEngine> engine;
};

const World& TheWorld() {
  static const World world = [] {
    World w;
    const char* n = std::getenv("HELPLINE_BENCH_RESOURCES");
    w.index = directory::DirectoryIndex::Build(bench::SyntheticResources(n ? std::atoi(n) : 100000), 1);
    auto e = engine::LoadMessageEngine(std::string(HELPLINE_DATA_DIR) + "/engine");
    if (!e.ok()) std::abort();
    w.engine = std::make_unique<engine::MessageEngine>(std::move(e).value());
    return w;
  }();
  return world;
}

struct Sample {
  const char* text;
  const char* from;
};

const Sample kTypical[] = {
    {"HELP", "+16045550123"},       {"NALOXONE", "+12125550123"}, {"need narcan in BC please", "+14165550123"},
    {"AYUDA", "+15125550123"},      {"overdose", "+13105550123"}, {"treatment in texas", "+12065550123"},
    {"HELP 90210", "+18005550123"}, {"asdfgh", "+15145550123"},   {"my friend is not breathing", "+14035550123"},
    {"tretment", "+13055550123"},
};

void BM_Engine_Typical(benchmark::State& state) {
  const World& w = TheWorld();
  const Sample& s = kTypical[state.range(0)];
  engine::InboundMessage m;
  m.text = s.text;
  m.from = s.from;
  engine::SenderState sender;
  for (auto _ : state) {
    engine::EngineReply r = w.engine->Handle(m, sender, *w.index);
    benchmark::DoNotOptimize(r.text.data());
  }
  state.SetLabel(s.text);
}
BENCHMARK(BM_Engine_Typical)->DenseRange(0, static_cast<int>(std::size(kTypical)) - 1);

// All typical messages in turn: the figure for "a message"; with a cache,
// as the daemon runs it (per loop), the reply to (intent, language, region,
// channel) is composed once per snapshot.
void RunMix(benchmark::State& state, engine::ReplyCache* cache) {
  const World& w = TheWorld();
  engine::SenderState sender;
  std::size_t i = 0;
  for (auto _ : state) {
    const Sample& s = kTypical[i++ % std::size(kTypical)];
    engine::InboundMessage m;
    m.text = s.text;
    m.from = s.from;
    engine::EngineReply r = w.engine->Handle(m, sender, *w.index, cache);
    benchmark::DoNotOptimize(r.text.data());
  }
}

void BM_Engine_Mix(benchmark::State& state) { RunMix(state, nullptr); }
BENCHMARK(BM_Engine_Mix);

void BM_Engine_Mix_Cached(benchmark::State& state) {
  engine::ReplyCache cache;
  RunMix(state, &cache);
  state.counters["hit_rate"] = static_cast<double>(cache.hits()) / static_cast<double>(cache.hits() + cache.misses());
}
BENCHMARK(BM_Engine_Mix_Cached);

void BM_Reference_CopyReply(benchmark::State& state) {
  const std::string reply(400, 'x');
  for (auto _ : state) {
    std::string copy = reply;
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_Reference_CopyReply);

void BM_Reference_PhoneParse(benchmark::State& state) {
  const auto* util = i18n::phonenumbers::PhoneNumberUtil::GetInstance();
  for (auto _ : state) {
    i18n::phonenumbers::PhoneNumber n;
    util->Parse("+16045550123", "US", &n);
    benchmark::DoNotOptimize(n.national_number());
  }
}
BENCHMARK(BM_Reference_PhoneParse);

}  // namespace

BENCHMARK_MAIN();
