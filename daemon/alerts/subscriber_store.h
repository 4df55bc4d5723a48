#pragma once
// SubscriberStore: who receives drug alerts for a region, in Redis.
//
//   SubscriberStore subs(redis, cipher, SubscriberStoreOptions{});
//   subs.Request(hash, {.region = "CA-BC", .language = "fr", .provider = "twilio",
//                       .from = "+15005550006"}, done);     // JOIN: pending, no number kept
//   subs.Confirm(hash, "+16045550123", done);                // YES: active, number sealed
//   subs.Remove(hash, done);                                 // LEAVE / STOP: all gone
//
// Keys, all under the prefix P (default "hl:"); {hash} is the sender hash
// the sender store uses (SenderHash: keyed HMAC of the number):
//
//   P alert:pending:{hash}  hash, TTL pending_ttl_s: region, lang, provider,
//                           channel, from (OUR number or bot, never the
//                           person's), at. A request waiting for YES: it
//                           keeps no number.
//   P alert:sub:{hash}      hash, no TTL: region, lang, provider, channel,
//                           from, since, num = the person's address sealed
//                           with AES-256-GCM (NumberCipher: "v1:ID:base64",
//                           bound to {hash}). Only confirmed subscribers.
//   P alert:region:{region} set of the hashes subscribed to a region.
//   P alert:regions         set of the regions that have subscribers.
//
// Every change is one Lua script (atomic): Confirm moves pending -> sub and
// the region sets together; Remove deletes both records and the set entries.
// A confirmed subscriber who JOINs another region stays subscribed to the
// old one until they confirm the new one.
//
// Thread-safety: like redis::AsyncClient (loop thread only). Callbacks run on the
// loop, never inside the call. Never log addresses.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "daemon/alerts/number_cipher.h"
#include "gateway/inbound.h"
#include "redis/async_client.h"
#include "redis/script.h"

namespace helpline::daemon::alerts {

struct Subscription {
  std::string region;    // ISO 3166-2 or country ("CA-BC", "US-WA", "CA")
  std::string language;  // "en", "es", "fr"
  std::string provider;  // "twilio": where the alerts go out through
  gateway::MessageChannel channel = gateway::MessageChannel::kSms;
  std::string from;  // our number (or bot) they wrote to: alerts come from it
};

struct Subscriber {
  std::string hash;
  Subscription sub;
  std::string address;  // the person's number or chat id (decrypted): never log
};

enum class SubscriptionState { kNone, kPending, kActive };

struct SubscriberStatus {
  SubscriptionState state = SubscriptionState::kNone;  // active wins when both exist
  std::optional<Subscription> pending;
  std::optional<Subscription> active;
};

struct SubscriberStoreOptions {
  std::string prefix = "hl:";
  // How long a JOIN waits for its YES, seconds. Default 172800 (two days).
  int pending_ttl_s = 172800;
  // Clock for `at`/`since`, unix seconds; default the system clock.
  std::function<std::int64_t()> now_s = nullptr;
};

class SubscriberStore {
 public:
  SubscriberStore(redis::AsyncClient& redis, const NumberCipher& cipher, SubscriberStoreOptions options);

  // Records a pending subscription (replacing an earlier pending one).
  // InvalidArgument for an empty region, hash or provider.
  void Request(std::string_view hash, const Subscription& sub, std::function<void(Status)> done);
  // Confirms the pending subscription: seals `address`, stores the
  // subscriber, indexes its region (leaving an earlier region), drops the
  // pending record. The confirmed subscription, or nullopt when nothing was
  // pending (expired, or never asked).
  void Confirm(std::string_view hash, std::string_view address,
               std::function<void(Result<std::optional<Subscription>>)> done);
  // Removes the pending and the active subscription; true if one existed.
  void Remove(std::string_view hash, std::function<void(Result<bool>)> done);
  // The sender's subscription state.
  void Get(std::string_view hash, std::function<void(Result<SubscriberStatus>)> done);

  // One page of a region's subscriber hashes (SSCAN): the next cursor ("0"
  // at the end) and the hashes.
  void ScanRegion(std::string_view region, std::string_view cursor, int count,
                  std::function<void(Result<std::pair<std::string, std::vector<std::string>>>)> done);
  // The regions with subscribers.
  void Regions(std::function<void(Result<std::vector<std::string>>)> done);
  // The active subscribers among `hashes`, their addresses opened (one Lua
  // call for them all: a page of SSCAN). A record that cannot be opened (unknown key id,
  // tampered) is skipped and counted in `unreadable`.
  void Load(std::vector<std::string> hashes,
            std::function<void(Result<std::vector<Subscriber>> subscribers, std::size_t unreadable)> done);

  const std::string& prefix() const { return options_.prefix; }
  boost::asio::io_context& redis_context() const { return redis_.context(); }

 private:
  std::int64_t NowSeconds() const;
  std::string Key(std::string_view kind, std::string_view id) const;

  redis::AsyncClient& redis_;
  const NumberCipher& cipher_;
  SubscriberStoreOptions options_;
  redis::Script confirm_;
  redis::Script remove_;
  redis::Script load_;
};

std::string_view ChannelName(gateway::MessageChannel c);
gateway::MessageChannel ChannelFromName(std::string_view name);

}  // namespace helpline::daemon::alerts
