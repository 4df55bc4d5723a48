// NumberCipher (AES-256-GCM, rotating keys) and SubscriberStore against a
// real redis-server: pending requests keep no number, confirmed ones keep
// it only sealed, LEAVE/STOP remove everything, and a scan of every key and
// value never finds the plain number.

#include "daemon/alerts/subscriber_store.h"

#include "daemon/alerts/number_cipher.h"
#include "daemon/sender_store.h"
#include "tests/daemon/alerts_redis_fixture.h"

namespace helpline::daemon::alerts {
namespace {

constexpr std::string_view kKeyA = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kKeyB = "k2:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
constexpr std::string_view kNumber = "+16045550123";

NumberCipher Cipher(std::string_view current, std::string_view old = {}) {
  auto c = NumberCipher::Parse(current, old);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

// ---- NumberCipher ----------------------------------------------------------------

TEST(NumberCipherTest, SealsAndOpensWithTheSameContextAndNeverShowsThePlainText) {
  NumberCipher c = Cipher(kKeyA);
  auto sealed = c.Seal(kNumber, "hash-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(sealed->starts_with("v1:k1:"));
  EXPECT_EQ(sealed->find("6045550123"), std::string::npos);
  auto again = c.Seal(kNumber, "hash-1");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*sealed, *again) << "a fresh nonce per seal";
  auto plain = c.Open(*sealed, "hash-1");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, kNumber);
}

TEST(NumberCipherTest, RefusesAnotherContextATamperedValueAndAnUnknownKey) {
  NumberCipher c = Cipher(kKeyA);
  std::string sealed = *c.Seal(kNumber, "hash-1");
  EXPECT_EQ(c.Open(sealed, "hash-2").status().code(), StatusCode::kFailedPrecondition);
  std::string tampered = sealed;
  // A character inside the base64 (the last ones may be padding bits a decoder ignores).
  const std::size_t at = std::string_view("v1:k1:").size() + 20;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(c.Open(tampered, "hash-1").ok());
  EXPECT_EQ(c.Open("v1:zz:AAAA", "hash-1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.Open("garbage", "hash-1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.Open("v1:k1:!!!", "hash-1").status().code(), StatusCode::kInvalidArgument);
}

TEST(NumberCipherTest, RotationOpensOldIdsAndSealsWithTheCurrentOne) {
  std::string old_sealed = *Cipher(kKeyA).Seal(kNumber, "h");
  NumberCipher rotated = Cipher(kKeyB, kKeyA);
  EXPECT_EQ(rotated.current_id(), "k2");
  auto plain = rotated.Open(old_sealed, "h");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, kNumber);
  EXPECT_EQ(NumberCipher::KeyIdOf(*rotated.Seal(kNumber, "h")), "k2");
  // Without the old key, the old value does not open.
  EXPECT_EQ(Cipher(kKeyB).Open(old_sealed, "h").status().code(), StatusCode::kNotFound);
}

TEST(NumberCipherTest, MalformedKeysAreRefusedWithoutEchoingThem) {
  for (std::string_view bad :
       {"", "nokey", "k1:abcd", "k1:zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "bad id:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}) {
    auto c = NumberCipher::Parse(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(c.status().message().find("0102030405"), std::string::npos);
  }
  EXPECT_FALSE(NumberCipher::Parse(kKeyA, kKeyA).ok()) << "a repeated id";
  // Base64 keys are accepted too (32 bytes).
  EXPECT_TRUE(NumberCipher::Parse("b64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").ok());
}

// ---- SubscriberStore -------------------------------------------------------------

class SubscriberStoreTest : public AlertsRedisTest {
 protected:
  SubscriberStoreTest() : cipher_(Cipher(kKeyA)) {
    store_ = std::make_unique<SubscriberStore>(*redis_, cipher_, SubscriberStoreOptions{});
  }

  Status Request(const std::string& hash, std::string region, std::string lang = "en") {
    Subscription s{std::move(region), std::move(lang), "twilio", gateway::MessageChannel::kSms, "+15005550006"};
    return Wait<Status>([&](auto cb) { store_->Request(hash, s, cb); });
  }
  Result<std::optional<Subscription>> Confirm(const std::string& hash, std::string_view address) {
    return Wait<Result<std::optional<Subscription>>>([&](auto cb) { store_->Confirm(hash, address, cb); });
  }
  Result<bool> Remove(const std::string& hash) {
    return Wait<Result<bool>>([&](auto cb) { store_->Remove(hash, cb); });
  }
  SubscriberStatus Get(const std::string& hash) {
    auto r = Wait<Result<SubscriberStatus>>([&](auto cb) { store_->Get(hash, cb); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SubscriberStatus{};
  }
  std::vector<Subscriber> LoadRegion(const std::string& region, std::size_t* unreadable = nullptr) {
    std::vector<std::string> hashes;
    std::string cursor = "0";
    do {
      auto page = Wait<Result<std::pair<std::string, std::vector<std::string>>>>(
          [&](auto cb) { store_->ScanRegion(region, cursor, 100, cb); });
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      cursor = page->first;
      hashes.insert(hashes.end(), page->second.begin(), page->second.end());
    } while (cursor != "0");
    std::optional<std::pair<Result<std::vector<Subscriber>>, std::size_t>> out;
    store_->Load(hashes, [&](Result<std::vector<Subscriber>> r, std::size_t n) { out.emplace(std::move(r), n); });
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    if (!out || !out->first.ok()) return {};
    if (unreadable) *unreadable = out->second;
    return std::move(*out->first);
  }

  NumberCipher cipher_;
  std::unique_ptr<SubscriberStore> store_;
  const std::string hash_ = SenderHash("test-secret", kNumber);
};

TEST_F(SubscriberStoreTest, APendingRequestKeepsNoNumberAndConfirmSealsIt) {
  ASSERT_TRUE(Request(hash_, "CA-BC", "fr").ok());
  EXPECT_EQ(Get(hash_).state, SubscriptionState::kPending);
  EXPECT_GT(raw_.Ttl("hl:alert:pending:" + hash_), 0);
  EXPECT_TRUE(LoadRegion("CA-BC").empty()) << "pending subscribers get no alert";
  EXPECT_EQ(DumpAll().find("6045550123"), std::string::npos);

  auto confirmed = Confirm(hash_, kNumber);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  ASSERT_TRUE(confirmed->has_value());
  EXPECT_EQ((*confirmed)->region, "CA-BC");
  EXPECT_EQ((*confirmed)->language, "fr");
  SubscriberStatus st = Get(hash_);
  EXPECT_EQ(st.state, SubscriptionState::kActive);
  EXPECT_FALSE(st.pending.has_value());
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:alert:pending:" + hash_}), 0);
  EXPECT_EQ(raw_.Ttl("hl:alert:sub:" + hash_), -1);
  EXPECT_TRUE(raw_.Field("hl:alert:sub:" + hash_, "num").starts_with("v1:k1:"));
  EXPECT_EQ(raw_.Int({"SISMEMBER", "hl:alert:region:CA-BC", hash_}), 1);
  EXPECT_EQ(raw_.Int({"SISMEMBER", "hl:alert:regions", "CA-BC"}), 1);

  const std::string all = DumpAll();
  for (std::string_view piece : {"+16045550123", "16045550123", "6045550123", "604-555-0123", "555-0123"}) {
    EXPECT_EQ(all.find(piece), std::string::npos) << piece << " found in Redis";
  }

  std::vector<Subscriber> subs = LoadRegion("CA-BC");
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].address, kNumber);
  EXPECT_EQ(subs[0].hash, hash_);
  EXPECT_EQ(subs[0].sub.provider, "twilio");
  EXPECT_EQ(subs[0].sub.from, "+15005550006");
}

TEST_F(SubscriberStoreTest, ConfirmWithoutAPendingRequestChangesNothing) {
  auto confirmed = Confirm(hash_, kNumber);
  ASSERT_TRUE(confirmed.ok());
  EXPECT_FALSE(confirmed->has_value());
  EXPECT_TRUE(raw_.AllKeys().empty());
}

TEST_F(SubscriberStoreTest, RemoveDeletesEverythingAndTheRegionIndex) {
  ASSERT_TRUE(Request(hash_, "CA-BC").ok());
  ASSERT_TRUE(Confirm(hash_, kNumber).ok());
  ASSERT_TRUE(Request(hash_, "US-WA").ok());  // a pending change too
  auto removed = Remove(hash_);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_TRUE(raw_.AllKeys().empty()) << DumpAll();
  EXPECT_EQ(Get(hash_).state, SubscriptionState::kNone);
  auto again = Remove(hash_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST_F(SubscriberStoreTest, ChangingRegionMovesTheSubscriberOnlyOnceConfirmed) {
  ASSERT_TRUE(Request(hash_, "CA-BC").ok());
  ASSERT_TRUE(Confirm(hash_, kNumber).ok());
  ASSERT_TRUE(Request(hash_, "US-WA", "es").ok());
  EXPECT_EQ(LoadRegion("CA-BC").size(), 1u) << "still subscribed until YES";
  EXPECT_EQ(Get(hash_).state, SubscriptionState::kActive);
  ASSERT_TRUE(Confirm(hash_, kNumber).ok());
  EXPECT_TRUE(LoadRegion("CA-BC").empty());
  auto wa = LoadRegion("US-WA");
  ASSERT_EQ(wa.size(), 1u);
  EXPECT_EQ(wa[0].sub.language, "es");
  EXPECT_EQ(raw_.Int({"SISMEMBER", "hl:alert:regions", "CA-BC"}), 0);
  EXPECT_EQ(raw_.Int({"SISMEMBER", "hl:alert:regions", "US-WA"}), 1);
}

TEST_F(SubscriberStoreTest, ARotatedKeyStillOpensOldRecordsAndUnknownKeysAreCountedNotSent) {
  ASSERT_TRUE(Request(hash_, "CA-BC").ok());
  ASSERT_TRUE(Confirm(hash_, kNumber).ok());
  const std::string other = SenderHash("test-secret", "+16045550199");
  ASSERT_TRUE(Request(other, "CA-BC").ok());
  // Rotate: k2 current, k1 old.
  NumberCipher rotated = Cipher(kKeyB, kKeyA);
  store_ = std::make_unique<SubscriberStore>(*redis_, rotated, SubscriberStoreOptions{});
  ASSERT_TRUE(Confirm(other, "+16045550199").ok());
  EXPECT_TRUE(raw_.Field("hl:alert:sub:" + other, "num").starts_with("v1:k2:"));
  EXPECT_EQ(LoadRegion("CA-BC").size(), 2u);
  // Without k1 the first record cannot be opened: skipped and counted.
  NumberCipher only_new = Cipher(kKeyB);
  store_ = std::make_unique<SubscriberStore>(*redis_, only_new, SubscriberStoreOptions{});
  std::size_t unreadable = 0;
  auto subs = LoadRegion("CA-BC", &unreadable);
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].address, "+16045550199");
  EXPECT_EQ(unreadable, 1u);
}

TEST_F(SubscriberStoreTest, BadInputIsRefusedNotSent) {
  EXPECT_EQ(Request("", "CA-BC").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Request(hash_, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Confirm(hash_, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(raw_.AllKeys().empty());
}

}  // namespace
}  // namespace helpline::daemon::alerts
