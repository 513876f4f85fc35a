"""The public big screen: no login, a revocable token in the link."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from gongjian.screen.data import screen_data
from gongjian.screen.models import ScreenToken

SLIDE_SECONDS = 15
REFRESH_SECONDS = 300


def _active(token: str) -> ScreenToken:
    screen = ScreenToken.objects.filter(token=token, revoked_at__isnull=True).first()
    if screen is None:
        raise Http404("No such screen")  # also for a revoked link: nothing to tell a stranger
    return screen


def show(request: HttpRequest, token: str) -> HttpResponse:
    screen = _active(token)
    ctx = {
        "screen": screen,
        "slide_seconds": SLIDE_SECONDS,
        "refresh_seconds": REFRESH_SECONDS,
        "labels": {
            "projects": _("Key projects"),
            "investment": _("Total investment (亿元)"),
            "completed": _("Completed this year (亿元)"),
            "share": _("of the year's plan"),
            "schedule": _("time schedule"),
            "starts": _("New starts"),
            "lights": _("Lights"),
            "areas": _("Progress by area"),
            "rank": _("Rank"),
            "unit": _("Unit"),
            "score": _("Score"),
            "empty": _("Nothing published yet."),
        },
    }
    return render(request, "screen/show.html", ctx)


@cache_control(max_age=30)
def data(request: HttpRequest, token: str) -> JsonResponse:
    _active(token)
    return JsonResponse(screen_data())
