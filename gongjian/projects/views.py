from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.accounts import access
from gongjian.audit.models import AuditEntry
from gongjian.lib.params import month_param, page_param, year_param
from gongjian.projects import services
from gongjian.projects.filters import ProjectFilterForm
from gongjian.projects.forms import ListingForm, MilestoneForm, ProjectForm, RebaselineForm
from gongjian.projects.models import AnnualListing, Milestone, Project

PAGE_SIZE = 25


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    access.require_registry(request)
    filters = ProjectFilterForm(request.GET, user=request.user)
    year = filters.year_or_current()
    qs = filters.apply(access.visible_projects(request.user)).for_list(year)
    page = Paginator(qs, PAGE_SIZE).get_page(page_param(request.GET))
    ctx = {
        "filters": filters,
        "page": page,
        "year": year,
        "query_without_page": _query_without(request, "page"),
        "query_without_sort": _query_without(request, "sort", "page"),
        "sort": filters.cleaned_data.get("sort") if filters.is_valid() else "",
        "can_create": access.can_create_projects(request.user),
    }
    template = "projects/project_list.html"
    if request.htmx and request.htmx.target == "project-rows":
        template += "#rows"
    return render(request, template, ctx)


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request, pk)
    ctx = {
        "project": project,
        "listings": project.listings.all(),
        "milestones": project.milestones.select_related("kind", "owner_unit"),
        "rebaselines": project.rebaselines.select_related("recorded_by"),
        "audit": AuditEntry.objects.filter(project_id=project.pk)[:100],
        # The light history, newest first: how the project's standing changed period by period.
        "lights": project.lights.select_related("period").order_by("-period__start")[:12],
        "can_change": access.can_change_project(request.user, project),
        "can_rebaseline": access.can_rebaseline(request.user)
        and access.can_change_project(request.user, project),
    }
    return render(request, "projects/project_detail.html", ctx)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_projects(request.user):
        raise PermissionDenied("Your role cannot add projects")
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(actor=request.user, form=form)
        messages.success(request, _("Project created."))
        return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request, pk, write=True)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    ctx = {"form": form, "project": project, "conflict": None}
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                actor=request.user,
                project=project,
                form=form,
                expected_version=form.cleaned_data.get("version"),
            )
        except services.EditConflict as conflict:
            # Keep what the user typed on screen and show what changed meanwhile.
            ctx["conflict"] = _conflict_rows(form, conflict.current)
            form.data = form.data.copy()
            form.data["version"] = conflict.current.version
            return render(request, "projects/project_form.html", ctx, status=409)
        messages.success(request, _("Changes saved."))
        return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", ctx)


def _conflict_rows(form: ProjectForm, current: Project) -> list[dict]:
    from gongjian.audit.services import plain_value

    rows = []
    for name in form.changed_data:
        if name == "version" or form.fields[name].disabled:
            continue
        rows.append(
            {
                "label": form.fields[name].label,
                "theirs": plain_value(getattr(current, name)),
                "yours": plain_value(form.cleaned_data.get(name)),
            }
        )
    return rows


@login_required
def project_rebaseline(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request, pk, write=True)
    if not access.can_rebaseline(request.user):
        raise PermissionDenied("Only the campaign office records a new baseline")
    form = RebaselineForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        services.project_rebaseline(actor=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("New baseline recorded."))
        return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_rebaseline.html", {"form": form, "project": project})


@login_required
@require_POST
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request, pk, write=True)
    if not access.scope_for(request.user).is_office:
        raise PermissionDenied("Only the campaign office deletes projects")
    try:
        services.project_delete(actor=request.user, project=project)
    except services.ProjectInUse as refused:
        messages.error(request, str(refused))
        return redirect("projects:detail", pk=project.pk)
    messages.success(request, _("Project deleted."))
    return redirect("projects:list")


@login_required
def listing_edit(request: HttpRequest, pk: int, listing_pk: int | None = None) -> HttpResponse:
    project = access.get_project_for_user(request, pk, write=True)
    listing = (
        get_object_or_404(AnnualListing, pk=listing_pk, project=project) if listing_pk else None
    )
    form = ListingForm(request.POST or None, instance=listing, project=project)
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control")
    if request.method == "POST" and form.is_valid():
        services.child_save(actor=request.user, form=form, project=project)
        return redirect("projects:detail", pk=project.pk)
    ctx = {"form": form, "project": project, "title": _("Annual key-project listing")}
    return render(request, "projects/child_form.html", ctx)


@login_required
def milestone_edit(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    project = access.get_project_for_user(request, pk, write=True)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    form = MilestoneForm(request.POST or None, instance=milestone)
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control")
    if request.method == "POST" and form.is_valid():
        services.child_save(actor=request.user, form=form, project=project)
        return redirect("projects:detail", pk=project.pk)
    ctx = {"form": form, "project": project, "title": milestone.kind.name}
    return render(request, "projects/child_form.html", ctx)


@login_required
def battle_map(request: HttpRequest, pk: int) -> HttpResponse:
    """挂图作战 for one project: its milestones, plan against actual, first plan as a ghost."""
    from django.utils import timezone

    from gongjian.projects.battle import project_chart

    project = access.get_project_for_user(request, pk)
    milestones = list(project.milestones.select_related("kind"))
    chart = project_chart(project, milestones, timezone.localdate())
    ctx = {"project": project, "chart": chart, "chart_height": 100 + 36 * len(milestones)}
    return render(request, "projects/battle_map.html", ctx)


@login_required
def unit_battle_map(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """挂图作战 for a unit: every project it is responsible for, milestone by milestone."""
    from django.shortcuts import get_object_or_404
    from django.utils import timezone

    from gongjian.projects.battle import unit_board
    from gongjian.projects.models import Milestone, MilestoneKind

    access.require_registry(request)
    unit = get_object_or_404(access.visible_units(request.user), pk=unit_pk)
    projects = list(
        access.visible_projects(request.user)
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
    return render(request, "projects/unit_battle_map.html", ctx)


@login_required
def structure(request: HttpRequest) -> HttpResponse:
    """四多四少: this year's portfolio against the same period last year, in sentences."""
    from django.utils import timezone

    from gongjian.projects.structure import compare, portfolio, sentences

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
    return render(request, "projects/structure.html", ctx)


MAP_PROJECTS = 3000


@login_required
def project_map(request: HttpRequest) -> HttpResponse:
    access.require_registry(request)
    return render(request, "projects/map.html", {"limit": MAP_PROJECTS})


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    """The boundary and the largest visible projects with coordinates, coloured by their light
    of the latest ended period."""
    import json

    from django.urls import reverse

    from gongjian.dispatch.models import Light
    from gongjian.projects.geo import boundary_path

    access.require_registry(request)
    path = boundary_path()
    boundary = json.loads(path.read_text()) if path.exists() else None
    rows = list(
        access.visible_projects(request.user)
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
            "value": [float(lng), float(lat), float(total or 0)],
            "colour": colours.get(pk, ""),
            "url": reverse("projects:detail", args=[pk]),
        }
        for pk, name, lng, lat, total in rows
    ]
    return JsonResponse({"boundary": boundary, "projects": projects})
