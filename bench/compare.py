#!/usr/bin/env python3
"""Check one benchmark case: herald's JSON parses, and herald and remind
found the same event days.

    bench/compare.py HERALD.json [REMIND.txt]

HERALD.json is `herald preview --format json` output; REMIND.txt is
`remind -s12` output of the matching .rem file (each MSG starts with the
herald event id; see bench/gen_calendar.py). herald lists an occurrence
once with its start and end, remind lists each day it triggers, so
herald's occurrences are expanded to days inside the window first.

Prints one line `posts=N occurrences=N days=N [remind=same]` and exits 0,
or prints the differences and exits 1.
"""

import datetime as dt
import json
import sys


def herald_days(doc):
    lo = dt.date.fromisoformat(doc["from"])
    hi = dt.date.fromisoformat(doc["until"])
    days = set()
    for occ in doc["occurrences"]:
        d = max(lo, dt.date.fromisoformat(occ["start"]))
        end = min(hi, dt.date.fromisoformat(occ["end"]))
        while d <= end:
            days.add((d.isoformat(), occ["event"]))
            d += dt.timedelta(days=1)
    return days


def remind_days(path):
    days = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            # 2027/06/23 * * * * <id> <title>
            parts = line.split(None, 6)
            if len(parts) < 6:
                continue
            days.add((parts[0].replace("/", "-"), parts[5]))
    return days


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    for key in ("timezone", "from", "until", "occurrences", "posts"):
        if key not in doc:
            print(f"compare: herald JSON has no '{key}'", file=sys.stderr)
            return 1
    hd = herald_days(doc)
    line = f"posts={len(doc['posts'])} occurrences={len(doc['occurrences'])} days={len(hd)}"
    if len(argv) == 3:
        rd = remind_days(argv[2])
        if hd != rd:
            only_h, only_r = sorted(hd - rd), sorted(rd - hd)
            print(f"compare: herald and remind differ: {len(only_h)} day(s) only in herald, "
                  f"{len(only_r)} only in remind", file=sys.stderr)
            for d, e in only_h[:10]:
                print(f"  herald only: {d} {e}", file=sys.stderr)
            for d, e in only_r[:10]:
                print(f"  remind only: {d} {e}", file=sys.stderr)
            print(line)
            return 1
        line += " remind=same"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
