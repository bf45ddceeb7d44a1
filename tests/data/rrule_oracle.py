#!/usr/bin/python3
"""Differential oracle for calendar/rrule.cpp (docs/calendar.md "rrule": results must match
python-dateutil's rrule).

Generates random RRULEs over the parts herald supports, deterministically
from a seed, and prints dateutil's occurrences of each within a window.

Usage: rrule_oracle.py [RULES] [SEED]

Output: one line per rule dateutil accepts, tab-separated:
    RULE  START  FROM  TO  DATES
dates are YYYY-MM-DD, DATES is space-separated (maybe empty), and the window
[FROM, TO] is inclusive; when it would hold more than MAX_DATES dates, TO is
moved back to the last one printed so the line stays exact. The last line is
"# rules=N skipped=M". Exits 2 when dateutil is missing.
"""

import calendar
import datetime
import random
import sys
import types

try:
    import dateutil.rrule as du_rrule
except ImportError as error:  # the C++ test turns this into a failure
    sys.stderr.write("rrule_oracle.py: python3-dateutil is not installed (%s)\n" % error)
    sys.exit(2)

MAX_DATES = 30
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
FREQS = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]

# dateutil walks an impossible rule (BYMONTH=2;BYMONTHDAY=30) up to year 9999
# before giving up. It reads the limit as `datetime.MAXYEAR` through its own
# module global, so a stand-in module with a lower MAXYEAR just past the
# window keeps each rule fast without changing any date inside the window.
_horizon = types.SimpleNamespace(**{name: getattr(datetime, name) for name in dir(datetime)
                                    if not name.startswith("__")})
du_rrule.datetime = _horizon

# WKST defaults to calendar.firstweekday() in dateutil; RFC 5545 says Monday.
calendar.setfirstweekday(0)


def some(rng, population, low, high):
    return rng.sample(population, rng.randint(low, high))


def month_days(rng):
    values = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.35:
            values.append(-rng.randint(1, 31))
        elif rng.random() < 0.3:
            values.append(rng.randint(28, 31))
        else:
            values.append(rng.randint(1, 31))
    return values


def ordinal(rng, freq, has_bymonth):
    # Within a month a sixth weekday never exists, and dateutil's masks
    # overflow (IndexError) for large ordinals there, so keep them small.
    if freq == "YEARLY" and not has_bymonth and rng.random() < 0.5:
        n = rng.randint(1, 53)
    else:
        n = rng.randint(1, 5)
    return -n if rng.random() < 0.4 else n


def by_day(rng, freq, has_bymonth):
    items = []
    ordinals_ok = freq in ("YEARLY", "MONTHLY")
    # Mostly all-plain or all-ordinal lists; sometimes a mix (dateutil then
    # requires both kinds to match).
    mode = rng.random()
    for day in some(rng, WEEKDAYS, 1, 4):
        use_ordinal = ordinals_ok and (mode < 0.45 or (mode < 0.55 and rng.random() < 0.5))
        if use_ordinal:
            n = ordinal(rng, freq, has_bymonth)
            sign = "+" if n > 0 and rng.random() < 0.2 else ""
            items.append("%s%d%s" % (sign, n, day))
        else:
            items.append(day)
    return ",".join(items)


def until_text(rng, start):
    day = start + datetime.timedelta(days=rng.randint(-60, 4000))
    form = rng.random()
    if form < 0.6:
        return day.strftime("%Y%m%d")
    if form < 0.8:
        return day.strftime("%Y-%m-%d")
    return day.strftime("%Y%m%dT") + rng.choice(["000000", "120000", "235959"])


def random_parts(rng, start):
    freq = rng.choice(FREQS)
    parts = [("FREQ", freq)]
    if rng.random() < 0.5:
        parts.append(("INTERVAL", str(rng.randint(1, 4))))
    if rng.random() < 0.25:
        parts.append(("COUNT", str(rng.randint(1, 40))))
    elif rng.random() < 0.25:
        parts.append(("UNTIL", until_text(rng, start)))
    has_bymonth = rng.random() < 0.35
    if has_bymonth:
        parts.append(("BYMONTH", ",".join(str(m) for m in some(rng, range(1, 13), 1, 4))))
    if rng.random() < 0.35:
        parts.append(("BYMONTHDAY", ",".join(str(d) for d in month_days(rng))))
    if rng.random() < 0.45:
        parts.append(("BYDAY", by_day(rng, freq, has_bymonth)))
    if rng.random() < 0.2:
        positions = [rng.choice([1, 2, 3, -1, -2, 5, -5, 10, 40, -100]) for _ in range(rng.randint(1, 2))]
        parts.append(("BYSETPOS", ",".join(str(p) for p in positions)))
    if rng.random() < 0.3:
        parts.append(("WKST", rng.choice(WEEKDAYS)))
    return parts


def rule_text(rng, parts):
    rng.shuffle(parts)
    parts.sort(key=lambda part: part[0] != "FREQ" and rng.random() < 0.7)  # FREQ mostly first
    text = ";".join("%s=%s" % part for part in parts)
    if rng.random() < 0.1:
        text = text.lower()
    if rng.random() < 0.15:
        text = "RRULE:" + text
    return text


def random_case(rng):
    start = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(0, 65 * 366))
    if rng.random() < 0.05:  # month ends and leap days are where rules go wrong
        start = datetime.date(rng.choice([1996, 2000, 2004, 2023, 2024]), rng.choice([1, 2, 3, 12]), 1)
        start = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    parts = random_parts(rng, start)
    bounded = any(name in ("COUNT", "UNTIL") for name, _ in parts)
    text = rule_text(rng, parts)
    if rng.random() < (0.8 if bounded else 0.3):
        first = start
    else:  # far windows exercise the skip-ahead of the C++ side
        first = start + datetime.timedelta(days=rng.randint(0, 40 * 366))
    last = first + datetime.timedelta(days=rng.randint(20, 6 * 366))
    return text, start, first, last


def occurrences(text, start, first, last):
    _horizon.MAXYEAR = last.year + 1
    rule = du_rrule.rrulestr(text, dtstart=datetime.datetime(start.year, start.month, start.day))
    dates = []
    for when in rule:
        day = when.date()
        if day > last:
            break
        if day >= first:
            dates.append(day)
            if len(dates) == MAX_DATES:
                last = day
                break
    return dates, last


def main():
    rules = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 5545
    rng = random.Random(seed)
    printed = skipped = 0
    for _ in range(rules):
        text, start, first, last = random_case(rng)
        try:
            dates, last = occurrences(text, start, first, last)
        except Exception:  # a rule dateutil rejects or cannot expand
            skipped += 1
            continue
        print("\t".join([text, start.isoformat(), first.isoformat(), last.isoformat(),
                         " ".join(d.isoformat() for d in dates)]))
        printed += 1
    print("# rules=%d skipped=%d" % (printed, skipped))


if __name__ == "__main__":
    main()
