#!/usr/bin/python3
"""Reads an iCalendar file with Debian's python3-icalendar (a parser
independent of herald's writer) and prints each VEVENT on one line:
`UID|DTSTART|DTEND|SUMMARY|DESCRIPTION|URL|CATEGORIES|TRANSP`, with
newlines in values shown as `\\n`. Fails on anything it cannot parse."""
import sys

from icalendar import Calendar

with open(sys.argv[1], "rb") as f:
    cal = Calendar.from_ical(f.read())
print("CALNAME|" + str(cal.get("X-WR-CALNAME")))
for event in cal.walk("VEVENT"):
    cats = event.get("CATEGORIES")
    categories = ",".join(str(c) for c in cats.cats) if cats is not None else ""
    fields = [
        str(event.get("UID")),
        event.decoded("DTSTART").isoformat(),
        event.decoded("DTEND").isoformat(),
        str(event.get("SUMMARY")),
        str(event.get("DESCRIPTION", "")),
        str(event.get("URL", "")),
        categories,
        str(event.get("TRANSP")),
    ]
    print("|".join(f.replace("\n", "\\n") for f in fields))
