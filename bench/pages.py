"""The bulletin page and the dispatch desk at scale (issue 13): the page of a period's
bulletin (the narrative, with the download links) and the office's desk, each the median of 20
requests as the city office, with the queries one request makes.

Two scales, with the budgets of issue 13:

- a weekly campaign of 20,000 listed projects at its fifth week, five accepted weekly reports
  each (`python -m bench --weekly [--postgres]`, its own database: var/bench/weekly.sqlite3,
  or `gongjian_bench_weekly` next to BENCH_POSTGRES_URL's): page 60 ms, desk 30 ms;
- the main benchmark database, 100,000 projects × 12 monthly reports: 150 ms each.

Both need the lights of the measured period and of the one before it, so that the desk's
"since the previous period" lists (new reds, recovered) hold what they hold in use.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

WEEKLY_PROJECTS = 20_000
WEEKLY_PERIODS = 5
WEEKLY_NAME = "重点项目周调度（基准测试）"
REPEAT = 20
# 形象进度 as units write it: the download shows each project's latest.
PROGRESS = (
    "基础施工",
    "主体结构施工",
    "主体结构封顶",
    "设备安装调试",
    "室外配套施工",
    "按计划推进",
)
# How fast a project spends its plan (share of the plan by the year's end), and how often a
# week goes unfiled: some lights go red and recover, as in use.
PACES = (1.2, 1.0, 1.0, 0.8, 0.5, 0.0)
SKIP_SHARE = 0.06


def build_weekly(fresh: bool) -> float | None:
    """The weekly database: the demo city grown to 20,000 projects, every one on this year's
    list, a weekly campaign with five weeks of accepted reports, their lights and snapshots.
    Returns the seconds it took, or None when it is there already."""
    from django.core.management import call_command
    from django.db import connection

    from gongjian.dashboards.snapshots import refresh_snapshots
    from gongjian.dispatch.models import Campaign, Report

    call_command("migrate", verbosity=0)
    campaign = Campaign.objects.filter(name=WEEKLY_NAME).first()
    if not fresh and campaign and Report.objects.filter(period__campaign=campaign).exists():
        return None
    started = time.perf_counter()
    _seed_projects()
    campaign = _weekly_campaign()
    periods = list(campaign.periods.order_by("start")[:WEEKLY_PERIODS])
    _weekly_reports(campaign, periods)
    _light(campaign, periods[-1], all_periods=True)
    # The cockpit's snapshots, as the nightly run leaves them (the page reads them).
    refresh_snapshots(campaign, periods)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _seed_projects() -> None:
    """20,000 projects, all listed for this year (seed_demo lists about 85% of the generated
    ones: the rest get their listing here)."""
    from django.core.management import call_command
    from django.utils import timezone

    from gongjian.demo.city import listings_for
    from gongjian.projects.models import AnnualListing, Project

    call_command("seed_demo", verbosity=0)
    missing = WEEKLY_PROJECTS - Project.objects.count()
    if missing > 0:
        call_command("seed_demo", projects=missing, verbosity=0)
    year = timezone.localdate().year
    rng = random.Random(year)
    unlisted = Project.objects.exclude(listings__year=year).order_by("pk")
    AnnualListing.objects.bulk_create(
        [row for project in unlisted for row in listings_for(rng, project, [year])],
        batch_size=2000,
    )


def _weekly_campaign():
    """The weekly campaign of this year, the only active one (the desk shows the latest active
    campaign; the demo's monthly one is switched off)."""
    from django.utils import timezone

    from gongjian.dispatch import services
    from gongjian.dispatch.models import Cadence, Campaign

    Campaign.objects.exclude(name=WEEKLY_NAME).update(is_active=False)
    campaign, _ = Campaign.objects.get_or_create(
        name=WEEKLY_NAME,
        year=timezone.localdate().year,
        defaults={
            "cadence": Cadence.WEEKLY,
            "deadline_days": 1,
            "deadline_time": datetime.time(12, 0),
            "review_levels": ["county", "city"],
        },
    )
    services.periods_ensure(campaign)
    return campaign


def _weekly_reports(campaign, periods) -> None:
    """Five weeks of accepted reports for every listed project (a few weeks unfiled), each
    week's 形象进度 different from the last."""
    from django.db import transaction
    from django.utils import timezone

    from gongjian.dispatch.models import Report
    from gongjian.lib.bulk import insert_rows
    from gongjian.projects.models import AnnualListing

    Report.objects.filter(period__campaign=campaign).delete()
    plans = dict(
        AnnualListing.objects.filter(year=campaign.year).values_list(
            "project_id", "planned_investment"
        )
    )
    rng = random.Random(WEEKLY_PROJECTS)
    now = timezone.now()
    rows = []
    for pk, plan in sorted(plans.items()):
        weekly = float(plan) * rng.choice(PACES) / 52
        for week, period in enumerate(periods):
            if rng.random() < SKIP_SHARE:
                continue
            amount = Decimal(weekly * rng.uniform(0.6, 1.4)).quantize(Decimal("0.01"))
            rows.append(
                {
                    "project_id": pk,
                    "period_id": period.pk,
                    "status": Report.Status.ACCEPTED,
                    "amount": amount,
                    "progress": f"{PROGRESS[(pk + week) % len(PROGRESS)]}（第{week + 1}周）",
                    "milestones_met": {},
                    "submitted_at": now,
                    "accepted_at": now,
                }
            )
    with transaction.atomic():
        insert_rows(Report, rows)


def _light(campaign, period, *, all_periods: bool = False) -> None:
    from gongjian.dispatch.lighting import recompute_lights

    recompute_lights(
        campaign=campaign, all_periods=all_periods, today=period.end + datetime.timedelta(days=1)
    )


def weekly_period():
    """The weekly campaign's fifth week: the last with reports."""
    from gongjian.dispatch.models import Campaign

    campaign = Campaign.objects.get(name=WEEKLY_NAME)
    return campaign.periods.order_by("start")[WEEKLY_PERIODS - 1]


def monthly_period():
    """The main database's latest ended month (the bulletin shows ended periods only), with
    the lights of it and of the month before (the nightly recomputation's, computed here once
    when missing: the main benchmark lights only the campaign's last month)."""
    from django.utils import timezone

    from bench.dispatch import campaign_and_last_period
    from gongjian.dispatch.models import Light
    from gongjian.projects.models import AnnualListing

    campaign, _last = campaign_and_last_period()
    ended = list(campaign.periods.filter(end__lt=timezone.localdate()).order_by("start"))
    listed = AnnualListing.objects.filter(year=campaign.year).count()
    for each in ended[-2:]:
        # The demo's few hundred projects have lights for every month already.
        if Light.objects.filter(period=each).count() < listed:
            _light(campaign, each)
    return ended[-1]


def _client():
    from django.test import Client

    from gongjian.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="office"))
    return client


def _timed(median_ms, url: str, params: dict) -> tuple[float, int]:
    """(median ms of REPEAT GETs, queries of one GET)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client = _client()

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    get()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        get()
    count = len(queries.captured_queries)
    return median_ms(get, REPEAT), count


def bench_bulletin_page(median_ms, period) -> tuple[float, int]:
    return _timed(median_ms, "/bulletin/", {"period": period.pk})


def bench_desk(median_ms, period) -> tuple[float, int]:
    return _timed(median_ms, "/dispatch/desk/", {"period": period.pk})


def results(median_ms, period, *, scale: str, page_budget: float, desk_budget: float) -> list:
    """The bench rows (name, measured, budget, unit) of the page and the desk at `scale`."""
    rows = []
    for name, bench, budget in (
        ("bulletin page", bench_bulletin_page, page_budget),
        ("dispatch desk", bench_desk, desk_budget),
    ):
        ms, queries = bench(median_ms, period)
        rows.append((f"{name}, {scale} (median of {REPEAT})", ms, budget, "ms"))
        rows.append((f"{name}, {scale}: queries per request", queries, None, "queries"))
    return rows
