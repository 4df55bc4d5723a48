#pragma once
// Value: an owned copy of one Redis reply (RESP2), the reply type of both
// clients (redis/async_client.h, redis/blocking_client.h). An error reply is
// a Value of type kError, not a Status: callers see exactly what Redis said
// (redis/errors.h classifies it). Thread-safety: a plain value.

#include <string>
#include <vector>

namespace helpline::redis {

struct Value {
  enum class Type { kNil, kInteger, kString, kStatus, kArray, kError };

  Type type = Type::kNil;
  long long integer = 0;        // kInteger
  std::string str;              // kString (binary-safe), kStatus ("OK"), kError ("ERR ...")
  std::vector<Value> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  bool is_string() const { return type == Type::kString; }
  bool is_array() const { return type == Type::kArray; }
};

}  // namespace helpline::redis
