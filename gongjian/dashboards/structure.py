"""四多四少: the structure of a year's key projects against the same period of the year before —
size bands, high-tech, foreign-funded, new to the list (招商), livelihood, completed investment —
with generated sentences naming what is more and what is less.

`compare` and `sentences` are pure; `portfolio` reads the database once per year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.dispatch.models import Report
from gongjian.lib.figures_format import percent, yi
from gongjian.projects.models import AnnualListing, Project

# (key, label, condition on the project): size bands by total investment (万元), then kinds.
BANDS = [
    ("over_1b", gettext_lazy("≥ 1 billion yuan (10亿)"), Q(total_investment__gte=100000)),
    (
        "500m_1b",
        _("0.5–1 billion yuan"),
        Q(total_investment__gte=50000, total_investment__lt=100000),
    ),
    (
        "100m_500m",
        _("0.1–0.5 billion yuan"),
        Q(total_investment__gte=10000, total_investment__lt=50000),
    ),
    ("under_100m", gettext_lazy("< 0.1 billion yuan (1亿)"), Q(total_investment__lt=10000)),
]


def kinds(year: int) -> list:
    # New to the list this year (not listed the year before): newly signed and 招商 projects
    # enter the list this way; the registry keeps no signing date.
    listed_before = AnnualListing.objects.filter(project=OuterRef("pk"), year=year - 1)
    return [
        ("high_tech", _("high-tech"), Q(is_high_tech=True)),
        ("foreign", _("foreign-funded"), ~Q(investment_source="domestic")),
        ("newly_listed", _("new to the list (新签约/招商)"), ~Q(Exists(listed_before))),
        ("livelihood", _("livelihood (民生)"), Q(is_livelihood=True)),
    ]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    count: int
    investment: Decimal  # 万元, total investment


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    count: int
    previous_count: int
    investment: Decimal
    previous_investment: Decimal
    share: Decimal  # percent of all projects, this year (rounded: no arithmetic on it)
    previous_share: Decimal

    @property
    def count_change(self) -> int:
        return self.count - self.previous_count


def portfolio(year: int, month: int) -> tuple[list[Figure], Decimal, int]:
    """The year's listed projects by band and kind, the completed investment of 1–`month`
    (accepted reports), and the number of projects."""
    listed = Project.objects.listed(year)
    groups = BANDS + kinds(year)
    figures = listed.aggregate(
        total=Count("pk"),
        **{f"{key}_n": Count("pk", filter=q) for key, _label, q in groups},
        **{f"{key}_i": Sum("total_investment", filter=q) for key, _label, q in groups},
    )
    end = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    completed = Report.objects.through_date(year, end).filter(project__listings__year=year).total()
    rows = [
        Figure(key, str(label), figures[f"{key}_n"], figures[f"{key}_i"] or Decimal(0))
        for key, label, _q in groups
    ]
    return rows, completed, figures["total"]


def _share(part: int, whole: int) -> Decimal:
    shown = percent(part, whole)
    return Decimal("0.0") if shown is None else shown.value


def compare(current: list[Figure], total: int, previous: list[Figure], previous_total: int):
    before = {f.key: f for f in previous}
    return [
        Change(
            key=f.key,
            label=f.label,
            count=f.count,
            previous_count=before[f.key].count if f.key in before else 0,
            investment=f.investment,
            previous_investment=before[f.key].investment if f.key in before else Decimal(0),
            share=_share(f.count, total),
            previous_share=_share(before[f.key].count if f.key in before else 0, previous_total),
        )
        for f in current
    ]


def sentences(changes: list[Change], completed: Decimal, previous_completed: Decimal) -> list[str]:
    """ "…多" for what grew against last year, "…少" for what shrank, largest changes first."""
    more = sorted((c for c in changes if c.count_change > 0), key=lambda c: -c.count_change)
    less = sorted((c for c in changes if c.count_change < 0), key=lambda c: c.count_change)
    lines = []
    if more:
        lines.append(
            _("More than the same period last year: %(items)s.")
            % {
                "items": _("; ").join(
                    _("%(label)s projects %(n)d more (%(count)d, %(share)s%% of all)")
                    % {"label": c.label, "n": c.count_change, "count": c.count, "share": c.share}
                    for c in more
                )
            }
        )
    if less:
        lines.append(
            _("Fewer than the same period last year: %(items)s.")
            % {
                "items": _("; ").join(
                    _("%(label)s projects %(n)d fewer (%(count)d, %(share)s%% of all)")
                    % {"label": c.label, "n": -c.count_change, "count": c.count, "share": c.share}
                    for c in less
                )
            }
        )
    difference = completed - previous_completed
    if difference:
        word = _("more") if difference > 0 else _("less")
        lines.append(
            _("Completed investment %(now)s 亿元, %(diff)s 亿元 %(word)s than a year before.")
            % {"now": yi(completed).text, "diff": yi(abs(difference)).text, "word": word}
        )
    if not lines:
        lines.append(_("The same structure as the same period last year."))
    return lines
