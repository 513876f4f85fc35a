"""What the public big screen shows, shaped for screen.js: only aggregates (no project, no
person), only published rankings, only ended periods. Reads the period snapshots
(dashboards.PeriodFigures) and the published score runs: a few rows, whatever the scale.

Figures are rounded once by lib/figures_format.py: numbers for the charts, and under "text" the
strings screen.js prints, the same digits as the cockpit and the bulletin."""

from __future__ import annotations

from django.conf import settings

from gongjian.assessment.models import Scheme, ScoreRun, UnitScore
from gongjian.dashboards.models import PeriodFigures
from gongjian.dispatch.figures import active_campaign, latest_ended_period, schedule_share
from gongjian.dispatch.rules.schedule import completion_share
from gongjian.lib.figures_format import percent, percent_of, point_gap, yi

RANKING_ROWS = 12


def _number(shown) -> float | None:
    return None if shown is None else shown.number


def _text(shown) -> str | None:
    return None if shown is None else shown.text


def _ranking_light(rank: int, size: int) -> str:
    """亮牌: the top third blue, the middle yellow, the bottom third red."""
    third = size / 3
    return "blue" if rank <= third else ("yellow" if rank <= 2 * third else "red")


def _latest_figures() -> PeriodFigures | None:
    """The deployment's figures for the period the cockpit opens on: the active campaign's
    latest ended period."""
    campaign = active_campaign()
    period = latest_ended_period(campaign) if campaign is not None else None
    if period is None:
        return None
    return (
        PeriodFigures.objects.filter(period=period, unit__isnull=True)
        .select_related("period__campaign")
        .first()
    )


def screen_data() -> dict:
    latest = _latest_figures()
    data = {"site": settings.SITE_NAME, "headline": None, "areas": [], "rankings": []}
    if latest is not None:
        period = latest.period
        month = period.end.month if period.end.year == period.campaign.year else 12
        expected = schedule_share(period)  # as the lights, the cockpit and the bulletin
        actual = completion_share(latest.completed_ytd, latest.annual_plan)
        shown = {
            "total_investment_yi": yi(latest.total_investment),
            "annual_plan_yi": yi(latest.annual_plan),
            "completed_yi": yi(latest.completed_ytd),
            "share": None if actual is None else percent_of(actual),
            "schedule": percent_of(expected),
            "gap": None if actual is None else point_gap(actual, expected),
        }
        data["headline"] = {
            "period": period.label,
            "year": period.campaign.year,
            "month": month,
            "projects": latest.projects,
            **{name: _number(figure) for name, figure in shown.items()},
            "text": {name: _text(figure) for name, figure in shown.items()},
            "starts": latest.starts,
            "completions": latest.completions,
            "lights": {c: getattr(latest, c) for c in ("red", "yellow", "blue", "green")},
        }
        # The areas: the units right below the root (the counties and the city's own units).
        areas = (
            PeriodFigures.objects.filter(period=period, unit__parent__parent__isnull=True)
            .exclude(unit__isnull=True)
            .exclude(unit__parent__isnull=True)
            .select_related("unit")
            .order_by("-completed_ytd")
        )
        data["areas"] = [_area(f) for f in areas if f.projects]
    for scheme in Scheme.objects.all():
        # Published snapshots only: a draft (whoever computed it) never reaches a public screen.
        run = ScoreRun.objects.filter(scheme=scheme).latest_published()
        if run is None:
            continue
        groups: dict = {}
        for score in UnitScore.objects.filter(run=run).select_related("unit", "group"):
            groups.setdefault(score.group, []).append(score)
        data["rankings"].append(
            {
                "scheme": scheme.name,
                "period": run.period,
                "groups": [
                    {
                        "name": group.name,
                        "rows": [
                            {
                                "rank": s.rank,
                                "unit": s.unit.short_name or s.unit.name,
                                "total": float(s.total),
                                "change": s.rank_change,
                                "light": _ranking_light(s.rank, len(scores)),
                            }
                            for s in sorted(scores, key=lambda s: (s.rank, s.unit.name))[
                                :RANKING_ROWS
                            ]
                        ],
                    }
                    for group, scores in sorted(groups.items(), key=lambda g: g[0].order)
                ],
            }
        )
    return data


def _area(figures: PeriodFigures) -> dict:
    share = percent(figures.completed_ytd, figures.annual_plan)
    completed = yi(figures.completed_ytd)
    return {
        "name": figures.unit.short_name or figures.unit.name,
        "share": _number(share),
        "completed_yi": completed.number,
        "starts": figures.starts,
        "text": {"share": _text(share), "completed_yi": completed.text},
    }
