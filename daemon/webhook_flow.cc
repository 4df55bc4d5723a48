#include "daemon/webhook_flow.h"

#include <algorithm>
#include <utility>

#include "daemon/alerts/alert_desk.h"  // [alerts] issue 13
#include "daemon/outreach_api.h"

namespace helpline::daemon {
namespace {

using Clock = std::chrono::steady_clock;

// Outbox ids are "{provider}:{message id}", at most this many bytes (outbox.cc).
constexpr std::size_t kMaxOutboxIdBytes = 256;
// Concatenated SMS are answered under "concat-{ref}-{16 hex of the sender hash}".
constexpr std::size_t kConcatIdExtraBytes = 24;

// Built whole: a default HttpResponse would first allocate its default
// content type only to have it replaced.
HttpResponse ToHttp(gateway::WebhookResponse w) {
  return HttpResponse{
      .status = w.status, .content_type = std::move(w.content_type), .body = std::move(w.body), .headers = {}};
}

}  // namespace

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  if (r.body.empty() || r.body.back() != '\n') r.body += '\n';
  return r;
}

// One inbound message on its way through Redis and the engine. The engine's
// message views point into `msg`, so both live here together.
struct WebhookFlow::InFlight {
  gateway::InboundMessage msg;
  engine::InboundMessage in;
  std::shared_ptr<const engine::Understanding> understood;  // shared with the loop's UnderstandingCache
  std::shared_ptr<const directory::DirectoryIndex> index;
  std::function<void(WebhookAnswer)> done;
  const gateway::Provider* provider;
  std::string hash;  // SenderHash of msg.from

  void Finish(HttpResponse response, std::string_view outcome) {
    done(WebhookAnswer{std::move(response), outcome, hash});
  }
};

WebhookFlow::WebhookFlow(const engine::MessageEngine& engine, CurrentDirectory directory, SenderStore& senders,
                         Outbox& outbox, Metrics& metrics, WebhookFlowOptions options, alerts::AlertDesk* alerts)
    : engine_(engine),
      directory_(std::move(directory)),
      senders_(senders),
      outbox_(outbox),
      metrics_(metrics),
      options_(std::move(options)),
      alerts_(alerts),
      sender_key_(Digest::kSha256, options_.sender_secret) {}

std::size_t WebhookFlow::MaxMessageId(const gateway::Provider& provider) {
  if (provider.replies_inline()) return SenderStore::kMaxMessageIdBytes;
  return std::min(SenderStore::kMaxMessageIdBytes, kMaxOutboxIdBytes - provider.provider().size() - 1);
}

// The loop's reply cache, for replies from `index`. The cache knows its
// index by address and version number; a different directory loaded as
// version 1 again could get a freed index's address, so the cache is
// emptied here when the index changes and holds the one it serves.
engine::ReplyCache* WebhookFlow::RepliesFor(const std::shared_ptr<const directory::DirectoryIndex>& index) {
  if (replies_index_ != index) {
    replies_ = engine::ReplyCache();
    replies_index_ = index;
  }
  return &replies_;
}

void WebhookFlow::Handle(const gateway::Provider& provider, const HttpRequest& req,
                         std::function<void(WebhookAnswer)> done) {
  // The URL and the header views are built in this loop's buffers (no
  // allocation once they have grown): the provider reads them only while
  // Parse() runs, and what it keeps it copies.
  url_.assign(options_.public_base).append(req.target);
  gateway::WebhookRequest wr{req.method, url_, req.Header("content-type"), req.body, std::move(header_views_)};
  wr.headers.clear();
  for (const auto& [name, value] : req.headers) wr.headers.emplace_back(name, value);
  gateway::ParsedWebhook parsed = provider.Parse(wr, std::chrono::system_clock::now());
  header_views_ = std::move(wr.headers);
  auto answer = [&done](HttpResponse response, std::string_view outcome) {
    done(WebhookAnswer{std::move(response), outcome, ""});
  };
  if (auto* err = std::get_if<gateway::WebhookError>(&parsed)) {
    const std::string_view outcome = err->http_status == 403 ? "bad_signature" : "malformed";
    metrics_.CountWebhook(outcome);
    return answer(Text(err->http_status, err->reason), outcome);
  }
  if (std::holds_alternative<gateway::Ignored>(parsed)) {
    metrics_.CountWebhook("ignored");
    return answer(ToHttp(provider.RenderAcknowledge()), "ignored");
  }
  if (auto* status = std::get_if<gateway::DeliveryStatus>(&parsed)) {
    metrics_.CountDelivery(status->provider, status->state);
    outbox_.RecordDelivery(*status, [this](Status) { metrics_.CountRedisError(); });
    return answer(ToHttp(provider.RenderAcknowledge()), "delivery_status");
  }
  auto& event = std::get<gateway::InboundEvent>(parsed);
  // An id the store cannot keep is the request's fault, not an outage:
  // 400 with a reason (no retry helps), before anything is stored.
  const std::size_t max_id = MaxMessageId(provider);
  if (event.message.id.size() > max_id || (event.concat && event.concat->ref.size() + kConcatIdExtraBytes > max_id)) {
    metrics_.CountWebhook("bad_message_id");
    return answer(Text(400, "message id longer than " + std::to_string(max_id) + " bytes" +
                                (event.concat ? " (or concatenation reference too long)" : "")),
                  "bad_message_id");
  }
  auto index = directory_();
  if (index == nullptr) {
    // The provider retries (Twilio also tries its fallback URL): better than a wrong answer.
    return answer(Text(503, "directory not loaded yet"), "not_ready");
  }
  auto m = std::make_shared<InFlight>(
      InFlight{std::move(event.message), {}, {}, std::move(index), std::move(done), &provider, {}});
  m->hash = SenderHash(sender_key_, m->msg.from);
  if (event.concat) {
    // One part of a longer SMS: answer the whole message once its last part is in.
    const gateway::ConcatPart part = *event.concat;
    senders_.AddPart(provider.provider(), m->hash, part.ref, part.total, part.part, m->msg.text,
                     [this, m, part](Result<std::optional<std::string>> whole) {
                       if (!whole.ok()) {
                         // Without Redis the parts cannot meet: answer this one on its own.
                         metrics_.CountRedisError();
                       } else if (!whole->has_value()) {
                         metrics_.CountWebhook("concat_part");
                         m->Finish(ToHttp(m->provider->RenderAcknowledge()), "concat_part");
                         return;
                       } else {
                         m->msg.text = std::move(**whole);
                         m->msg.id = "concat-" + part.ref + "-" + m->hash.substr(0, 16);
                       }
                       Process(m);
                     });
    return;
  }
  Process(m);
}

// The message flow after parsing: understand, admit (one Redis round trip
// that also applies the message's changes), answer.
void WebhookFlow::Process(const std::shared_ptr<InFlight>& m) {
  m->in.text = m->msg.text;
  m->in.from = m->msg.from;
  m->in.channel =
      m->msg.channel == gateway::MessageChannel::kChat ? engine::ChannelType::kChat : engine::ChannelType::kSms;
  m->in.hints.from_state = m->msg.from_state;
  m->in.hints.from_zip = m->msg.from_zip;
  m->in.hints.from_country = m->msg.from_country;
  m->in.hints.language = m->msg.language_hint;
  m->understood = engine_.Understand(m->in, understandings_);
  senders_.Admit(m->provider->provider(), m->msg.id, m->hash, m->understood->changes, m->understood->always_honoured(),
                 [this, m](Result<AdmitResult> admitted) { OnAdmitted(m, std::move(admitted)); });
}

void WebhookFlow::OnAdmitted(const std::shared_ptr<InFlight>& m, Result<AdmitResult> admitted) {
  if (!admitted.ok()) {
    if (admitted.status().code() == StatusCode::kInvalidArgument) {
      // Outside input the store refuses (checked before, kept as a net).
      metrics_.CountWebhook("bad_message_id");
      m->Finish(Text(400, admitted.status().message()), "bad_message_id");
      return;
    }
    metrics_.CountRedisError();
    const bool promises_change =
        m->understood->carrier.has_value() || m->understood->intent == engine::Intent::kLanguage;
    if (promises_change && !engine::IsSafetyIntent(m->understood->intent)) {
      // The reply would confirm a change we could not store (STOP, START,
      // "replies in Spanish from now on"): a false promise. 503 makes the
      // provider deliver it again, by when Redis may be back. A region or
      // language only implied by a request is not promised: that request
      // is answered (below) and simply not remembered; a safety message
      // is always answered.
      metrics_.CountWebhook("state_not_stored");
      m->Finish(Text(503, "state change could not be stored; retry later"), "state_not_stored");
      return;
    }
    // Redis is away: answer from the snapshot without memory (no dedupe,
    // rate limit or remembered state). A person asking for help gets
    // help; nothing is stored.
    metrics_.CountWebhook("redis_unavailable");
    engine::EngineReply r =
        engine_.Answer(m->in, *m->understood, engine::SenderState{}, *m->index, RepliesFor(m->index));
    Reply(m, std::move(r), "redis_unavailable", /*store=*/false);
    return;
  }
  const AdmitResult& a = *admitted;
  const engine::SenderState& state = a.sender;
  if (a.admission == Admission::kDuplicate) {
    metrics_.CountWebhook("duplicate");
    if (a.previous_committed) {
      engine::EngineReply r;
      r.text = a.previous_reply;
      Reply(m, std::move(r), "duplicate", /*store=*/false);
      return;
    }
    // The first delivery is still being answered: the same verdict and
    // state give the same reply.
    Reply(m, Compose(*m, a.first_admission, state), "duplicate", /*store=*/false);
    return;
  }
  engine::EngineReply r = Compose(*m, a.admission, state);
  std::string_view outcome = "answered";
  if (a.admission != Admission::kNew && !m->understood->always_honoured()) {
    outcome = "rate_limited";
  } else if (state.opted_out && r.changes.empty()) {
    outcome = "opted_out";
  }
  // [alerts] issue 13 (daemon/alerts/alert_desk.h): STOP ends alerts; an
  // alerts command (after the engine, so safety replies stand) is answered
  // by the desk. Begin.
  if (alerts_ != nullptr && m->understood->intent == engine::Intent::kStop) alerts_->Forget(m->hash);
  if (alerts_ != nullptr && a.admission == Admission::kNew) {
    // The reply is held, not copied, for the desk's answer: most messages
    // are no alerts command, and then it simply comes back.
    auto held = std::make_shared<engine::EngineReply>(std::move(r));
    if (alerts_->Take(alerts::AlertInput{m->msg.text, m->hash, m->msg.from, m->provider->provider(), m->msg.channel,
                                         m->msg.to, m->understood.get()},
                      *held, [this, m, held, outcome](std::optional<std::string> text) {
                        engine::EngineReply reply = std::move(*held);
                        if (text) {
                          reply.text = std::move(*text);
                          reply.resources.clear();
                        }
                        metrics_.CountWebhook(text ? "alerts" : outcome);
                        Reply(m, std::move(reply), text ? "alerts" : outcome, /*store=*/true);
                      })) {
      return;
    }
    r = std::move(*held);
  }
  // [alerts] End.
  metrics_.CountWebhook(outcome);
  Reply(m, std::move(r), outcome, /*store=*/true);
}

// The reply to a message admitted with `admission` from `state`.
engine::EngineReply WebhookFlow::Compose(const InFlight& m, Admission admission, const engine::SenderState& state) {
  // STOP and START are always honoured, whatever the rate.
  if (admission == Admission::kRateLimitedNotice && !m.understood->always_honoured()) {
    return engine_.RateLimitNotice(state, m.in.channel);
  }
  if (admission == Admission::kRateLimitedSilent && !m.understood->always_honoured()) return engine::EngineReply{};
  return engine_.Answer(m.in, *m.understood, state, *m.index, RepliesFor(m.index));
}

// Answers the provider with `r` (inline, or acknowledged and queued for
// the outbox) and, when `store`, records the reply for redeliveries
// (pipelined behind the admit; the answer does not wait for it).
void WebhookFlow::Reply(const std::shared_ptr<InFlight>& m, engine::EngineReply r, std::string_view outcome,
                        bool store) {
  const gateway::Provider& provider = *m->provider;
  if (store) {
    senders_.StoreReply(provider.provider(), m->msg.id, r.text, [this](Status s) {
      if (!s.ok()) metrics_.CountRedisError();
    });
  }
  if (provider.replies_inline()) {
    gateway::InlineReply inline_reply{std::move(r.text),
                                      provider.inline_resources() ? ResourcesJson(r.resources) : "[]"};
    m->Finish(ToHttp(provider.RenderInline(m->msg, inline_reply)), outcome);
    return;
  }
  if (r.text.empty()) {
    m->Finish(ToHttp(provider.RenderAcknowledge()), outcome);
    return;
  }
  // The provider gets its 200 only once the reply is safely queued; if
  // Redis cannot take it, a 503 makes the provider redeliver, and the
  // redelivery (a duplicate) queues the same reply under the same id.
  const std::string provider_name(provider.provider());
  gateway::OutboundMessage out{
      provider_name + ":" + m->msg.id, provider_name, m->msg.channel, m->msg.from, m->msg.to, std::move(r.text)};
  outbox_.Enqueue(out, [this, m, outcome](Status s) {
    if (s.ok() || s.code() == StatusCode::kAlreadyExists) {
      m->Finish(ToHttp(m->provider->RenderAcknowledge()), outcome);
      return;
    }
    if (s.code() == StatusCode::kInvalidArgument) {
      m->Finish(Text(400, s.message()), "bad_message_id");
      return;
    }
    metrics_.CountRedisError();
    m->Finish(Text(503, "reply could not be queued; retry later"), "queue_failed");
  });
}

}  // namespace helpline::daemon
