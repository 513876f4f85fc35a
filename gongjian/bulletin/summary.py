"""The bulletin page: the narrative's figures read as aggregates, nothing it does not show.

The downloads (data.build_bulletin) read every listed project with its completed investment and
its latest 形象进度 for the annex. The page shows the totals, the areas, the starts, the first
red lights, the problems and the ranking, so it reads only those:

- the count, investment, plan and completed investment of everything and of each area: for the
  whole deployment from the cockpit's period snapshot (dashboards.PeriodFigures, refreshed
  once any write that changes them commits: dashboards/receivers.py), a row per county, so
  the page and the cockpit show the same figures at any scale; for a county's own bulletin
  (some of the projects), or a period without a snapshot, from two GROUP BY queries by
  responsible unit;
- the starts, in one pass over the year's listings (no project rows);
- the red lights: how many, and the first RED_LIST_LIMIT, biggest projects first (as the
  cockpit lists them), found by walking the projects' index in that order when there are
  many, collected and sorted by the database when there are few.

Every figure equals the download's (tests/test_summary.py). 20,000 projects × 5 weekly reports:
the page took 624 ms building the annex; 100,000 × 12 months: 2.9 s (docs/operations.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    Sum,
)
from django.utils import timezone

from gongjian.accounts.models import Unit
from gongjian.bulletin.data import (
    CITY_LEVEL,
    AreaSummary,
    Bulletin,
    Figures,
    RedItem,
    _gap,
    _latest_ranking,
    _open_problems,
    _place,
    span_label,
)
from gongjian.bulletin.text import RED_LIST_LIMIT
from gongjian.dashboards.models import PeriodFigures
from gongjian.dispatch import figures as dispatch_figures
from gongjian.dispatch.models import Light, Period, Report
from gongjian.dispatch.rules import schedule
from gongjian.lib import figures_format
from gongjian.projects.models import AnnualListing, Milestone, Project

UNIT_PATH = "project__responsible_unit__path"
# From this many red lights the list walks the projects biggest first (see _red_list).
WALK_FROM = 5000


def build_summary(
    period: Period,
    *,
    projects=None,
    problems=None,
    today: datetime.date | None = None,
    place: str | None = None,
) -> Bulletin:
    """The bulletin of `period` as build_bulletin makes it (same arguments), without its
    table: `rows` and `stages` are empty, `red` holds the first RED_LIST_LIMIT red lights
    and `red_more` counts the others."""
    today = today or timezone.localdate()
    year = period.campaign.year
    listings = AnnualListing.objects.filter(year=year)
    if projects is not None:
        listings = listings.filter(project__in=projects)
    counties = _counties()
    areas = (_snapshot_areas(period, counties) if projects is None else None) or _live_areas(
        period, listings, counties
    )
    total = Figures()
    for figures, _path in areas.values():
        total.add(figures)
    expected = dispatch_figures.schedule_share(period)
    month, span = span_label(period.end, year)
    place = place or _place()
    red, red_count = _red_list(period, projects, counties)
    return Bulletin(
        place=place,
        year=year,
        month=month,
        span=span,
        period_label=period.label,
        period_end=period.end,
        title=f"{place}{year}年{span}重点项目完成情况一览表",
        expected_share=schedule.percent(expected),
        total=total,
        gap_points=_gap(total, expected),
        rows=[],
        areas=[
            AreaSummary(name, figures, _gap(figures, expected))
            for name, (figures, _path) in sorted(areas.items(), key=lambda item: item[1][1])
        ],
        **_starts(period, listings),
        red=red,
        red_more=red_count - len(red),
        problems=_open_problems(problems, today),
        problems_as_of=today,
        ranking=_latest_ranking(),
    )


def _counties() -> dict[str, str]:
    """{path: area name} of the county-level governments, the units right below a root that
    are governments (data._area_names: every other unit's projects are 市本级)."""
    units = Unit.objects.filter(
        kind=Unit.Kind.GOVERNMENT, parent__isnull=False, parent__parent__isnull=True
    )
    return {
        path: short or name.removesuffix("人民政府")
        for path, short, name in units.values_list("path", "short_name", "name")
    }


def _area_of(path: str, counties: dict[str, str]) -> tuple[str, str]:
    """(area name, area path) of a unit's path; 市本级 sorts first with the empty path."""
    for length in {len(county) for county in counties}:
        if path[:length] in counties:
            return counties[path[:length]], path[:length]
    return CITY_LEVEL, ""


def _snapshot_areas(period: Period, counties: dict[str, str]) -> dict | None:
    """{area: (Figures, path)} from the period's snapshot rows (the deployment's and each
    county's, rolled up); 市本级 is what the counties leave of the whole. None without a
    snapshot of the period."""
    rows = PeriodFigures.objects.filter(period=period).filter(
        Q(unit__isnull=True) | Q(unit__path__in=list(counties))
    )
    values = {
        path: Figures(count, total, plan, completed)
        for path, count, total, plan, completed in rows.values_list(
            "unit__path", "projects", "total_investment", "annual_plan", "completed_ytd"
        )
    }
    whole = values.pop(None, None)
    if whole is None:
        return None
    areas = {}
    rest = Figures(whole.count, whole.total_investment, whole.annual_plan, whole.completed)
    for path, figures in values.items():
        if figures.count:
            areas[counties[path]] = (figures, path)
        rest.count -= figures.count
        rest.total_investment -= figures.total_investment
        rest.annual_plan -= figures.annual_plan
        rest.completed -= figures.completed
    if rest.count:
        areas[CITY_LEVEL] = (rest, "")
    return areas


def _live_areas(period: Period, listings, counties: dict[str, str]) -> dict:
    """{area: (Figures, path)} from the listings and the completed investment, each grouped
    by the responsible unit's path (a few hundred rows, whatever the number of projects)."""
    areas: dict = {}

    def area(path: str) -> Figures:
        name, area_path = _area_of(path, counties)
        return areas.setdefault(name, (Figures(), area_path))[0]

    for path, count, total, plan in (
        listings.order_by()
        .values_list(UNIT_PATH)
        .annotate(
            count=Count("pk"),
            total=Sum("project__total_investment"),
            plan=Sum("planned_investment"),
        )
    ):
        figures = area(path)
        figures.count += count
        figures.total_investment += _money(total)
        figures.annual_plan += _money(plan)
    completed = (
        Report.objects.through(period)
        .filter(project__in=listings.values("project_id"))
        .order_by()
        .values_list(UNIT_PATH)
        .annotate(total=Sum("amount"))
    )
    for path, amount in completed:
        area(path).completed += _money(amount)
    return areas


def _money(value) -> Decimal:
    # A database sum only fixes the places here (a backend may hand back 12355.670000).
    return figures_format.round_half_up(Decimal(value or 0), figures_format.MONEY_PLACES)


def _starts(period: Period, listings) -> dict[str, int]:
    """data._starts without the project rows. The planned start is the listing's, else the
    project's: one pass over the year's listings counts those planned this year and those
    without a date, and only those (usually none) are looked up in their projects. The
    projects started in the year by the period's end are few: counted from their start
    dates, joined to the listings."""
    year = period.campaign.year
    in_year = Q(planned_start__year=year) | Q(
        planned_start__isnull=True, project__planned_start__year=year
    )
    dated = listings.order_by().aggregate(
        planned=Count("pk", filter=Q(planned_start__year=year)),
        undated=Count("pk", filter=Q(planned_start__isnull=True)),
    )
    planned = dated["planned"]
    if dated["undated"]:
        undated = listings.filter(planned_start__isnull=True, project__planned_start__year=year)
        planned += undated.order_by().count()
    started = Milestone.objects.filter(
        kind__code="start", actual_date__year=year, actual_date__lte=period.end
    ).values("project_id")
    counts = (
        listings.filter(project_id__in=started)
        .order_by()
        .aggregate(starts=Count("pk"), planned_started=Count("pk", filter=in_year))
    )
    return {**counts, "planned_starts": planned}


def _red_list(period: Period, projects, counties: dict[str, str]) -> tuple[list[RedItem], int]:
    """The first RED_LIST_LIMIT red lights of the listed projects (all, or those among
    `projects`), biggest projects first (data._red_list), and how many there are."""
    year = period.campaign.year
    reds = Light.objects.filter(period=period, colour=Light.Colour.RED)
    listed = AnnualListing.objects.filter(project_id=OuterRef("project_id"), year=year)
    counted = reds.filter(Exists(listed))
    if projects is not None:
        counted = counted.filter(project__in=projects)
    count = counted.count()
    if not count:
        return [], 0
    # The listing as a correlated EXISTS too: a join would drive the query from the listings.
    candidates = (Project.objects.all() if projects is None else projects).filter(
        Exists(AnnualListing.objects.filter(project=OuterRef("pk"), year=year))
    )
    # As the cockpit's list (dashboards.selectors._matching): with many red lights, walk the
    # project_biggest_first index and stop at the list's end (25,000 red lights of 100,000
    # projects: 90 ms sorted, a few walked); with few, collect them and sort.
    if count >= WALK_FROM:
        candidates = candidates.filter(Exists(reds.filter(project=OuterRef("pk"))))
    else:
        candidates = candidates.filter(pk__in=reds.values("project_id"))
    ids = list(
        candidates.order_by("-total_investment", "id").values_list("pk", flat=True)[:RED_LIST_LIMIT]
    )
    shown = {
        pk: (name, unit, path, explanation)
        for pk, name, unit, path, explanation in reds.filter(project__in=ids).values_list(
            "project_id",
            "project__name",
            "project__responsible_unit__name",
            UNIT_PATH,
            "explanation",
        )
    }
    items = []
    for pk in ids:
        name, unit, path, explanation = shown[pk]
        items.append(RedItem(name, unit, _area_of(path, counties)[0], explanation))
    return items, count
