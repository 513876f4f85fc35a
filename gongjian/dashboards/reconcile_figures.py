"""check_figures for the dispatch desk, the lights and the leader cockpit: what their read
functions hand the pages, against the plain-SQL truth (truth.py)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import Unit
from gongjian.dashboards import selectors
from gongjian.dashboards import truth as plain
from gongjian.dashboards.reconcile import Context, register
from gongjian.dashboards.truth import COLOURS, MONEY
from gongjian.dispatch.figures import attach_figures
from gongjian.dispatch.models import Report
from gongjian.dispatch.selectors import LIST_LIMIT, desk_data
from gongjian.lib import figures_format as fmt
from gongjian.projects.models import Project

BAD = ("red", "yellow")
COCKPIT_COUNTS = ("projects", "starts", "completions", "registered", *COLOURS)


def project_label(context: Context, pk: int) -> str:
    item = context.truth.listed.get(pk)
    return f"{item.name} #{pk}" if item else f"#{pk}"


def unit_label(context: Context, unit_id: int | None) -> str:
    unit = context.truth.units.get(unit_id)
    return unit.name if unit else "–"


# The desk -----------------------------------------------------------------------------------


def check_desk(context: Context) -> None:
    if context.reader is None:
        context.note(_("desk: no user sees the whole deployment, so the desk was not checked"))
        return
    truth = context.truth
    data = desk_data(context.reader, context.period)
    listed_lights = {pk: light for pk, light in truth.lights.items() if pk in truth.listed}
    by_colour = Counter(colour for colour, _previous, _unit in listed_lights.values())
    context.compare_all("desk.lights", dict(data["by_colour"]), dict(by_colour))
    context.compare("desk.flagged_count", data["flagged_count"], sum(by_colour[c] for c in BAD))
    by_unit: dict = defaultdict(Counter)
    for pk, (colour, _previous, _unit) in listed_lights.items():
        by_unit[unit_label(context, truth.listed[pk].unit_id)][colour] += 1
    shown = dict(data["by_unit"])
    for name in sorted(set(shown) | set(by_unit)):
        context.compare_all("desk.unit_lights", shown.get(name, {}), by_unit.get(name, {}), name)
    _check_changes(context, data, listed_lights)
    _check_late(context, data)


def _check_changes(context: Context, data: dict, lights: dict) -> None:
    """New reds and recovered projects against the previous period's own lights."""
    previous_period = context.truth.previous_period
    before = {}
    if previous_period is not None:
        before = {pk: light[0] for pk, light in plain.lights(previous_period.pk).items()}
    new_red = {pk for pk, light in lights.items() if light[0] == "red" and before.get(pk) != "red"}
    recovered = {
        pk for pk, light in lights.items() if before.get(pk) in BAD and light[0] not in BAD
    }
    for key, truth in (("new_red", new_red), ("recovered", recovered)):
        shown = [light.project_id for light in data[key]]
        context.compare(f"desk.{key}.rows", len(shown), min(len(truth), LIST_LIMIT))
        for pk in shown:
            context.compare(f"desk.{key}", "listed", "listed" if pk in truth else "not listed",
                            project_label(context, pk))  # fmt: skip


def _check_late(context: Context, data: dict) -> None:
    truth = context.truth
    if timezone.now() <= context.period.deadline:
        context.compare("desk.late", len(data["late"]), 0)
        return
    filed = plain.filed(context.period.pk)
    late = Counter(
        unit_label(context, item.unit_id) for pk, item in truth.listed.items() if pk not in filed
    )
    context.compare_all("desk.late", dict(data["late"]), dict(late))


register("desk", check_desk)


# The due page -------------------------------------------------------------------------------

DUE_SAMPLE = 5000  # reports whose figures are checked, at most (evenly spread)


def check_due(context: Context) -> None:
    """Each report's 年初至今, 开工至今 and shares as the due page shows them (attach_figures):
    the accepted amounts before the period plus the report's own, accepted or not yet. Derived
    by the same functions for every report, so a few thousand spread over the list tell as
    much as every one of 100,000."""
    truth = context.truth
    reports = {pk: r for pk, r in plain.current_reports(context.period.pk).items()
               if pk in truth.listed}  # fmt: skip
    ids = sorted(reports)
    step = max(1, -(-len(ids) // DUE_SAMPLE))
    if step > 1:
        context.note(
            _("due: the figures of %(checked)s of %(count)s reports checked (every %(step)sth)")
            % {"checked": f"{len(ids[::step]):,}", "count": f"{len(ids):,}", "step": step}
        )
    ids = ids[::step]
    before = plain.accepted_before(context.period.start)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        projects = Project.objects.filter(pk__in=chunk).only("pk", "total_investment")
        current = {
            r.project_id: r
            for r in Report.objects.filter(period=context.period, is_current=True,
                                           project__in=chunk)
        }  # fmt: skip
        pairs = [(project, current.get(project.pk)) for project in projects]
        attach_figures(context.period, pairs)
        for project, report in pairs:
            _compare_due(context, project, report, reports[project.pk], before)


def _compare_due(context: Context, project, report, stored: tuple, before: dict) -> None:
    truth, pk, where = context.truth, project.pk, project_label(context, project.pk)
    if report is None:
        context.compare("due.report", None, stored[0], where)
        return
    status, amount = stored
    own = Decimal(0) if status == "accepted" else amount  # counted already if accepted
    ytd = truth.completed.get(pk, Decimal(0)) + own
    since_start = before.get(pk, Decimal(0)) + amount
    shown = report.figures
    context.compare("due.ytd", shown.ytd, ytd, where)
    context.compare("due.since_start", shown.since_start, since_start, where)
    plan_share = fmt.percent(ytd, truth.listed[pk].plan)
    context.compare("due.share_of_annual_plan", _text(shown.share_of_annual_plan),
                    _text(plan_share), where)  # fmt: skip
    total_share = fmt.percent(since_start, project.total_investment)
    context.compare("due.share_of_total", _text(shown.share_of_total), _text(total_share),
                    where)  # fmt: skip


def _text(shown) -> str | None:
    return None if shown is None else shown.text


register("due", check_due)


# The lights ---------------------------------------------------------------------------------


def check_lights(context: Context) -> None:
    """Every listed project has its light, no other project has one, and the numbers a light
    was judged on (its year to date, its plan, the 序时进度) are those of the reports now."""
    truth = context.truth
    listed = truth.listed
    lit = truth.lights
    context.compare("lights.listed_with_light", sum(pk in lit for pk in listed), len(listed))
    context.compare("lights.unlisted_with_light", sum(pk not in listed for pk in lit), 0)
    expected = fmt.round_half_up(truth.expected, 4)
    for pk, text in plain.light_findings(context.period.pk):
        if pk not in listed:
            continue
        where = project_label(context, pk)
        for finding in json.loads(text) if isinstance(text, str) else text:
            numbers = finding.get("numbers") or {}
            if "completed_ytd" not in numbers:
                continue
            done = truth.completed.get(pk, Decimal(0))
            context.compare("lights.completed_ytd", Decimal(numbers["completed_ytd"]), done, where)
            if numbers.get("annual_plan") not in (None, "None"):
                plan = listed[pk].plan
                context.compare("lights.annual_plan", Decimal(numbers["annual_plan"]), plan, where)
            if numbers.get("variant") == truth.variant and "expected_share" in numbers:
                shown = Decimal(numbers["expected_share"])
                context.compare("lights.expected_share", shown, expected, where)


register("lights", check_lights)


# The cockpit --------------------------------------------------------------------------------


def shaped_truth(figures: dict, expected: Fraction) -> tuple[dict, dict]:
    """What the cockpit should show for these exact figures, each rounded once: the numbers
    (money in 万元, counts, the completion and the 序时 as percentages, the gap in points) and
    the strings the page prints (money also in 亿元, as "<name>_yi")."""
    amounts = {name: Fraction(figures[name]) for name in MONEY}
    plan = figures["annual_plan"]
    amounts["schedule_amount"] = Fraction(plan) * expected
    numbers, texts = {}, {}
    for name, amount in amounts.items():
        shown = fmt.wan(amount)
        numbers[name], texts[name], texts[f"{name}_yi"] = (
            shown.value,
            shown.text,
            fmt.yi(amount).text,
        )
    numbers.update({name: figures[name] for name in COCKPIT_COUNTS})
    schedule = fmt.percent_of(expected)
    numbers["schedule_pct"], texts["schedule_pct"] = schedule.value, schedule.text
    if plan:
        share = Fraction(figures["completed_ytd"]) / Fraction(plan)
        completion, gap = fmt.percent_of(share), fmt.point_gap(share, expected)
        numbers["completion_pct"], texts["completion_pct"] = completion.value, completion.text
        numbers["gap_points"], texts["gap_points"] = gap.value, gap.text
    else:
        numbers["completion_pct"] = numbers["gap_points"] = None
        texts["completion_pct"] = texts["gap_points"] = None
    return numbers, texts


def _lens(context: Context, focus: Unit | None) -> selectors.Lens:
    roots = Unit.objects.filter(parent__isnull=True).exclude(kind=Unit.Kind.ENTERPRISE)
    lens = selectors.Lens(
        context.campaign, context.period, True, (), list(roots.order_by("path")), None
    )
    lens.focus = focus
    return lens


def _compare_figures(context: Context, figure: str, shown: dict, truth: dict, where: str):
    numbers, texts = shaped_truth(truth, context.truth.expected)
    for name, value in numbers.items():
        context.compare(f"{figure}.{name}", shown.get(name), value, where)
    printed = shown.get("text")
    if isinstance(printed, dict):  # the strings the page prints, where the JSON carries them
        for name, text in texts.items():
            context.compare(f"{figure}.text.{name}", printed.get(name), text, where)


def check_cockpit(context: Context) -> None:
    truth = context.truth
    whole = selectors.summary(_lens(context, None))
    everything = _("the whole deployment")
    _compare_figures(context, "cockpit", whole["figures"], truth.figures(None), everything)
    lights = {item["colour"]: item["count"] for item in whole["lights"]}
    for colour in lights:
        context.compare("cockpit.lights", lights[colour], truth.figures(None)[colour], colour)
    organisations = Unit.objects.exclude(kind=Unit.Kind.ENTERPRISE).order_by("path")
    for unit in organisations:
        shown = selectors.summary(_lens(context, unit))["figures"]
        _compare_figures(context, "cockpit", shown, truth.figures(unit.pk), unit.name)
    for unit in organisations.filter(kind=Unit.Kind.GOVERNMENT):
        for row in selectors.units(_lens(context, unit))["rows"]:
            _compare_figures(context, "cockpit.units", row, truth.figures(row["id"]), row["name"])
    _check_trend(context)
    _check_project_rows(context)


def _check_trend(context: Context) -> None:
    """The trend's completed series: each point it shows against the year to date of its
    period (a period without a point yet is no wrong figure), and the period's own point."""
    truth = context.truth
    trend = selectors.trend(_lens(context, None))
    shown = dict(zip(trend["labels"], trend["series"][0]["data"], strict=True))
    by_start = plain.completed_by_period(
        truth.campaign_id, truth.period.start.year, truth.period.start
    )
    running = Decimal(0)
    expected = {}
    for period in truth.periods:
        if period.start > context.period.start:
            break
        if period.start.year == context.period.start.year:
            running += by_start.get(period.start, Decimal(0))
        if period.label in shown or period.pk == context.period.pk:
            expected[period.label] = running
    context.compare_all("cockpit.trend.completed_ytd", shown, expected)


def _check_project_rows(context: Context) -> None:
    """The first page of the cockpit's project list: each row's plan and year to date."""
    if context.reader is None:
        return
    truth = context.truth
    data = selectors.projects(context.reader, _lens(context, None), "all", 1)
    context.compare("cockpit.projects.count", data["count"], len(truth.listed))
    for row in data["rows"]:
        where = project_label(context, row["id"])
        item = truth.listed.get(row["id"])
        context.compare("cockpit.projects.annual_plan", row["annual_plan"], item and item.plan,
                        where)  # fmt: skip
        done = truth.completed.get(row["id"], Decimal(0))
        context.compare("cockpit.projects.completed_ytd", row["completed_ytd"], done, where)


register("cockpit", check_cockpit)
