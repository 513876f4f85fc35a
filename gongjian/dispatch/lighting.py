"""Compute and store each project's light for a period: gather the facts in bulk (a few queries
per campaign, whatever the number of projects), run the pure rules (dispatch.rules), upsert.

Idempotent: the same data gives the same lights, and a light is one row per (project, period)
written with an upsert, so two runs at once converge instead of duplicating.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from gongjian.dispatch.models import Campaign, Light, Period, Report
from gongjian.dispatch.rules.facts import ProjectFacts
from gongjian.dispatch.rules.lights import evaluate, resolve_rule_set
from gongjian.dispatch.rules.status import schedule_status
from gongjian.projects.models import AnnualListing, Milestone, Project

FILED = {Report.Status.SUBMITTED, Report.Status.ACCEPTED}
BATCH = 2000
LIGHT_FIELDS = ["colour", "findings", "explanation", "clear_hint", "schedule_status", "computed_at"]


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
    # Explanations are stored as text, in the platform's language, whoever triggered the run.
    with translation.override(settings.LANGUAGE_CODE):
        for each in campaigns:
            periods = periods_to_light(each, all_periods=all_periods, today=today)
            if periods:
                written += _light_campaign(each, periods, project_ids)
    return written


def _light_campaign(campaign: Campaign, periods: list[Period], project_ids) -> int:
    rule_set = resolve_rule_set(campaign.rule_preset, campaign.rule_set)
    all_periods = list(campaign.periods.order_by("start"))
    projects = Project.objects.filter(listings__year=campaign.year)
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
        )
    )
    ids = [row[0] for row in rows]
    plans = dict(
        AnnualListing.objects.filter(year=campaign.year, project_id__in=ids).values_list(
            "project_id", "planned_investment"
        )
    )
    listing_starts = dict(
        AnnualListing.objects.filter(year=campaign.year, project_id__in=ids).values_list(
            "project_id", "planned_start"
        )
    )
    starts = dict(
        Milestone.objects.filter(
            kind__code="start", project_id__in=ids, actual_date__isnull=False
        ).values_list("project_id", "actual_date")
    )
    reports = _reports_by_project(campaign, ids)
    lights = []
    for pk, total, planned_start, planned_end, original_end, started, stats in rows:
        history = reports.get(pk, {})
        for period in periods:
            facts = ProjectFacts(
                as_of=period.end,
                year=campaign.year,
                period_month=period.end.month if period.end.year == campaign.year else None,
                total_investment=total,
                annual_plan=plans.get(pk),
                completed_ytd=_completed_through(history, all_periods, period),
                planned_start=listing_starts.get(pk) or planned_start,
                actual_start=starts.get(pk),
                has_started=started,
                stats_registered=stats == Project.StatsStatus.REGISTERED,
                missed_periods_in_a_row=_missed_in_a_row(history, all_periods, period),
            )
            result = evaluate(facts, rule_set).to_dict()
            status = {}
            if original_end or planned_end:
                status = schedule_status(
                    as_of=period.end,
                    planned_end_original=original_end or planned_end,
                    planned_end_latest=planned_end,
                ).to_dict()
            lights.append(
                Light(
                    project_id=pk,
                    period_id=period.pk,
                    schedule_status=status,
                    computed_at=timezone.now(),
                    **result,
                )
            )
    for start in range(0, len(lights), BATCH):
        Light.objects.bulk_create(
            lights[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["project", "period"],
            update_fields=LIGHT_FIELDS,
        )
    return len(lights)


def _reports_by_project(campaign: Campaign, ids) -> dict[int, dict[int, tuple[Decimal, str]]]:
    """{project: {period: (amount, status)}} of the campaign's current reports."""
    history: dict = defaultdict(dict)
    current = Report.objects.filter(
        Q(period__campaign=campaign) & Q(is_current=True), project_id__in=ids
    )
    for project_id, period_id, amount, status in current.values_list(
        "project_id", "period_id", "amount", "status"
    ):
        history[project_id][period_id] = (amount, status)
    return history


def _completed_through(history: dict, periods: list[Period], period: Period) -> Decimal:
    """Accepted amounts of the year through `period` (what the office has checked)."""
    total = Decimal(0)
    for each in periods:
        if each.start > period.start:
            break
        amount, status = history.get(each.pk, (None, None))
        if status == Report.Status.ACCEPTED:
            total += amount
    return total


def _missed_in_a_row(history: dict, periods: list[Period], period: Period) -> int:
    """Consecutive periods up to `period` without a submitted or accepted report."""
    missed = 0
    for each in periods:
        if each.start > period.start:
            break
        missed = 0 if history.get(each.pk, (None, None))[1] in FILED else missed + 1
    return missed
