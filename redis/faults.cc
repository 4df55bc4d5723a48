#include "redis/faults.h"

#include <utility>

#include "common/ascii.h"

namespace helpline::redis {
void Faults::Arm(std::string_view command, Fault fault, int times) {
  if (times < 1) return;
  std::string upper(command);
  for (char& c : upper) c = ascii::ToUpper(c);
  std::lock_guard lock(mu_);
  armed_.push_back(Armed{std::move(upper), std::move(fault), times});
}

void Faults::ReplyError(std::string_view command, std::string error, int times) {
  Arm(command, Fault{Fault::Kind::kErrorReply, std::move(error)}, times);
}

void Faults::NoAnswer(std::string_view command, int times) { Arm(command, Fault{Fault::Kind::kNoAnswer, {}}, times); }

std::optional<Faults::Fault> Faults::Take(std::string_view command) {
  std::lock_guard lock(mu_);
  for (auto it = armed_.begin(); it != armed_.end(); ++it) {
    if (!ascii::EqualsIgnoreCase(it->command, command)) continue;
    Fault f = it->fault;
    if (--it->left == 0) armed_.erase(it);
    return f;
  }
  return std::nullopt;
}

int Faults::armed() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const Armed& a : armed_) n += a.left;
  return n;
}

}  // namespace helpline::redis
