"""A hand-built bulletin, worked out on paper, for March 2026 (序时 3/12 = 25%):

- project_a (市本级: 东湖街道, 在建), plan 40,000: accepted 3,000 (Jan), 2,000 (Feb, a correction
  of 1,000), 5,000 (Mar) = 10,000;
- project_b (市本级: 西山镇, 在建), plan 20,000: accepted 6,000 (Mar); Jan 7,777 returned and
  Feb 9,999 a draft do not count;
- project_c (西山县: 河口镇, 前期), plan 60,000: accepted 12,355.67 (Jan); Mar 5,000 only
  submitted;
- project_d (西山县, 在建): accepted 8,888 but listed for 2025 only, so not in the bulletin.

Totals: plan 120,000; completed 28,355.67 = 2.84 亿元 (2.835567, half up); 23.6% of the plan,
1.4 points below 25%. 市本级 16,000 of 60,000 = 26.7%, 1.7 above; 西山县 12,355.67 of 60,000 =
20.6%, 4.4 below.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongjian.accounts.models import Unit
from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign, Light, Period
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind, Stage
from gongjian.test import BaseTestCase

TODAY = datetime.datetime(2026, 4, 3, 10, 0)


class BulletinTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.county = Unit.objects.create(
            name="西山县人民政府", short_name="西山县", kind=Unit.Kind.GOVERNMENT, parent=cls.city
        )
        cls.county_town = Unit.objects.create(name="河口镇", kind=Unit.Kind.TOWN, parent=cls.county)
        cls.preliminary = Stage.objects.get(code="preliminary")
        cls.project_c = cls.make_project(
            name="河口物流园项目",
            responsible_unit=cls.county_town,
            stage=cls.preliminary,
            total_investment=Decimal("80000"),
        )
        cls.project_d = cls.make_project(name="未列入名单项目", responsible_unit=cls.county_town)
        cls.campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(cls.campaign)
        cls.january, cls.february, cls.march = (
            cls.campaign.periods.get(start=datetime.date(2026, month, 1)) for month in (1, 2, 3)
        )
        for project, plan, start in (
            (cls.project_a, "40000", datetime.date(2026, 2, 1)),
            (cls.project_b, "20000", datetime.date(2026, 6, 1)),
            (cls.project_c, "60000", None),
        ):
            AnnualListing.objects.create(
                project=project,
                year=2026,
                level="city",
                planned_investment=Decimal(plan),
                planned_start=start,
            )
        AnnualListing.objects.create(
            project=cls.project_d, year=2025, level="city", planned_investment=Decimal("9000")
        )
        # Started: a (planned in 2026) in February, c (no planned start) in March.
        kind = MilestoneKind.objects.get(code="start")
        Milestone.objects.create(
            project=cls.project_a, kind=kind, actual_date=datetime.date(2026, 2, 10)
        )
        Milestone.objects.create(
            project=cls.project_c, kind=kind, actual_date=datetime.date(2026, 3, 5)
        )

    def file(self, user, project, period, amount, **data) -> object:
        report = services.report_save_draft(
            actor=user, project=project, period=period, data={"amount": Decimal(amount), **data}
        )
        services.report_submit(actor=user, report=report)
        return report

    def accept(self, user, project, period, amount, **data) -> object:
        report = self.file(user, project, period, amount, **data)
        services.report_approve(actor=self.alice, report=report)
        return report

    def correct(self, user, project, period, amount) -> None:
        correction = services.report_start_correction(
            actor=user, report=services.current_report(project, period), reason="补报设备款"
        )
        services.report_save_draft(
            actor=user, project=project, period=period, data={"amount": Decimal(amount)}
        )
        services.report_submit(actor=user, report=correction)
        services.report_approve(actor=self.alice, report=correction)

    def file_the_quarter(self) -> None:
        """The reports of the table in the module docstring."""
        self.accept(self.ursula, self.project_a, self.january, "3000")
        self.accept(self.ursula, self.project_a, self.february, "1000")
        self.correct(self.ursula, self.project_a, self.february, "2000")
        self.accept(self.ursula, self.project_a, self.march, "5000", progress="主体结构封顶")
        returned = self.file(self.boris, self.project_b, self.january, "7777")
        services.report_return(actor=self.alice, report=returned, reason="数据不实")
        services.report_save_draft(
            actor=self.boris,
            project=self.project_b,
            period=self.february,
            data={"amount": Decimal("9999")},
        )
        self.accept(self.boris, self.project_b, self.march, "6000", progress="设备安装")
        self.accept(self.alice, self.project_c, self.january, "12355.67", progress="土地平整")
        self.file(self.alice, self.project_c, self.march, "5000", progress="未审核的进度")
        self.accept(self.alice, self.project_d, self.march, "8888")

    def light_red(self, project, explanation: str) -> None:
        Light.objects.create(
            project=project,
            period=self.march,
            colour=Light.Colour.RED,
            responsible_unit=project.responsible_unit,
            explanation=explanation,
        )

    def march_period(self) -> Period:
        return Period.objects.select_related("campaign").get(pk=self.march.pk)
