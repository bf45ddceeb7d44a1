#!/usr/bin/python3
"""Differential oracle for calendar/hebrew_date.cpp: every day of the Hebrew
years FIRST..LAST (arguments) as convertdate computes it, one line each:
`<hebrew year> <month, numbered from Tishrei as herald does> <day> <YYYY-MM-DD>`.
Needs Debian's python3-convertdate (run with /usr/bin/python3)."""
import sys

from convertdate import gregorian, hebrew

# convertdate numbers months from Nisan (1) with Adar 12 and Adar II 13;
# herald from Tishrei with Adar I 6 and Adar (II) 7.
def herald_month(year, month):
    if month >= 7:
        return {7: 1, 8: 2, 9: 3, 10: 4, 11: 5}[month] if month <= 11 else (
            (6 if month == 12 else 7) if hebrew.leap(year) else 7)
    return month + 7


first, last = int(sys.argv[1]), int(sys.argv[2])
for year in range(first, last + 1):
    for month in range(1, hebrew.year_months(year) + 1):
        for day in range(1, hebrew.month_days(year, month) + 1):
            y, m, d = gregorian.from_jd(hebrew.to_jd(year, month, day))
            print(f"{year} {herald_month(year, month)} {day} {y:04d}-{m:02d}-{d:02d}")
