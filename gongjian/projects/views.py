from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.accounts import access
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import plain_value
from gongjian.lib.params import page_param
from gongjian.projects import access as project_access
from gongjian.projects import services
from gongjian.projects.filters import ProjectFilterForm
from gongjian.projects.forms import ListingForm, MilestoneForm, ProjectForm, RebaselineForm
from gongjian.projects.models import AnnualListing, Milestone, Project

PAGE_SIZE = 25


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    project_access.require_registry(request)
    filters = ProjectFilterForm(request.GET, user=request.user)
    year = filters.year_or_current()
    qs = filters.apply(project_access.visible_projects(request.user)).for_list(year)
    page = Paginator(qs, PAGE_SIZE).get_page(page_param(request.GET))
    ctx = {
        "filters": filters,
        "page": page,
        "year": year,
        "query_without_page": _query_without(request, "page"),
        "query_without_sort": _query_without(request, "sort", "page"),
        "sort": filters.cleaned_data.get("sort") if filters.is_valid() else "",
        "can_create": project_access.can_create_projects(request.user),
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
    project = project_access.get_project_for_user(request, pk)
    ctx = {
        "project": project,
        "listings": project.listings.all(),
        "milestones": project.milestones.select_related("kind", "owner_unit"),
        "rebaselines": project.rebaselines.select_related("recorded_by"),
        "audit": AuditEntry.objects.filter(project_id=project.pk)[:100],
        # The light history, newest first: how the project's standing changed period by period.
        "lights": project.lights.select_related("period").order_by("-period__start")[:12],
        "can_change": project_access.can_change_project(request.user, project),
        "can_rebaseline": project_access.can_rebaseline(request.user)
        and project_access.can_change_project(request.user, project),
    }
    return render(request, "projects/project_detail.html", ctx)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not project_access.can_create_projects(request.user):
        raise PermissionDenied("Your role cannot add projects")
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(actor=request.user, form=form)
        messages.success(request, _("Project created."))
        return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_access.get_project_for_user(request, pk, write=True)
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
    project = project_access.get_project_for_user(request, pk, write=True)
    if not project_access.can_rebaseline(request.user):
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
    project = project_access.get_project_for_user(request, pk, write=True)
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
    project = project_access.get_project_for_user(request, pk, write=True)
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
    project = project_access.get_project_for_user(request, pk, write=True)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    form = MilestoneForm(request.POST or None, instance=milestone)
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control")
    if request.method == "POST" and form.is_valid():
        services.child_save(actor=request.user, form=form, project=project)
        return redirect("projects:detail", pk=project.pk)
    ctx = {"form": form, "project": project, "title": milestone.kind.name}
    return render(request, "projects/child_form.html", ctx)
