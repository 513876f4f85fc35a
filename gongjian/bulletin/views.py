"""The bulletin page (the narrative of a chosen period, with the downloads) and the Excel, PDF
and text downloads. For the office and leaders only, over the projects they may see."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongjian.accounts import access
from gongjian.accounts.models import Unit
from gongjian.audit.services import audit_export
from gongjian.bulletin.data import Bulletin, build_bulletin, place_name
from gongjian.bulletin.pdf import render_pdf
from gongjian.bulletin.summary import build_summary
from gongjian.bulletin.text import RED_LIST_LIMIT, render_text, sections, title
from gongjian.bulletin.xlsx import write_xlsx
from gongjian.dispatch.models import Period
from gongjian.lib.params import id_param
from gongjian.problems import access as problem_access
from gongjian.projects import access as project_access


def _require_bulletin(request: HttpRequest) -> None:
    if not access.can_issue_bulletin(request.user):
        raise PermissionDenied("The dispatch bulletin is for the campaign office and leaders")


def _ended_periods():
    """The periods of the active campaigns that have ended, latest first."""
    return (
        Period.objects.filter(campaign__is_active=True, end__lt=timezone.localdate())
        .select_related("campaign")
        .order_by("-end", "campaign__name")
    )


def _requested_period(request: HttpRequest) -> Period:
    pk = id_param(request.GET, "period")
    period = _ended_periods().filter(pk=pk).first() if pk is not None else None
    if period is None:
        raise Http404("No such ended period")
    return period


def _bulletin(request: HttpRequest, period: Period, build=build_bulletin) -> Bulletin:
    """The bulletin over what the user may see: `build` is build_bulletin for the downloads,
    summary.build_summary for the page (no table, no annex)."""
    user = request.user
    if access.sees_all_projects(user):
        return build(period, problems=problem_access.visible_problems(user))
    return build(
        period,
        projects=project_access.visible_projects(user),
        problems=problem_access.visible_problems(user),
        place=_own_place(user),
    )


def _own_place(user) -> str | None:
    """A county's office or leader issues the county's own bulletin (西山县, 全县…)."""
    paths = access.scope_for(user).read_paths
    if len(paths) != 1:
        return None
    unit = (
        Unit.objects.filter(path=paths[0], kind=Unit.Kind.GOVERNMENT)
        .values("short_name", "name", "region__name")
        .first()
    )
    return None if unit is None else place_name(unit)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_bulletin(request)
    periods = list(_ended_periods())
    pk = id_param(request.GET, "period")
    period = next((p for p in periods if p.pk == pk), None)
    period = period or (periods[0] if periods else None)
    ctx = {"periods": periods, "period": period}
    if period is not None:
        # What the page shows only: the annex is built for the downloads.
        bulletin = _bulletin(request, period, build=build_summary)
        ctx.update(
            bulletin=bulletin,
            title=title(bulletin),
            sections=sections(bulletin),
            red=bulletin.red[:RED_LIST_LIMIT],
        )
    return render(request, "bulletin/index.html", ctx)


@login_required
def download_xlsx(request: HttpRequest) -> FileResponse:
    _require_bulletin(request)
    bulletin = _bulletin(request, _requested_period(request))
    target = io.BytesIO()
    write_xlsx(bulletin, target)
    target.seek(0)
    audit_export(actor=request.user, what=f"{bulletin.title}.xlsx", rows=len(bulletin.rows))
    return FileResponse(target, as_attachment=True, filename=f"{bulletin.title}.xlsx")


@login_required
def download_pdf(request: HttpRequest) -> FileResponse:
    # Rendered in this process: the web does not fork (the command renders long tables on
    # every core).
    _require_bulletin(request)
    bulletin = _bulletin(request, _requested_period(request))
    audit_export(actor=request.user, what=f"{title(bulletin)}.pdf", rows=len(bulletin.rows))
    return FileResponse(
        io.BytesIO(render_pdf(bulletin)), as_attachment=True, filename=f"{title(bulletin)}.pdf"
    )


@login_required
def download_text(request: HttpRequest) -> FileResponse:
    _require_bulletin(request)
    bulletin = _bulletin(request, _requested_period(request))
    audit_export(actor=request.user, what=f"{title(bulletin)}.txt", rows=len(bulletin.rows))
    response = FileResponse(
        io.BytesIO(render_text(bulletin).encode()),
        as_attachment=True,
        filename=f"{title(bulletin)}.txt",
    )
    response["Content-Type"] = "text/plain; charset=utf-8"
    return response
