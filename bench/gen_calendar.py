#!/usr/bin/env python3
"""Generate a herald calendar and the same events in remind's language.

    bench/gen_calendar.py --events 10000 --yaml OUT.yaml --remind OUT.rem [--seed 1]

Both files come from one event list, so `herald preview` and `remind -s`
see the same occurrences. Deterministic for a given seed and size
(python3 stdlib only).

The mix holds only yearly rules that both tools express exactly:

  share  herald `every:`                         remind
  40 %   June 23                                 REM Jun 23
  20 %   second Tuesday of October (1st..4th)    REM Tue Oct 8
  10 %   last Monday of May                      REM Mon May 25
                                                 (February: REM Mon Mar 1 --7)
  10 %   Monday on or after September 20         REM Mon Sep 20
   5 %   Friday on or before March 17            REM Fri Mar 11
   7 %   easter -2 days / easter +7 weeks        REM [easterdate(today()+2)-2]
   3 %   orthodox easter +N days                 REM [orthodoxeaster(today()-N)+N]
   5 %   October (the whole month)               REM Oct  (every day of the month)

Left out on purpose: `fifth <weekday>` (remind's "first <weekday> on or after
the 29th" rolls into the next month when there is no fifth; herald has no
occurrence), Islamic dates (remind has no Islamic calendar), `lasts`,
`rrule` and `dates` (not yearly rules). `on or before` days are 7..28 so
the remind form stays in the same month in leap years too.

`easterdate(d)` is the first Easter on or after d, so
`easterdate(today()-N)+N` is the first "Easter+N" on or after today, which
is what remind needs in calendar mode (it evaluates the trigger for each
day).

Every remind MSG starts with the herald event id, so bench/compare.py can
check that both tools found the same days.

--own-steps gives every event two steps of its own, with the same two
message texts, instead of a campaign: the shape of a calendar written by
hand or by a script, where each event repeats its templates
(docs/PERFORMANCE.md "2026-12-03").
"""

import argparse
import random
import sys

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
MON3 = [m[:3] for m in MONTHS]
DAYS_IN = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # Feb 29: leap years only in both tools
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
            "Saturday", "Sunday"]
WD3 = [w[:3] for w in WEEKDAYS]
NTH = ["first", "second", "third", "fourth"]

# Bank holidays in England and Wales around the benchmark window (2027).
HOLIDAYS = [
    "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
    "2027-08-30", "2027-12-27", "2027-12-28",
    "2028-01-03", "2028-04-14",
]

CAMPAIGNS = r'''campaigns:
  standard:
    - at: -4w
      not_workday: previous
      channels: [edi-team]
      subject: "{{title}} in four weeks ({{date}})"
      message: "Planning: {{title}} is on {{date}}, {{days_until}} days from now. Time to line up speakers and a blog post. {{description}} Topics:{{#tags}} {{.}}{{/tags}}. {{url}}"
    - at: 0
      message: "Today is {{title}}! {{description}} {{url}} {{hashtag}}"
    - at: end+1d
      not_workday: next
      message: "Thank you to everyone who joined {{title}} on {{date}}. {{hashtag}}"
  trail:
    - at: -2w
      not_workday: previous
      channels: [edi-team]
      subject: "{{title}} {{year}}: {{date}}"
      message: "{{title}} is {{relative}}, on {{date}}. Check for clashes with other comms. {{url}}"
    - at: -1w
      not_workday: previous
      message: "Coming up {{relative}}: {{title}} on {{date}}. {{description}} Find out more: {{url}}"
    - at: 0
      time: "08:30"
      message: "{{title}} is today ({{date_iso}}). {{description}} {{hashtag}}"
  quiet:
    - at: -3w
      not_workday: previous
      channels: [edi-team]
      subject: "{{title}} on {{date}}"
      message: "{{title}} is on {{date}} ({{relative}}). Consider a moment of reflection. {{url}}"
    - at: 0
      time: "10:30"
      not_workday: previous
      message: "{{title}} is {{relative}} ({{date}}). {{description}} {{url}}"
    - at: end+1d
      not_workday: skip
      message: "Yesterday was {{title}}. Thank you for taking part."
  month:
    - at: -4w
      not_workday: previous
      channels: [edi-team]
      subject: "{{title}} {{year}} starts {{relative}}"
      message: "{{title}} runs from {{date}} to {{end_date}}. Agree the month's programme now. Topics:{{#tags}} {{.}}{{/tags}}. {{url}}"
    - at: 0
      not_workday: next
      message: "{{title}} {{year}} is under way and runs until {{end_date}}. {{description}} {{url}} {{hashtag}}"
    - at: end+1d
      not_workday: next
      message: "{{title}} ended on {{end_date}}. Thank you to everyone who took part. {{hashtag}}"
'''

DAY_CAMPAIGNS = ["standard", "trail", "quiet"]

ADJ = ["International", "National", "World", "Global", "European", "UK",
       "Regional", "Annual"]
GROUPS = ["Women", "Girls", "Disabled People", "Neurodivergent People",
          "LGBT+ People", "Black Engineers", "Carers", "Parents", "Veterans",
          "Young People", "Apprentices", "Refugees", "Older Workers",
          "First-Generation Graduates", "Deaf People", "Trans People"]
FIELDS = ["Engineering", "Science", "Mathematics", "Computing", "Physics",
          "Chemistry", "Geology", "Medicine", "Statistics", "Robotics",
          "Architecture", "Astronomy", "Ecology", "Design", "Data",
          "Materials", "Energy", "Transport", "Space", "Biology"]
THEMES = ["Awareness", "Inclusion", "Visibility", "Remembrance", "Pride",
          "Wellbeing", "Mentoring", "Accessibility", "Equality", "Heritage"]
TAGS = ["gender", "race", "disability", "lgbtq", "faith", "age", "culture",
        "science", "engineering", "wellbeing", "remembrance", "social-mobility"]


def slug(text):
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def q(text):
    """A YAML double-quoted scalar (our texts have no control characters)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_rule(rng):
    """(herald every:, remind trigger, is_month)"""
    r = rng.random()
    if r < 0.40:                                   # fixed date
        m = rng.randrange(12)
        d = rng.randint(1, DAYS_IN[m])
        if rng.random() < 0.5:
            return f"{MONTHS[m]} {d}", f"{MON3[m]} {d}", False
        return f"{d} {MON3[m]}", f"{MON3[m]} {d}", False
    if r < 0.60:                                   # nth weekday of month
        m, w, n = rng.randrange(12), rng.randrange(7), rng.randrange(4)
        return (f"{NTH[n]} {WEEKDAYS[w]} of {MONTHS[m]}",
                f"{WD3[w]} {MON3[m]} {1 + 7 * n}", False)
    if r < 0.70:                                   # last weekday of month
        m, w = rng.randrange(12), rng.randrange(7)
        if m == 1:   # February's length varies: first <wd> of March, minus 7
            rem = f"{WD3[w]} Mar 1 --7"
        else:
            rem = f"{WD3[w]} {MON3[m]} {DAYS_IN[m] - 6}"
        return f"last {WEEKDAYS[w]} of {MONTHS[m]}", rem, False
    if r < 0.80:                                   # weekday on or after
        m, w = rng.randrange(12), rng.randrange(7)
        d = rng.randint(1, 28 if m == 1 else DAYS_IN[m])
        return (f"{WEEKDAYS[w]} on or after {MONTHS[m]} {d}",
                f"{WD3[w]} {MON3[m]} {d}", False)
    if r < 0.85:                                   # weekday on or before
        m, w = rng.randrange(12), rng.randrange(7)
        d = rng.randint(7, 28)
        return (f"{WEEKDAYS[w]} on or before {MONTHS[m]} {d}",
                f"{WD3[w]} {MON3[m]} {d - 6}", False)
    if r < 0.95:                                   # (orthodox) easter offset
        fn, word = ("easterdate", "easter") if r < 0.92 else ("orthodoxeaster", "orthodox easter")
        n = rng.randint(-47, 60)
        if n == 0:
            every = word
        elif n % 7 == 0 and rng.random() < 0.5:
            weeks = abs(n) // 7
            every = f"{word} {'+' if n > 0 else '-'}{weeks} week{'s' if weeks != 1 else ''}"
        else:
            every = f"{word} {n:+d} day{'s' if abs(n) != 1 else ''}"
        shift = f"{-n:+d}" if n else ""
        back = f"{n:+d}" if n else ""
        return every, f"[{fn}(today(){shift}){back}]", False
    m = rng.randrange(12)                          # whole month
    return MONTHS[m], MON3[m], True


def make_title(rng, is_month):
    if is_month:
        return f"{rng.choice(GROUPS)} in {rng.choice(FIELDS)} {rng.choice(['History', 'Heritage', 'Awareness'])} Month"
    form = rng.randrange(3)
    if form == 0:
        return f"{rng.choice(ADJ)} Day of {rng.choice(GROUPS)} in {rng.choice(FIELDS)}"
    if form == 1:
        return f"{rng.choice(ADJ)} {rng.choice(FIELDS)} {rng.choice(THEMES)} Day"
    return f"{rng.choice(GROUPS)} in {rng.choice(FIELDS)} {rng.choice(THEMES)} Day"


def generate(n, seed):
    rng = random.Random(seed)
    events = []
    for i in range(1, n + 1):
        every, rem, is_month = make_rule(rng)
        title = make_title(rng, is_month)
        ev = {
            "id": f"{slug(title)[:48].rstrip('-')}-{i:06d}",
            "title": title,
            "every": every,
            "remind": rem,
            "campaign": "month" if is_month else rng.choice(DAY_CAMPAIGNS),
            "url": f"https://example.org/{slug(title)}" if rng.random() < 0.8 else None,
            "description": f"Talks, stories and resources to mark {title}." if rng.random() < 0.7 else None,
            "tags": rng.sample(TAGS, rng.randint(1, 3)) if rng.random() < 0.6 else None,
            "hashtag": "#" + "".join(w for w in title.split() if w.isalpha())[:30] if rng.random() < 0.3 else None,
            "extra_step": rng.random() < 0.1,
        }
        events.append(ev)
    return events


OWN_STEPS = (
    "    steps:\n"
    "      - at: -1w\n"
    "        channels: [edi-team]\n"
    '        message: "{{title}} is a week away ({{date}}): plan something with {{org}}."\n'
    "      - at: 0\n"
    '        message: "Today is {{title}}. {{#url}}Read more: {{url}}{{/url}}"\n'
)


def write_yaml(events, path, n, seed, own_steps=False):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# Generated by bench/gen_calendar.py --events {n} --seed {seed}. Do not edit.\n")
        f.write("version: 1\ntimezone: Europe/London\n")
        f.write("workdays: [Mon, Tue, Wed, Thu, Fri]\n")
        f.write("holidays: [" + ", ".join(HOLIDAYS) + "]\n")
        f.write('vars: { org: "the Engineering & Science EDI Network", hashtag: "#EngSciInclusion" }\n')
        f.write('defaults:\n  time: "09:30"\n  channels: [staff-slack]\n  not_workday: keep\n')
        f.write(CAMPAIGNS)
        f.write("events:\n")
        for ev in events:
            f.write(f"  - id: {ev['id']}\n")
            f.write(f"    title: {q(ev['title'])}\n")
            f.write(f"    every: {ev['every']}\n")
            if ev["url"]:
                f.write(f"    url: {ev['url']}\n")
            if ev["description"]:
                f.write(f"    description: {q(ev['description'])}\n")
            if ev["tags"]:
                f.write(f"    tags: [{', '.join(ev['tags'])}]\n")
            if ev["hashtag"]:
                f.write(f"    vars: {{ hashtag: {q(ev['hashtag'])} }}\n")
            if own_steps:
                f.write(OWN_STEPS)
                continue
            f.write(f"    campaign: {ev['campaign']}\n")
            if ev["extra_step"]:
                f.write("    steps:\n")
                f.write("      - at: +1d\n")
                f.write("        channels: [edi-team]\n")
                f.write('        message: "Share your photos from {{title}} ({{date}}) with {{org}}."\n')


def write_remind(events, path, n, seed):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"# Generated by bench/gen_calendar.py --events {n} --seed {seed}. Do not edit.\n")
        f.write("# The same events as the herald calendar; each MSG starts with the herald id.\n")
        for ev in events:
            f.write(f"REM {ev['remind']} MSG {ev['id']} {ev['title']}\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", "-n", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--yaml", required=True, help="herald calendar to write")
    p.add_argument("--remind", required=True, help="remind script to write")
    p.add_argument("--own-steps", action="store_true", help="two steps per event instead of a campaign")
    a = p.parse_args(argv)
    if a.events < 1:
        p.error("--events must be at least 1")
    events = generate(a.events, a.seed)
    write_yaml(events, a.yaml, a.events, a.seed, a.own_steps)
    write_remind(events, a.remind, a.events, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
