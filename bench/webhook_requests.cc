// Writes pre-signed Twilio webhook requests for the wrk benchmark, one per
// line as "SIGNATURE<TAB>FORM-BODY" (form bodies have no tabs): distinct MessageSids, varied senders (US and Canadian
// area codes) and keywords, each signed with gateway::TwilioSignature for the given URL.
//
// usage: webhook_requests URL AUTH_TOKEN COUNT OUT.tsv [SENDERS]
// SENDERS: how many distinct senders the requests cycle through, a multiple
// of 10 up to 100,000 (the default): fewer make every sender a known one
// after the first SENDERS requests (bench/webhook_cost.sh SENDERS=...).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gateway/form_urlencoded.h"
#include "gateway/twilio/twilio_signature.h"

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s URL AUTH_TOKEN COUNT OUT.tsv [SENDERS]\n", argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  const std::string token = argv[2];
  const int count = std::atoi(argv[3]);
  const int senders = argc == 6 ? std::atoi(argv[5]) : 100000;
  if (senders < 10 || senders > 100000 || senders % 10 != 0) {
    std::fprintf(stderr, "SENDERS must be a multiple of 10 from 10 to 100000\n");
    return 2;
  }
  static const char* kTexts[] = {
      "HELP",  "NALOXONE", "need narcan in BC please",   "AYUDA",          "treatment", "overdose",       "HELP 90210",
      "detox", "CRISIS",   "my friend is not breathing", "rehab in texas", "AIDE",      "harm reduction", "TEXT",
      "asdfgh"};
  static const char* kAreaCodes[] = {"604", "212", "416", "514", "512", "310", "403", "305", "206", "902"};
  std::ofstream out(argv[4]);
  for (int i = 0; i < count; ++i) {
    char sid[40], from[20];
    std::snprintf(sid, sizeof sid, "SM%032x", i);
    std::snprintf(from, sizeof from, "+1%s555%04d", kAreaCodes[i % 10], (i / 10) % (senders / 10));
    helpline::gateway::FormParams params = {{"AccountSid", "AC00000000000000000000000000000000"},
                                            {"MessageSid", sid},
                                            {"From", from},
                                            {"To", "+18005550100"},
                                            {"Body", kTexts[i % 15]},
                                            {"NumMedia", "0"}};
    out << helpline::gateway::TwilioSignature(token, url, params) << '\t' << helpline::gateway::FormEncode(params)
        << '\n';
  }
  return 0;
}
