"""Refresh the cockpit's period snapshots (PeriodFigures) of a campaign.

Four GROUP BY queries cover every period at once, each grouped by responsible unit: the listed
projects (count, investment, plan, 纳统), the accepted reports (by period), the start and
completion milestones (by date), and the lights (by period and colour). Python then adds each
unit's figures to every unit above it along Unit.path and to the deployment's row (unit NULL),
and the periods' rows are replaced in one transaction. The same data gives the same rows, so
running it again, or twice at once, is harmless.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
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


def refresh_snapshots(
    campaign: Campaign, periods=None, *, today: datetime.date | None = None
) -> int:
    """Recompute the figures of `periods` (default: every period of the campaign that has
    ended by `today`) and replace their rows. Returns how many rows were written."""
    if periods is None:
        today = today or timezone.localdate()
        periods = campaign.periods.filter(end__lt=today).order_by("start")
    periods = sorted(periods, key=lambda p: p.start)
    if not periods:
        return 0
    registry, reports, milestones, lights = _direct_figures(campaign, periods)
    paths = dict(Unit.objects.values_list("pk", "path"))
    now = timezone.now()
    rows = []
    for period in periods:
        direct = _period_figures(period, campaign.year, registry, reports, milestones, lights)
        for unit_id, figures in _rolled_up(direct, paths).items():
            rows.append(PeriodFigures(period=period, unit_id=unit_id, computed_at=now, **figures))
    with transaction.atomic():
        # Lock the periods first: two refreshes at once take turns instead of both inserting.
        locked = Period.objects.select_for_update().filter(pk__in=[p.pk for p in periods])
        list(locked.order_by().values_list("pk"))
        PeriodFigures.objects.filter(period__in=periods).delete()
        PeriodFigures.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def empty() -> dict:
    return {name: (Decimal(0) if name in MONEY else 0) for name in FIGURES}


def _direct_figures(campaign: Campaign, periods: list[Period]):
    """The raw groups, by the unit directly responsible."""
    year = campaign.year
    listings = AnnualListing.objects.filter(year=year).order_by()
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
            registered=Count("pk", filter=Q(project__stats_status=Project.StatsStatus.REGISTERED)),
        )
    }
    # Accepted amounts per unit and period; the year to date is added up per period below.
    starts = dict(campaign.periods.order_by().values_list("pk", "start"))
    reports: dict = defaultdict(list)
    for unit_id, period_id, amount in (
        Report.objects.filter(
            period__campaign=campaign,
            period__start__lte=periods[-1].start,
            is_current=True,
            status=Report.Status.ACCEPTED,
            project__listings__year=year,
        )
        .order_by()
        .values_list("project__responsible_unit_id", "period_id")
        .annotate(total=Sum("amount"))
    ):
        reports[unit_id].append((starts[period_id], amount or Decimal(0)))
    milestones: dict = defaultdict(list)
    for unit_id, code, day, n in (
        Milestone.objects.filter(
            kind__code__in=MILESTONES,
            actual_date__gte=datetime.date(year, 1, 1),
            actual_date__lte=periods[-1].end,
            project__listings__year=year,
        )
        .order_by()
        .values_list("project__responsible_unit_id", "kind__code", "actual_date")
        .annotate(n=Count("*"))
    ):
        milestones[unit_id].append((MILESTONES[code], day, n))
    lights: dict = defaultdict(dict)
    for period_id, unit_id, colour, n in (
        Light.objects.filter(period__in=periods)
        .order_by()
        .values_list("period_id", "responsible_unit_id", "colour")
        .annotate(n=Count("*"))
    ):
        lights[period_id, unit_id][colour] = n
    return registry, reports, milestones, lights


def _period_figures(period: Period, year, registry, reports, milestones, lights) -> dict:
    """Each unit's own figures (not yet rolled up) as of `period`."""
    direct: dict = defaultdict(empty)
    for unit_id, figures in registry.items():
        direct[unit_id].update(figures)
    for unit_id, amounts in reports.items():
        completed = sum(
            (
                amount
                for start, amount in amounts
                if start <= period.start and start.year == period.start.year
            ),
            Decimal(0),
        )
        if completed:
            direct[unit_id]["completed_ytd"] = completed
    for unit_id, events in milestones.items():
        for name, day, n in events:
            if day <= period.end:
                direct[unit_id][name] += n
    for (period_id, unit_id), counts in lights.items():
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
            targets += [int(part) for part in paths[unit_id].split("/") if part]
        for target in targets:
            row = rolled[target]
            for name in FIGURES:
                row[name] += figures[name]
    return rolled
