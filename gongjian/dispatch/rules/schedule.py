"""序时进度: how much of the annual plan should be done by a date, and how far a project is from it.

Three variants (ScheduleVariant), all returning a share of the year as an exact Fraction:

- month_linear (the usual one): months elapsed ÷ 12. Bulletins compare a 1–4月 report with
  4/12 = 33.3% and a 1–5月 report with 5/12 = 41.7% (cn-platforms §1.6, two reports that check
  out exactly). A month counts once it has ended, so as of 2024-04-30 four months have elapsed
  but as of 2024-04-29 only three.
- day_linear: days elapsed in the year, counting as_of itself, ÷ days in the year (366 in leap
  years). Through month m it is the days up to the month's last day.
- plan_curve: planned amount of months 1..m ÷ the year's planned total, from twelve monthly
  planned amounts (南宁 compares actual with this curve instead of with linear time).

Shares are exact Fractions, not Decimals, because 1/3 has no exact Decimal and a rule at a
threshold (exactly 10 points behind) must not tip over on a rounding error in the 28th digit.
Inputs may be Decimal, int or Fraction; floats are refused for the same reason. Only what is
shown is rounded, once, by lib/figures_format.py: percentages and points to 1 decimal place,
half up (away from zero).
"""

from __future__ import annotations

import calendar
import datetime
import math
from decimal import Decimal
from fractions import Fraction

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from gongjian.dispatch.rules.i18n import gettext as _
from gongjian.lib.figures_format import exact, percent_of, point_gap, round_half_up

Number = Decimal | int | Fraction


class ScheduleVariant(TextChoices):
    MONTH_LINEAR = "month_linear", gettext_lazy("Months elapsed ÷ 12")
    DAY_LINEAR = "day_linear", gettext_lazy("Days elapsed ÷ days in the year")
    PLAN_CURVE = "plan_curve", gettext_lazy("Cumulative monthly plan ÷ annual plan")


DEFAULT_VARIANT = ScheduleVariant.MONTH_LINEAR


# --- exact numbers in, rounded Decimals out ----------------------------------------------------


def round_up_cents(value: Number, *, strictly_above: bool = False) -> Decimal:
    """The smallest amount in 0.01 steps that is >= value (or > value when strictly_above).

    Used for "complete X 万元 more": rounding down would promise a colour the project
    does not get.
    """
    cents = exact(value) * 100
    ceiling = math.floor(cents) + 1 if strictly_above else math.ceil(cents)
    return Decimal(ceiling).scaleb(-2)


def percent(share: Number) -> Decimal:
    """A share as a percentage for display: Fraction(1, 3) -> Decimal('33.3')."""
    return percent_of(share).value


def share_decimal(share: Number) -> Decimal:
    """A share as a plain Decimal with 4 places (0.3333), for the numbers of a finding."""
    return round_half_up(share, 4)


# --- elapsed time ------------------------------------------------------------------------------


def is_month_end(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def months_elapsed(as_of: datetime.date) -> int:
    """Whole months of as_of's year that have ended by as_of (0..12).

    A month ends on its last day: 2024-04-30 -> 4 (a 1–4月 report), 2024-04-29 -> 3.
    """
    return as_of.month if is_month_end(as_of) else as_of.month - 1


def month_index(day: datetime.date) -> int:
    """Months since year 0, so that month differences are plain subtraction."""
    return day.year * 12 + day.month - 1


def _days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def months_ended(year: int, as_of: datetime.date) -> int:
    """Months of `year` that have ended by as_of (0..12).

    A date after the year has the whole year behind it (a weekly period may end in January of
    the next year); a date before it has none.
    """
    if as_of.year != year:
        return 12 if as_of.year > year else 0
    return months_elapsed(as_of)


def last_ended_month(as_of: datetime.date) -> int:
    """month_index() of the last month that has ended by as_of."""
    return month_index(as_of) if is_month_end(as_of) else month_index(as_of) - 1


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, clamped to the month's end (2024-01-31 + 1 = 2024-02-29)."""
    year, month = divmod(month_index(day) + months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last_day))


def _through_month(year: int, through_month: int | None, as_of: datetime.date | None) -> int:
    if (through_month is None) == (as_of is None):
        raise ValueError("give exactly one of through_month and as_of")
    if as_of is not None:
        return months_ended(year, as_of)
    if not 0 <= through_month <= 12:
        raise ValueError(f"through_month must be 0..12, got {through_month}")
    return through_month


def _days_elapsed(year: int, through_month: int | None, as_of: datetime.date | None) -> int:
    if as_of is None:
        month = _through_month(year, through_month, None)
        return sum(calendar.monthrange(year, m)[1] for m in range(1, month + 1))
    if as_of.year != year:  # as in months_ended()
        return _days_in_year(year) if as_of.year > year else 0
    return as_of.timetuple().tm_yday  # counts as_of itself: 1 January is day 1


def check_monthly_plan(monthly_plan) -> tuple[Fraction, ...]:
    """Twelve non-negative planned amounts with a positive total, as Fractions."""
    if monthly_plan is None or len(monthly_plan) != 12:
        raise ValueError("monthly_plan must hold 12 monthly planned amounts")
    amounts = tuple(exact(amount) for amount in monthly_plan)
    if any(amount < 0 for amount in amounts):
        raise ValueError("monthly_plan amounts must not be negative")
    if sum(amounts) <= 0:
        raise ValueError("monthly_plan must plan something in the year")
    return amounts


def cumulative_plan(monthly_plan, through_month: int) -> Fraction:
    """Planned amount of months 1..through_month (0 gives 0)."""
    return sum(check_monthly_plan(monthly_plan)[:through_month], Fraction(0))


def expected_share(
    variant: str = DEFAULT_VARIANT,
    *,
    year: int,
    through_month: int | None = None,
    as_of: datetime.date | None = None,
    monthly_plan=None,
) -> Fraction:
    """序时进度 of `year`: the share of the annual plan that should be done.

    Give exactly one of `through_month` (the report covers months 1..through_month; 0 before
    the first month has ended) or
    `as_of` (a date: month variants count the months ended by it, day_linear counts its days).
    plan_curve needs `monthly_plan`: 12 planned amounts; their total is the annual plan.
    Examples: month_linear through 4 -> 1/3; day_linear as of 2024-04-30 -> 121/366.
    """
    if variant == ScheduleVariant.MONTH_LINEAR:
        return Fraction(_through_month(year, through_month, as_of), 12)
    if variant == ScheduleVariant.DAY_LINEAR:
        return Fraction(_days_elapsed(year, through_month, as_of), _days_in_year(year))
    if variant == ScheduleVariant.PLAN_CURVE:
        amounts = check_monthly_plan(monthly_plan)
        month = _through_month(year, through_month, as_of)
        return sum(amounts[:month], Fraction(0)) / sum(amounts)
    raise ValueError(f"unknown schedule variant {variant!r}")


# --- actual against expected -------------------------------------------------------------------


def completion_share(completed_ytd: Number, annual_plan: Number | None) -> Fraction | None:
    """Year-to-date amount ÷ annual plan; None when there is no plan to divide by."""
    if annual_plan is None or exact(annual_plan) == 0:
        return None
    if exact(annual_plan) < 0:
        raise ValueError(f"annual plan must not be negative, got {annual_plan}")
    return exact(completed_ytd) / exact(annual_plan)


def gap_fraction(actual_share: Number, expected_share: Number) -> Fraction:
    """Exact gap in percentage points, positive = ahead of the time schedule."""
    return (exact(actual_share) - exact(expected_share)) * 100


def gap_points(actual_share: Number, expected_share: Number) -> Decimal:
    """Gap in percentage points for display, 1 decimal place, positive = ahead.

    31.7% against 4/12 -> Decimal('-1.6'): 1.6 points below the time schedule.
    """
    return point_gap(actual_share, expected_share).value


def describe_gap(points: Decimal) -> str:
    """高于/低于序时进度…个百分点, from the rounded points of gap_points()."""
    if points > 0:
        return _("%(points)s percentage points above the time schedule") % {"points": points}
    if points < 0:
        return _("%(points)s percentage points below the time schedule") % {"points": -points}
    return _("on the time schedule")
