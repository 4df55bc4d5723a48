#!/usr/bin/env python3
"""Where Redis's instructions per webhook go, from `webhook_cost.sh
redis-instr` dumps (issue 14 item 7; docs/BENCHMARKS.md round 11).

Reads each callgrind dump with callgrind_annotate (inclusive costs) and
prints one markdown table, a column per dump, every figure divided by the
webhooks counted (N, as given to webhook_cost.sh): all of Redis's work on
the commands (readQueryFromClient), then its parts: parsing the requests,
the command table, the reply record's SET, the admit script's EVALSHA and
inside it the call's set-up, the script body, its redis.call commands,
their checks, their replies parsed back into Lua, tonumber, number
formatting and the rest (the Lua VM, each call's argument conversion,
string.match, concatenation: Debian's redis-server has no symbols for
Lua's static functions), and the keyspace and expiry work across all of it.

usage: bench/redis_cost_breakdown.py [--n N] DUMP...
"""
import argparse
import os
import re
import subprocess

SPRINTF = ("./debug/./debug/sprintf_chk.c:__sprintf_chk", "./debug/./debug/snprintf_chk.c:__snprintf_chk")


def inclusive(path):
    """function name -> inclusive instructions (recursive entries summed)."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    costs = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(\S+)", line)
        if not m:
            continue
        name = m.group(2)
        if name.startswith("???:"):
            name = name[4:]
        costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs


def get(d, *names):
    return sum(d.get(n, 0) for n in names)


ROWS = [
    ("all work on the commands (readQueryFromClient)", lambda d: d["readQueryFromClient"]),
    ("request parsing (processMultibulkBuffer)", lambda d: d["processMultibulkBuffer"]),
    ("command table (lookupCommand, getCommandFlags, evalGetCommandFlags)",
     lambda d: get(d, "lookupCommand", "getCommandFlags", "evalGetCommandFlags")),
    ("the reply record's SET (call - evalShaCommand)", lambda d: d["call"] - d["evalShaCommand"]),
    ("the admit script (evalShaCommand)", lambda d: d["evalShaCommand"]),
    (". set-up around the body (luaCallFunction - lua_pcall)", lambda d: d["luaCallFunction"] - d["lua_pcall"]),
    (". . lua_pushlstring + lua_rawseti (also the body's)", lambda d: get(d, "lua_pushlstring", "lua_rawseti")),
    (". . Lua GC step (lua_gc)", lambda d: get(d, "lua_gc")),
    (". the script body (lua_pcall)", lambda d: d["lua_pcall"]),
    (". . redis.call: the commands (call, nested)", lambda d: get(d, "call'2")),
    (". . redis.call: checks (scriptCall - nested call)", lambda d: get(d, "scriptCall") - get(d, "call'2")),
    (". . redis.call: replies into Lua (parseReply)", lambda d: get(d, "parseReply")),
    (". . tonumber (lua_isnumber + lua_tonumber)", lambda d: get(d, "lua_isnumber", "lua_tonumber")),
    (". . number formatting (sprintf, snprintf)", lambda d: get(d, *SPRINTF)),
    (". . the rest: VM, call arguments, string.match, ..",
     lambda d: d["lua_pcall"] - get(d, "scriptCall", "parseReply", "lua_isnumber", "lua_tonumber", *SPRINTF)),
    ("keyspace: dictFind (keys, commands, scripts), all", lambda d: get(d, "dictFind")),
    ("expiry: expireIfNeeded, all", lambda d: get(d, "expireIfNeeded")),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="webhooks counted in each dump (default 2000)")
    ap.add_argument("dumps", nargs="+")
    args = ap.parse_args()
    costs = [inclusive(p) for p in args.dumps]
    print("| per webhook | " + " | ".join(os.path.basename(p) for p in args.dumps) + " |")
    print("|---|" + "---|" * len(args.dumps))
    for name, f in ROWS:
        cells = []
        for d in costs:
            try:
                cells.append("{:,}".format(round(f(d) / args.n)))
            except KeyError as missing:
                cells.append("(no %s)" % missing)
        print("| %s | %s |" % (name, " | ".join(cells)))


if __name__ == "__main__":
    main()
