#!/usr/bin/python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (small, real-looking
inputs in each harness's input format; see the comment at the top of each
fuzz/<target>_fuzz.cc). Regression inputs found by fuzzing are kept beside
the seeds as regress-*; this script never touches them.

    fuzz/seeds.py      # rewrites the seed-* files
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def clear_seeds():
    if not os.path.isdir(CORPUS):
        return
    for target in os.listdir(CORPUS):
        for name in os.listdir(os.path.join(CORPUS, target)):
            if name.startswith("seed-"):
                os.remove(os.path.join(CORPUS, target, name))


TWILIO_INBOUND = ("ToCountry=US&ToState=DC&SmsMessageSid=SM5f4a8b9c0d1e2f3a4b5c6d7e8f9a0b1c&NumMedia=0"
                  "&ToCity=WASHINGTON&FromZip=98101&SmsSid=SM5f4a8b9c0d1e2f3a4b5c6d7e8f9a0b1c&FromState=WA"
                  "&SmsStatus=received&FromCity=SEATTLE&Body=need+narcan+near+me&FromCountry=US&To=%2B12025550100"
                  "&ToZip=20001&NumSegments=1&MessageSid=SM5f4a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
                  "&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B12065550143&ApiVersion=2010-04-01")


def http_request():
    form = "From=%2B16045550123&To=%2B17785550100&Body=help&MessageSid=SM1"
    reqs = {
        "twilio-post": ("POST /webhooks/twilio HTTP/1.1\r\nHost: helpline.example.org\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: abc=\r\n"
                        f"Content-Length: {len(form)}\r\n\r\n{form}"),
        "get-readyz": "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n",
        "pipelined": ("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                      "POST /webhooks/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"),
        "chunked": ("POST /webhooks/telnyx HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Type: application/json\r\n\r\n5\r\n{\"a\":\r\n3;ext=1\r\n1}\n\r\n0\r\nTrailer: x\r\n\r\n"),
        "expect-continue": ("POST /webhooks/vonage HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                            "Content-Length: 5\r\n\r\nab=cd"),
        "http10-close": "GET /find?q=narcan&region=CA-BC HTTP/1.0\r\n\r\n",
        "connection-close": "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        "lookup-bearer": ("GET /v1/lookup?region=US-TX&category=naloxone&lang=es HTTP/1.1\r\nHost: x\r\n"
                          "Authorization: bearer k3y\r\nAccept: application/json\r\n\r\n"),
        "duplicate-length": "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "huge-length": "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
        "bad-version": "GET / HTTP/2.0\r\n\r\n",
        "obs-fold": "GET / HTTP/1.1\r\nX-Long: a\r\n b\r\n\r\n",
        "lf-only": "GET /healthz HTTP/1.1\nHost: x\n\n",
        "utf8-target": "GET /find?q=%C3%A9&x=\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",
        "head": "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "chunk-overflow": "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        "te-and-length": "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    }
    for i, (name, text) in enumerate(sorted(reqs.items())):
        read_size = [0, 7, 63, 255][i % 4]
        write("http_request", name, bytes([read_size]) + text.encode("utf-8", "surrogateescape"))


def form_urlencoded():
    bodies = {
        "twilio": TWILIO_INBOUND,
        "vonage": ("msisdn=447700900001&to=447700900000&messageId=0A0000000123ABCD1&text=Need+help&type=text"
                   "&keyword=NEED&message-timestamp=2024-06-01+12%3A00%3A00&timestamp=1717243200"
                   "&nonce=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&sig=0123456789abcdef"),
        "escapes": "a=%41%62%7e%2B%2b&b=%E2%80%99&c=%00&d=%ff%FE",
        "empty-pairs": "&&a=1&&b&=c&",
        "plus": "Body=need+help+%2B+more++",
        "bad-percent": "a=%4",
        "bad-hex": "a=%zz&b=1",
        "repeated": "a=1&a=2&A=3",
        "no-equals": "flag&other",
        "unicode": "Body=%F0%9F%98%80+ayuda+por+favor&lang=espa%C3%B1ol",
    }
    for name, text in bodies.items():
        write("form_urlencoded", name, text)


def twilio_webhook():
    ct = "content-type: application/x-www-form-urlencoded\n"
    cases = {
        "inbound": ct + "x-twilio-signature: 0123456789abcdefABCDEF=\n\n" + TWILIO_INBOUND,
        "whatsapp": ct + "\nFrom=whatsapp%3A%2B16045550123&To=whatsapp%3A%2B14155238886&Body=necesito+ayuda"
                         "&MessageSid=SMaaa&NumMedia=0&ProfileName=A",
        "status": ct + "\nMessageSid=SMbbb&MessageStatus=delivered&To=%2B16045550123&From=%2B17785550100"
                       "&AccountSid=AC1&ErrorCode=",
        "failed": ct + "\nSmsSid=SMccc&SmsStatus=undelivered&ErrorCode=30003&To=%2B16045550123",
        "mms-no-body": ct + "\nFrom=%2B16045550123&To=%2B17785550100&MessageSid=MMddd&NumMedia=1"
                            "&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm.jpg",
        "port-url": ct + "url: https://helpline.example.org:443/webhooks/twilio?x=1\n\n"
                         "From=%2B16045550123&Body=STOP&MessageSid=SMeee",
        "charset": "content-type: Application/X-WWW-Form-Urlencoded; charset=UTF-8\n\n"
                   "From=%2B15145550123&Body=aide+naloxone+%C3%A0+Montr%C3%A9al&MessageSid=SMfff&FromState=QC"
                   "&FromCountry=CA",
        "json-type": "content-type: application/json\n\n{}",
        "bad-form": ct + "\nFrom=%2&Body=x",
        "no-sid": ct + "\nFrom=%2B16045550123&Body=hi",
        "invalid-utf8": ct + "\nFrom=%2B16045550123&Body=%FF%FEhelp%C3&MessageSid=SMggg",
    }
    for name, text in cases.items():
        write("twilio_webhook", name, text)


def vonage_webhook():
    inbound = ("msisdn=447700900001&to=447700900000&messageId=0A0000000123ABCD1&text=Need+help&type=text"
               "&keyword=NEED&message-timestamp=2024-06-01+12%3A00%3A00&timestamp=1717243200"
               "&nonce=aaaaaaaa-bbbb-cccc-dddd-0123456789ab")
    cases = {
        "inbound-md5": "sig-method: 0\n\n" + inbound + "&sig=00000000000000000000000000000000",
        "inbound-sha256": "sig-method: 3\n\n" + inbound,
        "inbound-sha512": "sig-method: 4\n\n" + inbound,
        "concat": ("sig-method: 1\n\nmsisdn=447700900001&to=447700900000&messageId=0A0000000123ABCD2&text=part+two"
                   "&type=text&concat=true&concat-ref=AB12&concat-total=3&concat-part=2&timestamp=1717243200"),
        "concat-bad": ("sig-method: 2\n\nmsisdn=1&to=2&messageId=3&text=x&type=text&concat=true&concat-ref="
                       "&concat-total=999&concat-part=0&timestamp=1717243200"),
        "receipt": ("sig-method: 0\n\nmsisdn=447700900001&to=447700900000&network-code=23410"
                    "&messageId=0B00000012345678&price=0.03330000&status=delivered&scts=2406011200&err-code=0"
                    "&client-ref=twilio%3ASM1&message-timestamp=2024-06-01+12%3A00%3A05&timestamp=1717243205"),
        "get": "method: GET\nsig-method: 3\n\n" + inbound,
        "json": ("content-type: application/json\n\n" + json.dumps({
            "msisdn": "447700900001", "to": "447700900000", "messageId": "0A0000000123ABCD9",
            "text": "Need help", "type": "text", "timestamp": 1717243200, "concat": False})),
        "json-nested": "content-type: application/json\n\n{\"text\":{\"a\":[1,2]}}",
        "repeated": "\n\nmsisdn=1&msisdn=2&messageId=x&timestamp=1717243200",
        "stale": "sig-method: 3\n\nmsisdn=1&to=2&messageId=4&text=hi&type=text&timestamp=17",
        "unicode": ("sig-method: 3\n\nmsisdn=15145550123&to=2&messageId=5&type=unicode&timestamp=1717243200"
                    "&text=%C3%A0+l%27aide+%F0%9F%98%80"),
    }
    for name, text in cases.items():
        write("vonage_webhook", name, text)


def telnyx_webhook():
    def event(event_type, payload):
        return json.dumps({"data": {"event_type": event_type, "id": "bf6307bd-884d-4c1f-b6ea-c62b8c495d3c",
                                    "occurred_at": "2023-11-14T22:13:19.574+00:00", "payload": payload,
                                    "record_type": "event"}, "meta": {"attempt": 1}}, separators=(",", ":"))
    received = {"direction": "inbound", "encoding": "GSM-7",
                "from": {"carrier": "T-MOBILE USA, INC.", "line_type": "Wireless", "phone_number": "+16045550123"},
                "id": "7ee4241c-f127-47e5-9c34-3aac291f8058", "media": [], "parts": 1, "record_type": "message",
                "text": "need narcan near me", "to": [{"phone_number": "+17785550100", "status": "webhook_delivered"}],
                "type": "SMS"}
    finalized = {"direction": "outbound", "errors": [{"code": "40008", "title": "Undeliverable"}],
                 "from": {"phone_number": "+17785550100"}, "id": "40385f64-5717-4562-b3fc-2c963f66afa6",
                 "text": "Call 1-800-555-0199", "to": [{"phone_number": "+16045550123", "status": "delivery_failed"}]}
    cases = {
        "received": "\n" + event("message.received", received),
        "received-bad-sig": ("telnyx-signature-ed25519: UouGtAFr3X17ikoxkYGNpNKOBcNonb0BNuGjljslO8nS/FCHJpHJD43Ne9r77yw"
                             "OvlGUhkgauAxLnqx10D2RDQ==\ntelnyx-timestamp: 1700000000\n\n"
                             + event("message.received", received)),
        "mms": "\n" + event("message.received", dict(received, text=None, media=[{"url": "https://m/1.jpg"}])),
        "finalized": "\n" + event("message.finalized", finalized),
        "sent": "\n" + event("message.sent", dict(finalized, errors=[], to=[{"phone_number": "+1", "status": "sent"}])),
        "ignored": "\n" + event("call.hangup", {}),
        "unprintable-type": "\n" + event("message.\u0007\u00e9", {}),
        "no-from": "\n" + event("message.received", {"id": "x", "text": "hi", "to": []}),
        "stale": "telnyx-timestamp: 1699990000\n\n" + event("message.received", received),
        "bad-json": "\n{\"data\":{\"event_type\":\"message.received\",\"payload\":{\"text\":\"need",
        "deep": "\n" + "[" * 200 + "]" * 200,
        "wrong-types": "\n" + event("message.received", {"id": 5, "text": ["a"], "from": "x", "to": {}}),
    }
    for name, text in cases.items():
        write("telnyx_webhook", name, text)


def telegram_webhook():
    def update(n, message, key="message"):
        return json.dumps({"update_id": n, key: message}, ensure_ascii=False)
    msg = {"message_id": 42, "from": {"id": 555000111, "is_bot": False, "first_name": "A", "language_code": "en"},
           "chat": {"id": 555000111, "first_name": "A", "type": "private"}, "date": 1717243200,
           "text": "need narcan in BC"}
    cases = {
        "text": "x-telegram-bot-api-secret-token: wrong\n\n" + update(918273645, msg),
        "spanish": "\n" + update(1, dict(msg, text="necesito ayuda", **{"from": dict(msg["from"], language_code="es")})),
        "group": "\n" + update(7, dict(msg, chat={"id": -1001234567890, "type": "supergroup", "title": "g"},
                                      text="help")),
        "edited": "\n" + update(8, dict(msg, edit_date=2), key="edited_message"),
        "sticker": "\n" + update(9, {"message_id": 1, "chat": {"id": 5, "type": "private"}, "date": 1,
                                      "sticker": {"file_id": "x"}}),
        "callback": "\n" + json.dumps({"update_id": 11, "callback_query": {"id": "1", "from": {"id": 5}, "data": "x"}}),
        "text-number": "\n" + update(13, {"message_id": 3, "chat": {"id": 5}, "date": 1, "text": 17}),
        "long-text": "\n" + update(14, dict(msg, text="ayuda " * 900)),
        "emoji": "\n" + update(15, dict(msg, text="\U0001F198 help \u00e9\u0301 \U0001F600" * 3)),
        "escaped-surrogate": "\n" + '{"update_id":16,"message":{"message_id":1,"chat":{"id":5},"date":1,'
                                    '"text":"\\ud83d\\ude00 \\udc00 lone"}}',
        "big-ids": "\n" + '{"update_id":9223372036854775807,"message":{"message_id":-1,"chat":{"id":1e400},'
                          '"date":1,"text":"hi"}}',
        "not-object": "\n[1,2,3]",
    }
    for name, text in cases.items():
        write("telegram_webhook", name, text)


def chat_webhook():
    cases = {
        "message": ("x-helpline-timestamp: 1717243200\nx-helpline-signature: sha256=e6bf2ad688197490e4dc5985ca8e288e5"
                    "2ceda7c5a2255c5c0acb8cda291ec6d\n\n"
                    '{"id":"m-7f3a9c","from":"user-1234","text":"need naloxone","lang":"es","region":"CA-BC"}'),
        "minimal": "\n" + '{"id":"m-2","from":"u-2"}',
        "french": "\n" + json.dumps({"id": "m-3", "from": "u-3", "text": "j'ai besoin d'aide à Québec",
                                     "lang": "fr-CA"}, ensure_ascii=False),
        "missing-id": "\n" + '{"from":"u-1","text":"hi"}',
        "wrong-types": "\n" + '{"id":1,"from":["u"],"text":{"a":1},"lang":5}',
        "long-id": "\n" + json.dumps({"id": "m" * 200, "from": "u", "text": "hi"}),
        "long-text": "\n" + json.dumps({"id": "m-4", "from": "u-4", "text": "help " * 1000}),
        "nul": "\n" + '{"id":"m-5","from":"u-5","text":"a\\u0000b"}',
        "stale": "x-helpline-timestamp: 1\n\n" + '{"id":"m-6","from":"u-6","text":"hi"}',
        "bad-timestamp": "x-helpline-timestamp: -5\n\n" + '{"id":"m-7","from":"u-7"}',
        "not-json": "\nnot json",
        "form-type": "content-type: application/x-www-form-urlencoded\n\nid=1",
    }
    for name, text in cases.items():
        write("chat_webhook", name, text)


def directory_file():
    for name in ["global.json", "us-ar.json", "us-ak.json", "ca-nu.json"]:
        with open(os.path.join(ROOT, "data", "directory", name), "rb") as f:
            write("directory_file", "shipped-" + name, f.read())
    with open(os.path.join(ROOT, "data", "directory", "us-ar.json"), encoding="utf-8") as f:
        doc = json.load(f)
    r = doc["resources"][0]

    def variant(name, mutate):
        d = json.loads(json.dumps(doc))
        mutate(d)
        write("directory_file", name, json.dumps(d, ensure_ascii=False, indent=2))
    variant("bad-phone", lambda d: d["resources"][0]["channels"][0].update(value="+1 555 CALL-NOW-PLEASE"))
    variant("outside-region", lambda d: d["resources"][0].update(regions=["CA-BC"]))
    variant("future-date", lambda d: d["resources"][0].update(verified="2999-01-01"))
    variant("bad-date", lambda d: d["resources"][0].update(verified="2024-02-30"))
    variant("duplicate-id", lambda d: d["resources"].append(dict(d["resources"][0])))
    variant("unconfirmed", lambda d: d["resources"][0].update(status="unconfirmed"))
    variant("coordinates", lambda d: d["resources"][0].update(coordinates={"lat": 34.75, "lon": -92.29}))
    variant("no-resources", lambda d: d.update(resources=[]))
    variant("wrong-type", lambda d: d["resources"][0].update(priority="high"))
    text = json.dumps(doc, ensure_ascii=False)
    write("directory_file", "invalid-utf8", text.replace(r["name"], r["name"] + "\udcff", 1)
          .encode("utf-8", "surrogateescape"))
    write("directory_file", "nul-in-name", text.replace(json.dumps(r["name"]), json.dumps(r["name"] + "\u0000"), 1))
    write("directory_file", "deep", '{"jurisdiction":"US-AR","resources":' + "[" * 40 + "]" * 40 + "}")
    write("directory_file", "truncated", text[: len(text) // 2])
    write("directory_file", "empty", "")


def resource_json():
    count = 0
    for name in ["ca-bc.json", "us-tx.json", "global.json", "ca-qc.json"]:
        with open(os.path.join(ROOT, "data", "directory", name), encoding="utf-8") as f:
            doc = json.load(f)
        for r in doc["resources"][:4]:
            write("resource_json", "%s-%s" % (name[:-5], r["id"]), json.dumps(r, ensure_ascii=False))
            count += 1
    write("resource_json", "minimal", '{"id":"x","name":"X","categories":["crisis"],"regions":["US"],'
          '"channels":[{"kind":"voice","value":"988"}],"source":"https://example.org","verified":"2026-01-01"}')
    write("resource_json", "escaped-surrogate", '{"id":"x","name":"\\udc00","categories":[],"regions":[],'
          '"channels":[],"source":"s","verified":"2026-01-01"}')
    write("resource_json", "deep", '{"id":"x","aliases":' + '{"en":' * 40 + "1" + "}" * 41)
    write("resource_json", "not-object", "[]")
    write("resource_json", "invalid-utf8", b'{"id":"x\xff","name":"y"}')


ENGINE_MESSAGES = [
    "HELP", "INFO", "STOP", "start", "NALOXONE", "where can i get narcan in Portland, Maine",
    "my friend is not breathing", "his lips are blue and he won't wake up", "I want to kill myself",
    "quiero desaparecer", "j'ai besoin d'aide pour ma fille à Montréal", "necesito ayuda con detox en 90210",
    "treatment near V6B 1A1", "ESPAÑOL", "FRANÇAIS", "text line", "I'm 15 and need help", "my brother overdosed last year",
    "what are the signs of an overdose", "poison control", "Kansas", "springfield", "detox in texas",
    "naloxone en Québec", "ayuda", "stop sending me these", "unsubscribe", "", "\U0001F198\U0001F198",
    "help " * 80, "Indigenous hope for wellness", "harm reduction supplies BC", "family support", "chat",
]


def engine():
    hints = [("+12025550143", "", "", "", ""), ("+16045550123", "BC", "V6B 1A1", "CA", ""),
             ("+15145550123", "QC", "", "CA", "fr-CA"), ("+19025550123", "", "", "CA", ""),
             ("+18675550123", "NU", "", "CA", ""), ("", "", "", "", "es"), ("+447700900001", "", "", "GB", ""),
             ("tg:555000111", "TX", "75001", "US", "en")]
    for i, text in enumerate(ENGINE_MESSAGES):
        flags = (i * 37) % 256
        h = hints[i % len(hints)]
        data = bytes([flags]) + ("\n".join(h) + "\n" + text).encode("utf-8")
        write("engine", "%02d" % i, data)
    write("engine", "invalid-utf8", b"\x00+12025550143\n\n\n\n\nhelp \xff\xfe narcan \xc3")
    write("engine", "nul", b"\x01\n\n\n\n\nnaloxone\x00\x00 in BC")


def sms_text():
    texts = {
        "reply-en": ("Helpline: For naloxone in Texas call 1-800-662-4357 (24/7). Or text CONNEX to 247247. "
                     "Chat: https://988lifeline.org/chat\nIf someone is not breathing, call 911 now.\n"
                     "Reply STOP to opt out. Msg&data rates may apply."),
        "reply-fr": ("Ligne d'aide : pour la naloxone au Québec, appelez le 1-866-536-2476 ou écrivez AIDE au 686868. "
                     "« Œuvres » — site : https://www.quebec.ca/sante … Répondez STOP pour vous désabonner."),
        "reply-es": "Línea: para naloxona llame al 1-800-662-4357. Envíe AYUDA al 741741. ¿Necesita más? ñ ü ¿¡",
        "emoji": "Help \U0001F198 is here \U0001F600 call 988 " * 6,
        "curly": "\u201cSmart quotes\u201d and \u2018apostrophes\u2019 \u2013 dashes \u2014 and\u00a0spaces\u200b" * 4,
        "combining": "e\u0301 a\u0300 o\u0302 n\u0303 c\u0327 " * 10,
        "extension": "{[~^|\\€]} " * 30,
        "long-word": "x" * 500,
        "long-url": "https://example.org/" + "a" * 300 + " then text HOME to 741741",
        "numbers": " ".join(["1-800-555-%04d" % i for i in range(40)]),
        "newlines": "line one\n\nline two\r\n" * 20,
        "invalid-utf8": b"abc \xff\xfe \xc3 \xed\xa0\x80 tail",
        "empty": "",
        "tabs": "\t\t a\tb \t" * 50,
    }
    for i, (name, text) in enumerate(texts.items()):
        if isinstance(text, str):
            text = text.encode("utf-8")
        write("sms_text", name, bytes([i % 2]) + text)


def main():
    clear_seeds()
    http_request()
    form_urlencoded()
    twilio_webhook()
    vonage_webhook()
    telnyx_webhook()
    telegram_webhook()
    chat_webhook()
    directory_file()
    resource_json()
    engine()
    sms_text()


if __name__ == "__main__":
    main()
