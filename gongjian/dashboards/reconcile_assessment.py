"""check_figures for targets and scores: the targets page's values, shares and gaps, and the
published score runs a period shows (its month's, and the latest ones the cockpit, the bulletin
and the big screen print), against plain SQL (truth_measures.py, and the stored score rows).

A published run is frozen: its totals must add up from its own breakdown, its ranks follow from
its totals, and the indicator values it was scored on must still be those of the reports. A
later correction of a report makes the last one differ; the difference says so, and the office
decides whether to recompute the next run."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from gongjian.assessment.targets import progress
from gongjian.dashboards import selectors
from gongjian.dashboards.reconcile import Context, register
from gongjian.dashboards.truth import cents, money, rows, sql_date
from gongjian.dashboards.truth_measures import Measure, month_end
from gongjian.lib import figures_format as fmt

MONTH_RUN = "%04d-%02d"


def checked_month(context: Context) -> int | None:
    """The month of the campaign year the period closes (None: it ends after the year)."""
    end = context.period.end
    return end.month if end.year == context.campaign.year else None


def measure_for(context: Context, year: int, month: int) -> Measure:
    cache = context.__dict__.setdefault("_measures", {})
    if (year, month) not in cache:
        cache[year, month] = Measure(year, month)
    return cache[year, month]


def other_campaigns(context: Context, month: int) -> None:
    """Figures kept by month count every campaign of the year: say so when another one has
    accepted reports in the months checked, since the campaign's own pages count only its own."""
    found = rows(
        """SELECT COUNT(*) FROM dispatch_report r JOIN dispatch_period pe ON pe.id = r.period_id
           WHERE pe.campaign_id <> %s AND r.status = 'accepted' AND r.is_current = %s
             AND pe.start >= %s AND pe."end" <= %s""",
        [context.campaign.pk, True, sql_date(datetime.date(context.campaign.year, 1, 1)),
         sql_date(month_end(context.campaign.year, month))],
    )  # fmt: skip
    if found[0][0]:
        context.note(
            _(
                "targets and scores: they count the accepted reports of every campaign of the "
                "year, %(count)s of them from other campaigns than this one"
            )
            % {"count": f"{found[0][0]:,}"}
        )


def paths(context: Context) -> dict[int, str]:
    return {pk: unit.path for pk, unit in context.truth.units.items()}


def unit_name(context: Context, pk: int) -> str:
    unit = context.truth.units.get(pk)
    return unit.name if unit else f"#{pk}"


def indicators() -> dict[int, dict]:
    found = rows(
        "SELECT id, code, measure, CAST(params AS TEXT), higher_is_better FROM assessment_indicator"
    )
    return {
        pk: {"code": code, "measure": measure, "params": _json(params), "higher": bool(higher)}
        for pk, code, measure, params, higher in found
    }


def _json(text):
    return json.loads(text) if isinstance(text, str) else text


# Targets ------------------------------------------------------------------------------------


def check_targets(context: Context) -> None:
    month = checked_month(context)
    if month is None:
        context.note(_("targets: the period ends after the campaign year; targets are by month"))
        return
    year = context.campaign.year
    found = rows(
        f"""SELECT t.unit_id, t.indicator_id, {cents("t.value")} FROM assessment_target t
            JOIN assessment_indicator i ON i.id = t.indicator_id
            WHERE t.year = %s AND i.measure IN ('sum', 'count')""",
        [year],
    )
    truth_targets = {(unit, indicator): money(value) for unit, indicator, value in found}
    shown = {(row.target.unit_id, row.target.indicator_id): row for row in progress(year, month)}
    context.compare("targets.rows", len(shown), len(truth_targets))
    other_campaigns(context, month)
    kinds = indicators()
    measure = measure_for(context, year, month)
    expected = Fraction(month, 12)
    for (unit, indicator), target in sorted(truth_targets.items()):
        kind = kinds[indicator]
        value = measure.values(kind["measure"], kind["params"], paths(context), [unit])[unit]
        where = f"{unit_name(context, unit)} · {kind['code']}"
        row = shown.get((unit, indicator))
        if row is None:
            context.compare("targets.row", None, "listed", where)
            continue
        share = Fraction(value) / Fraction(target) if target else Fraction(0)
        context.compare("targets.target", row.target.value, target, where)
        context.compare("targets.value", row.value, value, where)
        context.compare("targets.share", row.share, fmt.percent_of(share).value, where)
        context.compare("targets.schedule", row.schedule, fmt.percent_of(expected).value, where)
        context.compare("targets.gap", row.gap, fmt.point_gap(share, expected).value, where)


register("targets", check_targets)


# Scores -------------------------------------------------------------------------------------


def published_runs() -> list[dict]:
    found = rows(
        """SELECT r.id, r.period, r.published_at, r.scheme_id, s.cadence
           FROM assessment_scorerun r JOIN assessment_scheme s ON s.id = r.scheme_id
           WHERE r.published_at IS NOT NULL ORDER BY r.published_at, r.id"""
    )
    keys = ("pk", "period", "published_at", "scheme_id", "cadence")
    return [dict(zip(keys, row, strict=True)) for row in found]


def run_scores(run_id: int) -> list[dict]:
    found = rows(
        f"""SELECT unit_id, group_id, {cents("total")}, rank, previous_rank,
                   CAST(breakdown AS TEXT)
            FROM assessment_unitscore WHERE run_id = %s""",
        [run_id],
    )
    keys = ("unit", "group", "total", "rank", "previous_rank", "breakdown")
    result = [dict(zip(keys, row, strict=True)) for row in found]
    for score in result:
        score["total"] = money(score["total"])
        score["breakdown"] = _json(score["breakdown"])
    return result


def runs_to_check(context: Context) -> list[dict]:
    """The period's month's published runs, and the latest ones the pages show."""
    runs = published_runs()
    wanted = set()
    month = checked_month(context)
    if month is not None:
        label = MONTH_RUN % (context.campaign.year, month)
        wanted |= {run["pk"] for run in runs if run["period"] == label}
    if runs:
        wanted.add(runs[-1]["pk"])  # the cockpit's and the bulletin's latest ranking
    latest_per_scheme: dict = {}
    for run in runs:
        best = latest_per_scheme.get(run["scheme_id"])
        if best is None or run["period"] > best["period"]:
            latest_per_scheme[run["scheme_id"]] = run
    wanted |= {run["pk"] for run in latest_per_scheme.values()}  # the big screen's
    return [run for run in runs if run["pk"] in wanted]


def previous_label(period: str) -> str | None:
    if len(period) == 7 and period[4] == "-" and period[5] != "Q":
        year, month = int(period[:4]), int(period[5:])
        return MONTH_RUN % ((year - 1, 12) if month == 1 else (year, month - 1))
    if len(period) == 7 and period[5] == "Q":
        year, quarter = int(period[:4]), int(period[6])
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    if len(period) == 4:
        return str(int(period) - 1)
    return None


def competition_ranks(values: dict, higher_is_better: bool = True) -> dict:
    """1, 2, 2, 4: ties share a place and the next one is skipped."""
    return {
        key: 1 + sum((other > value) if higher_is_better else (other < value)
                     for other in values.values())
        for key, value in values.items()
    }  # fmt: skip


def check_scores(context: Context) -> None:
    for run in runs_to_check(context):
        check_run(context, run)
    check_cockpit_ranking(context)


def check_run(context: Context, run: dict) -> None:
    scores = run_scores(run["pk"])
    label = run["period"]
    groups: dict = defaultdict(dict)
    for score in scores:
        where = f"{label} · {unit_name(context, score['unit'])}"
        weighted = [Decimal(item["weighted"]) for item in score["breakdown"]]
        context.compare("scores.total", score["total"], fmt.round_half_up(sum(weighted), 2), where)
        for item in score["breakdown"]:
            points = Decimal(item["points"]) * Decimal(item["weight"])
            context.compare(f"scores.weighted.{item['item']}", Decimal(item["weighted"]),
                            fmt.round_half_up(points, 2), where)  # fmt: skip
        groups[score["group"]][score["unit"]] = score["total"]
    previous = {}
    before = previous_label(label)
    if before is not None:
        previous = dict(
            rows(
                "SELECT us.unit_id, us.rank FROM assessment_unitscore us JOIN assessment_scorerun "
                "r ON r.id = us.run_id WHERE r.scheme_id = %s AND r.period = %s",
                [run["scheme_id"], before],
            )
        )
    for score in scores:
        where = f"{label} · {unit_name(context, score['unit'])}"
        ranks = competition_ranks(groups[score["group"]])
        context.compare("scores.rank", score["rank"], ranks[score["unit"]], where)
        context.compare("scores.previous_rank", score["previous_rank"],
                        previous.get(score["unit"]), where)  # fmt: skip
    if run["cadence"] == "monthly" and label.startswith(f"{context.campaign.year}-"):
        check_inputs(context, run, scores, int(label[5:]))


def check_inputs(context: Context, run: dict, scores: list[dict], month: int) -> None:
    """The values each item was scored on, recomputed from the reports."""
    year = context.campaign.year
    found = rows(
        "SELECT name, method, indicator_id, id FROM assessment_schemeitem WHERE scheme_id = %s "
        "ORDER BY id DESC",
        [run["scheme_id"]],
    )
    items = {name: (method, indicator) for name, method, indicator, _pk in found}
    manual = {
        (name, unit): money(points)
        for name, unit, points in rows(
            f"""SELECT i.name, m.unit_id, {cents("m.points")} FROM assessment_manualscore m
                JOIN assessment_schemeitem i ON i.id = m.item_id
                WHERE i.scheme_id = %s AND m.period = %s""",
            [run["scheme_id"], run["period"]],
        )
    }
    kinds = indicators()
    targets = {
        (unit, indicator): money(value)
        for unit, indicator, value in rows(
            f"SELECT unit_id, indicator_id, {cents('value')} FROM assessment_target "
            "WHERE year = %s",
            [year],
        )
    }
    members: dict = defaultdict(list)
    for score in scores:
        members[score["group"]].append(score["unit"])
    measure = measure_for(context, year, month)
    for score in scores:
        where = f"{run['period']} · {unit_name(context, score['unit'])}"
        for item in score["breakdown"]:
            method, indicator = items.get(item["item"], (None, None))
            if method == "manual":
                entered = manual.get((item["item"], score["unit"]), Decimal("0.00"))
                context.compare(f"scores.manual.{item['item']}", _dec(item["points"]), entered,
                                where)  # fmt: skip
            if indicator is None or item["formula"] == "—":
                continue
            kind = kinds[indicator]
            group = members[score["group"]]
            values = measure.values(kind["measure"], kind["params"], paths(context), group)
            inputs = item.get("inputs") or {}
            value = values[score["unit"]]
            figure = f"scores.input.{item['item']}"
            if method == "ratio_to_plan":
                context.compare(f"{figure}.value", _dec(inputs.get("value")), value, where)
                target = targets.get((score["unit"], indicator), Decimal(0))
                context.compare(f"{figure}.target", _dec(inputs.get("target")), target, where)
            elif method == "count":
                context.compare(f"{figure}.count", inputs.get("count"), int(value), where)
            elif method == "efficacy":
                present = [v for v in values.values() if v is not None]
                for key, truth in (("value", value), ("min", min(present)), ("max", max(present))):
                    context.compare(f"{figure}.{key}", _dec(inputs.get(key)), truth, where)
            elif method == "rank_bands":
                present = {pk: v for pk, v in values.items() if v is not None}
                ranks = competition_ranks(present, kind["higher"])
                context.compare(f"{figure}.rank", inputs.get("rank"), ranks[score["unit"]], where)


def _dec(text) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def check_cockpit_ranking(context: Context) -> None:
    """The cockpit's latest ranking: the newest published run, its top rows per group."""
    runs = published_runs()
    run, shown = selectors.latest_ranking()
    context.compare("cockpit.ranking.run", run and run.pk, runs[-1]["pk"] if runs else None)
    if run is None:
        return
    top = {
        (s["group"], s["unit"]): (s["rank"], s["total"])
        for s in run_scores(run.pk)
        if s["rank"] <= selectors.RANKING_ROWS
    }
    page = {(s.group_id, s.unit_id): (s.rank, s.total) for s in shown}
    for key in sorted(set(top) | set(page)):
        where = f"{run.period} · {unit_name(context, key[1])}"
        truth, seen = top.get(key, (None, None)), page.get(key, (None, None))
        context.compare("cockpit.ranking.rank", seen[0], truth[0], where)
        context.compare("cockpit.ranking.total", seen[1], truth[1], where)


register("scores", check_scores)
