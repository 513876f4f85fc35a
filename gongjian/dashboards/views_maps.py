"""The pages that read across apps about the registry: 挂图作战 (battle maps) for a project and
for a unit, 四多四少 (the portfolio's structure against last year) and the project map coloured by
the latest lights. They sit in dashboards, above dispatch, because they read its lights."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from gongjian.accounts import access
from gongjian.dashboards.battle import project_chart, unit_board
from gongjian.dashboards.geo import boundary_path
from gongjian.dashboards.structure import compare, portfolio, sentences
from gongjian.dispatch.models import Light
from gongjian.lib.figures_format import wan
from gongjian.lib.params import month_param, year_param
from gongjian.projects import access as project_access
from gongjian.projects.models import Milestone, MilestoneKind


@login_required
def battle_map(request: HttpRequest, pk: int) -> HttpResponse:
    """挂图作战 for one project: its milestones, plan against actual, first plan as a ghost."""
    project = project_access.get_project_for_user(request, pk)
    milestones = list(project.milestones.select_related("kind"))
    chart = project_chart(project, milestones, timezone.localdate())
    ctx = {"project": project, "chart": chart, "chart_height": 100 + 36 * len(milestones)}
    return render(request, "dashboards/battle_map.html", ctx)


@login_required
def unit_battle_map(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """挂图作战 for a unit: every project it is responsible for, milestone by milestone."""
    project_access.require_registry(request)
    unit = get_object_or_404(access.visible_units(request.user), pk=unit_pk)
    projects = list(
        project_access.visible_projects(request.user)
        .filter(responsible_unit__path__startswith=unit.path)
        .select_related("stage")
        .order_by("-total_investment")[:200]
    )
    kinds = list(MilestoneKind.objects.filter(is_active=True))
    milestones = Milestone.objects.filter(project__in=[p.pk for p in projects]).only(
        "project_id", "kind_id", "planned_date", "actual_date"
    )
    board = unit_board(projects, kinds, milestones, timezone.localdate())
    ctx = {
        "unit": unit,
        "kinds": kinds,
        "board": board,
        "overdue": sum(row["overdue"] for row in board),
    }
    return render(request, "dashboards/unit_battle_map.html", ctx)


@login_required
def structure(request: HttpRequest) -> HttpResponse:
    """四多四少: this year's portfolio against the same period last year, in sentences."""
    if not access.can_see_desk(request.user):
        raise PermissionDenied("The structure analysis is for the office and leaders")
    today = timezone.localdate()
    year = year_param(request.GET, default=today.year)
    month = month_param(request.GET, default=today.month - 1 or 12)
    current, completed, total = portfolio(year, month)
    previous, previous_completed, previous_total = portfolio(year - 1, month)
    changes = compare(current, total, previous, previous_total)
    ctx = {
        "year": year,
        "month": month,
        "changes": changes,
        "total": total,
        "previous_total": previous_total,
        "completed": completed,
        "previous_completed": previous_completed,
        "sentences": sentences(changes, completed, previous_completed),
    }
    return render(request, "dashboards/structure.html", ctx)


MAP_PROJECTS = 3000


@login_required
def project_map(request: HttpRequest) -> HttpResponse:
    project_access.require_registry(request)
    return render(request, "dashboards/map.html", {"limit": MAP_PROJECTS})


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    """The boundary and the largest visible projects with coordinates, coloured by their light
    of the latest ended period."""
    project_access.require_registry(request)
    path = boundary_path()
    boundary = json.loads(path.read_text()) if path.exists() else None
    rows = list(
        project_access.visible_projects(request.user)
        .exclude(latitude=None)
        .exclude(longitude=None)
        .order_by("-total_investment")
        .values_list("pk", "name", "longitude", "latitude", "total_investment")[:MAP_PROJECTS]
    )
    latest = Light.objects.order_by("-period__end").values_list("period_id", flat=True).first()
    colours = dict(
        Light.objects.filter(period_id=latest, project_id__in=[r[0] for r in rows]).values_list(
            "project_id", "colour"
        )
    )
    projects = [
        {
            "name": name,
            "value": [float(lng), float(lat), float(total or 0)],  # the dot's place and size
            "text": wan(total or 0).text,  # the tooltip's 万元, as every page prints it
            "colour": colours.get(pk, ""),
            "url": reverse("projects:detail", args=[pk]),
        }
        for pk, name, lng, lat, total in rows
    ]
    return JsonResponse({"boundary": boundary, "projects": projects})
