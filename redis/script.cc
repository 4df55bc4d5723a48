#include "redis/script.h"

#include <span>
#include <string_view>
#include <utility>

#include "common/crypto.h"
#include "redis/errors.h"

namespace helpline::redis {

Script::Script(std::string_view source)
    : body_(std::make_shared<const Body>(Body{std::string(source), HexLower(Hash(Digest::kSha1, source))})) {}

std::vector<std::string> Script::Command(bool with_source, const std::vector<std::string>& args) const {
  std::vector<std::string> command;
  command.reserve(args.size() + 2);
  command.push_back(with_source ? "EVAL" : "EVALSHA");
  command.push_back(with_source ? body_->source : body_->sha1);
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

bool Script::NeedsSource(const Value& reply) {
  return reply.is_error() && ClassifyError(reply.str) == ErrorKind::kNoScript;
}

void Script::Run(AsyncClient& client, std::vector<std::string> args, AsyncClient::Callback done) const {
  // The AsyncClient outlives every call (see the header), so the retry may
  // use it; the script is kept alive by the callback. The EVALSHA is sent
  // as views into `args`, which then moves into the callback for the retry
  // without a copy: a vector's elements stay where they are when it moves,
  // so the views hold whichever argument is evaluated first.
  thread_local std::vector<std::string_view> evalsha;
  evalsha.assign({std::string_view("EVALSHA"), std::string_view(body_->sha1)});
  for (const std::string& a : args) evalsha.emplace_back(a);
  client.Command(std::span<const std::string_view>(evalsha), [c = &client, self = *this, args = std::move(args),
                                                              done = std::move(done)](Result<Value> reply) mutable {
    if (!reply.ok() || !NeedsSource(*reply)) {
      done(std::move(reply));
      return;
    }
    c->Command(self.Command(true, args), std::move(done));
  });
}

}  // namespace helpline::redis
