"""Refresh the cockpit's period snapshots (PeriodFigures) of a campaign.

Every period of the campaign has its rows, ended or not, so the period that has just ended
already has its figures (and no lights until they are computed, as the light lists say).

Two ways, giving the same rows:

- `refresh_snapshots(campaign, periods)`: everything. Four GROUP BY queries cover every period
  at once, each grouped by responsible unit: the listed projects (count, investment, plan,
  纳统), the completed investment (by period), the start and completion milestones (by date),
  and the lights (by period and colour). Python adds each unit's figures to every unit above
  it along Unit.path and to the deployment's row (unit NULL), and the periods' rows are
  replaced in one transaction. Seconds at 100,000 projects: run by full light recomputes.
- `refresh_units(campaign, unit_ids, groups)`: after a write that changed some projects
  (receivers.py): only the groups of figures the write changed (GROUPS).
  The same four queries, for the projects and lights of those units and of every unit above
  them only; each of those units' rows is its own figures plus the stored rows of the units
  right below it, bottom up, and the deployment's row is the roots' rows plus the lights
  without a unit. Milliseconds, whatever the size of the rest, except the completed
  investment of a unit with many projects of its own (0.5 s for 16,000), so that:
- `add_completed(campaign, changes)`: an acceptance or a correction adds or takes away the
  report's amount on the rows concerned, inside the writer's transaction.

A unit has rows while it or a unit below it has any figure. The same data gives the same rows,
so running either again, or twice at once (the periods are locked first: they take turns), is
harmless.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from gongjian.accounts.models import Unit
from gongjian.dashboards.models import PeriodFigures
from gongjian.dispatch.models import Campaign, Light, Period, Report
from gongjian.projects.models import AnnualListing, Milestone, Project

COUNTS = ("projects", "starts", "completions", "registered", "red", "yellow", "blue", "green")
MONEY = ("total_investment", "annual_plan", "completed_ytd")
FIGURES = ("projects", "total_investment", "annual_plan", "completed_ytd") + COUNTS[1:]
COLOURS = ("red", "yellow", "blue", "green")
MILESTONES = {"start": "starts", "completion": "completions"}
# The figures by the data they come from: a write changes one or more groups.
GROUPS = {
    "registry": ("projects", "total_investment", "annual_plan", "registered"),
    "completed": ("completed_ytd",),
    "milestones": ("starts", "completions"),
    "lights": COLOURS,
}


def refresh_snapshots(campaign: Campaign, periods=None) -> int:
    """Recompute the figures of `periods` (default: every period of the campaign) and replace
    their rows. Returns how many rows were written."""
    periods = sorted(campaign.periods.all() if periods is None else periods, key=_start)
    if not periods:
        return 0
    with transaction.atomic():
        _lock(periods)
        return _replace(campaign, periods)


def refresh_units(campaign: Campaign, unit_ids, groups=GROUPS) -> int:
    """Recompute the `groups` of figures (default: all) of `unit_ids`, of every unit above
    them and of the deployment, for every period of the campaign, from their projects and the
    stored rows below them; their other figures stay as stored. Without a complete set of rows
    to build on (a new campaign or new periods), refresh everything. Returns how many rows
    were written."""
    periods = sorted(campaign.periods.all(), key=_start)
    if not periods:
        return 0
    with transaction.atomic():
        _lock(periods)
        if not _complete(periods):
            return _replace(campaign, periods)
        paths = dict(Unit.objects.values_list("pk", "path"))
        chain = {above for pk in unit_ids if pk in paths for above in _path_ids(paths[pk])}
        names = [name for group in groups for name in GROUPS[group]]
        direct = _direct_figures(campaign, periods, units=chain, groups=groups)
        # The rows this refresh builds on: the units right below the chain's and the roots
        # (the recomputed figures), and the chain's own (the figures it keeps).
        below = [pk for pk, path in paths.items() if pk not in chain and _parent(path) in chain]
        below += [pk for pk, path in paths.items() if pk not in chain and _parent(path) is None]
        stored: dict = defaultdict(list)
        kept: dict = {}
        for row in PeriodFigures.objects.filter(period__in=periods).filter(
            Q(unit__in=[*below, *chain]) | Q(unit__isnull=True)
        ):
            if row.unit_id is None or row.unit_id in chain:
                kept[row.period_id, row.unit_id] = _fields(row)
            else:
                stored[row.period_id].append(row)
        # Deepest first, so each unit is complete before it is added to its parent.
        order = sorted(chain, key=lambda pk: -len(_path_ids(paths[pk])))
        now = timezone.now()
        rows = []
        for period in periods:
            own = _period_figures(period, *direct)
            figures = {}
            for pk in [*chain, None]:
                figures[pk] = kept.get((period.pk, pk)) or empty()
                for name in names:
                    figures[pk][name] = own[pk][name] if pk in own else empty()[name]
            for row in stored[period.pk]:
                _add(figures[_parent(paths[row.unit_id])], _fields(row), names)
            for pk in order:
                _add(figures[_parent(paths[pk])], figures[pk], names)
            rows += _rows(period, figures, now)
        PeriodFigures.objects.filter(period__in=periods).filter(
            Q(unit__in=chain) | Q(unit__isnull=True)
        ).delete()
        PeriodFigures.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def add_completed(campaign: Campaign, changes) -> bool:
    """Add to the completed investment of the stored rows what accepting (a positive amount)
    or withdrawing (a correction: negative) a report changed: for each (project id, period,
    amount), the rows of the project's unit, every unit above it and the deployment, from the
    report's period to the year's end. The project counts only when on the campaign year's
    list, as in a full refresh. A few UPDATEs, whatever the size of the units: an acceptance
    is the commonest write. Run inside the writer's transaction, so the figures commit or
    roll back with the report. Returns False, changing nothing, when the campaign's rows are
    not complete (refresh everything then)."""
    periods = sorted(campaign.periods.all(), key=_start)
    with transaction.atomic():
        _lock(periods)
        if not periods or not _complete(periods):
            return False
        units = dict(
            Project.objects.listed(campaign.year)
            .filter(pk__in={pk for pk, _period, _amount in changes})
            .values_list("pk", "responsible_unit__path")
        )
        for project_id, period, amount in changes:
            if project_id not in units or not amount:
                continue
            year = period.start.year
            later = [p for p in periods if p.start >= period.start and p.start.year == year]
            PeriodFigures.objects.filter(period__in=later).filter(
                Q(unit__in=_path_ids(units[project_id])) | Q(unit__isnull=True)
            ).update(completed_ytd=F("completed_ytd") + amount, computed_at=timezone.now())
    return True


def empty() -> dict:
    return {name: (Decimal(0) if name in MONEY else 0) for name in FIGURES}


def _start(period: Period) -> datetime.date:
    return period.start


def _complete(periods: list[Period]) -> bool:
    """Whether every period has its rows (the deployment's row is always written)."""
    return PeriodFigures.objects.filter(period__in=periods, unit__isnull=True).count() == len(
        periods
    )


def _lock(periods: list[Period]) -> None:
    """Two refreshes of the same periods take turns instead of both inserting."""
    locked = Period.objects.select_for_update().filter(pk__in=[p.pk for p in periods])
    list(locked.order_by().values_list("pk"))


def _replace(campaign: Campaign, periods: list[Period]) -> int:
    direct = _direct_figures(campaign, periods)
    paths = dict(Unit.objects.values_list("pk", "path"))
    now = timezone.now()
    rows = []
    for period in periods:
        rows += _rows(period, _rolled_up(_period_figures(period, *direct), paths), now)
    PeriodFigures.objects.filter(period__in=periods).delete()
    PeriodFigures.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _rows(period: Period, figures: dict, now) -> list[PeriodFigures]:
    """The rows to store: the deployment's always, a unit's when it has any figure."""
    return [
        PeriodFigures(period=period, unit_id=unit_id, computed_at=now, **values)
        for unit_id, values in figures.items()
        if unit_id is None or any(values.values())
    ]


def _path_ids(path: str) -> list[int]:
    """A unit and the units above it, from its path ("000001/000004/" -> [1, 4])."""
    return [int(part) for part in path.split("/") if part]


def _parent(path: str) -> int | None:
    """The unit right above, by the path (None for a root: the deployment's row)."""
    ids = _path_ids(path)
    return ids[-2] if len(ids) > 1 else None


def _fields(row: PeriodFigures) -> dict:
    return {name: getattr(row, name) for name in FIGURES}


def _add(total: dict, figures: dict, names=FIGURES) -> None:
    for name in names:
        total[name] += figures[name]


def _direct_figures(campaign: Campaign, periods: list[Period], units=None, groups=GROUPS):
    """The raw figures of `groups`, by the unit directly responsible; with `units`, only the
    projects of those units and the lights counted for them or for no unit (the deployment's
    own)."""
    year = campaign.year
    listings = AnnualListing.objects.filter(year=year).order_by()
    reports = Report.objects.through(periods[-1]).filter(project__listings__year=year)
    milestones = Milestone.objects.filter(
        kind__code__in=MILESTONES,
        actual_date__gte=datetime.date(year, 1, 1),
        actual_date__lte=periods[-1].end,
        project__listings__year=year,
    )
    lights = Light.objects.filter(period__in=periods)
    if units is not None:
        listings = listings.filter(project__responsible_unit__in=units)
        # Those units' projects first, then their reports by the (project, period) index:
        # joined to the periods, SQLite would read every report of the year.
        mine = Project.objects.listed(year).filter(responsible_unit__in=units).values("pk")
        reports = Report.objects.through(periods[-1], projects=mine)
        milestones = milestones.filter(project__responsible_unit__in=units)
        lights = lights.filter(Q(responsible_unit__in=units) | Q(responsible_unit__isnull=True))
    registry, amounts, events, colours = {}, defaultdict(list), defaultdict(list), defaultdict(dict)
    if "registry" in groups:
        registry = {
            unit_id: {
                "projects": n,
                "total_investment": total or Decimal(0),
                "annual_plan": plan or Decimal(0),
                "registered": registered,
            }
            for unit_id, n, total, plan, registered in listings.values_list(
                "project__responsible_unit_id"
            ).annotate(
                n=Count("*"),
                total=Sum("project__total_investment"),
                plan=Sum("planned_investment"),
                registered=Count(
                    "pk", filter=Q(project__stats_status=Project.StatsStatus.REGISTERED)
                ),
            )
        }
    if "completed" in groups:
        # Per unit and period; the year to date is added up per period below.
        starts = dict(campaign.periods.order_by().values_list("pk", "start"))
        for unit_id, period_id, amount in (
            reports.order_by()
            .values_list("project__responsible_unit_id", "period_id")
            .annotate(total=Sum("amount"))
        ):
            amounts[unit_id].append((starts[period_id], amount or Decimal(0)))
    if "milestones" in groups:
        for unit_id, code, day, n in (
            milestones.order_by()
            .values_list("project__responsible_unit_id", "kind__code", "actual_date")
            .annotate(n=Count("*"))
        ):
            events[unit_id].append((MILESTONES[code], day, n))
    if "lights" in groups:
        for period_id, unit_id, colour, n in (
            lights.order_by()
            .values_list("period_id", "responsible_unit_id", "colour")
            .annotate(n=Count("*"))
        ):
            colours[period_id, unit_id][colour] = n
    return registry, amounts, events, colours


def _period_figures(period: Period, registry, amounts, events, colours) -> dict:
    """Each unit's own figures (not yet rolled up) as of `period`."""
    direct: dict = defaultdict(empty)
    for unit_id, figures in registry.items():
        direct[unit_id].update(figures)
    for unit_id, entries in amounts.items():
        # The year to date as Report.objects.through(period) counts it.
        completed = sum(
            (
                amount
                for start, amount in entries
                if start <= period.start and start.year == period.start.year
            ),
            Decimal(0),
        )
        if completed:
            direct[unit_id]["completed_ytd"] = completed
    for unit_id, dated in events.items():
        for name, day, n in dated:
            if day <= period.end:
                direct[unit_id][name] += n
    for (period_id, unit_id), counts in colours.items():
        if period_id == period.pk:
            for colour, n in counts.items():
                if colour in COLOURS:
                    direct[unit_id][colour] += n
    return direct


def _rolled_up(direct: dict, paths: dict[int, str]) -> dict:
    """Every unit's figures added to itself, each unit above it, and the deployment (None)."""
    rolled: dict = defaultdict(empty)
    rolled[None] = empty()  # the deployment's row exists even when it is all zeros
    for unit_id, figures in direct.items():
        targets = [None]
        if unit_id is not None and unit_id in paths:
            targets += _path_ids(paths[unit_id])
        for target in targets:
            _add(rolled[target], figures)
    return rolled
