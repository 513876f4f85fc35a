"""Reads for the dispatch pages, each built for its page with a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from gongjian.accounts import access
from gongjian.accounts.models import Role, RoleGrant, Unit
from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign, Light, Period, Report
from gongjian.projects.models import Project


@dataclass
class DueRow:
    project: Project
    report: Report | None
    can_file: bool


def pick_period(campaign: Campaign, requested: int | None, *, ended_only: bool = False) -> Period:
    """The requested period (an id, parsed by the view), else the one now being filed: the
    earliest whose deadline has not passed, else the last. `ended_only`: the latest period
    that has ended (lights exist)."""
    periods = campaign.periods.all()
    if requested is not None:
        chosen = periods.filter(pk=requested).first()
        if chosen is not None:
            return chosen
    if ended_only:
        return periods.filter(end__lt=timezone.localdate()).last() or periods.first()
    open_period = periods.filter(end__lt=timezone.localdate(), deadline__gte=timezone.now()).first()
    return open_period or periods.filter(start__lte=timezone.localdate()).last() or periods.first()


def due_rows(user, period: Period) -> list[DueRow]:
    """Every listed project of the period's year the user may see, with its current report."""
    projects = (
        access.visible_projects(user)
        .filter(listings__year=period.start.year)
        .select_related("responsible_unit", "stage")
        .order_by("responsible_unit__path", "-total_investment", "id")
    )
    reports = {
        r.project_id: r
        for r in Report.objects.filter(period=period, is_current=True, project__in=projects)
    }
    return [
        DueRow(project=p, report=reports.get(p.pk), can_file=access.can_change_project(user, p))
        for p in projects
    ]


def review_queue(user) -> list[Report]:
    """Submitted reports whose current review level is a government where the user is office."""
    units = set(
        RoleGrant.objects.filter(user=user, role=Role.OFFICE).values_list("unit_id", flat=True)
    )
    if not units:
        return []
    units_by_path = {u.path: u for u in Unit.objects.filter(kind=Unit.Kind.GOVERNMENT)}
    submitted = (
        Report.objects.filter(status=Report.Status.SUBMITTED, is_current=True)
        .filter(project__in=access.visible_projects(user))
        .select_related("project__responsible_unit", "period__campaign")
        .order_by("submitted_at")
    )
    queue = []
    for report in submitted:
        chain = services.review_chain(report.period.campaign, report.project, units_by_path)
        if report.review_level < len(chain) and chain[report.review_level].pk in units:
            queue.append(report)
    return queue


LIST_LIMIT = 100  # rows shown per list on the desk; the counts cover everything


def desk_data(user, period: Period) -> dict:
    """The dispatch desk for a period: light counts overall and by unit, the red and yellow
    lists with reasons, what changed since the previous period, and who has not filed.

    Lights carry their unit and the previous period's colour, so every figure here is an
    index scan of one period's lights (no join over 100,000 projects)."""
    # The lists show names and reasons only: leave the findings JSON and the project's other
    # forty columns in the database.
    shown = ("colour", "explanation", "clear_hint", "project__name", "responsible_unit__name")
    lights = Light.objects.filter(period=period)
    if not access.sees_all_projects(user):
        lights = lights.filter(project__in=access.visible_projects(user))
    by_colour = dict(lights.values_list("colour").annotate(n=Count("*")).order_by())
    units = dict(Unit.objects.values_list("pk", "name"))
    by_unit: dict = defaultdict(dict)
    for unit_id, colour, n in (
        lights.values_list("responsible_unit_id", "colour").annotate(n=Count("*")).order_by()
    ):
        by_unit[units.get(unit_id, "–")][colour] = n
    # Reds first, then yellows: two index range scans with a limit, not a sort of every light.
    flagged = []
    for colour in (Light.Colour.RED, Light.Colour.YELLOW):
        room = LIST_LIMIT - len(flagged)
        if room > 0:
            flagged += lights.filter(colour=colour).select_related("project", "responsible_unit")[
                :room
            ]
    bad = [Light.Colour.RED, Light.Colour.YELLOW]
    return {
        "by_colour": by_colour,
        "by_unit": sorted(by_unit.items()),
        "flagged": flagged,
        "flagged_count": sum(n for colour, n in by_colour.items() if colour in bad),
        "new_red": list(
            lights.filter(colour=Light.Colour.RED)
            .exclude(previous_colour=Light.Colour.RED)
            .select_related("project", "responsible_unit")
            .only(*shown)[:LIST_LIMIT]
        ),
        "recovered": list(
            lights.filter(previous_colour__in=bad)
            .exclude(colour__in=bad)
            .select_related("project", "responsible_unit")
            .only(*shown)[:LIST_LIMIT]
        ),
        "late": _late_filers(access.visible_projects(user), period),
    }


def _late_filers(visible, period: Period) -> list[tuple[str, int]]:
    """Units with listed projects that have no submitted report once the deadline has passed."""
    if timezone.now() <= period.deadline:
        return []
    filed = Report.objects.filter(
        period=period, is_current=True, status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED]
    ).values("project_id")
    missing = (
        visible.filter(listings__year=period.start.year)
        .exclude(pk__in=filed)
        .values_list("responsible_unit__name")
        .annotate(n=Count("*"))
        .order_by("-n")
    )
    return list(missing)
