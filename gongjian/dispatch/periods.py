"""Reporting periods from a campaign's cadence and deadline rule (pure date arithmetic)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongjian.dispatch.models import Cadence

TEN_DAY_PARTS = ((1, 10), (11, 20), (21, None))  # 上旬, 中旬, 下旬 (to the month's end)


@dataclass(frozen=True)
class PeriodSpec:
    label: str
    start: datetime.date
    end: datetime.date
    deadline: datetime.datetime  # naive, in the deployment's time zone


def periods_for_year(
    year: int, cadence: str, deadline_days: int, deadline_time: datetime.time
) -> list[PeriodSpec]:
    """Every period of `year` for the cadence, each with its filing deadline: the period's last
    day plus `deadline_days`, at `deadline_time` (monthly by the 5th = 5 days, 23:59)."""
    spans = {
        Cadence.MONTHLY: _months,
        Cadence.TEN_DAY: _ten_days,
        Cadence.WEEKLY: _weeks,
    }[cadence](year)
    return [
        PeriodSpec(
            label,
            start,
            end,
            datetime.datetime.combine(end + datetime.timedelta(days=deadline_days), deadline_time),
        )
        for label, start, end in spans
    ]


def _months(year: int):
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        label = _("%(year)s-%(month)02d") % {"year": year, "month": month}
        yield label, datetime.date(year, month, 1), datetime.date(year, month, last)


def _ten_days(year: int):
    names = (_("early"), _("middle"), _("late"))
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        for name, (first_day, last_day) in zip(names, TEN_DAY_PARTS, strict=True):
            label = _("%(year)s-%(month)02d %(part)s") % {
                "year": year,
                "month": month,
                "part": name,
            }
            yield (
                label,
                datetime.date(year, month, first_day),
                datetime.date(year, month, last_day or last),
            )


def _weeks(year: int):
    """ISO weeks (Monday to Sunday) whose Monday falls in `year`."""
    day = datetime.date(year, 1, 1)
    day += datetime.timedelta(days=(7 - day.weekday()) % 7)  # the first Monday
    number = 1
    while day.year == year:
        label = _("%(year)s week %(week)s") % {"year": year, "week": number}
        yield label, day, day + datetime.timedelta(days=6)
        day += datetime.timedelta(days=7)
        number += 1
