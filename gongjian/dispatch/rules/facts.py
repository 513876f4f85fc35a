"""What the light rules read (ProjectFacts) and what each rule says (Finding).

The caller fills ProjectFacts from its models; the rules never see a model. Dates that lie
after `as_of` (a start or a registration recorded later) are treated as not yet happened,
so a past period's light can be recomputed and comes out as it was then.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from gongjian.dispatch.rules.colours import Colour
from gongjian.dispatch.rules.schedule import check_monthly_plan, months_ended


@dataclass(frozen=True)
class ProjectFacts:
    as_of: datetime.date  # the last day the figures cover (the period's end)
    year: int  # the plan year; as_of may fall after it (a weekly period ending in January)
    # The report covers months 1..period_month (1–4月 -> 4). None: the months ended by as_of.
    period_month: int | None = None
    total_investment: Decimal | None = None  # 万元
    annual_plan: Decimal | None = None  # 万元, this year's planned investment
    completed_ytd: Decimal = Decimal(0)  # 万元, January to as_of
    completed_since_start: Decimal | None = None  # 万元, not used by the rules yet
    monthly_plan: tuple[Decimal, ...] | None = None  # 12 planned amounts (万元), Jan..Dec
    planned_start: datetime.date | None = None
    actual_start: datetime.date | None = None
    # Started without a known date; ignored when actual_start is given (the date decides).
    has_started: bool = False
    stats_registered: bool = False  # 纳统 / 入库; ignored when stats_registered_on is given
    stats_registered_on: datetime.date | None = None
    missed_periods_in_a_row: int = 0  # 0 = this period's report is filed

    def __post_init__(self) -> None:
        if self.period_month is not None and not 1 <= self.period_month <= 12:
            raise ValueError(f"period_month must be 1..12, got {self.period_month}")
        if self.missed_periods_in_a_row < 0:
            raise ValueError("missed_periods_in_a_row must not be negative")
        for name in ("total_investment", "annual_plan"):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        # An all-zero plan is allowed here and means "no monthly plan" to the rules.
        if self.has_monthly_plan:
            check_monthly_plan(self.monthly_plan)
        elif self.monthly_plan is not None and len(self.monthly_plan) != 12:
            raise ValueError("monthly_plan must hold 12 monthly planned amounts")

    @property
    def through_month(self) -> int:
        """Months 1..through_month are covered (0..12)."""
        if self.period_month is not None:
            return self.period_month
        return months_ended(self.year, self.as_of)

    @property
    def started(self) -> bool:
        if self.actual_start is not None:
            return self.actual_start <= self.as_of
        return self.has_started

    @property
    def registered(self) -> bool:
        if self.stats_registered_on is not None:
            return self.stats_registered_on <= self.as_of
        return self.stats_registered

    @property
    def has_monthly_plan(self) -> bool:
        return self.monthly_plan is not None and any(self.monthly_plan)


@dataclass(frozen=True)
class Finding:
    """One rule's verdict. colour None: it does not colour the light, either because the
    rule could not judge (judged=False, e.g. no annual plan) or because it is only a note
    (judged=True, e.g. ahead of plan)."""

    rule: str  # the rule kind, e.g. "gap_to_schedule"
    colour: Colour | None
    message: str
    numbers: dict = field(default_factory=dict)  # plain values: Decimal, int, str, date
    clear_hint: str = ""
    judged: bool = True

    def to_dict(self) -> dict:
        """JSON-safe (Decimal and dates as strings), for Light.findings."""
        return {
            "rule": self.rule,
            "colour": str(self.colour) if self.colour else None,
            "numbers": {key: _json_value(value) for key, value in self.numbers.items()},
            "message": str(self.message),
            "clear_hint": str(self.clear_hint),
            "judged": self.judged,
        }


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # TextChoices members become plain strings
    return value
