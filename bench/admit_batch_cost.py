#!/usr/bin/env python3
"""Redis's instructions per admitted message, one admit script call per
message against one call for a batch of B messages (issue 14 item 7,
round 8 in docs/BENCHMARKS.md).

redis-server runs under valgrind --tool=callgrind on a unix socket. The
admit script is taken from daemon/sender_store.cc as it is (its options
filled in with the defaults); the batch script wraps that same body in a
Lua function of the message's two keys and its arguments' place in ARGV
(the few rewrites in admit_scripts(), each checked) and calls it once per
message, returning the markers joined by \\30: the per-message work is
today's and only the call's fixed cost is shared. A prototype for
measuring, not the daemon's code.

For each configuration, in one server and one run (the one-per-call
reference first, then each batch size): WARMUP messages, the counters
zeroed, N messages sent as calls of B messages, one call at a time (each
call has a read and a write of its own, as in `webhook_cost.sh
redis-instr`), the counters dumped. Prints, per message: Redis's work on
the commands (`readQueryFromClient` inclusive) and everything Redis ran
but serverCron (with the replies' writes and the event loop; serverCron runs
on the clock).

Each call's messages' StoreReply SETs (SET XX KEEPTTL of a 300-byte reply)
go in the same write as the next call, as the daemon sends them, so the
figures are per webhook; --no-replies measures the admit alone.

usage: bench/admit_batch_cost.py [--senders S] [--n N] [--no-replies] [--layout hash|string] [BATCH ...]
  BATCH: batch sizes (default 1 4 8 16); --senders 100 makes every counted
  message a known sender's with an open rate window (as SENDERS=100 in
  webhook_cost.sh), the default gives each message a new sender; --layout
  assembles the script of that sender_state_layout (default hash), as
  AdmitScript() in sender_store.cc does.
"""
import argparse
import glob
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A stored reply of a typical length (an SMS of two segments, "=" first).
REPLY = "=" + "x" * 300
# The daemon's clock as the admit script reads it (kAdmitCommon): the batch
# reads it once, before its messages.
CLOCK = "local now = ARGV[1]\n-- The daemon's clock, always digits: converted once (tonumber converts twice).\nlocal t = now + 0\n"
DEFAULTS = {"%DEDUPE_TTL%": "86400", "%LIMIT%": "10", "%WINDOW%": "60", "%STATE_TTL%": "31536000"}


def piece(src, name):
    """The text of one of sender_store.cc's admit script pieces."""
    m = re.search(r'\b%s = R"lua\((.*?)\)lua"' % name, src, re.S)
    if not m:
        sys.exit("admit script changed: no piece %s in sender_store.cc" % name)
    return m.group(1)


def admit_scripts(layout):
    """(one message per call, B messages per call), from sender_store.cc,
    assembled as its AdmitScript() does for `layout` ("hash" or "string")."""
    src = open(os.path.join(ROOT, "daemon", "sender_store.cc")).read()
    head = piece(src, "kAdmitScriptOptions")
    if layout == "string":
        names = ("kReadString", "kAdmitCommon", "kWhole", "kWriteString")
    else:
        names = ("kReadHash", "kAdmitCommon", "kIfConverting", "kWhole", "kWriteHash")
    body = "".join(piece(src, n) for n in names)
    for name, value in DEFAULTS.items():
        head = head.replace(name, value)
    single = head + body
    # The batch: the same body as a function of the message's two keys and
    # its arguments' place in ARGV, called once per message. ARGV of the
    # batch: 1 now, 2 one digit per message: how many arguments of its own
    # follow (0 without changes), 3.. those arguments. Each rewrite applies
    # at most once (the clock exactly once; a layout's script may lack one of
    # the loops), and no ARGV or KEYS may be left, so a changed script fails
    # here, not silently.
    rewrites = [
        (CLOCK, ""),
        ("KEYS[1]", "mkey"),
        ("KEYS[2]", "skey"),
        ("#ARGV > 2", "n > 1"),
        ("ARGV[2] == '1'", "ARGV[a] == '1'"),
        ("for i = 3, #ARGV do", "for i = a + 1, a + n - 1 do"),
        ("for i = 3, #ARGV, 2 do", "for i = a + 1, a + n - 1, 2 do"),
    ]
    fn = body
    for old, new in rewrites:
        if old.startswith("KEYS"):  # used several times
            fn = fn.replace(old, new)
            continue
        if fn.count(old) > 1 or (old == CLOCK and fn.count(old) != 1):
            sys.exit("admit script changed: cannot rewrite %r" % old)
        fn = fn.replace(old, new)
    if "ARGV" in fn.replace("ARGV[a]", "").replace("ARGV[i + 1]", "").replace("ARGV[i]", "") or "KEYS" in fn:
        sys.exit("admit script changed: ARGV or KEYS left in the batch's function")
    batch = head + CLOCK + \
        "local function admit(mkey, skey, a, n)\n" + fn + "end\n" + """
local shape, out, a = ARGV[2], {}, 3
for m = 1, #shape do
  local n = string.byte(shape, m) - 48
  out[m] = admit(KEYS[2 * m - 1], KEYS[2 * m], a, n)
  a = a + n
end
return table.concat(out, '\\30')
"""
    return single, batch


class Resp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rb")

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def call(self, *args):
        self.s.sendall(self.encode(*args))
        return self.read()

    def pipeline(self, commands):
        self.s.sendall(b"".join(self.encode(*c) for c in commands))
        return [self.read() for _ in commands]

    def read(self):
        line = self.f.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"-":
            sys.exit("redis: " + rest.decode())
        if kind in b"+:":
            return rest
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        return [self.read() for _ in range(int(rest))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--senders", type=int, default=0)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--no-replies", dest="replies", action="store_false")
    ap.add_argument("--layout", choices=["hash", "string"], default="hash")
    ap.add_argument("batch", type=int, nargs="*", default=[1, 4, 8, 16])
    o = ap.parse_args()
    single, batch = admit_scripts(o.layout)
    tmp = tempfile.mkdtemp(prefix="admit-batch-")
    sock = os.path.join(tmp, "redis.sock")
    redis = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.path.join(tmp, "cg.out"), "--dump-instr=no",
         "redis-server", "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no", "--dir", tmp],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not os.path.exists(sock):
            if time.time() > deadline or redis.poll() is not None:
                sys.exit("redis-server did not start")
            time.sleep(0.1)
        r = Resp(sock)
        for _ in range(100):
            try:
                r.call("PING")
                break
            except (ConnectionError, OSError):
                time.sleep(0.1)
        sha = {"single": r.call("SCRIPT", "LOAD", single).decode(), "batch": r.call("SCRIPT", "LOAD", batch).decode()}
        now = str(int(time.time()))
        counter = [0]
        pending = []  # StoreReply's SETs not sent yet

        def send(kind, b, count):
            sent = 0
            while sent < count:
                k = min(b, count - sent)
                keys = []
                for _ in range(k):
                    i = counter[0]
                    counter[0] += 1
                    who = i % o.senders if o.senders else i
                    keys += ["hl:msg:twilio:SM%032x" % i, "hl:sender:" + hashlib.md5(str(who).encode()).hexdigest()]
                # The SETs of the previous call's messages go in the same
                # write as this call, as the daemon sends them (nobody waits).
                if kind == "single":
                    call = ("EVALSHA", sha[kind], 2, *keys, now)
                else:
                    call = ("EVALSHA", sha[kind], len(keys), *keys, now, "0" * k)
                replies = r.pipeline(pending + [call])
                assert all(x == b"OK" for x in replies[:-1]), replies
                reply = replies[-1]
                if kind == "single":
                    assert reply.startswith(b"~") or reply.startswith(b"dup"), reply
                else:
                    assert len(reply.split(b"\x1e")) == k, reply
                pending[:] = [("SET", keys[j], REPLY, "XX", "KEEPTTL") for j in range(0, len(keys), 2)] \
                    if o.replies else []
                sent += k

        def measure(kind, b):
            send(kind, b, o.warmup)
            subprocess.run(["callgrind_control", "-z", str(redis.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            send(kind, b, o.n)
            if pending:
                r.pipeline(pending)
                pending.clear()
            before = set(glob.glob(os.path.join(tmp, "cg.out.*")))
            subprocess.run(["callgrind_control", "-d", str(redis.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            for _ in range(100):
                new = set(glob.glob(os.path.join(tmp, "cg.out.*"))) - before
                if new:
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            dump = new.pop()
            total = 0
            for line in open(dump):
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
                    break
            ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--auto=no", dump],
                                 capture_output=True, text=True).stdout
            def inclusive(function):
                for line in ann.splitlines():
                    if (":%s " % function) in line + " ":
                        return int(line.split()[0].replace(",", ""))
                return 0
            # serverCron runs on the clock (10 times a second), and the run
            # under valgrind takes seconds: not the webhooks' cost.
            return inclusive("readQueryFromClient") / o.n, (total - inclusive("serverCron")) / o.n

        who = "known senders (%d)" % o.senders if o.senders else "a new sender each"
        what = "webhook (the admit and StoreReply's SET)" if o.replies else "admitted message (the admit alone)"
        print("Redis instructions per %s, %s, %d messages after %d" % (what, who, o.n, o.warmup))
        ref_commands, ref_all = measure("single", 1)
        print("%-28s commands %7.0f  all but serverCron %7.0f  (reference)" % (
            "one message per call", ref_commands, ref_all))
        for b in o.batch:
            commands, all_ = measure("batch", b)
            print("%-28s commands %7.0f (%+5.1f%%)  all but serverCron %7.0f (%+5.1f%%)" % (
                "batch of %d per call" % b, commands, 100 * (commands / ref_commands - 1), all_,
                100 * (all_ / ref_all - 1)))
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
