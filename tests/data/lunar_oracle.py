#!/usr/bin/python3
"""Differential oracle for calendar/chinese_date.cpp: the lunar date of
every Gregorian day from Lunar New Year 1901 to the last day of lunar year
2099, as Debian's python3-lunardate gives it, one line each:
`YYYY-MM-DD <lunar year> <month> <1 if the leap month else 0> <day>`."""
import datetime

from lunardate import LunarDate

# lunardate answers nonsense past its last year instead of refusing, so
# the end is the last real day of 2099's twelfth month.
try:
    end = LunarDate(2099, 12, 30).toSolarDate()
except ValueError:
    end = LunarDate(2099, 12, 29).toSolarDate()

day = LunarDate(1901, 1, 1).toSolarDate()
while day <= end:
    lunar = LunarDate.fromSolarDate(day.year, day.month, day.day)
    print(f"{day.isoformat()} {lunar.year} {lunar.month} {int(lunar.isLeapMonth)} {lunar.day}")
    day += datetime.timedelta(days=1)
