"""The figures every page, export, light, score and bulletin reads, each defined once here (or,
for completed investment itself, in ReportQuerySet) and made when it is read, never stored:

- `completed(period)`: each project's completed investment of the year to date as of a period
  (1–M月完成): the lights, the cockpit's lists, the bulletin and the snapshots add up these
  reports and no others (`Report.objects.through(period)`).
- `earlier_totals` and `report_figures`: a report's own figures — 年初至今, 开工至今, 占年计划%
  and 占总投资% — are the accepted amounts of the earlier periods plus the report's amount.
  Once the report is accepted its 年初至今 is exactly `completed(period)`; before, it shows
  what the total will be when it is. Derived when read, so accepting February after March
  was filed changes March's year-to-date figure at once, on every page.
- `schedule_share(period)`: 序时进度 of a period, the same for the lights, the cockpit, the
  bulletin and the big screen.
- `active_campaign()` and `latest_ended_period(campaign)`: what the cockpit, the desk, the
  due page and the big screen open on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone

from gongjian.dispatch.models import Campaign, Period, Report
from gongjian.dispatch.rules.rulesets import resolve_rule_set, schedule_variant
from gongjian.dispatch.rules.schedule import expected_share
from gongjian.lib import figures_format
from gongjian.lib.figures_format import Shown
from gongjian.projects.models import AnnualListing

ZERO = Decimal(0)


# The campaign calendar ---------------------------------------------------------------------


def active_campaign() -> Campaign | None:
    """The campaign being run: the active one of the latest year."""
    return Campaign.objects.filter(is_active=True).order_by("-year", "pk").first()


def latest_ended_period(campaign: Campaign, today: datetime.date | None = None) -> Period | None:
    """The campaign's latest period that has ended by `today` (its lights exist), or None."""
    today = today or timezone.localdate()
    return campaign.periods.filter(end__lt=today).order_by("start").last()


def schedule_share(period: Period) -> Fraction:
    """序时进度 of `period`: the share of the annual plan due by its last day, by the variant
    the campaign's lights judge against (rules.rulesets.schedule_variant). With months: the
    months ended by the period's end ÷ 12, so a week ending 29 November is 10/12 and the
    week ending 30 November 11/12."""
    campaign = period.campaign
    variant = schedule_variant(resolve_rule_set(campaign.rule_preset, campaign.rule_set))
    return expected_share(variant, year=campaign.year, as_of=period.end)


# Completed investment ----------------------------------------------------------------------


def completed(period: Period, projects=None) -> dict[int, Decimal]:
    """{project id: completed investment of the year to date as of `period`} for the projects
    with any: all, those among `projects` (a queryset), or the few of a list of ids."""
    if isinstance(projects, list | tuple | set):
        return Report.objects.through(period, projects=list(projects)).by_project()
    reports = Report.objects.through(period)
    if projects is not None:
        reports = reports.filter(project__in=projects)
    return reports.by_project()


@dataclass
class Earlier:
    """Per project: the accepted amounts before a period (`ytd`: the year's, in the period's
    campaign; `total`: since the start, in all) and the year's plan. Loaded for many
    projects at once by the due page and the batch grid."""

    ytd: dict[int, Decimal]
    total: dict[int, Decimal]
    plans: dict[int, Decimal]


def earlier_totals(period: Period, project_ids) -> Earlier:
    """Four queries (the periods, three GROUP BYs), whatever the number of projects."""
    project_ids = list(project_ids)
    before = Report.objects.counted().filter(
        project_id__in=project_ids, period__start__lt=period.start
    )
    this_year = Report.objects.through(period, projects=project_ids).exclude(period=period)
    return Earlier(
        ytd=this_year.by_project(),
        total=before.by_project(),
        plans=dict(
            AnnualListing.objects.filter(
                project_id__in=project_ids, year=period.start.year
            ).values_list("project_id", "planned_investment")
        ),
    )


@dataclass(frozen=True)
class ReportFigures:
    """A report's derived figures (万元 and percentages, one decimal, half up)."""

    ytd: Decimal  # 年初至今累计
    since_start: Decimal  # 开工至今累计
    share_of_annual_plan: Shown | None  # 占年计划%, None without a plan
    share_of_total: Shown | None  # 占总投资%


def report_figures(report: Report, earlier: Earlier, total_investment: Decimal) -> ReportFigures:
    """The figures of `report` (its project's total investment given) from `earlier`."""
    pk = report.project_id
    ytd = earlier.ytd.get(pk, ZERO) + report.amount
    since_start = earlier.total.get(pk, ZERO) + report.amount
    return ReportFigures(
        ytd=ytd,
        since_start=since_start,
        share_of_annual_plan=figures_format.percent(ytd, earlier.plans.get(pk)),
        share_of_total=figures_format.percent(since_start, total_investment),
    )


def attach_figures(period: Period, pairs) -> None:
    """Set `report.figures` (ReportFigures) on each report of `pairs`, (project, report or
    None) tuples of one period, in three queries whatever their number."""
    pairs = [(project, report) for project, report in pairs if report is not None]
    if not pairs:
        return
    earlier = earlier_totals(period, [project.pk for project, _report in pairs])
    for project, report in pairs:
        report.figures = report_figures(report, earlier, project.total_investment)
