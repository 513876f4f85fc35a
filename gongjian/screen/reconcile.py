"""check_figures for the public big screen: the JSON its page draws (screen_data) — the
headline, the areas and the published rankings — against the plain-SQL truth of the period
(dashboards/truth.py). The screen shows one period, the latest one with figures: it is checked
when that is the period being checked, and it must be when that is the latest ended period.
Registered from ScreenConfig.ready()."""

from __future__ import annotations

from fractions import Fraction

from django.utils.translation import gettext as _

from gongjian.dashboards.reconcile import Context, register
from gongjian.dashboards.reconcile_assessment import published_runs, run_scores
from gongjian.dashboards.truth import COLOURS
from gongjian.lib import figures_format as fmt
from gongjian.screen.data import RANKING_ROWS, screen_data


def check_screen(context: Context) -> None:
    data = screen_data()
    headline = data["headline"]
    label = context.period.label
    shows = headline is not None and (headline["period"], headline["year"]) == (
        label,
        context.campaign.year,
    )
    if context.latest:
        context.compare("screen.period", headline and headline["period"], label)
    elif not shows:
        context.note(_("screen: it shows another period, so only its rankings were checked"))
    if shows:
        _check_headline(context, headline)
        _check_areas(context, data["areas"])
    _check_rankings(context, data["rankings"])


def _shares(figures: dict, expected: Fraction) -> tuple:
    """(share of the plan, gap to the 序时) as shown, or (None, None) without a plan."""
    if not figures["annual_plan"]:
        return None, None
    share = Fraction(figures["completed_ytd"]) / Fraction(figures["annual_plan"])
    return fmt.percent_of(share), fmt.point_gap(share, expected)


def _compare_shown(context: Context, figure: str, shown: dict, expect: dict, where: str = ""):
    """Numbers against the rounded truth; where the JSON carries the printed strings ("text"),
    those against the formatting module's text of the truth."""
    texts = shown.get("text")
    for name, value in expect.items():
        rounded = getattr(value, "value", value)
        context.compare(f"{figure}.{name}", shown.get(name), rounded, where)
        if isinstance(texts, dict) and name in texts:
            text = value.text if hasattr(value, "text") else value
            context.compare(f"{figure}.text.{name}", texts[name], text, where)


def _check_headline(context: Context, headline: dict) -> None:
    truth = context.truth
    figures = truth.figures(None)
    share, gap = _shares(figures, truth.expected)
    expect = {
        "projects": figures["projects"],
        "total_investment_yi": fmt.yi(figures["total_investment"]),
        "annual_plan_yi": fmt.yi(figures["annual_plan"]),
        "completed_yi": fmt.yi(figures["completed_ytd"]),
        "share": share,
        "schedule": fmt.percent_of(truth.expected),
        "gap": gap,
        "starts": figures["starts"],
        "completions": figures["completions"],
    }
    _compare_shown(context, "screen.headline", headline, expect)
    for colour in COLOURS:
        context.compare(f"screen.headline.lights.{colour}", headline["lights"].get(colour),
                        figures[colour])  # fmt: skip


def _check_areas(context: Context, areas: list[dict]) -> None:
    """The units right below the top: every one with listed projects, by name."""
    truth = context.truth
    roots = {pk for pk, unit in truth.units.items() if unit.parent_id is None}
    expected = {}
    for pk, unit in truth.units.items():
        figures = truth.figures(pk)
        if unit.parent_id in roots and figures["projects"]:
            share, _gap = _shares(figures, truth.expected)
            expected[unit.short_name or unit.name] = {
                "share": share,
                "completed_yi": fmt.yi(figures["completed_ytd"]),
                "starts": figures["starts"],
            }
    shown = {area["name"]: area for area in areas}
    for name in sorted(set(shown) | set(expected)):
        if name not in shown or name not in expected:
            context.compare("screen.area", name in shown, name in expected, name)
            continue
        _compare_shown(context, "screen.area", shown[name], expected[name], name)


def _check_rankings(context: Context, rankings: list[dict]) -> None:
    """Each scheme's latest published run (by period): its top rows per group, as stored."""
    units = context.truth.units
    latest: dict = {}
    for run in published_runs():
        best = latest.get(run["scheme_id"])
        if best is None or run["period"] > best["period"]:
            latest[run["scheme_id"]] = run
    context.compare("screen.rankings", len(rankings), len(latest))
    shown = {}
    for ranking in rankings:
        for group in ranking["groups"]:
            for row in group["rows"]:
                shown[ranking["period"], row["unit"], row["rank"]] = row["total"]
    stored = {}
    for run in latest.values():
        scores = run_scores(run["pk"])
        by_group: dict = {}
        for score in scores:
            by_group.setdefault(score["group"], []).append(score)
        for members in by_group.values():
            members.sort(key=lambda s: (s["rank"], units[s["unit"]].name))
            for score in members[:RANKING_ROWS]:
                unit = units[score["unit"]]
                stored[run["period"], unit.short_name or unit.name, score["rank"]] = score["total"]
    for key in sorted(set(shown) | set(stored), key=str):
        where = f"{key[0]} {key[2]} {key[1]}"
        context.compare("screen.ranking.total", shown.get(key), stored.get(key), where)


register("screen", check_screen)
