"""A hand-built city for the cockpit's tests: the personas' city plus a county with a street,
five listed projects, one project not on this year's list, reports in every state, milestones
in and out of the year, and lights for February and March.

    青川市人民政府 (city)
    ├── 东湖街道 (town_a)      project_a  plan 40,000  纳统
    ├── 西山镇 (town_b)        project_b  plan 20,000
    ├── 青川高新区 (park)      project_e  plan  6,000
    ├── 市自然资源局 (dept)    (no projects)
    └── 湖东区人民政府 (county) project_d  plan  3,000
        └── 湖滨街道 (street)  project_c  plan 10,000  纳统
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongjian.accounts.models import Role, Unit
from gongjian.dashboards.snapshots import refresh_snapshots
from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign, Light, Report
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind, Project
from gongjian.test import BaseTestCase

TODAY = datetime.datetime(2026, 4, 3, 10, 0)  # January to March have ended
YEAR = 2026
ACCEPTED, SUBMITTED, RETURNED = (
    Report.Status.ACCEPTED,
    Report.Status.SUBMITTED,
    Report.Status.RETURNED,
)


class CityTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.county = Unit.objects.create(
            name="湖东区人民政府", short_name="湖东区", kind=Unit.Kind.GOVERNMENT, parent=cls.city
        )
        cls.street = Unit.objects.create(name="湖滨街道", kind=Unit.Kind.TOWN, parent=cls.county)
        cls.lena = cls.make_user("lena", Role.LEADER, cls.county)
        cls.campaign = Campaign.objects.create(name="重点项目月调度", year=YEAR)
        services.periods_ensure(cls.campaign)
        cls.january, cls.february, cls.march = (
            cls.campaign.periods.get(start=datetime.date(YEAR, month, 1)) for month in (1, 2, 3)
        )
        registered = Project.StatsStatus.REGISTERED
        Project.objects.filter(pk=cls.project_a.pk).update(stats_status=registered)
        cls.project_c = cls.make_project(
            name="湖滨物流园",
            responsible_unit=cls.street,
            total_investment=Decimal("30000"),
            stats_status=registered,
        )
        cls.project_d = cls.make_project(
            name="湖东区污水处理厂", responsible_unit=cls.county, total_investment=Decimal("8000")
        )
        cls.project_e = cls.make_project(
            name="高新区孵化器", responsible_unit=cls.park, total_investment=Decimal("15000")
        )
        # On last year's list only: counted nowhere this year.
        cls.project_x = cls.make_project(
            name="去年的项目", responsible_unit=cls.town_a, total_investment=Decimal("99999")
        )
        for project, plan in (
            (cls.project_a, "40000"),
            (cls.project_b, "20000"),
            (cls.project_c, "10000"),
            (cls.project_d, "3000"),
            (cls.project_e, "6000"),
        ):
            AnnualListing.objects.create(
                project=project, year=YEAR, level="city", planned_investment=Decimal(plan)
            )
        AnnualListing.objects.create(
            project=cls.project_x, year=YEAR - 1, level="city", planned_investment=1
        )
        for project, period, amount, status, version, current in (
            (cls.project_a, cls.january, "1000", ACCEPTED, 1, True),
            (cls.project_a, cls.february, "2000", ACCEPTED, 1, True),
            (cls.project_a, cls.march, "3000", ACCEPTED, 1, False),  # corrected…
            (cls.project_a, cls.march, "3500", ACCEPTED, 2, True),  # …to this
            (cls.project_b, cls.february, "500", SUBMITTED, 1, True),  # not accepted yet
            (cls.project_b, cls.march, "700", ACCEPTED, 1, True),
            (cls.project_c, cls.january, "400", ACCEPTED, 1, True),
            (cls.project_c, cls.march, "600", RETURNED, 1, True),
            (cls.project_d, cls.march, "250", ACCEPTED, 1, True),
            (cls.project_x, cls.february, "9999", ACCEPTED, 1, True),
        ):
            Report.objects.create(
                project=project,
                period=period,
                amount=Decimal(amount),
                status=status,
                version=version,
                is_current=current,
            )
        start = MilestoneKind.objects.get(code="start")
        completion = MilestoneKind.objects.get(code="completion")
        for project, kind, day in (
            (cls.project_a, start, datetime.date(YEAR, 2, 10)),
            (cls.project_c, start, datetime.date(YEAR, 3, 15)),
            (cls.project_d, start, datetime.date(YEAR - 1, 11, 1)),  # last year
            (cls.project_b, start, datetime.date(YEAR, 4, 2)),  # after March
            (cls.project_e, completion, datetime.date(YEAR, 1, 20)),
            (cls.project_x, start, datetime.date(YEAR, 1, 5)),  # not listed
        ):
            Milestone.objects.create(project=project, kind=kind, actual_date=day)
        for project, period, colour, unit in (
            (cls.project_a, cls.february, "yellow", cls.town_a),
            (cls.project_c, cls.february, "red", cls.street),
            (cls.project_a, cls.march, "red", cls.town_a),
            (cls.project_b, cls.march, "yellow", cls.town_b),
            (cls.project_c, cls.march, "red", cls.street),
            (cls.project_d, cls.march, "blue", cls.county),
            (cls.project_e, cls.march, "blue", cls.park),
            (cls.project_x, cls.march, "yellow", None),  # its unit was deleted
        ):
            Light.objects.create(
                project=project,
                period=period,
                colour=colour,
                responsible_unit=unit,
                explanation=f"{project.name}: {colour}",
            )
        refresh_snapshots(cls.campaign)
