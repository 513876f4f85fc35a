"""Compute and store each project's light for a period: gather the facts in bulk (a few queries
per campaign, whatever the number of projects), run the pure rules (dispatch.rules), upsert.

Idempotent: the same data gives the same lights, and a light is one row per (project, period)
written with an upsert, so two runs at once converge instead of duplicating.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from gongjian.dispatch import figures
from gongjian.dispatch.models import Campaign, Light, Period, Report
from gongjian.dispatch.rules.facts import ProjectFacts
from gongjian.dispatch.rules.lights import evaluate, resolve_rule_set
from gongjian.dispatch.rules.status import schedule_status
from gongjian.dispatch.signals import figures_changed
from gongjian.lib.bulk import JSONText, upsert_rows
from gongjian.lib.parallel import forked_map
from gongjian.projects.models import AnnualListing, Milestone, Project

FILED = {Report.Status.SUBMITTED, Report.Status.ACCEPTED}
BATCH = 2000
LIGHT_FIELDS = [
    "colour",
    "previous_colour",
    "responsible_unit",
    "findings",
    "explanation",
    "clear_hint",
    "schedule_status",
    "computed_at",
]


def periods_to_light(
    campaign: Campaign, *, all_periods: bool, today: datetime.date
) -> list[Period]:
    """The periods whose lights to compute: every ended period, or only the latest one."""
    ended = list(campaign.periods.filter(end__lt=today).order_by("start"))
    return ended if all_periods else ended[-1:]


def recompute_lights(
    *,
    campaign: Campaign | None = None,
    all_periods: bool = False,
    project_ids=None,
    today: datetime.date | None = None,
) -> int:
    """Recompute lights for the active campaigns (or one); returns how many were written."""
    today = today or timezone.localdate()
    campaigns = [campaign] if campaign else list(Campaign.objects.filter(is_active=True))
    written = 0
    lit = []
    # Explanations are stored as text, in the platform's language, whoever triggered the run.
    with translation.override(settings.LANGUAGE_CODE):
        for each in campaigns:
            periods = periods_to_light(each, all_periods=all_periods, today=today)
            if periods:
                units = _light_units(each, project_ids)
                written += _light_campaign(each, periods, project_ids)
                lit.append((each, periods, units))
    # Whoever keeps figures built on the lights (the cockpit's snapshots) updates them once
    # this commits: after a full run, for the periods it lit (the latest one nightly, every
    # one with --all-periods); after some projects' run, for those projects and the units
    # their lights were counted for until now.
    for each, periods, units in lit:
        figures_changed.send(
            sender=Light, campaign=each, project_ids=project_ids, periods=periods, unit_ids=units
        )
    if project_ids is None:
        _tidy_after_full_run()
    return written


def _light_units(campaign: Campaign, project_ids) -> set[int]:
    """The units the projects' lights are counted for before a run: a project that moved
    takes its lights from one unit to another."""
    if project_ids is None:
        return set()
    lights = Light.objects.filter(period__campaign=campaign, project__in=project_ids)
    return set(lights.order_by().values_list("responsible_unit_id", flat=True).distinct())


def _tidy_after_full_run() -> None:
    """On PostgreSQL, vacuum the lights a full run rewrote: the desk counts a period's lights
    from the index alone only where the visibility map is up to date, and autovacuum waits
    for a fifth of the table to change (a year's lights hold twelve periods). Not possible
    inside a transaction (tests, or a caller's atomic block), where it is skipped."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(Light._meta.db_table)}")


def _light_campaign(campaign: Campaign, periods: list[Period], project_ids) -> int:
    rule_set = resolve_rule_set(campaign.rule_preset, campaign.rule_set)
    order = {p.start: index for index, p in enumerate(campaign.periods.order_by("start"))}
    projects = Project.objects.listed(campaign.year)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    rows = list(
        projects.values_list(
            "pk",
            "total_investment",
            "planned_start",
            "planned_end",
            "original_end",
            "stage__is_started",
            "stats_status",
            "responsible_unit_id",
        )
    )
    listings = AnnualListing.objects.filter(year=campaign.year, project__in=projects)
    plans = {
        pk: (plan, start)
        for pk, plan, start in listings.values_list(
            "project_id", "planned_investment", "planned_start"
        )
    }
    starts = dict(
        Milestone.objects.filter(
            kind__code="start", project__in=projects, actual_date__isnull=False
        ).values_list("project_id", "actual_date")
    )
    written = 0
    previous = _previous_colours(campaign, periods[0], projects)
    for period in periods:
        completed, last_filed = _period_sums(campaign, period, projects, project_ids)
        now = timezone.now()
        items = []
        for pk, total, planned_start, planned_end, original_end, started, stats, _unit in rows:
            plan, listed_start = plans.get(pk, (None, None))
            filed = last_filed.get(pk)
            facts = ProjectFacts(
                as_of=period.end,
                year=campaign.year,
                # 序时 counts the months ended by the period's end (as figures.schedule_share),
                # not the month it ends in: a week ending 29 November is 10/12, not 11/12.
                period_month=None,
                total_investment=total,
                annual_plan=plan,
                completed_ytd=completed.get(pk, Decimal(0)),
                planned_start=listed_start or planned_start,
                actual_start=starts.get(pk),
                has_started=started,
                stats_registered=stats == Project.StatsStatus.REGISTERED,
                # Periods since the last one filed (all of them if none was).
                missed_periods_in_a_row=order[period.start] - (order[filed] if filed else -1),
            )
            items.append((facts, period, planned_end, original_end))
        # The rules are pure and most of the run's time: judge on every core (lib/parallel).
        judged = forked_map(partial(_judge, rule_set), items)
        lights = [
            {
                "project_id": row[0],
                "period_id": period.pk,
                "computed_at": now,
                "responsible_unit_id": row[7],
                "previous_colour": previous.get(row[0], ""),
                "colour": colour,
                "findings": JSONText(findings),
                "explanation": explanation,
                "clear_hint": clear_hint,
                "schedule_status": JSONText(status),
            }
            for row, (colour, findings, explanation, clear_hint, status) in zip(
                rows, judged, strict=True
            )
        ]
        # In transactions of 20,000 rows: a run over 100,000 projects holds no lock for long.
        for start in range(0, len(lights), BATCH * 10):
            with transaction.atomic():
                upsert_rows(
                    Light,
                    lights[start : start + BATCH * 10],
                    unique_fields=["project", "period"],
                    update_fields=LIGHT_FIELDS,
                    # PostgreSQL then rewrites only the lights that changed (lib/bulk.py).
                    compare_fields=[f for f in LIGHT_FIELDS if f != "computed_at"],
                )
        written += len(lights)
        previous = {light["project_id"]: light["colour"] for light in lights}
    return written


def _judge(rule_set, item) -> tuple[str, str, str, str, str]:
    """A project's light in a worker: colour, findings as JSON, explanation, clear hint, and
    the schedule status as JSON (see JSONText: plain strings travel back quickest)."""
    facts, period, planned_end, original_end = item
    light = evaluate(facts, rule_set).to_dict()
    return (
        light["colour"],
        json.dumps(light["findings"]),
        light["explanation"],
        light["clear_hint"],
        json.dumps(_status(period, planned_end, original_end)),
    )


def _previous_colours(campaign: Campaign, period: Period, projects) -> dict[int, str]:
    before = campaign.periods.filter(start__lt=period.start).order_by("-start").first()
    if before is None:
        return {}
    return dict(
        Light.objects.filter(period=before, project__in=projects).values_list(
            "project_id", "colour"
        )
    )


def _period_sums(campaign: Campaign, period: Period, projects, project_ids) -> tuple[dict, dict]:
    """Per project, in two GROUP BY queries: the completed investment of the year through
    `period` (figures.completed: accepted, what the office has checked), and the start of the
    last period filed (submitted or accepted) up to `period`. Given `project_ids` (one
    project's run, after an acceptance), those projects' reports are read by index, not
    every report of the periods."""
    last_filed = dict(
        Report.objects.filter(
            period__campaign=campaign,
            is_current=True,
            period__start__lte=period.start,
            project__in=projects,
            status__in=FILED,
        )
        .order_by()
        .values_list("project_id")
        .annotate(last=Max("period__start"))
    )
    wanted = projects if project_ids is None else list(project_ids)
    return figures.completed(period, wanted), last_filed


def _status(period: Period, planned_end, original_end) -> dict:
    if not (original_end or planned_end):
        return {}
    return schedule_status(
        as_of=period.end,
        planned_end_original=original_end or planned_end,
        planned_end_latest=planned_end,
    ).to_dict()
