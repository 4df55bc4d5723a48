#include "redis/internal/reply.h"

#include <hiredis/hiredis.h>

namespace helpline::redis::internal {

Value FromReply(const redisReply* r) {
  Value v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.type = Value::Type::kString;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = Value::Type::kStatus;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = Value::Type::kError;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.type = Value::Type::kInteger;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.type = Value::Type::kArray;
      v.elements.reserve(r->elements);
      // hiredis bounds the nesting depth (7), so the recursion is bounded.
      for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(FromReply(r->element[i]));
      break;
    default:  // REDIS_REPLY_NIL
      break;
  }
  return v;
}

}  // namespace helpline::redis::internal
