#pragma once
// WebhookFlow: one loop's path of a provider's webhook, from the request to
// the answer, without HTTP routing, logging or request metrics (app.cc's):
//
//   provider.Parse (signature, preflight)  -> WebhookError: 403/4xx with the reason
//                                          -> Ignored, DeliveryStatus: acknowledged
//   message id checked against what the stores keep (400)
//   directory snapshot (503 before one is loaded)
//   SenderStore::AddPart                   concatenated SMS: wait for the last part
//   MessageEngine::Understand              what the text asks to change (a repeated
//                                          text from the loop's UnderstandingCache)
//   SenderStore::Admit (1 Lua call)        dedupe + rate limit + state, changes applied
//                                          (+ WAIT for a promised change with redis_wait_replicas)
//   MessageEngine::Answer / RateLimitNotice, or the alerts desk's answer
//   SenderStore::StoreReply                pipelined, nobody waits
//   inline reply, or Outbox::Enqueue then the acknowledgement (503 if it cannot be queued)
//
//   WebhookFlow flow(engine, [&] { return snapshots.Get(); }, senders, outbox, metrics,
//                    {.sender_secret = cfg.sender_secret, .public_base = "https://help.example.org"});
//   flow.Handle(*twilio, request, [](WebhookAnswer a) { /* log, count, respond */ });
//
// Outcomes (WebhookAnswer::outcome, also counted by Metrics::CountWebhook
// unless noted): bad_signature, malformed, ignored, delivery_status (counted
// by CountDelivery), bad_message_id, not_ready (not counted), concat_part,
// duplicate, answered, rate_limited, opted_out, alerts, redis_unavailable,
// state_not_stored, queue_failed (not counted: the 503 is).
//
// Thread-safety: one flow per loop; Handle() and every callback run on that
// loop's thread. The engine, the snapshot source, the stores, the metrics,
// the alerts desk and the providers must outlive the flow and every answer
// still pending (Redis callbacks hold the message, not the flow's members).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "daemon/http_server.h"
#include "daemon/metrics.h"
#include "daemon/outbox.h"
#include "daemon/sender_store.h"
#include "gateway/provider.h"

namespace helpline::daemon {

namespace alerts {
class AlertDesk;
}

// A text/plain answer; a final newline is added when missing.
HttpResponse Text(int status, std::string body);

// What the flow answers a webhook with. `outcome` names a static string;
// `sender` is the SenderHash for the log ("" before it is known).
struct WebhookAnswer {
  HttpResponse response;
  std::string_view outcome;
  std::string sender;
};

struct WebhookFlowOptions {
  // The key of SenderHash (Config::sender_secret). Required.
  std::string sender_secret;
  // The public URL providers sign ("https://help.example.org", no trailing
  // slash); the request target is appended.
  std::string public_base;
};

class WebhookFlow {
 public:
  // The directory served now (null before one is loaded).
  using CurrentDirectory = std::function<std::shared_ptr<const directory::DirectoryIndex>()>;

  // `alerts` null: the alerts conversation is off.
  WebhookFlow(const engine::MessageEngine& engine, CurrentDirectory directory, SenderStore& senders, Outbox& outbox,
              Metrics& metrics, WebhookFlowOptions options, alerts::AlertDesk* alerts = nullptr);

  // Answers `request` for `provider`: `done` runs exactly once, now or later
  // on this loop. `request` may go away when Handle() returns.
  void Handle(const gateway::Provider& provider, const HttpRequest& request, std::function<void(WebhookAnswer)> done);

  // The longest message id `provider`'s messages may carry: what the sender
  // store keeps, and for providers replying through the outbox, what fits an
  // outbox id after "{provider}:".
  static std::size_t MaxMessageId(const gateway::Provider& provider);

 private:
  struct InFlight;

  void Process(const std::shared_ptr<InFlight>& m);
  void OnAdmitted(const std::shared_ptr<InFlight>& m, Result<AdmitResult> admitted);
  engine::EngineReply Compose(const InFlight& m, Admission admission, const engine::SenderState& state);
  void Reply(const std::shared_ptr<InFlight>& m, engine::EngineReply r, std::string_view outcome, bool store);
  engine::ReplyCache* RepliesFor(const std::shared_ptr<const directory::DirectoryIndex>& index);

  const engine::MessageEngine& engine_;
  CurrentDirectory directory_;
  SenderStore& senders_;
  Outbox& outbox_;
  Metrics& metrics_;
  WebhookFlowOptions options_;
  alerts::AlertDesk* alerts_;
  engine::ReplyCache replies_;                 // composed replies of the current snapshot, this loop only
  engine::UnderstandingCache understandings_;  // what the engine made of texts seen on this loop
  // Handle()'s buffers for the signed URL and the header views, reused.
  std::string url_;
  std::vector<std::pair<std::string_view, std::string_view>> header_views_;
  HmacKey sender_key_;  // options_.sender_secret's, made ready once for SenderHash
  // The index `replies_` was filled from, held so that its address cannot be
  // reused by another index with the same version number (see RepliesFor).
  std::shared_ptr<const directory::DirectoryIndex> replies_index_;
};

}  // namespace helpline::daemon
