"""DispatchTestCase: the personas' city with the 2026 campaign of monthly periods and project_a
on the city's 2026 list (plan 40,000), and a helper that files and submits a report."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign
from gongjian.projects.models import AnnualListing
from gongjian.test import BaseTestCase

TODAY = datetime.datetime(2026, 4, 3, 10, 0)


class DispatchTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(cls.campaign)
        cls.march = cls.campaign.periods.get(start=datetime.date(2026, 3, 1))
        cls.february = cls.campaign.periods.get(start=datetime.date(2026, 2, 1))
        AnnualListing.objects.create(
            project=cls.project_a, year=2026, level="city", planned_investment=Decimal("40000")
        )

    def file(self, user, project, period, amount, **data):
        report = services.report_save_draft(
            actor=user, project=project, period=period, data={"amount": Decimal(amount), **data}
        )
        services.report_submit(actor=user, report=report)
        return report
