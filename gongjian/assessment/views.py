"""Rankings (赛马): the scores of a scheme and period by group, with rank and change (双亮牌),
each unit's breakdown, computing and publishing, and the yearly awards with their Excel."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.assessment import access as assessment_access
from gongjian.assessment import services
from gongjian.assessment.models import PublishedError, Scheme, ScoreRun, UnitScore
from gongjian.assessment.targets import progress
from gongjian.audit.services import audit_export
from gongjian.lib.params import BadParameter, id_param, month_param, period_param, year_param
from gongjian.lib.xlsx import new_workbook, text_row

AWARD_PLACES = 3


def _require_rankings(request) -> None:
    if not assessment_access.can_see_rankings(request.user):
        raise PermissionDenied("Rankings are for the office, leaders, units and departments")


def _visible_runs(user):
    """Published snapshots, and the drafts of the schemes the user's office runs."""
    return ScoreRun.objects.filter(assessment_access.visible_runs_q(user)).select_related(
        "scheme", "published_by"
    )


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    _require_rankings(request)
    schemes = list(Scheme.objects.all())
    scheme_pk = id_param(request.GET, "scheme")
    scheme = next((s for s in schemes if s.pk == scheme_pk), None)
    scheme = scheme or (schemes[0] if schemes else None)
    runs = list(_visible_runs(request.user).filter(scheme=scheme)) if scheme else []
    period = period_param(request.GET)
    run = next((r for r in runs if r.period == period), None)
    run = run or (runs[0] if runs else None)
    groups = []
    if run is not None:
        scores = list(
            UnitScore.objects.filter(run=run)
            .select_related("unit", "group")
            .order_by("group__order", "group_id", "rank", "unit__name")
        )
        for score in scores:
            if not groups or groups[-1][0] != score.group:
                groups.append((score.group, []))
            groups[-1][1].append(score)
    ctx = {
        "schemes": schemes,
        "scheme": scheme,
        "runs": runs,
        "run": run,
        "groups": groups,
        "items": [row["item"] for row in groups[0][1][0].breakdown] if groups else [],
        "can_manage": scheme is not None
        and assessment_access.can_manage_scheme(request.user, scheme),
        "default_period": f"{timezone.localdate():%Y-%m}",
    }
    return render(request, "assessment/ranking.html", ctx)


@login_required
def breakdown(request: HttpRequest, run_pk: int, unit_pk: int) -> HttpResponse:
    """One unit's score: every item's inputs, formula and points."""
    _require_rankings(request)
    run = get_object_or_404(_visible_runs(request.user), pk=run_pk)
    score = get_object_or_404(
        UnitScore.objects.select_related("unit", "group"), run=run, unit=unit_pk
    )
    return render(request, "assessment/breakdown.html", {"run": run, "score": score})


@login_required
@require_POST
def compute(request: HttpRequest) -> HttpResponse:
    # The scheme is a hidden field: anything but an id is a tampered form (400).
    scheme = get_object_or_404(Scheme, pk=id_param(request.POST, "scheme", required=True))
    if not assessment_access.can_manage_scheme(request.user, scheme):
        raise PermissionDenied("Only the office of the scheme's own government computes it")
    try:
        # The period is typed: a mistake is shown on the ranking page, as the service's are.
        period = period_param(request.POST, required=True, label=_("assessment period"))
        run = services.score_run_compute(scheme, period, actor=request.user)
    except (BadParameter, services.AssessmentError, PublishedError) as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('assessment:ranking')}?scheme={scheme.pk}")
    messages.success(request, _("Scores computed for %(period)s (draft).") % {"period": period})
    return redirect(f"{reverse('assessment:ranking')}?scheme={scheme.pk}&period={run.period}")


@login_required
@require_POST
def publish(request: HttpRequest, run_pk: int) -> HttpResponse:
    # A draft the user may not see is not found; a snapshot they may read is not theirs to publish.
    run = get_object_or_404(_visible_runs(request.user), pk=run_pk)
    if not assessment_access.can_manage_scheme(request.user, run.scheme):
        raise PermissionDenied("Only the office of the scheme's own government publishes it")
    try:
        services.score_run_publish(run=run, actor=request.user)
    except PublishedError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Published: the scores can no longer change."))
    return redirect(f"{reverse('assessment:ranking')}?scheme={run.scheme_id}&period={run.period}")


def _award_rows(year: int, places: int):
    """Per group of the year's published yearly run: the top `places` and the bottom `places`
    (约谈). None when the year has no published yearly scores."""
    run = (
        ScoreRun.objects.filter(
            scheme__cadence=Scheme.Cadence.YEARLY, period=str(year), published_at__isnull=False
        )
        .select_related("scheme")
        .first()
    )
    if run is None:
        return None, []
    groups = []
    for score in run.scores.select_related("unit", "group").order_by(
        "group__order", "group_id", "rank", "unit__name"
    ):
        if not groups or groups[-1]["group"] != score.group:
            groups.append({"group": score.group, "scores": []})
        groups[-1]["scores"].append(score)
    for group in groups:
        scores = group["scores"]
        # Ties at a boundary are all in: two units sharing 3rd place are both honoured.
        group["top"] = [s for s in scores if s.rank <= places]
        cutoff = scores[-places].rank if len(scores) > places else None
        group["bottom"] = [
            s for s in scores if cutoff is not None and s.rank >= cutoff and s not in group["top"]
        ]
    return run, groups


@login_required
def awards(request: HttpRequest, year: int) -> HttpResponse:
    _require_rankings(request)
    run, groups = _award_rows(year, AWARD_PLACES)
    ctx = {"year": year, "run": run, "groups": groups, "places": AWARD_PLACES}
    return render(request, "assessment/awards.html", ctx)


@login_required
def awards_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    _require_rankings(request)
    run, groups = _award_rows(year, AWARD_PLACES)
    if run is None:
        messages.error(request, _("%(year)d has no published yearly scores.") % {"year": year})
        return redirect("assessment:awards", year=year)
    out = io.BytesIO()
    book = new_workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(str(year))
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "0.00"})
    # Names typed in the admin are text, never formulas (lib/xlsx.py).
    sheet.write_string(0, 0, f"{year}年度重点项目考核结果（{run.scheme.name}）", title)
    row = 2
    for group in groups:
        for label, scores in (("表彰", group["top"]), ("约谈", group["bottom"])):
            sheet.write_string(row, 0, f"{group['group'].name} · {label}", head)
            text_row(sheet, row + 1, 0, ["名次", "单位", "得分"], head)
            row += 2
            for score in scores:
                sheet.write_number(row, 0, score.rank, cell)
                sheet.write_string(row, 1, score.unit.name, cell)
                sheet.write_number(row, 2, float(score.total), number)
                row += 1
            row += 1
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2, 10)
    book.close()
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="awards-{year}.xlsx"'
    audit_export(
        actor=request.user,
        what=f"awards-{year}.xlsx",
        rows=sum(len(g["top"]) + len(g["bottom"]) for g in groups),
    )
    return response


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """Each unit's progress against its targets, against 序时, with a light."""
    _require_rankings(request)
    today = timezone.localdate()
    year = year_param(request.GET, default=today.year)
    month = month_param(request.GET, default=today.month - 1 or 12)
    rows = progress(year, month)
    return render(request, "assessment/targets.html", {"rows": rows, "year": year, "month": month})
