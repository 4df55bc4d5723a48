// Cross-checks TwilioSignature against Twilio's official helper library
// (twilio-python, Debian package python3-twilio) on random requests: an
// independent signer, so a self-consistent mistake (wrong sort, wrong
// decoding, wrong concatenation) cannot pass.
//
// Skips only when Debian's /usr/bin/python3 cannot import twilio
// (apt-get install python3-twilio).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/form_urlencoded.h"
#include "gateway/twilio/twilio_signature.h"

namespace helpline::gateway {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

// Reads lines "S <token> <url> <name> <value> ..." (sign) and "P <url>" (port
// variants); every field is 'x' + hex of its UTF-8 bytes, so empty strings
// and any bytes survive. Prints one answer line per input line.
constexpr char kScript[] = R"PY(
import sys
from urllib.parse import urlparse
from twilio.request_validator import RequestValidator, add_port, remove_port

def d(field):
    return bytes.fromhex(field[1:]).decode("utf-8")

def h(text):
    return "x" + text.encode("utf-8").hex()

with open(sys.argv[1], encoding="ascii") as f:
    for line in f:
        fields = line.split()
        if fields[0] == "S":
            token, url = d(fields[1]), d(fields[2])
            params = {d(fields[i]): d(fields[i + 1]) for i in range(3, len(fields), 2)}
            print(RequestValidator(token).compute_signature(url, params))
        elif fields[0] == "P":
            parsed = urlparse(d(fields[1]))
            print(h(remove_port(parsed)), h(add_port(parsed)))
)PY";

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "x";
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

bool OfficialLibraryAvailable() {
  const std::string command = std::string(kPython) + " -c 'import twilio.request_validator' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// Runs kScript over `input`; returns its output lines.
std::vector<std::string> RunOfficial(const std::string& input) {
  const std::string dir = testing::TempDir();
  const std::string script_path = dir + "/twilio_official_" + std::to_string(::getpid()) + ".py";
  const std::string input_path = dir + "/twilio_official_" + std::to_string(::getpid()) + ".txt";
  std::ofstream(script_path) << kScript;
  std::ofstream(input_path) << input;
  const std::string command = std::string(kPython) + " " + script_path + " " + input_path;
  std::vector<std::string> lines;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed";
    return lines;
  }
  std::string output;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << "python failed; output:\n" << output;
  std::remove(script_path.c_str());
  std::remove(input_path.c_str());
  std::istringstream stream(output);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Pieces that stress the signed string: form delimiters, '+' and '%' (which
// must be signed decoded), spaces, quotes, newlines, and multi-byte UTF-8.
const std::vector<std::string> kPieces = {
    "a",
    "Z",
    "0",
    "9",
    " ",
    "+",
    "&",
    "=",
    "%",
    "%2B",
    "?",
    "/",
    ":",
    "#",
    ";",
    "'",
    "\"",
    "\n",
    "\r\n",
    "\t",
    "~",
    "*",
    "help",
    "NALOXONE",
    "+16045550123",
    "whatsapp:",
    "é",
    "ñ",
    "Ü",
    "日本語",
    "мне нужна помощь",
    "مساعدة",
    "🚑",
    "👩🏽‍⚕️",
    "\u00A0",
    "\u200B",
};

const std::vector<std::string> kUrls = {
    "https://helpline.example.org/webhooks/twilio",  "https://helpline.example.org:8443/webhooks/twilio?region=CA-BC",
    "http://localhost:8080/webhooks/twilio",         "https://helpline.example.org/webhooks/twilio?a=b+c&d=%20e",
    "https://helpline.example.org/webhooks/twilio/", "https://helpline.example.org",
};

std::string RandomText(std::mt19937& rng, int max_pieces) {
  std::uniform_int_distribution<int> count(0, max_pieces);
  std::uniform_int_distribution<std::size_t> piece(0, kPieces.size() - 1);
  std::string out;
  for (int i = count(rng); i > 0; --i) out += kPieces[piece(rng)];
  return out;
}

TEST(TwilioSignatureOfficial, MatchesTwilioPythonOnRandomRequests) {
  if (!OfficialLibraryAvailable()) GTEST_SKIP() << "python3-twilio is not installed (apt-get install python3-twilio)";

  constexpr unsigned kSeed = 20261124;
  constexpr int kCases = 300;
  std::mt19937 rng(kSeed);
  const std::vector<std::string> twilio_names = {"MessageSid", "SmsSid",  "AccountSid", "From",
                                                 "To",         "Body",    "NumMedia",   "FromCity",
                                                 "FromState",  "FromZip", "FromCountry"};
  std::ostringstream input;
  std::vector<std::string> ours;
  for (int i = 0; i < kCases; ++i) {
    std::string token;
    for (int j = 0; j < 32; ++j) token.push_back("0123456789abcdef"[rng() % 16]);
    const std::string& url = kUrls[rng() % kUrls.size()];

    // Unique names (the library version in Debian takes a dict), then sent
    // through the form encoder and parser as a real body would be.
    FormParams params;
    std::set<std::string> names;
    const int n = static_cast<int>(rng() % 9);
    for (int j = 0; j < n; ++j) {
      std::string name = rng() % 2 ? twilio_names[rng() % twilio_names.size()] : RandomText(rng, 3);
      if (!names.insert(name).second) continue;
      params.emplace_back(std::move(name), RandomText(rng, 8));
    }
    auto parsed = ParseFormUrlencoded(FormEncode(params));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_EQ(parsed.value(), params);

    input << "S " << Hex(token) << ' ' << Hex(url);
    for (const auto& [name, value] : params) input << ' ' << Hex(name) << ' ' << Hex(value);
    input << '\n';
    ours.push_back(TwilioSignature(token, url, parsed.value()));
  }

  const std::vector<std::string> official = RunOfficial(input.str());
  ASSERT_EQ(official.size(), ours.size()) << "seed " << kSeed;
  int mismatches = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    if (official[i] != ours[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "case " << i << " (seed " << kSeed << "): ours " << ours[i] << ", twilio-python " << official[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(TwilioSignatureOfficial, PortVariantsMatchTwilioPythonsAddPortAndRemovePort) {
  if (!OfficialLibraryAvailable()) GTEST_SKIP() << "python3-twilio is not installed (apt-get install python3-twilio)";

  // URLs without userinfo or IPv6 literals, where twilio-python's string
  // splitting is correct (see twilio_signature_test.cc for those).
  const std::vector<std::string> urls = {
      "https://a.example/sms",      "http://a.example/sms",          "https://a.example",
      "https://a.example:8443/sms", "http://a.example:8080/sms?x=1", "https://a.example:443/sms",
      "http://a.example:80/",       "https://a.example/sms?x=1:2",   "https://a.example/sms?to=%2B1&b=a+b",
  };
  std::ostringstream input;
  for (const std::string& url : urls) input << "P " << Hex(url) << '\n';
  const std::vector<std::string> official = RunOfficial(input.str());
  ASSERT_EQ(official.size(), urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const TwilioUrlVariants ours = TwilioPortVariants(urls[i]);
    EXPECT_EQ(Hex(ours.without_port) + " " + Hex(ours.with_port), official[i])
        << urls[i] << " -> ours: " << ours.without_port << " | " << ours.with_port;
  }
}

}  // namespace
}  // namespace helpline::gateway
