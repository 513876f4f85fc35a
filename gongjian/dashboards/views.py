"""The leader cockpit (领导驾驶舱): one page, and a JSON endpoint for each chart or list, which
static/js/cockpit.js fetches and draws. Every endpoint takes ?period=<pk> (default: the latest
ended period of the active campaign) and ?unit=<pk> (default: the top of the user's scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from gongjian.accounts import access
from gongjian.dashboards import selectors
from gongjian.dispatch.selectors import pick_period
from gongjian.lib.params import bool_param, choice_param, id_param, page_param


def _require_cockpit(request: HttpRequest) -> None:
    if not access.can_see_cockpit(request.user):
        raise PermissionDenied("The cockpit is for the campaign office and leaders")


def _lens(request: HttpRequest, campaign=None) -> selectors.Lens:
    _require_cockpit(request)
    campaign = campaign or selectors.active_campaign()
    if campaign is None:
        raise Http404("No active campaign")
    period = pick_period(campaign, id_param(request.GET, "period"), ended_only=True)
    return selectors.open_lens(request.user, campaign, period, id_param(request.GET, "unit"))


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    _require_cockpit(request)
    campaign = selectors.active_campaign()
    if campaign is None:
        return render(request, "dashboards/cockpit.html", {"campaign": None})
    lens = _lens(request, campaign)
    period = lens.period
    today = timezone.localdate()
    # Only reads: the snapshots are kept up to date by the writes (receivers.py).
    run, ranking = selectors.latest_ranking()
    ctx = {
        "campaign": campaign,
        "period": period,
        "periods": list(campaign.periods.filter(end__lt=today)) or [period],
        "unit": lens.focus,
        "ranking_run": run,
        "ranking": ranking,
    }
    return render(request, "dashboards/cockpit.html", ctx)


@login_required
def summary_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.summary(_lens(request)))


@login_required
def trend_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.trend(_lens(request)))


@login_required
def units_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.units(_lens(request)))


@login_required
def projects_json(request: HttpRequest) -> JsonResponse:
    lens = _lens(request)
    figure = choice_param(request.GET, "figure", selectors.PROJECT_FIGURES, default="all")
    own = bool_param(request.GET, "own")
    data = selectors.projects(request.user, lens, figure, page_param(request.GET), own=own)
    return JsonResponse(data)


@login_required
def reds_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.reds(request.user, _lens(request)))
