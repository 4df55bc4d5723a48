#pragma once
// Vonage SMS API request signing (the `sig` parameter of signed inbound
// messages and delivery receipts), as Vonage documents it ("Signing messages",
// https://developer.vonage.com/getting-started/concepts/signing-messages) and
// as its official SDKs implement it (vonage-node-sdk packages/sms/lib/sms.ts
// verifySignature, vonage-python-sdk http_client auth.py sign_params /
// check_signature, vonage-java-sdk auth/RequestSigning.java).
//
// The signed string is every parameter except `sig`, sorted by name (byte
// order), each appended as "&" + name + "=" + value, where every '&' and '='
// inside a value is replaced by '_'. Values are the decoded parameter values
// (form or query decoding, or the JSON string). Then, with the account's
// signature secret:
//   md5hash (the dashboard's default):  sig = hex(MD5(signed string + secret))
//   md5/sha1/sha256/sha512 HMAC:        sig = hex(HMAC(secret, signed string))
// Vonage sends the hex in either case (the SDKs compare ignoring case: Node
// upper-cases both sides, Python and Java lower-case both), so verification
// ignores case too.
//
// Blank values: the Java SDK leaves out parameters whose value is empty or
// only whitespace; the Node and Python SDKs keep them (as "&name="). Which one
// Vonage's own signer does is not documented, so VerifyVonageSignature
// accepts either: it tries the string with every parameter, and only when
// that fails and some value is blank, the string without the blank ones.
// Neither lets anyone forge a signature without the secret.
//
// The `timestamp` parameter (unix seconds) is signed like any other; checking
// that it is recent is the caller's job (VonageProvider::Parse).
//
//   FormParams p = {{"msisdn", "447700900001"}, {"timestamp", "1461605396"}, ...};
//   std::string sig = VonageSignature(VonageSignatureMethod::kMd5Hash, secret, p);
//   bool ok = VerifyVonageSignature(VonageSignatureMethod::kMd5Hash, secret, p, p_sig);
//
// Thread-safety: free functions without shared state. The secret is never
// logged or returned.

#include <string>
#include <string_view>

#include "gateway/form_urlencoded.h"

namespace helpline::gateway {

// The dashboard's "Signature method" setting.
enum class VonageSignatureMethod {
  kMd5Hash,     // "MD5 hash": MD5 of the signed string followed by the secret
  kMd5Hmac,     // "MD5 HMAC"
  kSha1Hmac,    // "SHA1 HMAC"
  kSha256Hmac,  // "SHA-256 HMAC"
  kSha512Hmac,  // "SHA-512 HMAC"
};

// The string Vonage signs for `params` (see above). A `sig` parameter is
// skipped; with `skip_blank`, so is every parameter whose value is empty or
// only ASCII whitespace and control characters (the Java SDK's rule). A
// repeated name is kept, ordered by value.
std::string VonageSignedString(const FormParams& params, bool skip_blank = false);

// The signature, in lower-case hex, of `params` (every one but `sig`, blank
// values included), as Vonage would send it.
std::string VonageSignature(VonageSignatureMethod method, std::string_view secret, const FormParams& params);

// True when `signature` (hex, either case) is the signature of `params` with
// every parameter, or with the blank ones left out (see above). An empty
// signature or an empty secret is never valid. Comparisons are constant-time.
bool VerifyVonageSignature(VonageSignatureMethod method, std::string_view secret, const FormParams& params,
                           std::string_view signature);

}  // namespace helpline::gateway
