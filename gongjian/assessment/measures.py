"""Indicator values per unit and period.

The facts of every listed project are loaded once per period (a few queries whatever the
number of indicators): its unit, amounts, flags, level, start and completion dates, and the
accepted amount of the year through the period. Each indicator is then a filter and a sum over
those rows in Python, rolled up the unit tree: 20 indicators over 100,000 projects cost 20
passes over a list, not 20 GROUP BYs over a million reports.

Indicator params (checked by params_error):
- "of": what to add up or count:
    sums:   "total_investment", "annual_plan", "completed_ytd"
    counts: "projects", "starts" (started this year by the period's end), "completions",
            "late_starts" (planned to start by the period's end, not started)
- "where": which projects: {"levels": ["province", "city"], "min_total_investment": 10000,
  "created_in_year": true, "flags": ["is_manufacturing", "in_park", "is_high_tech",
  "foreign", "registered"], "stages": ["new_start", …]}
- share: "part": a further "where" for the numerator (the denominator is "where" alone)
- rate: "of": "problems_on_time" (closed on time ÷ closed, by the project's unit) or
  "filing_on_time" (reports filed by the deadline ÷ reports due, this year)
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import Unit
from gongjian.dispatch.models import Report, completed_amount
from gongjian.problems.models import Problem, Status
from gongjian.projects.models import AnnualListing, Milestone, Project

SUMS = {"total_investment", "annual_plan", "completed_ytd"}
COUNTS = {"projects", "starts", "completions", "late_starts"}
RATES = {"problems_on_time", "filing_on_time"}
FLAGS = {"is_manufacturing", "is_high_tech", "is_livelihood", "in_park", "foreign", "registered"}
WHERE_KEYS = {"levels", "min_total_investment", "created_in_year", "flags", "stages"}


def params_error(measure: str, params: dict) -> str | None:
    """Why the params cannot work, or None."""
    if not isinstance(params, dict):
        return _("Parameters must be an object.")
    of = params.get("of")
    allowed = {
        "sum": SUMS,
        "count": COUNTS,
        "share": SUMS | {"projects"},
        "rate": RATES,
    }.get(measure, set())
    if of not in allowed:
        return _("“of” must be one of: %(names)s.") % {"names": ", ".join(sorted(allowed))}
    for key in ("where", "part"):
        where = params.get(key, {})
        if not isinstance(where, dict) or set(where) - WHERE_KEYS:
            return _("“%(key)s” may use only: %(names)s.") % {
                "key": key,
                "names": ", ".join(sorted(WHERE_KEYS)),
            }
        if set(where.get("flags", [])) - FLAGS:
            return _("Unknown flag in “%(key)s”.") % {"key": key}
    if measure == "share" and not params.get("part"):
        return _("A share needs a “part”.")
    return None


@dataclass(frozen=True)
class Row:
    unit_id: int
    total: Decimal
    plan: Decimal
    completed: Decimal
    level: str
    created_year: int
    stage: str
    flags: frozenset
    started: bool
    completed_in_year: bool
    late_start: bool


@dataclass
class PeriodFacts:
    year: int
    end: datetime.date
    rows: list[Row]
    unit_paths: dict[int, str]  # every unit id → its path, for the roll-up
    rates: dict[str, dict[int, tuple[int, int]]]  # rate name → unit → (numerator, denominator)
    # by_unit's answers by measure and params: every group of a scheme, and every item on the
    # same indicator, asks for the same pass over the rows.
    by_unit_cache: dict = field(default_factory=dict, repr=False)


def load_facts(year: int, month: int) -> PeriodFacts:
    """Everything the indicators need for the period ending with `month` of `year`."""
    end = (datetime.date(year + month // 12, month % 12 + 1, 1)) - datetime.timedelta(days=1)
    listed = Project.objects.listed(year)
    listings = {
        pk: (plan or Decimal(0), level)
        for pk, plan, level in AnnualListing.objects.filter(year=year).values_list(
            "project_id", "planned_investment", "level"
        )
    }
    completed, filing = _report_figures(year, end)
    milestones = Milestone.objects.filter(actual_date__year=year, actual_date__lte=end)
    starts = set(milestones.filter(kind__code="start").values_list("project_id", flat=True))
    completions = set(
        milestones.filter(kind__code="completion").values_list("project_id", flat=True)
    )
    rows = []
    for values in listed.values_list(
        "pk",
        "responsible_unit_id",
        "total_investment",
        "created_at",
        "stage__code",
        "stage__is_started",
        "is_manufacturing",
        "is_high_tech",
        "is_livelihood",
        "park_id",
        "investment_source",
        "stats_status",
        "planned_start",
    ).iterator(chunk_size=5000):
        (pk, unit_id, total, created, stage, is_started, manufacturing, high_tech, livelihood,
         park_id, source, stats, planned_start) = values  # fmt: skip
        flags = {
            name
            for name, on in (
                ("is_manufacturing", manufacturing),
                ("is_high_tech", high_tech),
                ("is_livelihood", livelihood),
                ("in_park", park_id is not None),
                ("foreign", source != "domestic"),
                ("registered", stats == "yes"),
            )
            if on
        }
        plan, level = listings.get(pk, (Decimal(0), ""))
        rows.append(
            Row(
                unit_id=unit_id,
                total=total or Decimal(0),
                plan=plan,
                completed=completed.get(pk, Decimal(0)),
                level=level,
                created_year=created.year,
                stage=stage,
                flags=frozenset(flags),
                started=pk in starts,
                completed_in_year=pk in completions,
                late_start=bool(
                    planned_start and planned_start <= end and not is_started and pk not in starts
                ),
            )
        )
    return PeriodFacts(
        year=year,
        end=end,
        rows=rows,
        unit_paths=dict(Unit.objects.values_list("pk", "path")),
        rates={
            "problems_on_time": _problem_rates(year, end),
            "filing_on_time": filing,
        },
    )


def _problem_rates(year, end) -> dict[int, tuple[int, int]]:
    from django.db.models import F

    # Closed by the end of `end` local time: the same as closed_at__date__lte=end, without
    # SQLite calling back into Python for every row.
    day_after = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    closed = Problem.objects.filter(
        status=Status.CLOSED, closed_at__year=year, closed_at__lt=day_after
    ).exclude(project__isnull=True)
    rows = (
        closed.order_by()
        .values_list("project__responsible_unit_id")
        .annotate(
            n=Count("*"),
            on_time=Count("pk", filter=Q(replied_at__date__lte=F("resolve_due"))),
        )
    )
    return {unit: (on_time, n) for unit, n, on_time in rows}


def _report_figures(year, end) -> tuple[dict, dict[int, tuple[int, int]]]:
    """One pass over the year's current reports through `end`: each project's accepted amount
    (its completed investment to date), and each unit's filing rate (reports filed by the
    deadline ÷ reports filed)."""
    from django.db.models import F

    rows = (
        Report.objects.filter(is_current=True)
        .ended_by(year, end)
        .order_by()
        .values_list("project_id", "project__responsible_unit_id")
        .annotate(
            amount=completed_amount(),  # Report.objects.through_date(year, end), per project
            filed=Count("pk", filter=Q(submitted_at__isnull=False)),
            on_time=Count("pk", filter=Q(submitted_at__lte=F("period__deadline"))),
        )
    )
    completed: dict[int, Decimal] = {}
    filing: dict[int, tuple[int, int]] = {}
    for project_id, unit_id, amount, filed, on_time in rows:
        if amount is not None:
            completed[project_id] = amount
        if filed:
            earlier_on_time, earlier_filed = filing.get(unit_id, (0, 0))
            filing[unit_id] = (earlier_on_time + on_time, earlier_filed + filed)
    return completed, filing


def _select(rows: list[Row], where: dict, year: int) -> list[Row]:
    """The rows that meet `where`, one condition at a time over a shrinking list: this runs
    over every project for each indicator."""
    if "levels" in where:
        levels = set(where["levels"])
        rows = [row for row in rows if row.level in levels]
    if "min_total_investment" in where:
        floor = Decimal(str(where["min_total_investment"]))
        rows = [row for row in rows if row.total >= floor]
    if where.get("created_in_year"):
        rows = [row for row in rows if row.created_year == year]
    if "stages" in where:
        stages = set(where["stages"])
        rows = [row for row in rows if row.stage in stages]
    if where.get("flags"):
        flags = frozenset(where["flags"])
        rows = [row for row in rows if flags <= row.flags]
    return rows


AMOUNTS = {
    "total_investment": attrgetter("total"),
    "annual_plan": attrgetter("plan"),
    "completed_ytd": attrgetter("completed"),
    "projects": lambda row: 1,
    "starts": lambda row: int(row.started),
    "completions": lambda row: int(row.completed_in_year),
    "late_starts": lambda row: int(row.late_start),
}


def by_unit(indicator_measure: str, params: dict, facts: PeriodFacts) -> dict[int, tuple]:
    """{responsible unit id: (numerator, denominator)} before the roll-up; the denominator is
    1 for sums and counts. Worked out once per facts for the same measure and params."""
    key = (indicator_measure, json.dumps(params, sort_keys=True))
    if key not in facts.by_unit_cache:
        facts.by_unit_cache[key] = _by_unit(indicator_measure, params, facts)
    return dict(facts.by_unit_cache[key])


def _by_unit(indicator_measure: str, params: dict, facts: PeriodFacts) -> dict[int, tuple]:
    of, where = params["of"], params.get("where", {})
    if indicator_measure == "rate":
        return dict(facts.rates[of])
    if of not in AMOUNTS:
        raise ValueError(of)
    amount = AMOUNTS[of]
    numerators: dict[int, Decimal] = defaultdict(Decimal)
    denominators: dict[int, Decimal] = defaultdict(Decimal)
    rows = _select(facts.rows, where, facts.year)
    if indicator_measure == "share":
        for row in rows:
            denominators[row.unit_id] += amount(row)
        for row in _select(rows, params.get("part") or {}, facts.year):
            numerators[row.unit_id] += amount(row)
    else:
        one = Decimal(1)
        for row in rows:
            numerators[row.unit_id] += amount(row)
            denominators[row.unit_id] = one
    return {unit: (numerators[unit], denominators[unit]) for unit in denominators}


def values_for(indicator, facts: PeriodFacts, unit_ids) -> dict[int, Decimal | None]:
    """The indicator for each of `unit_ids`, with everything under it rolled up: a sum or a
    count adds up, a share or a rate divides the rolled-up parts (as a percentage)."""
    raw = by_unit(indicator.measure, indicator.params, facts)
    paths = facts.unit_paths
    totals: dict[int, list[Decimal]] = {}
    # A path is "000001/000004/…": the units a row rolls up to are the wanted ones whose path
    # is one of its prefixes ending with "/" (the same as path.startswith(wanted path)).
    wanted: dict[str, list[int]] = {}
    for pk in unit_ids:
        wanted.setdefault(paths[pk], []).append(pk)
    for unit_id, (numerator, denominator) in raw.items():
        path = paths.get(unit_id, "")
        for end in _prefix_ends(path):
            for target in wanted.get(path[:end], ()):
                pair = totals.setdefault(target, [Decimal(0), Decimal(0)])
                pair[0] += Decimal(numerator)
                pair[1] += Decimal(denominator)
    result = {}
    for unit_id in unit_ids:
        numerator, denominator = totals.get(unit_id, (Decimal(0), Decimal(0)))
        if indicator.measure in ("share", "rate"):
            result[unit_id] = numerator / denominator * 100 if denominator else None
        else:
            result[unit_id] = numerator
    return result


def _prefix_ends(path: str) -> list[int]:
    """Where each prefix of a unit path that ends a segment ends: "" and every "…/"."""
    return [0, *(index + 1 for index, char in enumerate(path) if char == "/")]
