#include "daemon/redis_script.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace helpline::daemon {
namespace {

std::string Sha1Hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr) != 1) {
    std::fputs("fatal: SHA-1 failed\n", stderr);
    std::abort();
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kDigits[md[i] >> 4]);
    out.push_back(kDigits[md[i] & 0xf]);
  }
  return out;
}

}  // namespace

RedisScript::RedisScript(std::string_view source)
    : body_(std::make_shared<const Body>(Body{std::string(source), Sha1Hex(source)})) {}

void RedisScript::Run(AsyncRedis& redis, std::vector<std::string> args, AsyncRedis::Callback done) const {
  std::vector<std::string> evalsha;
  evalsha.reserve(args.size() + 2);
  evalsha.push_back("EVALSHA");
  evalsha.push_back(body_->sha1);
  evalsha.insert(evalsha.end(), args.begin(), args.end());
  // The AsyncRedis outlives every call (see the header), so the retry may use
  // it; the script's body is kept alive by the callback.
  AsyncRedis* r = &redis;
  redis.Command(std::move(evalsha),
                [r, body = body_, args = std::move(args), done = std::move(done)](Result<RedisValue> reply) mutable {
                  if (!reply.ok() || !reply->is_error() || !reply->str.starts_with("NOSCRIPT")) {
                    done(std::move(reply));
                    return;
                  }
                  // Not cached on this server (yet): EVAL sends the source and caches it.
                  std::vector<std::string> eval;
                  eval.reserve(args.size() + 2);
                  eval.push_back("EVAL");
                  eval.push_back(body->source);
                  for (std::string& a : args) eval.push_back(std::move(a));
                  r->Command(std::move(eval), std::move(done));
                });
}

bool IsTransientRedisError(std::string_view error) {
  static constexpr std::array<std::string_view, 8> kPrefixes = {"LOADING",    "BUSY",     "READONLY",    "OOM",
                                                                "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS"};
  for (std::string_view p : kPrefixes) {
    if (error.starts_with(p) && (error.size() == p.size() || error[p.size()] == ' ')) return true;
  }
  return false;
}

Status ScriptError(std::string_view what, const std::string& error) {
  std::string m(what);
  m += ": ";
  m += error;
  return IsTransientRedisError(error) ? Unavailable(std::move(m)) : Internal(std::move(m));
}

}  // namespace helpline::daemon
