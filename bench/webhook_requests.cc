// Writes pre-signed Twilio webhook requests for the wrk benchmark, one per
// line as "SIGNATURE<TAB>FORM-BODY" (form bodies have no tabs): distinct MessageSids, varied senders (US and Canadian
// area codes) and keywords, each signed with gateway::TwilioSignature for the given URL.
//
// usage: webhook_requests URL AUTH_TOKEN COUNT OUT.tsv

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gateway/form_urlencoded.h"
#include "gateway/twilio/twilio_signature.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s URL AUTH_TOKEN COUNT OUT.tsv\n", argv[0]);
    return 2;
  }
  const std::string url = argv[1];
  const std::string token = argv[2];
  const int count = std::atoi(argv[3]);
  static const char* kTexts[] = {
      "HELP",  "NALOXONE", "need narcan in BC please",   "AYUDA",          "treatment", "overdose",       "HELP 90210",
      "detox", "CRISIS",   "my friend is not breathing", "rehab in texas", "AIDE",      "harm reduction", "TEXT",
      "asdfgh"};
  static const char* kAreaCodes[] = {"604", "212", "416", "514", "512", "310", "403", "305", "206", "902"};
  std::ofstream out(argv[4]);
  for (int i = 0; i < count; ++i) {
    char sid[40], from[20];
    std::snprintf(sid, sizeof sid, "SM%032x", i);
    std::snprintf(from, sizeof from, "+1%s555%04d", kAreaCodes[i % 10], (i / 10) % 10000);
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
