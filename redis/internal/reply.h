#pragma once
// Private to redis/: a hiredis reply copied into a Value (both clients).

#include "redis/value.h"

struct redisReply;

namespace helpline::redis::internal {

Value FromReply(const redisReply* reply);

}  // namespace helpline::redis::internal
