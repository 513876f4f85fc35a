"""Reads for the dispatch pages, each built for its page with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from gongjian.accounts import access
from gongjian.accounts.models import Role, RoleGrant, Unit
from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign, Period, Report
from gongjian.projects.models import Project


@dataclass
class DueRow:
    project: Project
    report: Report | None
    can_file: bool


def pick_period(campaign: Campaign, requested: str | None) -> Period:
    """The requested period, else the one now being filed: the earliest whose deadline has not
    passed, else the last."""
    periods = campaign.periods.all()
    if requested and requested.isdigit():
        chosen = periods.filter(pk=int(requested)).first()
        if chosen is not None:
            return chosen
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
