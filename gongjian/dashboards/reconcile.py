"""check_figures: every figure a period publishes, compared with the plain-SQL truth (truth.py).

Each output that shows figures has a check: a function of a `Context` that reads the figures the
way its page, export or API does (through their public read functions) and hands each one, with
the truth, to `Context.compare`. The checks of the apps above this one (the bulletin, the big
screen) register themselves from their AppConfig.ready() with `register`, so this module never
imports them; the command (management/commands/check_figures.py) runs them all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from gongjian.dashboards.truth import PeriodRow, Truth
from gongjian.dispatch.models import Campaign, Period
from gongjian.dispatch.rules.rulesets import resolve_rule_set, schedule_variant

# The order the checks run and print in; a check not named here runs last.
ORDER = ("desk", "due", "lights", "cockpit", "screen", "bulletin", "targets", "scores")

_CHECKS: dict[str, Callable[[Context], None]] = {}


def register(name: str, check: Callable[[Context], None]) -> None:
    """Add (or replace) the check called `name`: run by every check_figures from now on."""
    _CHECKS[name] = check


def registered() -> list[tuple[str, Callable]]:
    def position(name: str) -> tuple[int, str]:
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)

    return [(name, _CHECKS[name]) for name in sorted(_CHECKS, key=position)]


@dataclass(frozen=True)
class Difference:
    figure: str  # "cockpit.completed_ytd": the output and the figure
    where: str  # the unit, area, project or row the figure belongs to ("" for the whole)
    shown: str
    truth: str


@dataclass
class Context:
    """One run: the campaign's period being checked, its truth, and what was found."""

    campaign: Campaign
    period: Period
    today: datetime.date
    latest: bool  # the campaign's latest ended period: what the pages show by default
    truth: Truth
    reader: object = None  # a user who sees the whole deployment (the desk is per user)
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    compared: int = 0

    def compare(self, figure: str, shown, truth, where: str = "") -> bool:
        """Record `shown` against `truth`; numbers compare by value (213.9 equals 213.90, a
        JSON float is read back as the decimal it prints as). Returns whether they agree."""
        self.compared += 1
        if _value(shown) == _value(truth):
            return True
        self.differences.append(Difference(figure, str(where), _text(shown), _text(truth)))
        return False

    def compare_all(self, prefix: str, shown: dict, truth: dict, where: str = "") -> None:
        """Every key of either mapping, a missing one as None."""
        for key in sorted(set(shown) | set(truth), key=str):
            self.compare(f"{prefix}.{key}", shown.get(key), truth.get(key), where)

    def note(self, text: str) -> None:
        self.notes.append(str(text))


def _value(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | Decimal):
        return Fraction(value)  # compares equal to the same Decimal, float-free
    return value


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def period_row(period: Period) -> PeriodRow:
    return PeriodRow(period.pk, period.label, period.start, period.end, period.deadline)


def run(
    campaign: Campaign,
    period: Period,
    *,
    today: datetime.date,
    latest: bool,
    reader=None,
    only: list[str] | None = None,
) -> Context:
    """Run every registered check (or those named in `only`) on `period` of `campaign`."""
    rule_set = resolve_rule_set(campaign.rule_preset, campaign.rule_set)
    variant = schedule_variant(rule_set)
    truth = Truth(campaign.pk, campaign.year, period_row(period), today, variant)
    context = Context(campaign, period, today, latest, truth, reader)
    for name, check in registered():
        if only is None or name in only:
            check(context)
    return context
