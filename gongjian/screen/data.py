"""What the public big screen shows, shaped for screen.js: only aggregates (no project, no
person), only published rankings, only ended periods. Reads the period snapshots
(dashboards.PeriodFigures) and the published score runs: a few rows, whatever the scale."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from gongjian.assessment.models import Scheme, ScoreRun, UnitScore
from gongjian.dashboards.models import PeriodFigures
from gongjian.dispatch.rules.schedule import expected_share, gap_points, percent

YI = Decimal(10000)
RANKING_ROWS = 12


def _yi(amount) -> float:
    return float((Decimal(amount or 0) / YI).quantize(Decimal("0.01")))


def _share(part, whole) -> float | None:
    return float(percent(Decimal(part) / Decimal(whole))) if whole else None


def _ranking_light(rank: int, size: int) -> str:
    """亮牌: the top third blue, the middle yellow, the bottom third red."""
    third = size / 3
    return "blue" if rank <= third else ("yellow" if rank <= 2 * third else "red")


def screen_data() -> dict:
    latest = (
        PeriodFigures.objects.filter(unit__isnull=True)
        .select_related("period__campaign")
        .order_by("-period__end")
        .first()
    )
    data = {"site": settings.SITE_NAME, "headline": None, "areas": [], "rankings": []}
    if latest is not None:
        period = latest.period
        month = period.end.month if period.end.year == period.campaign.year else 12
        schedule = expected_share(year=period.campaign.year, through_month=month)
        share = (
            Decimal(latest.completed_ytd) / Decimal(latest.annual_plan)
            if latest.annual_plan
            else None
        )
        data["headline"] = {
            "period": period.label,
            "year": period.campaign.year,
            "month": month,
            "projects": latest.projects,
            "total_investment_yi": _yi(latest.total_investment),
            "annual_plan_yi": _yi(latest.annual_plan),
            "completed_yi": _yi(latest.completed_ytd),
            "share": _share(latest.completed_ytd, latest.annual_plan),
            "schedule": float(percent(schedule)),
            "gap": float(gap_points(share, schedule)) if share is not None else None,
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
        data["areas"] = [
            {
                "name": f.unit.short_name or f.unit.name,
                "share": _share(f.completed_ytd, f.annual_plan),
                "completed_yi": _yi(f.completed_ytd),
                "starts": f.starts,
            }
            for f in areas
            if f.projects
        ]
    for scheme in Scheme.objects.all():
        # Published snapshots only: a draft (whoever computed it) never reaches a public screen.
        run = ScoreRun.objects.published().filter(scheme=scheme).order_by("-period").first()
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
