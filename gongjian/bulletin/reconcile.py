"""check_figures for the dispatch bulletin (调度通报): the figures build_bulletin hands the page,
the Excel, the PDF and the text — totals, each stage, each area and project, the starts, the red
list, the open problems and the ranking — against the plain-SQL truth of the period
(dashboards/truth.py). Registered from BulletinConfig.ready()."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction

from gongjian.bulletin.data import CITY_LEVEL, Figures, Kind, build_bulletin
from gongjian.dashboards import truth as plain
from gongjian.dashboards.reconcile import Context, register
from gongjian.dashboards.reconcile_assessment import published_runs, run_scores
from gongjian.lib import figures_format as fmt

UNASSIGNED = "未交办"  # the bulletin's name for problems no department leads yet


def area_of(context: Context, unit_id: int) -> str:
    """The county-level government a unit lies under (its second level), else 市本级."""
    units = context.truth.units
    unit = units.get(unit_id)
    ancestors = unit.ancestors if unit else []
    second = units.get(ancestors[1]) if len(ancestors) > 1 else None
    if second is None or second.kind != "government":
        return CITY_LEVEL
    return second.short_name or second.name.removesuffix("人民政府")


def truth_figures(context: Context, projects) -> dict:
    truth = context.truth
    total = {"count": 0, "total_investment": Decimal(0), "annual_plan": Decimal(0),
             "completed": Decimal(0)}  # fmt: skip
    for pk in projects:
        item = truth.listed[pk]
        total["count"] += 1
        total["total_investment"] += item.total
        total["annual_plan"] += item.plan
        total["completed"] += truth.completed.get(pk, Decimal(0))
    return total


def compare_figures(context: Context, figure: str, shown: Figures, projects, where: str):
    truth = truth_figures(context, projects)
    for name, value in truth.items():
        context.compare(f"{figure}.{name}", getattr(shown, name), value, where)
    share = (
        Fraction(truth["completed"]) / Fraction(truth["annual_plan"])
        if truth["annual_plan"]
        else None
    )
    context.compare(f"{figure}.share", shown.share, share and fmt.percent_of(share).value, where)
    context.compare(f"{figure}.completed_yi", shown.completed_yi, fmt.yi(truth["completed"]).value,
                    where)  # fmt: skip
    return share


def check_bulletin(context: Context) -> None:
    truth = context.truth
    bulletin = build_bulletin(context.period, today=context.today)
    expected = truth.expected
    context.compare("bulletin.expected_share", bulletin.expected_share,
                    fmt.percent_of(expected).value)  # fmt: skip
    share = compare_figures(context, "bulletin.total", bulletin.total, truth.listed, "")
    gap = share is not None and fmt.point_gap(share, expected).value
    context.compare("bulletin.total.gap_points", bulletin.gap_points, gap or None)
    areas = defaultdict(list)
    for pk, item in truth.listed.items():
        areas[area_of(context, item.unit_id)].append(pk)
    shown_areas = {area.name: area for area in bulletin.areas}
    for name in sorted(set(areas) | set(shown_areas)):
        area = shown_areas.get(name)
        if area is None:
            context.compare("bulletin.area", None, len(areas[name]), name)
            continue
        share = compare_figures(context, "bulletin.area", area.figures, areas.get(name, []), name)
        gap = share is not None and fmt.point_gap(share, expected).value
        context.compare("bulletin.area.gap_points", area.gap_points, gap or None, name)
    _check_rows(context, bulletin)
    _check_starts(context, bulletin)
    _check_red(context, bulletin)
    _check_problems(context, bulletin)
    _check_ranking(context, bulletin)


def _check_rows(context: Context, bulletin) -> None:
    """Each stage's row and each project's row."""
    truth = context.truth
    stage_names = dict(plain.rows("SELECT id, name FROM projects_stage"))
    by_stage = defaultdict(list)
    for pk, item in truth.listed.items():
        by_stage[stage_names[item.stage_id]].append(pk)
    stage_rows = [row for row in bulletin.rows if row.kind == Kind.STAGE]
    context.compare("bulletin.stages", len(stage_rows), len(by_stage))
    for name, row in zip(bulletin.stages, stage_rows, strict=False):
        compare_figures(context, "bulletin.stage", row.figures, by_stage.get(name, []), name)
    projects = {row.project_id: row for row in bulletin.rows if row.kind == Kind.PROJECT}
    context.compare("bulletin.project_rows", len(projects), len(truth.listed))
    for pk, row in projects.items():
        item = truth.listed.get(pk)
        where = f"{row.label} #{pk}"
        if item is None:
            context.compare("bulletin.project", "listed", None, where)
            continue
        context.compare("bulletin.project.total_investment", row.figures.total_investment,
                        item.total, where)  # fmt: skip
        context.compare("bulletin.project.annual_plan", row.figures.annual_plan, item.plan, where)
        context.compare("bulletin.project.completed", row.figures.completed,
                        truth.completed.get(pk, Decimal(0)), where)  # fmt: skip


def _check_starts(context: Context, bulletin) -> None:
    truth = context.truth
    starts, _completions = truth.milestones
    year = context.campaign.year
    planned = {
        pk
        for pk, item in truth.listed.items()
        if item.planned_start is not None and item.planned_start.year == year
    }
    context.compare("bulletin.starts", bulletin.starts, len(starts))
    context.compare("bulletin.planned_starts", bulletin.planned_starts, len(planned))
    context.compare("bulletin.planned_started", bulletin.planned_started, len(planned & starts))


def _check_red(context: Context, bulletin) -> None:
    truth = context.truth
    reds = Counter(
        truth.listed[pk].name
        for pk, (colour, _previous, _unit) in truth.lights.items()
        if colour == "red" and pk in truth.listed
    )
    shown = Counter(item.project for item in bulletin.red)
    context.compare("bulletin.red.count", sum(shown.values()), sum(reds.values()))
    for name in sorted(set(reds) | set(shown)):
        if reds[name] != shown[name]:
            context.compare("bulletin.red", shown[name], reds[name], name)


def _check_problems(context: Context, bulletin) -> None:
    units = context.truth.units
    truth = {}
    for department, counts in plain.open_problems(context.today).items():
        name = units[department].name if department in units else UNASSIGNED
        truth[name] = counts
    shown = {item.department: (item.open, item.overdue) for item in bulletin.problems}
    for name in sorted(set(truth) | set(shown)):
        seen, real = shown.get(name, (None, None)), truth.get(name, (None, None))
        context.compare("bulletin.problems.open", seen[0], real[0], name)
        context.compare("bulletin.problems.overdue", seen[1], real[1], name)


def _check_ranking(context: Context, bulletin) -> None:
    """The latest published ranking, as stored."""
    runs = published_runs()
    ranking = bulletin.ranking
    context.compare("bulletin.ranking.period", ranking and ranking.period,
                    runs[-1]["period"] if runs else None)  # fmt: skip
    if ranking is None or not runs:
        return
    units = context.truth.units
    stored = sorted(
        (score["rank"], units[score["unit"]].short_name or units[score["unit"]].name,
         score["total"])
        for score in run_scores(runs[-1]["pk"])
    )  # fmt: skip
    shown = sorted(row for group in ranking.groups for row in group.units)
    context.compare("bulletin.ranking.rows", len(shown), len(stored))
    for seen, real in zip(shown, stored, strict=False):
        where = f"{real[0]} {real[1]}"
        context.compare("bulletin.ranking.unit", seen[1], real[1], where)
        context.compare("bulletin.ranking.total", seen[2], real[2], where)


register("bulletin", check_bulletin)
