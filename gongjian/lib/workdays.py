"""Working days on the official calendar: weekends off, public holidays off, and the 调休
make-up Saturdays and Sundays on. Deadlines in the problems workflow count in these days.

The State Council publishes each year's schedule in November or December; `chinese_calendar`
carries the published years. For a year it does not know yet, the office records the announced
days as overrides (WorkdayOverride in the problems app); without them, Monday to Friday count.
Pure functions: callers pass the overrides as a {date: is_workday} mapping.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping

import chinese_calendar

Overrides = Mapping[datetime.date, bool]
NO_OVERRIDES: Overrides = {}
ONE_DAY = datetime.timedelta(days=1)


def is_workday(day: datetime.date, overrides: Overrides = NO_OVERRIDES) -> bool:
    if day in overrides:
        return overrides[day]
    return _official_workday(day)


@functools.lru_cache(maxsize=16384)
def _official_workday(day: datetime.date) -> bool:
    # Cached: the package checks each date against its whole range first (a max() and a min()
    # over every known day), a few microseconds that deadline loops repeat millions of times.
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no schedule for
        return day.weekday() < 5


def add_workdays(start: datetime.date, days: int, overrides: Overrides = NO_OVERRIDES):
    """The date `days` working days after `start` (start itself does not count, as with
    "within 10 working days of assignment"). Zero gives `start` back."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += ONE_DAY
        if is_workday(day, overrides):
            remaining -= 1
    return day


def workdays_between(
    start: datetime.date, end: datetime.date, overrides: Overrides = NO_OVERRIDES
) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -workdays_between(end, start, overrides)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        count += is_workday(day, overrides)
    return count
