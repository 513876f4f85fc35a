"""The figures of a period recomputed from the raw tables with plain SQL, for check_figures.

Nothing here goes through a model, a QuerySet or a selector: the queries name the tables and
columns themselves and work the same on SQLite and PostgreSQL, so a mistake in the ORM code the
pages run (a filter too many, a year taken from the wrong date, a stale stored figure, a rounding)
shows up as a difference instead of being repeated here.

The definitions, written once for the check:

- the year's projects are those on the campaign year's list (projects_annuallisting.year);
- completed investment through a period: the accepted current reports of the campaign whose
  period starts in the period's year, on or before the period's start, summed per project;
- started / completed this year: a start / completion milestone dated in the year, by the
  period's end;
- lights: the period's lights of the listed projects, counted for the project's unit now;
- every unit's figure covers its own projects and those of every unit under it (Unit.path).

Money is summed as whole cents (SQLite keeps decimals as binary floats, which do not add up
exactly) and handed back as exact Decimals in 万元.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.db import connection

COLOURS = ("red", "yellow", "blue", "green")
MONEY = ("total_investment", "annual_plan", "completed_ytd")
FIGURES = ("projects", *MONEY, "starts", "completions", "registered", *COLOURS)


def cents(column: str) -> str:
    """SQL for a decimal column as whole cents: exact on both databases."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def money(cents_total) -> Decimal:
    return Decimal(int(cents_total or 0)).scaleb(-2)


def sql_date(day: datetime.date):
    return connection.ops.adapt_datefield_value(day)


def sql_datetime(moment: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def months_ended(year: int, day: datetime.date) -> int:
    """Months of `year` that have ended by `day`: a month ends on its last day."""
    if day.year != year:
        return 12 if day.year > year else 0
    last_day = (day + datetime.timedelta(days=1)).month != day.month
    return day.month if last_day else day.month - 1


def schedule(variant: str, year: int, day: datetime.date) -> Fraction:
    """序时进度 of `year` by `day`: months ended ÷ 12, or with "day_linear" the days elapsed
    (`day` itself included) ÷ the days of the year."""
    if variant != "day_linear":
        return Fraction(months_ended(year, day), 12)
    days = (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days
    if day.year != year:
        return Fraction(1 if day.year > year else 0)
    return Fraction(day.timetuple().tm_yday, days)


@dataclass(frozen=True)
class UnitRow:
    pk: int
    parent_id: int | None
    path: str
    name: str
    short_name: str
    kind: str

    @property
    def ancestors(self) -> list[int]:
        """The unit itself and every unit above it, from its path."""
        return [int(part) for part in self.path.split("/") if part]


@dataclass(frozen=True)
class Listed:
    project_id: int
    name: str
    unit_id: int
    stage_id: int
    total: Decimal
    plan: Decimal
    registered: bool
    planned_start: datetime.date | None  # the listing's, else the project's


@dataclass(frozen=True)
class PeriodRow:
    pk: int
    label: str
    start: datetime.date
    end: datetime.date
    deadline: datetime.datetime


def units() -> dict[int, UnitRow]:
    found = rows("SELECT id, parent_id, path, name, short_name, kind FROM accounts_unit")
    return {row[0]: UnitRow(*row) for row in found}


def campaign_periods(campaign_id: int) -> list[PeriodRow]:
    found = rows(
        'SELECT id, label, start, "end", deadline FROM dispatch_period WHERE campaign_id = %s '
        "ORDER BY start",
        [campaign_id],
    )
    return [PeriodRow(*row) for row in found]


def listed(year: int) -> dict[int, Listed]:
    found = rows(
        f"""SELECT p.id, p.name, p.responsible_unit_id, p.stage_id,
                   {cents("p.total_investment")}, {cents("l.planned_investment")},
                   p.stats_status, l.planned_start, p.planned_start
            FROM projects_annuallisting l JOIN projects_project p ON p.id = l.project_id
            WHERE l.year = %s""",
        [year],
    )
    return {
        pk: Listed(pk, name, unit, stage, money(total), money(plan), stats == "yes", start or other)
        for pk, name, unit, stage, total, plan, stats, start, other in found
    }


# The accepted current reports of a campaign whose period starts from one day to another
# (parameters: accepted_params).
ACCEPTED = (
    "FROM dispatch_report r JOIN dispatch_period pe ON pe.id = r.period_id "
    "WHERE pe.campaign_id = %s AND r.is_current = %s AND r.status = 'accepted' "
    "AND pe.start >= %s AND pe.start <= %s"
)


def accepted_params(campaign_id: int, year: int, through_start: datetime.date) -> list:
    return [campaign_id, True, sql_date(datetime.date(year, 1, 1)), sql_date(through_start)]


def completed(campaign_id: int, year: int, through_start: datetime.date) -> dict[int, Decimal]:
    """Each project's accepted investment of `year` through the period starting on
    `through_start` (every project with a report, listed or not)."""
    found = rows(
        f"SELECT r.project_id, SUM({cents('r.amount')}) {ACCEPTED} GROUP BY r.project_id",
        accepted_params(campaign_id, year, through_start),
    )
    return {project_id: money(total) for project_id, total in found}


def completed_by_period(
    campaign_id: int, year: int, through_start: datetime.date
) -> dict[datetime.date, Decimal]:
    """The listed projects' accepted investment of each period (by its start), not cumulated."""
    found = rows(
        f"""SELECT pe.start, SUM({cents("r.amount")}) {ACCEPTED}
            AND r.project_id IN (SELECT project_id FROM projects_annuallisting WHERE year = %s)
            GROUP BY pe.start""",
        [*accepted_params(campaign_id, year, through_start), year],
    )
    return {start: money(total) for start, total in found}


def accepted_before(start: datetime.date) -> dict[int, Decimal]:
    """Each project's accepted investment since it began: the accepted current reports of
    every campaign whose period starts before `start`."""
    found = rows(
        f"""SELECT r.project_id, SUM({cents("r.amount")})
            FROM dispatch_report r JOIN dispatch_period pe ON pe.id = r.period_id
            WHERE r.is_current = %s AND r.status = 'accepted' AND pe.start < %s
            GROUP BY r.project_id""",
        [True, sql_date(start)],
    )
    return {project_id: money(total) for project_id, total in found}


def current_reports(period_id: int) -> dict[int, tuple[str, Decimal]]:
    """The period's current reports: project → (status, amount)."""
    found = rows(
        f"SELECT project_id, status, {cents('amount')} FROM dispatch_report "
        "WHERE period_id = %s AND is_current = %s",
        [period_id, True],
    )
    return {pk: (status, money(amount)) for pk, status, amount in found}


def milestones(year: int, end: datetime.date) -> tuple[set[int], set[int]]:
    """(projects started, projects completed) in `year`, by `end`."""
    last = min(end, datetime.date(year, 12, 31))
    found = rows(
        """SELECT m.project_id, k.code FROM projects_milestone m
           JOIN projects_milestonekind k ON k.id = m.kind_id
           WHERE k.code IN ('start', 'completion') AND m.actual_date >= %s
             AND m.actual_date <= %s""",
        [sql_date(datetime.date(year, 1, 1)), sql_date(last)],
    )
    starts = {pk for pk, code in found if code == "start"}
    return starts, {pk for pk, code in found if code == "completion"}


def lights(period_id: int) -> dict[int, tuple[str, str, int | None]]:
    """Every light of the period: project → (colour, previous colour, unit counted for)."""
    found = rows(
        "SELECT project_id, colour, previous_colour, responsible_unit_id FROM dispatch_light "
        "WHERE period_id = %s",
        [period_id],
    )
    return {pk: (colour, previous, unit) for pk, colour, previous, unit in found}


def light_findings(period_id: int) -> list[tuple[int, str]]:
    """(project, findings as JSON text) of the period's lights that found something."""
    return rows(
        "SELECT project_id, CAST(findings AS TEXT) FROM dispatch_light "
        "WHERE period_id = %s AND colour IN ('red', 'yellow')",
        [period_id],
    )


def filed(period_id: int) -> set[int]:
    """Projects with a submitted or accepted current report for the period."""
    found = rows(
        "SELECT project_id FROM dispatch_report WHERE period_id = %s AND is_current = %s "
        "AND status IN ('submitted', 'accepted')",
        [period_id, True],
    )
    return {pk for (pk,) in found}


def open_problems(today: datetime.date) -> dict[int | None, tuple[int, int]]:
    """Open problems per lead department: (open, overdue on `today`)."""
    found = rows(
        """SELECT lead_department_id, COUNT(*),
                  SUM(CASE WHEN status IN ('assigned', 'signed', 'in_progress')
                            AND resolve_due < %s THEN 1 ELSE 0 END)
           FROM problems_problem WHERE status <> 'closed' GROUP BY lead_department_id""",
        [sql_date(today)],
    )
    return {dept: (int(n), int(overdue or 0)) for dept, n, overdue in found}


class Truth:
    """The figures of one period of one campaign, each query run once when first needed."""

    def __init__(
        self,
        campaign_id: int,
        year: int,
        period: PeriodRow,
        today: datetime.date,
        variant: str = "month_linear",
    ):
        self.campaign_id = campaign_id
        self.year = year
        self.period = period
        self.today = today
        self.variant = variant  # the campaign's 序时进度 (dispatch.rules.rulesets.schedule_variant)

    @cached_property
    def units(self) -> dict[int, UnitRow]:
        return units()

    @cached_property
    def periods(self) -> list[PeriodRow]:
        return campaign_periods(self.campaign_id)

    @cached_property
    def listed(self) -> dict[int, Listed]:
        return listed(self.year)

    @cached_property
    def completed(self) -> dict[int, Decimal]:
        """Listed projects only: the others count nowhere."""
        done = completed(self.campaign_id, self.period.start.year, self.period.start)
        return {pk: amount for pk, amount in done.items() if pk in self.listed}

    @cached_property
    def milestones(self) -> tuple[set[int], set[int]]:
        starts, completions = milestones(self.year, self.period.end)
        return starts & self.listed.keys(), completions & self.listed.keys()

    @cached_property
    def lights(self) -> dict[int, tuple[str, str, int | None]]:
        return lights(self.period.pk)

    @cached_property
    def expected(self) -> Fraction:
        """序时进度 by the period's end: the months of the campaign year ended, ÷ 12 (or the
        days, for a campaign whose lights judge by days)."""
        return schedule(self.variant, self.year, self.period.end)

    @cached_property
    def previous_period(self) -> PeriodRow | None:
        earlier = [p for p in self.periods if p.start < self.period.start]
        return earlier[-1] if earlier else None

    def project_figures(self, pk: int) -> dict:
        item = self.listed[pk]
        starts, completions = self.milestones
        figures = dict.fromkeys(FIGURES, 0)
        figures.update(
            projects=1,
            total_investment=item.total,
            annual_plan=item.plan,
            completed_ytd=self.completed.get(pk, Decimal(0)),
            starts=int(pk in starts),
            completions=int(pk in completions),
            registered=int(item.registered),
        )
        light = self.lights.get(pk)
        if light is not None and light[0] in COLOURS:
            figures[light[0]] = 1
        return figures

    @cached_property
    def direct(self) -> dict[int, dict]:
        """Each unit's own projects' figures, not rolled up."""
        result: dict[int, dict] = defaultdict(empty)
        for pk, item in self.listed.items():
            add(result[item.unit_id], self.project_figures(pk))
        return result

    @cached_property
    def rolled(self) -> dict[int | None, dict]:
        """Every unit's figures with everything under it; None is the whole deployment."""
        result: dict[int | None, dict] = defaultdict(empty)
        result[None] = empty()
        for unit_id, figures in self.direct.items():
            unit = self.units.get(unit_id)
            for target in [None, *(unit.ancestors if unit else [])]:
                add(result[target], figures)
        return result

    def figures(self, unit_id: int | None) -> dict:
        return self.rolled.get(unit_id) or empty()


def empty() -> dict:
    return {name: Decimal(0) if name in MONEY else 0 for name in FIGURES}


def add(total: dict, figures: dict) -> None:
    for name in FIGURES:
        total[name] += figures[name]
