"""Reads for the dispatch pages, each built for its page with a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from gongjian.accounts import access
from gongjian.accounts.models import Role, RoleGrant, Unit
from gongjian.dispatch import services
from gongjian.dispatch.figures import latest_ended_period
from gongjian.dispatch.models import Campaign, Light, Period, Report
from gongjian.projects import access as project_access
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
        return latest_ended_period(campaign) or periods.first()
    open_period = periods.filter(end__lt=timezone.localdate(), deadline__gte=timezone.now()).first()
    return open_period or periods.filter(start__lte=timezone.localdate()).last() or periods.first()


def due_rows(user, period: Period) -> list[DueRow]:
    """Every listed project of the period's year the user may see, with its current report."""
    projects = (
        project_access.visible_projects(user)
        .listed(period.start.year)
        .select_related("responsible_unit", "stage")
        .order_by("responsible_unit__path", "-total_investment", "id")
    )
    reports = {
        r.project_id: r
        for r in Report.objects.filter(period=period, is_current=True, project__in=projects)
    }
    return [
        DueRow(
            project=p, report=reports.get(p.pk), can_file=project_access.can_change_project(user, p)
        )
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
        .filter(project__in=project_access.visible_projects(user))
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

    Lights carry their unit and the previous period's colour, so every figure here is read
    from an index of one period's lights (no join over 100,000 projects): the counts and the
    late filers in one pass, each list a range with a limit."""
    lights = Light.objects.filter(period=period)
    if not access.sees_all_projects(user):
        lights = lights.filter(project__in=project_access.visible_projects(user))
    units = dict(Unit.objects.values_list("pk", "name"))
    by_colour, by_unit, late = _counts(lights, period, units)
    # Reds first, then yellows: two index range scans with a limit, not a sort of every light.
    flagged: list[DeskLight] = []
    for colour in (Light.Colour.RED, Light.Colour.YELLOW):
        room = LIST_LIMIT - len(flagged)
        if room > 0:
            flagged += _listed(lights.filter(colour=colour), units, room)
    bad = [Light.Colour.RED, Light.Colour.YELLOW]
    return {
        "by_colour": by_colour,
        "by_unit": by_unit,
        "flagged": flagged,
        "flagged_count": sum(n for colour, n in by_colour.items() if colour in bad),
        "new_red": _listed(
            lights.filter(colour=Light.Colour.RED).exclude(previous_colour=Light.Colour.RED),
            units,
            LIST_LIMIT,
        ),
        "recovered": _listed(
            lights.filter(previous_colour__in=bad).exclude(colour__in=bad), units, LIST_LIMIT
        ),
        "late": late,
    }


@dataclass(frozen=True, slots=True)
class DeskLight:
    """A light as the desk lists it: the project (its page), its unit, the colour (and its
    name in the reader's language) and the reasons."""

    project_id: int
    name: str
    url: str
    unit: str
    colour: str
    label: str
    explanation: str
    clear_hint: str


# A number no project id has, stood in for the id: one reverse() makes every row's link.
_URL_MARKER = 987654321987


def _listed(lights, units: dict, limit: int) -> list[DeskLight]:
    """The first `limit` of `lights` with what the lists show: the project's name joined in,
    the unit's name from `units`; not the findings JSON, nor the project's other forty
    columns, nor three model instances a row (with three hundred rows on the desk, those, a
    reverse() and a translated colour name per row were half its time)."""
    rows = lights.values_list(
        "project_id", "project__name", "responsible_unit_id", "colour", "explanation", "clear_hint"
    )[:limit]
    url = reverse("projects:detail", args=[_URL_MARKER])
    labels = {value: str(label) for value, label in Light.Colour.choices}
    return [
        DeskLight(
            pk,
            name,
            url.replace(str(_URL_MARKER), str(pk)),
            units.get(unit_id, ""),
            colour,
            labels.get(colour, colour),
            explanation,
            hint,
        )
        for pk, name, unit_id, colour, explanation, hint in rows
    ]


def _counts(lights, period: Period, units: dict) -> tuple[dict, list, list]:
    """The counts by colour and by unit name, in one GROUP BY of the period's lights (the
    index by unit, colour and project), and the late filers (_late_filers)."""
    by_colour: dict = defaultdict(int)
    by_unit: dict = defaultdict(dict)
    rows = lights.values_list("responsible_unit_id", "colour").annotate(n=Count("project"))
    for unit_id, colour, n in rows.order_by():
        name = units.get(unit_id, "–")
        by_colour[colour] += n
        by_unit[name][colour] = by_unit[name].get(colour, 0) + n
    return dict(by_colour), sorted(by_unit.items()), _late_filers(lights, period, units)


def _late_filers(lights, period: Period, units: dict) -> list[tuple[str, int]]:
    """Once the deadline has passed, the units with projects that have no submitted or
    accepted report, most missing first. The projects are those lit for the period (the
    year's listed ones, under the unit the light was computed for, as in the counts by
    unit): the period's lights against the index of its filed reports, both read from their
    indexes alone, where a join of every listed project with its row took 110 ms at 100,000
    projects. A query of its own: counted in the GROUP BY above, PostgreSQL took twice as
    long."""
    if timezone.now() <= period.deadline:
        return []
    filed = Report.objects.filter(
        period=period,
        is_current=True,
        status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED],
    ).values("project_id")
    late: dict = defaultdict(int)
    missing = lights.exclude(project_id__in=filed).values_list("responsible_unit_id")
    for unit_id, n in missing.annotate(n=Count("project")).order_by():
        late[units.get(unit_id, "–")] += n
    return sorted(late.items(), key=lambda item: (-item[1], item[0]))
