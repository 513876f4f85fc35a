"""The figures of a dispatch bulletin (调度通报) for one period, as plain values.

`build_bulletin` reads everything in a fixed number of queries, whatever the number of projects,
and hands back a `Bulletin` that the Excel, PDF, text and page outputs only format:

- the table (一览表): 合计 → stage (在建, 前期…) → area (市本级, then each county) → projects;
- the city's, each area's and the start figures for the narrative;
- the period's red lights, the open problems by lead department, the latest published ranking.

Which projects: those on the campaign year's list (AnnualListing.year == campaign.year), or the
listed ones among `projects`. 1–M月完成 is the completed investment of the year through the
period, as every page counts it (Report.objects.through: the accepted current reports of the
campaign), so a correction counts once and drafts, submitted and returned reports do not
count. Every subtotal is a sum of Decimals in Python, so each group row equals the sum of its
rows exactly.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from gongjian.accounts.models import Unit
from gongjian.assessment.models import ScoreRun, UnitScore
from gongjian.dispatch import figures as dispatch_figures
from gongjian.dispatch.models import Light, Period, Report
from gongjian.dispatch.rules import schedule
from gongjian.lib import figures_format
from gongjian.problems import rules as problem_rules
from gongjian.problems.models import Problem, Status
from gongjian.projects.models import AnnualListing, Milestone, Stage

CITY_LEVEL = "市本级"
ZERO = Decimal("0.00")


class Kind:
    TOTAL = "total"
    STAGE = "stage"
    AREA = "area"
    PROJECT = "project"


@dataclass
class Figures:
    """What a group (or the whole list) adds up to, in 万元."""

    count: int = 0
    total_investment: Decimal = ZERO
    annual_plan: Decimal = ZERO
    completed: Decimal = ZERO

    def add(self, other: Figures) -> None:
        self.count += other.count
        self.total_investment += other.total_investment
        self.annual_plan += other.annual_plan
        self.completed += other.completed

    @property
    def share(self) -> Decimal | None:
        """占年计划%: one decimal, half up; None without a plan."""
        actual = schedule.completion_share(self.completed, self.annual_plan)
        return None if actual is None else schedule.percent(actual)

    @property
    def completed_yi(self) -> Decimal:
        """The completed amount in 亿元, two decimals, half up."""
        return to_yi(self.completed)


@dataclass
class Row:
    """One line of the table: a group row (合计, stage, area) or a project."""

    kind: str
    label: str  # the group's label or the project's name
    figures: Figures
    seq: int | None = None  # 序号, projects only
    progress: str = ""
    unit: str = ""
    leader: str = ""
    area: str = ""
    project_id: int | None = None

    @property
    def is_group(self) -> bool:
        return self.kind != Kind.PROJECT


@dataclass
class AreaSummary:
    name: str
    figures: Figures
    gap_points: Decimal | None  # against 序时, positive = ahead


@dataclass
class RedItem:
    project: str
    unit: str
    area: str
    explanation: str


@dataclass
class DepartmentProblems:
    department: str
    open: int
    overdue: int


@dataclass
class RankingGroup:
    name: str
    units: list[tuple[int, str, Decimal]]  # (rank, unit, score)


@dataclass
class Ranking:
    scheme: str
    period: str
    published_on: datetime.date | None
    groups: list[RankingGroup]


@dataclass
class Bulletin:
    place: str  # 青川市
    year: int
    month: int  # M of 1–M月
    span: str  # 1-10月
    period_label: str
    period_end: datetime.date
    title: str  # 青川市2026年1-10月重点项目完成情况一览表
    expected_share: Decimal  # 序时进度 in %, one decimal
    total: Figures
    gap_points: Decimal | None
    rows: list[Row]
    areas: list[AreaSummary]
    starts: int  # listed projects started in the year by the period's end
    planned_starts: int  # listed projects planned to start in the year
    planned_started: int  # of those, started by the period's end
    red: list[RedItem]
    problems: list[DepartmentProblems]
    problems_as_of: datetime.date
    ranking: Ranking | None = None
    stages: list[str] = field(default_factory=list)
    # Red lights beyond those in `red`: the page reads only the first it shows (summary.py).
    red_more: int = 0

    @property
    def red_count(self) -> int:
        return len(self.red) + self.red_more

    @property
    def whole(self) -> str:
        """全市, 全县, 全区: how the narrative names everything the bulletin covers."""
        return f"全{self.place[-1]}" if self.place[-1:] in ("市", "县", "区") else "全市"

    @property
    def open_problems(self) -> int:
        return sum(item.open for item in self.problems)

    @property
    def overdue_problems(self) -> int:
        return sum(item.overdue for item in self.problems)


def to_yi(amount: Decimal) -> Decimal:
    """万元 → 亿元, two decimals, half up (12,345.67 万元 = 1.23 亿元): lib/figures_format.py."""
    return figures_format.yi(amount).value


def span_label(end: datetime.date, year: int) -> tuple[int, str]:
    """(M, "1-M月") for a period ending on `end`; a period not ending on a month's last day
    is named by its date ("1月1日至4月15日")."""
    if end.year > year:
        return 12, "1-12月"
    if schedule.is_month_end(end):
        return end.month, "1月" if end.month == 1 else f"1-{end.month}月"
    return end.month, f"1月1日至{end.month}月{end.day}日"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (for 一、二、… up to 99)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def build_bulletin(
    period: Period,
    *,
    projects=None,
    problems=None,
    today: datetime.date | None = None,
    place: str | None = None,
) -> Bulletin:
    """The bulletin of `period` over the listed projects (all, or those among `projects`), with
    the open problems (all, or `problems`) as of `today`. `place` names whose bulletin it is
    (a county's own); by default the city of the root government."""
    today = today or timezone.localdate()
    year = period.campaign.year
    listings = AnnualListing.objects.filter(year=year)
    if projects is not None:
        listings = listings.filter(project__in=projects)
    values = _project_values(period, listings)
    projects_by_stage, area_paths = _project_rows(values, _completed(period, listings))
    table, stages = _table(projects_by_stage, area_paths)
    total = table[0].figures
    # 序时进度: months ended by the period's end ÷ 12 (a period ending in the next year: 12),
    # the one the lights judge against.
    expected = dispatch_figures.schedule_share(period)
    month, span = span_label(period.end, year)
    place = place or _place()
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
        rows=table,
        areas=_areas(table, area_paths, expected),
        **_starts(values, year),
        red=_red_list(period, listings, table),
        problems=_open_problems(problems, today),
        problems_as_of=today,
        ranking=_latest_ranking(),
        stages=stages,
    )


def _project_rows(values: list[dict], completed: dict[int, Decimal]):
    """The project rows by stage id and area, and each area's path (市本级 sorts first)."""
    areas = _area_names(values)
    by_stage: dict[int, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    area_paths: dict[str, str] = {CITY_LEVEL: ""}
    for item in values:
        area, path = areas.get(item["area_id"], (CITY_LEVEL, ""))
        area_paths[area] = path
        leader = item["project__leader__display_name"] or item["project__leader__username"]
        by_stage[item["project__stage_id"]][area].append(
            Row(
                Kind.PROJECT,
                item["project__name"],
                Figures(
                    1,
                    item["project__total_investment"],
                    item["planned_investment"],
                    completed.get(item["project_id"], ZERO),
                ),
                progress=item["progress"] or "",
                unit=item["project__responsible_unit__name"],
                leader=leader or "",
                area=area,
                project_id=item["project_id"],
            )
        )
    return by_stage, area_paths


def _table(by_stage: dict, area_paths: dict[str, str]) -> tuple[list[Row], list[str]]:
    """合计, then per stage (in the stages' order) its areas, each with its projects; group
    rows add up their members in Decimal. Returns the rows and the stages shown."""
    total = Figures()
    table: list[Row] = []
    shown: list[str] = []
    seq = 0
    for stage_id, stage_name in Stage.objects.order_by("order", "id").values_list("pk", "name"):
        if stage_id not in by_stage:
            continue
        shown.append(stage_name)
        stage_row = Row(Kind.STAGE, f"{chinese_number(len(shown))}、{stage_name}", Figures())
        table.append(stage_row)
        for area in sorted(by_stage[stage_id], key=area_paths.__getitem__):
            area_row = Row(Kind.AREA, area, Figures(), area=area)
            table.append(area_row)
            for row in by_stage[stage_id][area]:
                seq += 1
                row.seq = seq
                area_row.figures.add(row.figures)
                table.append(row)
            stage_row.figures.add(area_row.figures)
        total.add(stage_row.figures)
    table.insert(0, Row(Kind.TOTAL, "合计", total))
    for row in table:
        if row.is_group:
            row.label = f"{row.label}（{row.figures.count}项）"
    return table, shown


def _areas(table: list[Row], area_paths: dict[str, str], expected: Fraction) -> list[AreaSummary]:
    """Each area over all stages: the sum of its area rows."""
    figures: dict[str, Figures] = defaultdict(Figures)
    for row in table:
        if row.kind == Kind.AREA:
            figures[row.area].add(row.figures)
    return [
        AreaSummary(area, figures[area], _gap(figures[area], expected))
        for area in sorted(figures, key=area_paths.__getitem__)
    ]


def _starts(values: list[dict], year: int) -> dict[str, int]:
    """Started in the year by the period's end; planned to start in the year (the listing's
    planned start, else the project's), and how many of those have started."""
    starts = planned = planned_started = 0
    for item in values:
        start = item["planned_start"] or item["project__planned_start"]
        if start and start.year == year:
            planned += 1
            planned_started += item["started"]
        starts += item["started"]
    return {"starts": starts, "planned_starts": planned, "planned_started": planned_started}


def _gap(figures: Figures, expected: Fraction) -> Decimal | None:
    actual = schedule.completion_share(figures.completed, figures.annual_plan)
    return None if actual is None else schedule.gap_points(actual, expected)


def _accepted(period: Period):
    """The reports of the completed investment of the year through `period`, as the lights,
    the cockpit and the due page count it (Report.objects.through)."""
    return Report.objects.through(period).order_by()


def _project_values(period: Period, listings) -> list[dict]:
    """Each listed project with what its row shows and whether it has started in the year by
    the period's end (one query), and its latest accepted 形象进度 (one more)."""
    started = Milestone.objects.filter(
        project=OuterRef("project_id"),
        kind__code="start",
        actual_date__year=period.campaign.year,
        actual_date__lte=period.end,
    )
    values = list(
        listings.annotate(started=Exists(started))
        .order_by("-project__total_investment", "project_id")
        .values(
            "project_id",
            "planned_investment",
            "planned_start",
            "started",
            "project__name",
            "project__total_investment",
            "project__planned_start",
            "project__stage_id",
            "project__responsible_unit__name",
            "project__responsible_unit__path",
            "project__leader__display_name",
            "project__leader__username",
        )
    )
    progress = _latest_progress(period, listings)
    for item in values:
        item["progress"] = progress.get(item["project_id"], "")
    return values


def _latest_progress(period: Period, listings) -> dict[int, str]:
    """{project id: the 形象进度 of its latest accepted report through `period`} in one
    set-based query: each project's reports numbered newest first (a window), the first
    kept. A subquery per project looked it up 20,000 times for a bulletin of 20,000."""
    newest = Window(RowNumber(), partition_by=F("project_id"), order_by=F("period__start").desc())
    return dict(
        _accepted(period)
        .filter(project__in=listings.values("project_id"))
        .annotate(newest=newest)
        .filter(newest=1)
        .values_list("project_id", "progress")
    )


def _completed(period: Period, listings) -> dict[int, Decimal]:
    reports = _accepted(period).filter(project__in=listings.values("project_id"))
    return {
        # A sum of cents: this only fixes the places (a backend may hand back 12355.670000).
        project_id: figures_format.round_half_up(Decimal(total), figures_format.MONEY_PLACES)
        for project_id, total in reports.values_list("project_id").annotate(total=Sum("amount"))
    }


def place_name(unit: dict) -> str:
    """青川市 for 青川市人民政府: the short name, else the region's, else the name itself."""
    return unit["short_name"] or unit["region__name"] or unit["name"].removesuffix("人民政府")


def _place() -> str:
    """The place the root government names (青川市)."""
    root = (
        Unit.objects.filter(parent__isnull=True, kind=Unit.Kind.GOVERNMENT)
        .order_by("path")
        .values("short_name", "name", "region__name")
        .first()
    )
    return "" if root is None else place_name(root)


def _area_names(rows: list[dict]) -> dict[int, tuple[str, str]]:
    """Each row gets `area_id`, the unit at the second level of its responsible unit's path;
    returns {unit id: (area name, path)} for those that are county-level governments. A unit
    directly under the city (a department, a park, a town of a district-less city) and the
    city itself are 市本级."""
    for values in rows:
        segments = values["project__responsible_unit__path"].split("/")
        values["area_id"] = int(segments[1]) if len(segments) > 2 and segments[1] else None
    wanted = {values["area_id"] for values in rows} - {None}
    counties = Unit.objects.filter(pk__in=wanted, kind=Unit.Kind.GOVERNMENT)
    return {
        pk: (short or name.removesuffix("人民政府"), path)
        for pk, short, name, path in counties.values_list("pk", "short_name", "name", "path")
    }


def _red_list(period: Period, listings, table: list[Row]) -> list[RedItem]:
    """The period's red lights with their explanation, biggest projects first, as the cockpit
    lists them: the page reads only the first it names by walking the projects' index in that
    order (summary.py), where the table's order would sort every red project."""
    lights = dict(
        Light.objects.filter(
            period=period,
            colour=Light.Colour.RED,
            project__in=listings.values("project_id"),
        ).values_list("project_id", "explanation")
    )
    red = [row for row in table if row.project_id in lights]
    red.sort(key=lambda row: (-row.figures.total_investment, row.project_id))
    return [RedItem(row.label, row.unit, row.area, lights[row.project_id]) for row in red]


def _open_problems(problems, today: datetime.date) -> list[DepartmentProblems]:
    """Open problems per lead department (not yet assigned ones first), with how many are past
    their resolution deadline (the statistics page's 'open overdue')."""
    problems = Problem.objects.all() if problems is None else problems
    # Grouped by the department's id alone, from the index (department, status, due): 200,000
    # problems joined to their department's row took 160 ms on the bulletin page.
    counts = list(
        problems.exclude(status=Status.CLOSED)
        .order_by()
        .values_list("lead_department_id")
        .annotate(
            open=Count("status"),
            overdue=Count(
                "status", filter=Q(status__in=problem_rules.WORKING, resolve_due__lt=today)
            ),
        )
    )
    names = {
        pk: (name, path)
        for pk, name, path in Unit.objects.filter(
            pk__in=[pk for pk, _open, _overdue in counts if pk is not None]
        ).values_list("pk", "name", "path")
    }
    unassigned = ("未交办", "")
    ordered = sorted(counts, key=lambda row: names.get(row[0], unassigned)[1])
    return [
        DepartmentProblems(names.get(pk, unassigned)[0], open_, overdue)
        for pk, open_, overdue in ordered
    ]


def _latest_ranking() -> Ranking | None:
    run = ScoreRun.objects.select_related("scheme").latest_published()
    if run is None:
        return None
    groups: list[RankingGroup] = []
    scores = (
        UnitScore.objects.filter(run=run)
        .order_by("group__order", "group_id", "rank", "unit__path")
        .values_list("group_id", "group__name", "rank", "unit__short_name", "unit__name", "total")
    )
    current = None
    for group_id, group_name, rank, short, name, score in scores:
        if group_id != current:
            current = group_id
            groups.append(RankingGroup(group_name, []))
        groups[-1].units.append((rank, short or name, score))
    published = timezone.localtime(run.published_at).date()
    return Ranking(run.scheme.name, run.period, published, groups)
