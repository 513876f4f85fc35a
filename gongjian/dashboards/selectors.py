"""Reads for the cockpit. Every figure comes from PeriodFigures (a few rows per request); only
the red list and the projects behind a figure read Light and Project rows, a page at a time."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.accounts import access
from gongjian.accounts.models import Unit
from gongjian.assessment.models import ScoreRun, UnitScore
from gongjian.dashboards.models import PeriodFigures
from gongjian.dashboards.snapshots import COLOURS, FIGURES, MONEY, empty
from gongjian.dispatch import figures as dispatch_figures
from gongjian.dispatch.models import Campaign, Light, Period
from gongjian.dispatch.rules.colours import Scheme
from gongjian.dispatch.rules.lights import resolve_rule_set
from gongjian.dispatch.rules.schedule import (
    completion_share,
    describe_gap,
    exact,
)
from gongjian.lib.figures_format import percent_of, point_gap, wan, yi
from gongjian.projects import access as project_access
from gongjian.projects.models import AnnualListing, Milestone, Project

PAGE_SIZE = 50
RED_LIMIT = 20
# Lists of at least this many matches walk the biggest-first index instead of sorting (_matching).
WALK_FROM = 5000
RANKING_ROWS = 5  # per group


@dataclass
class Lens:
    """What one cockpit request looks at: a campaign's period, through the user's scope, from
    one unit (`focus`; None = the scope as a whole)."""

    campaign: Campaign
    period: Period
    sees_all: bool
    read_paths: tuple[str, ...]
    tops: list[Unit]  # the scope's top units; the roots for the whole deployment
    focus: Unit | None

    @property
    def home(self) -> Unit | None:
        """Where the cockpit opens: the one top unit, or the scope as a whole if several."""
        return self.tops[0] if len(self.tops) == 1 else None

    def covers(self, unit: Unit) -> bool:
        return self.sees_all or any(unit.path.startswith(p) for p in self.read_paths)

    @property
    def best_colour(self) -> str:
        scheme = resolve_rule_set(self.campaign.rule_preset, self.campaign.rule_set).scheme
        return "blue" if scheme == Scheme.RED_YELLOW_BLUE else "green"


def active_campaign() -> Campaign | None:
    """The campaign the cockpit shows (dispatch.figures.active_campaign)."""
    return dispatch_figures.active_campaign()


def open_lens(user, campaign: Campaign, period: Period, unit_pk: int | None) -> Lens:
    scope = access.scope_for(user)
    sees_all = access.sees_all_projects(user)
    if sees_all:
        tops = Unit.objects.filter(parent__isnull=True).exclude(kind=Unit.Kind.ENTERPRISE)
    else:
        tops = Unit.objects.filter(path__in=scope.read_paths).exclude(kind=Unit.Kind.ENTERPRISE)
    lens = Lens(campaign, period, sees_all, scope.read_paths, list(tops.order_by("path")), None)
    if unit_pk is not None:
        focus = Unit.objects.filter(pk=unit_pk).first()
        if focus is None or not lens.covers(focus):
            raise Http404("No such unit in your scope")
        lens.focus = focus
    else:
        lens.focus = lens.home
    return lens


# Figures -------------------------------------------------------------------------------------


def _figure_rows(lens: Lens):
    """The PeriodFigures rows whose sum is the lens's figures (for any period)."""
    rows = PeriodFigures.objects.filter(period__campaign=lens.campaign)
    if lens.focus is not None:
        return rows.filter(unit=lens.focus)
    if lens.sees_all:
        return rows.filter(unit__isnull=True)
    return rows.filter(unit__in=lens.tops)


def _fields(row: PeriodFigures) -> dict:
    return {name: getattr(row, name) for name in FIGURES}


def _add(total: dict, row: PeriodFigures) -> None:
    for name in FIGURES:
        total[name] += getattr(row, name)


def shaped(figures: dict, period: Period, year: int) -> dict:
    """Figures as JSON: money in 万元, counts, and the completion against the annual plan and
    the 序时进度 (dispatch.figures.schedule_share: months ended ÷ 12 by default). Each figure
    is rounded once (lib/figures_format.py): a number for the charts and, under "text", the
    string the page prints (money in 万元 and, as "<name>_yi", in 亿元)."""
    data: dict = {name: int(figures[name]) for name in FIGURES if name not in MONEY}
    text: dict = {}
    expected = dispatch_figures.schedule_share(period)  # as the lights judge it
    amounts = {name: figures[name] for name in MONEY}
    amounts["schedule_amount"] = exact(figures["annual_plan"]) * expected
    for name, amount in amounts.items():
        shown = wan(amount)
        data[name], text[name], text[f"{name}_yi"] = shown.number, shown.text, yi(amount).text
    share = completion_share(figures["completed_ytd"], figures["annual_plan"] or None)
    schedule = percent_of(expected)
    data["schedule_pct"], text["schedule_pct"] = schedule.number, schedule.text
    if share is None:
        data.update(completion_pct=None, gap_points=None, gap_text="")
        text.update(completion_pct=None, gap_points=None)
    else:
        completion, gap = percent_of(share), point_gap(share, expected)
        data.update(
            completion_pct=completion.number,
            gap_points=gap.number,
            gap_text=describe_gap(gap.value),
        )
        text.update(completion_pct=completion.text, gap_points=gap.text)
    data["text"] = text
    return data


def summary(lens: Lens) -> dict:
    total = empty()
    computed_at = None
    for row in _figure_rows(lens).filter(period=lens.period):
        _add(total, row)
        computed_at = row.computed_at
    best = lens.best_colour
    colours = ["red", "yellow", best] + [c for c in ("blue", "green") if c != best and total[c]]
    return {
        "period": {
            "id": lens.period.pk,
            "label": lens.period.label,
            "end": f"{lens.period.end:%Y-%m-%d}",
        },
        "unit": _unit_json(lens.focus),
        "computed_at": f"{timezone.localtime(computed_at):%Y-%m-%d %H:%M}" if computed_at else None,
        "figures": shaped(total, lens.period, lens.campaign.year),
        "lights": [
            {"colour": c, "label": str(Light.Colour(c).label), "count": total[c]} for c in colours
        ],
    }


def trend(lens: Lens) -> dict:
    """Month by month: completed, the annual plan and the 序时 amount, through the period."""
    by_period: dict = {}
    rows = (
        _figure_rows(lens)
        .filter(period__start__lte=lens.period.start)
        .select_related("period__campaign")
        .order_by("period__start")
    )
    for row in rows:
        period = row.period
        by_period.setdefault(period.pk, (period, empty()))
        _add(by_period[period.pk][1], row)
    points = [shaped(f, p, lens.campaign.year) for p, f in by_period.values()]
    series = (
        ("completed_ytd", _("Investment completed")),
        ("schedule_amount", _("Time schedule (序时)")),
        ("annual_plan", _("Annual plan")),
    )
    return {
        "labels": [p.label for p, _f in by_period.values()],
        "series": [
            {
                "key": key,
                "name": name,
                "data": [f[key] for f in points],
                "text": [f["text"][key] for f in points],
                "text_yi": [f["text"][f"{key}_yi"] for f in points],
            }
            for key, name in series
        ],
        "completion_pct": [f["completion_pct"] for f in points],
        "schedule_pct": [f["schedule_pct"] for f in points],
        "text": {
            name: [f["text"][name] for f in points] for name in ("completion_pct", "schedule_pct")
        },
    }


def units(lens: Lens) -> dict:
    """The figures of each unit right below the focus (the drill-down), with the focus's own
    projects (those not under any child) as a row of their own."""
    rows = PeriodFigures.objects.filter(period=lens.period)
    if lens.focus is not None:
        rows = rows.filter(unit__parent=lens.focus)
    else:
        rows = rows.filter(unit__in=lens.tops)
    below = PeriodFigures.objects.filter(period=lens.period, unit__parent=OuterRef("unit_id"))
    rows = (
        rows.select_related("unit")
        .annotate(drillable=Exists(below))
        .order_by("-annual_plan", "unit__path")
    )
    year = lens.campaign.year
    children = []
    listed = empty()
    for row in rows:
        _add(listed, row)
        figures = shaped(_fields(row), lens.period, year)
        children.append({**_unit_json(row.unit), "drillable": row.drillable, **figures})
    result = {
        "unit": _unit_json(lens.focus),
        "home": lens.home.pk if lens.home else None,
        "trail": trail(lens),
        "rows": children,
        "own": None,
        "series": {
            "annual_plan": _("Annual plan"),
            "completed_ytd": _("Investment completed"),
            "schedule_amount": _("Time schedule (序时)"),
        },
    }
    if lens.focus is not None:
        own = PeriodFigures.objects.filter(period=lens.period, unit=lens.focus).first()
        if own is not None:
            rest = {name: getattr(own, name) - listed[name] for name in FIGURES}
            if any(rest.values()):
                result["own"] = {
                    **_unit_json(lens.focus),
                    "name": _("%(unit)s (its own projects)") % {"unit": lens.focus.name},
                    **shaped(rest, lens.period, year),
                }
    return result


def trail(lens: Lens) -> list[dict]:
    """The units from the home level down to the focus, for the breadcrumbs."""
    if lens.focus is None:
        return []
    pks = [int(part) for part in lens.focus.path.split("/") if part]
    chain = Unit.objects.filter(pk__in=pks).order_by("path")
    return [_unit_json(u) for u in chain if lens.covers(u)]


def _unit_json(unit: Unit | None) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.pk, "name": unit.name, "short": unit.short_name or unit.name}


# Rows behind the figures ---------------------------------------------------------------------


def reds(user, lens: Lens) -> dict:
    """The period's red lights under the focus, biggest projects first, with their reasons."""
    lights = _under_focus(Light.objects.filter(period=lens.period, colour="red"), lens, False)
    if not lens.sees_all:
        lights = lights.filter(project__in=project_access.visible_projects(user))
    walk = _count(lens, "red") >= WALK_FROM
    ids = _biggest_first(_matching(Project.objects.all(), lights, walk), 0, RED_LIMIT)
    # By (project, period): filtered by colour too, SQLite would read every red light.
    found = {
        row["project_id"]: row
        for row in Light.objects.filter(period=lens.period, project__in=ids).values(
            "project_id", "project__name", "responsible_unit__name", "explanation", "clear_hint"
        )
    }
    rows = [found[pk] for pk in ids]
    return {
        "rows": [
            {
                "project": row["project_id"],
                "url": reverse("projects:detail", args=[row["project_id"]]),
                "name": row["project__name"],
                "unit": row["responsible_unit__name"] or "",
                "explanation": row["explanation"],
                "clear_hint": row["clear_hint"],
            }
            for row in rows
        ],
        "limit": RED_LIMIT,
    }


FIGURE_LABELS = {
    "all": gettext_lazy("All listed projects"),
    "starts": gettext_lazy("Projects started"),
    "completions": gettext_lazy("Projects completed"),
    "registered": gettext_lazy("Registered in statistics (纳统)"),
    "red": gettext_lazy("Red light"),
    "yellow": gettext_lazy("Yellow light"),
    "blue": gettext_lazy("Blue light"),
    "green": gettext_lazy("Green light"),
}
# The figures whose projects can be listed (?figure= of projects.json).
PROJECT_FIGURES = ("all", *COLOURS, "starts", "completions", "registered")


def projects(user, lens: Lens, figure: str, page: int = 1, *, own: bool = False) -> dict:
    """The listed projects behind a figure of the focus, 50 a page, biggest first. `own`: only
    the projects the focus unit is itself responsible for (not its units').

    The count is the figure's, from the snapshot (counting 100,000 rows again would cost more
    than the page); only `own` lists are counted live, being one unit's."""
    year = lens.campaign.year
    if figure not in PROJECT_FIGURES:
        figure = "all"
    if own:
        count = _figure_query(user, lens, figure, own, walk=False).count()
    else:
        count = _count(lens, "projects" if figure == "all" else figure)
    found = _figure_query(user, lens, figure, own, walk=count >= WALK_FROM)
    pages = max(1, math.ceil(count / PAGE_SIZE))
    number = min(max(page, 1), pages)
    # The page's ids first (a narrow query), then what its rows show.
    ids = _biggest_first(found, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    shown = {
        row["pk"]: row
        for row in Project.objects.filter(pk__in=ids).values(
            "pk", "name", "responsible_unit__name", "total_investment", "stage__name"
        )
    }
    rows = [shown[pk] for pk in ids]
    plans = dict(
        AnnualListing.objects.filter(project__in=ids, year=year).values_list(
            "project_id", "planned_investment"
        )
    )
    completed = dispatch_figures.completed(lens.period, ids)
    colours = dict(
        Light.objects.filter(period=lens.period, project__in=ids).values_list(
            "project_id", "colour"
        )
    )
    where = lens.focus.name if lens.focus is not None else _("All units")
    if own and lens.focus is not None:
        where = _("%(unit)s (its own projects)") % {"unit": lens.focus.name}
    return {
        "unit": _unit_json(lens.focus),
        "figure": figure,
        "own": own,
        "title": f"{where} · {FIGURE_LABELS[figure]}",
        "count": count,
        "page": number,
        "pages": pages,
        "rows": [
            {
                "id": row["pk"],
                "url": reverse("projects:detail", args=[row["pk"]]),
                "name": row["name"],
                "unit": row["responsible_unit__name"],
                "stage": row["stage__name"],
                **_money(
                    total_investment=row["total_investment"],
                    annual_plan=plans.get(row["pk"]),
                    completed_ytd=completed.get(row["pk"], 0),
                ),
                "colour": colours.get(row["pk"], ""),
                "colour_label": _colour_label(colours.get(row["pk"])),
            }
            for row in rows
        ],
    }


def _figure_query(user, lens: Lens, figure: str, own: bool, *, walk: bool):
    """The visible listed projects behind a figure of the focus (see _matching for `walk`)."""
    year = lens.campaign.year
    found = project_access.visible_projects(user)
    if figure in COLOURS:
        # From the period's lights, by the unit each light was counted for (as the snapshot
        # counts them): one index range per unit, not a pass over the year's list.
        lights = Light.objects.filter(period=lens.period, colour=figure)
        return _matching(found, _under_focus(lights, lens, own), walk)
    found = _matching(_under_focus(found, lens, own), AnnualListing.objects.filter(year=year), walk)
    if figure in ("starts", "completions"):
        done = Milestone.objects.filter(
            kind__code="start" if figure == "starts" else "completion",
            actual_date__gte=datetime.date(year, 1, 1),
            actual_date__lte=lens.period.end,
        )
        found = _matching(found, done, walk)
    elif figure == "registered":
        found = found.filter(stats_status=Project.StatsStatus.REGISTERED)
    return found


def _count(lens: Lens, figure: str) -> int:
    """A figure of the focus in the period, from the snapshot."""
    rows = _figure_rows(lens).filter(period=lens.period)
    return sum(rows.values_list(figure, flat=True))


def _matching(projects, rows, walk: bool):
    """`projects` narrowed to those with a row in `rows` (lights, listings, milestones).

    Shown biggest first, a list can be read two ways: as `id IN (…)` the database collects
    every match and sorts it; as a correlated EXISTS it walks the project_biggest_first index
    and stops at the page's end. Walking wins when there are many matches (all 25,000 red
    lights of 100,000 projects: 100 ms sorted, 3 ms walked on SQLite) and loses badly when
    there are few (a colour nobody has: 1 ms sorted, 200 ms walked through every project),
    so the caller decides from the figure's count (WALK_FROM)."""
    if walk:
        return projects.filter(Exists(rows.filter(project=OuterRef("pk"))))
    return projects.filter(pk__in=rows.values("project_id"))


def _biggest_first(projects, start: int, size: int) -> list[int]:
    ordered = projects.order_by("-total_investment", "id").values_list("pk", flat=True)
    return list(ordered[start : start + size])


def _under_focus(rows, lens: Lens, own: bool):
    """Projects or lights whose responsible unit is the focus (`own`) or under it."""
    if lens.focus is None:
        return rows
    if own:
        return rows.filter(responsible_unit=lens.focus)
    if lens.sees_all and lens.focus == lens.home:
        return rows  # the only root of the whole deployment holds everything
    return rows.filter(responsible_unit__in=Unit.objects.subtree(lens.focus).values("pk"))


def _colour_label(colour: str | None) -> str:
    return str(Light.Colour(colour).label) if colour in Light.Colour.values else ""


def _money(**amounts) -> dict:
    """Amounts in 万元 as numbers, and under "text" as the page prints them (None: none)."""
    shown = {name: None if v is None else wan(Decimal(v)) for name, v in amounts.items()}
    return {
        **{name: None if s is None else s.number for name, s in shown.items()},
        "text": {name: None if s is None else s.text for name, s in shown.items()},
    }


# The latest published ranking ----------------------------------------------------------------


def latest_ranking():
    """The latest published score run (assessment's definition) and its top rows per group,
    or (None, [])."""
    run = ScoreRun.objects.select_related("scheme").latest_published()
    if run is None:
        return None, []
    rows = (
        UnitScore.objects.filter(run=run, rank__lte=RANKING_ROWS)
        .select_related("unit", "group")
        .order_by("group__order", "group_id", "rank", "unit__name")
    )
    return run, list(rows)
