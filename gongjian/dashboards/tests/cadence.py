"""The demo city's dispatch run again with another cadence, for check_figures' tests: the demo's
monthly campaign and its scores are removed, and a weekly (旬, monthly) campaign of the same year
gets a history with every kind of report the figures must tell apart, its lights and snapshots,
and the month's published scores."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import connection

from gongjian.accounts.models import User
from gongjian.assessment import services as assessment
from gongjian.assessment.models import Scheme
from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Campaign, Report
from gongjian.projects.models import AnnualListing

ACCEPTED = Report.Status.ACCEPTED


def run_campaign(cadence: str, today: datetime.date) -> Campaign:
    """The only campaign: `cadence`, today's year, reports for every period ended by `today`."""
    Campaign.objects.all().delete()
    with connection.cursor() as cursor:
        # Published runs refuse deletion through the models, as they should in use.
        cursor.execute("DELETE FROM assessment_unitscore")
        cursor.execute("DELETE FROM assessment_scorerun")
    campaign = Campaign.objects.create(
        name="重点项目调度", year=today.year, cadence=cadence, review_levels=["county", "city"]
    )
    services.periods_ensure(campaign)
    ended = list(campaign.periods.filter(end__lt=today).order_by("start"))
    plans = dict(
        AnnualListing.objects.filter(year=today.year).values_list(
            "project_id", "planned_investment"
        )
    )
    rng = random.Random(cadence)
    per_year = {"weekly": 52, "ten_day": 36, "monthly": 12}[cadence]
    reports = []
    for pk, plan in sorted(plans.items()):
        pace = rng.choice((1.3, 1.0, 0.8, 0.4, 0.0))
        for period in ended:
            if rng.random() < 0.05:
                continue  # not filed: a missing-filing light
            amount = Decimal(float(plan) * pace / per_year * rng.uniform(0.5, 1.5))
            status = ACCEPTED
            if period == ended[-1]:
                status = rng.choice([ACCEPTED] * 6 + ["submitted", "returned", "draft"])
            reports.append(
                Report(project_id=pk, period=period, amount=amount.quantize(Decimal("0.01")),
                       status=status, submitted_at=period.deadline, accepted_at=period.deadline)
            )  # fmt: skip
    Report.objects.bulk_create(reports, batch_size=2000)
    _correct_one(ended[-2])
    recompute_lights(campaign=campaign, all_periods=True, today=today)
    _publish_month(ended[-1])
    return campaign


def _correct_one(period) -> None:
    """An accepted report corrected: the old version stays, no longer current."""
    old = Report.objects.filter(period=period, status=ACCEPTED).order_by("pk").first()
    Report.objects.filter(pk=old.pk).update(is_current=False)
    Report.objects.create(project_id=old.project_id, period=period, version=2,
                          amount=old.amount + Decimal("123.45"), status=ACCEPTED,
                          correction_reason="核减重复计入的设备款")  # fmt: skip


def _publish_month(period) -> None:
    """The monthly scheme's scores of the month the latest period ends in, published."""
    if period.end.year != period.campaign.year:
        return
    office = User.objects.get(username="office")
    scheme = Scheme.objects.get(cadence=Scheme.Cadence.MONTHLY)
    run = assessment.score_run_compute(scheme, f"{period.end:%Y-%m}", actor=office)
    assessment.score_run_publish(run=run, actor=office)
