"""Dispatch demo data for seed_demo: a year of monthly reports with real variety (ahead, on
schedule, behind, missing, returned, waiting for review, drafts, corrections), and a bulk mode
(`seed_demo --periods M`) that gives every listed project M accepted monthly reports."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongjian.accounts.models import Role, RoleGrant, Unit, User
from gongjian.dashboards.snapshots import refresh_snapshots
from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Campaign, Period, Report
from gongjian.lib.bulk import insert_rows
from gongjian.projects.models import AnnualListing, Project

CAMPAIGN_NAME = "重点项目月调度"
COUNTY_OFFICES = (  # (username, county government, display name)
    ("office_dh", "东湖区人民政府", "周丽（东湖区项目办）"),
    ("office_xs", "西山县人民政府", "钱伟（西山县项目办）"),
    ("office_qh", "青河县人民政府", "冯倩（青河县项目办）"),
)
# How fast a project spends its annual plan, as a share of the plan by the year's end.
PACES = ((1.25, 0.2), (1.0, 0.4), (0.7, 0.2), (0.35, 0.15), (0.0, 0.05))  # (pace, weight)
RETURN_REASONS = (
    "形象进度描述过于简略，请补充主体结构完成情况",
    "本月完成投资与现场进度不符，请核实后重报",
    "请补充现场照片",
)
CENT = Decimal("0.01")
DEMO_PROJECTS = 400


def demo_campaign(year: int) -> Campaign:
    campaign, created = Campaign.objects.get_or_create(
        name=CAMPAIGN_NAME, year=year, defaults={"review_levels": ["county", "city"]}
    )
    if created:
        services.periods_ensure(campaign)
    return campaign


def create_county_offices() -> list[str]:
    """Office logins for the county governments, which review at the county level."""
    password = User.objects.get(username="office").password  # the same demo password hash
    made = []
    for username, county, display_name in COUNTY_OFFICES:
        unit = Unit.objects.filter(name=county, kind=Unit.Kind.GOVERNMENT).first()
        if unit is None:
            continue
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": display_name, "password": password}
        )
        RoleGrant.objects.get_or_create(user=user, role=Role.OFFICE, unit=unit)
        made.append(username)
    return made


@transaction.atomic
def seed_dispatch(today: datetime.date) -> bool:
    """The demo campaign for `today`'s year, with history up to the last ended period. Returns
    False when it exists already (seed_demo is safe to run again)."""
    if Campaign.objects.filter(name=CAMPAIGN_NAME, year=today.year).exists():
        return False
    create_county_offices()
    campaign = demo_campaign(today.year)
    periods = list(campaign.periods.filter(end__lt=today).order_by("start"))
    if not periods:
        return True
    rng = random.Random(today.year)
    # The hand-built city's projects come first; projects generated for benchmarks get their
    # reports from `seed_demo --periods`, in bulk, not through the workflow one by one.
    projects = list(
        Project.objects.filter(listings__year=today.year, stage__is_started=True)
        .select_related("responsible_unit", "stage")
        .order_by("id")[:DEMO_PROJECTS]
    )
    plans = _plans(today.year)
    paces = {
        p.pk: rng.choices([pace for pace, _ in PACES], [w for _, w in PACES])[0] for p in projects
    }
    history, latest = periods[:-1], periods[-1]
    _bulk_accepted(projects, history, plans, paces, rng, skip_share=0.04)
    _latest_period(campaign, projects, latest, plans, paces, rng)
    # Only the demo projects' history: generated benchmark projects are lit by recompute_lights.
    demo_ids = list(
        Project.objects.filter(listings__year=today.year)
        .order_by("id")
        .values_list("pk", flat=True)[:DEMO_PROJECTS]
    )
    recompute_lights(campaign=campaign, all_periods=True, today=today, project_ids=demo_ids)
    return True


def _plans(year: int) -> dict[int, Decimal]:
    return dict(
        AnnualListing.objects.filter(year=year).values_list("project_id", "planned_investment")
    )


def _monthly_amount(plan: Decimal | None, pace: float, month: int, rng: random.Random) -> Decimal:
    """A month's spending: slow in winter (春节), faster from spring, with noise."""
    if not plan or pace == 0:
        return Decimal(0)
    weight = (0.5, 0.6, 0.9, 1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.0, 1.0)[month - 1] / 11.6
    return Decimal(float(plan) * pace * weight * rng.uniform(0.7, 1.3)).quantize(CENT)


def _bulk_accepted(projects, periods: list[Period], plans, paces, rng, *, skip_share: float) -> int:
    """Accepted reports (with their submit and approve events) written in bulk; a few months
    are left unfiled so that missing-filing lights appear."""
    now = timezone.now()
    rows = []
    for period in periods:
        for project in projects:
            if rng.random() < skip_share:
                continue
            amount = _monthly_amount(
                plans.get(project.pk), paces[project.pk], period.start.month, rng
            )
            rows.append(_report_row(project, period, amount, now))
    insert_rows(Report, rows)
    return len(rows)


def _report_row(project, period, amount, now) -> dict:
    return {
        "project_id": project.pk, "period_id": period.pk, "version": 1, "is_current": True,
        "status": Report.Status.ACCEPTED, "review_level": 0, "return_count": 0,
        "amount": amount, "progress": "按计划推进",
        "submitted_at": now, "accepted_at": now, "milestones_met": {},
    }  # fmt: skip


def _latest_period(campaign, projects, period: Period, plans, paces, rng) -> None:
    """The period being filed now, through the real workflow: most accepted, some returned and
    refiled, some waiting at the county or the city, some drafts, some missing."""
    filers = {
        g.unit_id: g.user for g in RoleGrant.objects.filter(role=Role.UNIT).select_related("user")
    }
    offices = {
        g.unit_id: g.user for g in RoleGrant.objects.filter(role=Role.OFFICE).select_related("user")
    }
    office = User.objects.get(username="office")
    for project in projects:
        fate = rng.random()
        if fate < 0.08:
            continue  # not filed
        filer = filers.get(project.responsible_unit_id) or office
        amount = _monthly_amount(plans.get(project.pk), paces[project.pk], period.start.month, rng)
        progress = rng.choice(["主体结构施工", "设备安装调试", "基础施工", "厂房封顶"])
        report = services.report_save_draft(
            actor=filer,
            project=project,
            period=period,
            data={"amount": amount, "progress": progress},
        )
        if fate < 0.14:
            continue  # a draft
        services.report_submit(actor=filer, report=report)
        chain = services.review_chain(campaign, project)
        if fate < 0.22:
            services.report_return(
                actor=offices.get(chain[0].pk, office),
                report=report,
                reason=rng.choice(RETURN_REASONS),
            )
            if fate < 0.18:
                continue  # returned, waiting for the unit
            services.report_submit(actor=filer, report=report)
        waiting = 0.22 <= fate < 0.3  # left at the county or the city; the rest pass every level
        levels_to_pass = rng.randrange(len(chain)) if waiting else len(chain)
        for level in range(levels_to_pass):
            services.report_approve(actor=offices.get(chain[level].pk, office), report=report)


def add_bulk_periods(count: int, today: datetime.date) -> int:
    """`seed_demo --periods M`: accepted reports for the first M monthly periods for every listed
    project that has none there yet. Returns how many reports were added."""
    campaign = demo_campaign(today.year)
    periods = list(campaign.periods.order_by("start")[:count])
    done = set(
        Report.objects.filter(period__in=periods).values_list("project_id", flat=True).distinct()
    )
    projects = list(
        Project.objects.filter(listings__year=today.year)
        .exclude(pk__in=done)
        .only("pk", "total_investment")
    )
    plans = _plans(today.year)
    rng = random.Random(count)
    paces = {
        p.pk: rng.choices([pace for pace, _ in PACES], [w for _, w in PACES])[0] for p in projects
    }
    before = Report.objects.aggregate(n=Max("pk"))["n"] or 0
    with transaction.atomic():
        _bulk_accepted(projects, periods, plans, paces, rng, skip_share=0.0)
    return Report.objects.filter(pk__gt=before).count()


def refresh_figures() -> None:
    """The period snapshots of every active campaign (the cockpit's header, the big screen),
    after the seed wrote projects and reports in bulk, which tells no one."""
    for campaign in Campaign.objects.filter(is_active=True):
        refresh_snapshots(campaign)
