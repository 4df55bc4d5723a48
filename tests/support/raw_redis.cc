#include "tests/support/raw_redis.h"

#include <gtest/gtest.h>
#include <sys/time.h>

#include <cstdarg>
#include <cstddef>

namespace helpline::testing {

RawRedis::RawRedis(const std::string& socket_path) {
  timeval tv{5, 0};
  ctx_ = redisConnectUnixWithTimeout(socket_path.c_str(), tv);
  if (ctx_ == nullptr || ctx_->err != 0) {
    ADD_FAILURE() << "raw connect: " << (ctx_ != nullptr ? ctx_->errstr : "out of memory");
  } else {
    redisSetTimeout(ctx_, tv);
  }
}

RawRedis::~RawRedis() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

Reply RawRedis::Run(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(
      static_cast<redisReply*>(redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data())));
}

Reply RawRedis::Command(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  auto* r = static_cast<redisReply*>(redisvCommand(ctx_, format, ap));
  va_end(ap);
  EXPECT_NE(r, nullptr) << format << ": " << ctx_->errstr;
  return Reply(r);
}

std::string RawRedis::Str(const std::vector<std::string>& args) {
  Reply r = Run(args);
  return r != nullptr && r->str != nullptr ? std::string(r->str, r->len) : std::string();
}

long long RawRedis::Int(const std::vector<std::string>& args) {
  Reply r = Run(args);
  return r != nullptr && r->type == REDIS_REPLY_INTEGER ? r->integer : -999;
}

std::vector<std::pair<std::string, std::string>> RawRedis::Hash(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  Reply r = Run({"HGETALL", key});
  for (std::size_t i = 0; r != nullptr && i + 1 < r->elements; i += 2) {
    out.emplace_back(std::string(r->element[i]->str, r->element[i]->len),
                     std::string(r->element[i + 1]->str, r->element[i + 1]->len));
  }
  return out;
}

std::string RawRedis::Field(const std::string& key, const std::string& field) { return Str({"HGET", key, field}); }

std::set<std::string> RawRedis::AllKeys() {
  std::set<std::string> keys;
  std::string cursor = "0";
  do {
    Reply r = Command("SCAN %s COUNT 1000", cursor.c_str());
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
      ADD_FAILURE() << "SCAN failed";
      break;
    }
    cursor = r->element[0]->str;
    for (std::size_t i = 0; i < r->element[1]->elements; ++i) keys.insert(r->element[1]->element[i]->str);
  } while (cursor != "0");
  return keys;
}

long long RawRedis::Ttl(const std::string& key) {
  Reply r = Command("TTL %s", key.c_str());
  return r && r->type == REDIS_REPLY_INTEGER ? r->integer : -999;
}

std::vector<std::string> RawRedis::NextPush() {
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return {};
  Reply r(static_cast<redisReply*>(raw));
  std::vector<std::string> parts;
  for (std::size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    parts.push_back(e->type == REDIS_REPLY_INTEGER ? std::to_string(e->integer) : std::string(e->str, e->len));
  }
  return parts;
}

}  // namespace helpline::testing
