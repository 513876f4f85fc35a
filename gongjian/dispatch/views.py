"""Dispatch pages: what is due, one report (fill, submit, history), the review queue."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.accounts import access
from gongjian.audit.services import audit_export
from gongjian.dispatch import figures, services, sheets
from gongjian.dispatch.conflict import conflict as report_conflict
from gongjian.dispatch.forms import ReportForm
from gongjian.dispatch.models import Campaign, Light, Period, Report, ReportPhoto
from gongjian.dispatch.rules.lights import resolve_rule_set
from gongjian.dispatch.selectors import DueRow, desk_data, due_rows, pick_period, review_queue
from gongjian.lib.params import choice_param, id_param, text_param
from gongjian.lib.urls import safe_next_url
from gongjian.projects import access as project_access


@login_required
def due(request: HttpRequest) -> HttpResponse:
    """The period's filings for every project the user is responsible for (or oversees)."""
    project_access.require_registry(request)
    campaign = figures.active_campaign()
    if campaign is None:
        return render(request, "dispatch/due.html", {"campaign": None})
    period = pick_period(campaign, id_param(request.GET, "period"))
    rows = due_rows(request.user, period)
    figures.attach_figures(period, [(row.project, row.report) for row in rows])
    ctx = {
        "campaign": campaign,
        "period": period,
        "periods": campaign.periods.all(),
        "rows": rows,
        "counts": _counts(rows),
        "is_late": timezone.now() > period.deadline,
    }
    return render(request, "dispatch/due.html", ctx)


def _counts(rows) -> dict[str, int]:
    counts = {"missing": 0, "draft": 0, "submitted": 0, "returned": 0, "accepted": 0}
    for row in rows:
        counts[row.report.status if row.report else "missing"] += 1
    return counts


@login_required
def report(request: HttpRequest, project_pk: int, period_pk: int) -> HttpResponse:
    project = project_access.get_project_for_user(request, project_pk)
    period = get_object_or_404(Period.objects.select_related("campaign"), pk=period_pk)
    current = services.current_report(project, period)
    can_file = project_access.can_change_project(request.user, project)
    editable = can_file and (current is None or current.is_editable)
    form = ReportForm(request.POST or None, instance=current, project=project, period=period)
    if request.method == "POST":
        if not can_file:
            raise PermissionDenied("This report cannot be changed by you")
        if "add_photos" in request.POST:
            return _add_photos(request, project, period, current)
        # A colleague saved or submitted it, or a reviewer acted, after this form was opened
        # (a form without `seen` predates the check: only its editability is checked).
        seen = request.POST.get("seen")
        if not editable or (seen is not None and seen != services.report_revision(current)):
            return _changed_meanwhile(request, project, period, form, current)
        if form.is_valid():
            try:
                saved = services.report_save_draft(
                    actor=request.user,
                    project=project,
                    period=period,
                    data=form.cleaned_data,
                    expected_revision=seen,
                )
                if "submit" in request.POST:
                    services.report_submit(actor=request.user, report=saved)
                    messages.success(request, _("Report submitted for review."))
                else:
                    messages.success(request, _("Draft saved."))
            except services.ReportChanged as changed:
                return _changed_meanwhile(request, project, period, form, changed.current)
            except services.WorkflowError as error:
                messages.error(request, str(error))
            return redirect("dispatch:report", project_pk=project.pk, period_pk=period.pk)
    return render(
        request, "dispatch/report.html", _report_context(request, project, period, current, form)
    )


def _report_context(request, project, period, current: Report | None, form) -> dict:
    can_file = project_access.can_change_project(request.user, project)
    figures.attach_figures(period, [(project, current)])  # 年初至今… as of now, never stored
    return {
        "project": project,
        "period": period,
        "report": current,
        "form": form,
        "editable": can_file and (current is None or current.is_editable),
        "conflict": None,
        "can_review": current is not None and services.can_review(request.user, current),
        "can_correct": can_file
        and current is not None
        and current.status == Report.Status.ACCEPTED,
        "versions": Report.objects.filter(project=project, period=period).order_by("-version"),
        "events": list(current.events.select_related("actor")) if current else [],
        "photos": current.photos.all() if current else [],
        "max_photos": services.MAX_PHOTOS,
    }


def _changed_meanwhile(request, project, period, form, current: Report | None) -> HttpResponse:
    """HTTP 409: what the user typed stays in the form, nothing is saved, and the page says who
    changed the report, when, and how the saved values differ. If the report can still be
    edited, the form now carries its new revision: saving again keeps the user's values."""
    if current is not None:
        # Read again: validating the form copies the typed values onto its instance.
        current = Report.objects.filter(pk=current.pk).first()
    ctx = _report_context(request, project, period, current, form)
    ctx["conflict"] = report_conflict(form, current, editable=ctx["editable"])
    form.data = form.data.copy()
    form.data["seen"] = services.report_revision(current)
    if not ctx["editable"]:
        for field in form.fields.values():
            field.widget.attrs["readonly"] = True  # there to copy from, not to submit
    return render(request, "dispatch/report.html", ctx, status=409)


def _add_photos(request: HttpRequest, project, period, current: Report | None) -> HttpResponse:
    if current is None:
        messages.error(request, _("Save the report as a draft before adding photos."))
    elif not current.is_editable:
        messages.error(
            request,
            _("This report is %(status)s: photos can no longer be added.")
            % {"status": current.get_status_display()},
        )
    else:
        for error in services.report_add_photos(
            actor=request.user, report=current, uploads=request.FILES.getlist("photos")
        ):
            messages.error(request, error)
    return redirect("dispatch:report", project_pk=project.pk, period_pk=period.pk)


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The office's dispatch desk for a period."""
    if not access.can_see_desk(request.user):
        raise PermissionDenied("The dispatch desk is for the campaign office and leaders")
    campaign = _active_campaign()
    # The select lists every period, the requested one among them: one query, not two.
    periods = list(campaign.periods.all())
    requested = id_param(request.GET, "period")
    period = next((p for p in periods if p.pk == requested), None)
    period = period or pick_period(campaign, None, ended_only=True)
    scheme = resolve_rule_set(campaign.rule_preset, campaign.rule_set).scheme
    best = Light.Colour.BLUE if scheme == "red_yellow_blue" else Light.Colour.GREEN
    colours = [(c, Light.Colour(c).label) for c in (Light.Colour.RED, Light.Colour.YELLOW, best)]
    ctx = {
        "campaign": campaign,
        "period": period,
        "periods": periods,
        "colours": colours,
        **desk_data(request.user, period),
    }
    return render(request, "dispatch/desk.html", ctx)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """Reports waiting for the user's review level."""
    return render(request, "dispatch/review.html", {"reports": review_queue(request.user)})


@login_required
@require_POST
def review_action(request: HttpRequest, report_pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("project__responsible_unit", "period__campaign"), pk=report_pk
    )
    if not services.can_review(request.user, report):
        raise PermissionDenied("It is not your turn to review this report")
    try:
        action = choice_param(request.POST, "action", ("approve", "return"), default="approve")
        if action == "return":
            services.report_return(
                actor=request.user, report=report, reason=text_param(request.POST, "reason")
            )
            messages.success(request, _("Report returned."))
        else:
            accepted = services.report_approve(actor=request.user, report=report)
            messages.success(
                request, _("Report accepted.") if accepted else _("Passed to the next level.")
            )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    return redirect(safe_next_url(request, reverse("dispatch:review")))


@login_required
@require_POST
def correct(request: HttpRequest, report_pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=report_pk)
    project = project_access.get_project_for_user(request, report.project_id, write=True)
    try:
        services.report_start_correction(
            actor=request.user, report=report, reason=text_param(request.POST, "reason")
        )
        messages.success(
            request, _("A correction was started; the accepted version stays on record.")
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    return redirect("dispatch:report", project_pk=project.pk, period_pk=report.period_id)


@login_required
def batch(request: HttpRequest) -> HttpResponse:
    """All of the user's projects for a period in one grid. Each row saves as a draft when it
    changes (htmx); without JavaScript the whole grid saves at once; then submit them all."""
    project_access.require_registry(request)
    campaign = _active_campaign()
    period = pick_period(campaign, _period_id(request))
    rows = [row for row in due_rows(request.user, period) if row.can_file]
    if request.method == "POST":
        if "submit_all" in request.POST:
            count = services.reports_submit_drafts(
                actor=request.user, reports=[r.report for r in rows if r.report]
            )
            messages.success(request, _("%(count)s reports submitted.") % {"count": count})
            return redirect(f"{request.path}?period={period.pk}")
        # One set of totals for all rows: the grid saves 200 projects in one request.
        earlier = figures.earlier_totals(period, [row.project.pk for row in rows])
        forms_by_row = [(row, _row_form(request.POST, row, period, earlier)) for row in rows]
        if all(form.is_valid() for _row, form in forms_by_row if form is not None):
            with transaction.atomic():
                for row, form in forms_by_row:
                    if form is not None and form.has_changed():
                        services.report_save_draft(
                            actor=request.user,
                            project=row.project,
                            period=period,
                            data=form.cleaned_data,
                            report=row.report,
                        )
            messages.success(request, _("Drafts saved."))
            return redirect(f"{request.path}?period={period.pk}")
    else:
        forms_by_row = [(row, _row_form(None, row, period)) for row in rows]
    ctx = {
        "campaign": campaign,
        "period": period,
        "periods": campaign.periods.all(),
        "grid": forms_by_row,
    }
    return render(request, "dispatch/batch.html", ctx)


@login_required
def batch_sheet(request: HttpRequest) -> HttpResponse:
    """GET: the period's grid as .xlsx. POST: upload it back (all rows saved as drafts, or none)."""
    project_access.require_registry(request)
    campaign = _active_campaign()
    period = pick_period(campaign, _period_id(request))
    rows = [row for row in due_rows(request.user, period) if row.can_file]
    if request.method == "POST":
        upload = request.FILES.get("sheet")
        if upload is None:
            messages.error(request, _("Choose the Excel file to upload."))
            return redirect(f"{reverse('dispatch:batch')}?period={period.pk}")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
            for chunk in upload.chunks():
                spool.write(chunk)
            spool.flush()
            result = sheets.upload_period_sheet(
                spool.name, actor=request.user, period=period, rows=rows
            )
        if result.file_error or result.errors:
            ctx = {
                "campaign": campaign,
                "period": period,
                "periods": campaign.periods.all(),
                "grid": [(row, _row_form(None, row, period)) for row in rows],
                "upload": result,
            }
            return render(request, "dispatch/batch.html", ctx, status=400)
        messages.success(
            request, _("%(count)s drafts saved from the file.") % {"count": result.saved}
        )
        return redirect(f"{reverse('dispatch:batch')}?period={period.pk}")
    spool = tempfile.TemporaryFile()
    sheets.write_period_sheet(rows, spool)
    spool.seek(0)
    audit_export(actor=request.user, what=f"{period.label}.xlsx", rows=len(rows))
    return FileResponse(spool, as_attachment=True, filename=f"{period.label}.xlsx")


@login_required
@require_POST
def batch_row(request: HttpRequest, project_pk: int, period_pk: int) -> HttpResponse:
    """htmx: save one grid row as a draft and return the row."""
    project = project_access.get_project_for_user(request, project_pk, write=True)
    period = get_object_or_404(Period, pk=period_pk)
    row = DueRow(project=project, report=services.current_report(project, period), can_file=True)
    form = _row_form(request.POST, row, period)
    if form is not None and form.is_valid():
        try:
            row.report = services.report_save_draft(
                actor=request.user, project=project, period=period, data=form.cleaned_data
            )
            form = _row_form(None, row, period)
            saved = True
        except services.WorkflowError:
            saved = False
    else:
        saved = False
    ctx = {"row": row, "form": form, "period": period, "saved": saved}
    return render(request, "dispatch/batch.html#row", ctx)


def _active_campaign() -> Campaign:
    campaign = figures.active_campaign()
    if campaign is None:
        raise Http404("No active campaign")
    return campaign


def _period_id(request: HttpRequest) -> int | None:
    """?period=, else the period field of the posted grid or sheet."""
    return id_param(request.GET, "period") or id_param(request.POST, "period")


def _row_form(data, row: DueRow, period: Period, earlier=None) -> ReportForm | None:
    """The grid's form for a row (fields prefixed by project id), or None if it is locked."""
    if row.report is not None and not row.report.is_editable:
        return None
    return ReportForm(
        data,
        instance=row.report,
        project=row.project,
        period=period,
        prefix=f"p{row.project.pk}",
        fields_shown=("amount", "progress"),
        earlier_total=earlier.total.get(row.project.pk, 0) if earlier else None,
    )


@login_required
def photo(request: HttpRequest, photo_pk: int) -> FileResponse:
    """A progress photo, to those who may see its project (media files are not public)."""
    stored = get_object_or_404(ReportPhoto.objects.select_related("report"), pk=photo_pk)
    project_access.get_project_for_user(request, stored.report.project_id)
    return FileResponse(stored.image.open("rb"), content_type=_content_type(stored.image.name))


def _content_type(name: str) -> str:
    return "image/png" if name.lower().endswith(".png") else "image/jpeg"
