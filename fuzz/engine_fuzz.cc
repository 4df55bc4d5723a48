// Fuzz target: the message engine (daemon/engine/message_engine.h) on any
// text, any provider hints and any remembered state, against the shipped
// engine data and directory: Understand (safety signals, carrier words,
// keywords and typos, language, region) and Answer (composition, fitting,
// SMS splitting), with and without the reply cache.
//
// Input: one flags byte (bit 0 chat, bit 1 opted out, bits 2-3 the
// remembered language "", en, es, fr, bits 4-6 the remembered region), then
// lines: the sender's number, then the provider's hints from_state,
// from_zip, from_country and language; the rest is the message text.
//
// Invariants: the reply is non-empty valid UTF-8; an SMS reply's parts each
// fit one SMS and are the reply's text; Handle equals Answer(Understand); the
// reply cache gives the same text; an overdose in progress gets 911 in the
// first line and a suicide risk 988 in the first two.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "daemon/engine/gsm7.h"
#include "daemon/engine/message_engine.h"
#include "directory/validator.h"
#include "fuzz/fuzz_support.h"

namespace eng = helpline::engine;
namespace dir = helpline::directory;
using helpline::fuzz::FuzzInput;
using helpline::fuzz::IsUtf8;

namespace {

struct World {
  std::shared_ptr<const dir::DirectoryIndex> index;
  std::unique_ptr<eng::MessageEngine> engine;
};

const World& TheWorld() {
  static const World world = [] {
    World w;
    dir::Validator validator;
    auto report = validator.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
    FUZZ_CHECK(report.ok());
    w.index = dir::DirectoryIndex::Build(std::move(report.resources), 1);
    auto engine = eng::LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
    FUZZ_CHECK(engine.ok());
    w.engine = std::make_unique<eng::MessageEngine>(std::move(engine).value());
    return w;
  }();
  return world;
}

// The first `n` lines of `text`.
std::string_view FirstLines(std::string_view text, int n) {
  std::size_t end = 0;
  for (int i = 0; i < n && end != std::string_view::npos; ++i) {
    end = text.find('\n', i == 0 ? 0 : end + 1);
  }
  return end == std::string_view::npos ? text : text.substr(0, end);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const World& world = TheWorld();
  static eng::ReplyCache cache;
  static const char* const kLanguages[] = {"", "en", "es", "fr"};
  static const char* const kRegions[] = {"", "US", "CA", "US-TX", "CA-BC", "CA-QC", "US-NY", "CA-NU"};

  FuzzInput in(data, size);
  const std::uint8_t flags = in.Byte();
  eng::InboundMessage message;
  message.channel = (flags & 1) ? eng::ChannelType::kChat : eng::ChannelType::kSms;
  message.from = in.Line();
  message.hints.from_state = std::string(in.Line());
  message.hints.from_zip = std::string(in.Line());
  message.hints.from_country = std::string(in.Line());
  message.hints.language = std::string(in.Line());
  message.text = in.Rest();
  eng::SenderState state;
  state.opted_out = (flags & 2) != 0;
  state.language = kLanguages[(flags >> 2) & 3];
  state.region = kRegions[(flags >> 4) & 7];

  const eng::MessageEngine& engine = *world.engine;
  const eng::EngineReply reply = engine.Handle(message, state, *world.index);
  FUZZ_CHECK(!reply.text.empty());
  FUZZ_CHECK(IsUtf8(reply.text));
  FUZZ_CHECK(!reply.segments.empty());
  for (const std::string& part : reply.segments) {
    FUZZ_CHECK(IsUtf8(part));
    FUZZ_CHECK(reply.text.find(part) != std::string::npos);
    if (message.channel == eng::ChannelType::kSms) FUZZ_CHECK(eng::MeasureSms(part).segments == 1);
  }
  if (reply.intent == eng::Intent::kOverdose) FUZZ_CHECK(FirstLines(reply.text, 1).find("911") != std::string::npos);
  if (reply.intent == eng::Intent::kSuicide) FUZZ_CHECK(FirstLines(reply.text, 2).find("988") != std::string::npos);

  const eng::Understanding understood = engine.Understand(message);
  const eng::EngineReply answered = engine.Answer(message, understood, state, *world.index);
  FUZZ_CHECK(answered.text == reply.text);
  FUZZ_CHECK(answered.intent == reply.intent);

  const eng::EngineReply cached = engine.Handle(message, state, *world.index, &cache);
  FUZZ_CHECK(cached.text == reply.text);
  return 0;
}
