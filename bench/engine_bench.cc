// Message engine benchmark (Google Benchmark): typical messages handled
// against a 100,000-resource synthetic directory. Target: median <= 5 us per
// message on the 2-core machine. BM_Engine_Long: long texts, where the
// intent model runs, with it and without it (rules alone) in the same run.
// References measured in the same run:
//   BM_Reference_CopyReply      copying a 400-byte reply (a floor: any reply costs this)
//   BM_Reference_PhoneParse     one libphonenumber parse of the sender (what the
//                               engine keeps off its hot path)
// See docs/BENCHMARKS.md for how to run and read it.

#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdlib>
#include <memory>
#include <span>
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
void RunTexts(benchmark::State& state, const engine::MessageEngine& engine, std::span<const Sample> samples,
              engine::ReplyCache* cache) {
  const World& w = TheWorld();
  engine::SenderState sender;
  std::size_t i = 0;
  for (auto _ : state) {
    const Sample& s = samples[i++ % samples.size()];
    engine::InboundMessage m;
    m.text = s.text;
    m.from = s.from;
    engine::EngineReply r = engine.Handle(m, sender, *w.index, cache);
    benchmark::DoNotOptimize(r.text.data());
  }
}

void RunMix(benchmark::State& state, engine::ReplyCache* cache) {
  RunTexts(state, *TheWorld().engine, kTypical, cache);
}

void BM_Engine_Mix(benchmark::State& state) { RunMix(state, nullptr); }
BENCHMARK(BM_Engine_Mix);

void BM_Engine_Mix_Cached(benchmark::State& state) {
  engine::ReplyCache cache;
  RunMix(state, &cache);
  state.counters["hit_rate"] = static_cast<double>(cache.hits()) / static_cast<double>(cache.hits() + cache.misses());
}
BENCHMARK(BM_Engine_Mix_Cached);

// Long texts (8 words or more, no keyword first), where the intent model
// (intent_model.h) reads every message the rules found no emergency in:
// the shipped engine (arg 1) against the same engine with an empty intent
// model, the rules alone (arg 0), in the same run. Uncached.
const Sample kLong[] = {
    {"just finished watching dopesick last night, did doctors really hand out oxy like that", "+12125550123"},
    {"how much narcan do you give someone who overdosed? asking for my first aid class next week", "+14165550123"},
    {"hace tres años intenté quitarme la vida, hoy estoy bien y quiero ayudar a otros como voluntaria", "+13055550123"},
    {"i have been drinking every day for a year and i want to stop, where can i get treatment near me", "+12065550123"},
};

void BM_Engine_Long(benchmark::State& state) {
  const World& w = TheWorld();
  static const engine::MessageEngine rules_alone = [&] {
    engine::MessageEngine e = *w.engine;
    e.SetIntentModel(engine::IntentModel());
    return e;
  }();
  RunTexts(state, state.range(0) == 1 ? *w.engine : rules_alone, kLong, nullptr);
  state.SetLabel(state.range(0) == 1 ? "with the intent model" : "rules alone");
}
BENCHMARK(BM_Engine_Long)->Arg(0)->Arg(1);

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
