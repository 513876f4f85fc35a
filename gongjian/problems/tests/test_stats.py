"""Problem statistics by department and unit, the weekly 问题清单 page and its Excel file:
the figures, who may see them, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gongjian.accounts.models import Unit
from gongjian.problems.models import (
    Problem,
    ProblemCategory,
    ProblemPolicy,
    Source,
    Status,
    WorkdayOverride,
)
from gongjian.problems.stats import department_stats, unit_stats, weekly_list
from gongjian.test import BaseTestCase

D = datetime.date
TODAY = datetime.datetime(2026, 10, 21, 10)  # a Wednesday
MARCH_2 = datetime.date(2026, 3, 2)
HEADER = [
    "序号",
    "编号",
    "问题",
    "项目",
    "类别",
    "牵头部门",
    "状态",
    "交办日期",
    "办结时限",
    "已历时(天)",
    "超期(工作日)",
    "督办级别",
]


def at(day: D, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in local time (Asia/Shanghai), stored in UTC."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class ProblemData:
    @classmethod
    def problem(cls, title: str, *, created: D | None = None, **fields) -> Problem:
        values = {"title": title, "category": cls.land, "source": Source.UNIT}
        values.update(fields)
        problem = Problem.objects.create(**values)
        if created:
            Problem.objects.filter(pk=problem.pk).update(created_at=at(created))
        return problem

    @classmethod
    def closed(cls, title, department, *, days, rating="", assigned=MARCH_2, **fields):
        """Assigned on `assigned`, signed for the next day, replied and closed in time, unless
        `fields` say otherwise."""
        values = {
            "lead_department": department,
            "status": Status.CLOSED,
            "assigned_at": at(assigned),
            "sign_due": assigned + datetime.timedelta(days=1),
            "signed_at": at(assigned + datetime.timedelta(days=1), 9),
            "resolve_due": assigned + datetime.timedelta(days=14),
            "replied_at": at(assigned + datetime.timedelta(days=10)),
            "closed_at": at(assigned + datetime.timedelta(days=12)),
            "days_to_resolve": days,
            "rating": rating,
        }
        values.update(fields)
        return cls.problem(title, **values)


@time_machine.travel(TODAY, tick=False)
class ProblemStatsTests(ProblemData, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.land = ProblemCategory.objects.get(code="land")
        ProblemPolicy.current()
        cls.housing = Unit.objects.create(
            name="市住建局", kind=Unit.Kind.DEPARTMENT, parent=cls.city
        )
        dept, housing = cls.dept, cls.housing
        # 市自然资源局: four closed in 2026 (days 4, 5, 8, 10) and three open.
        cls.closed("土地报批滞后", dept, days=4, rating="satisfied", project=cls.project_a)
        cls.closed(
            "规划调整未批",
            dept,
            days=10,
            rating="fairly",
            project=cls.project_b,
            signed_at=at(D(2026, 3, 5)),
            replied_at=at(D(2026, 3, 20)),
        )
        # Signed at 23:30 on the deadline day: on time (15:30 UTC).
        cls.closed(
            "企业用地边界争议",
            dept,
            days=5,
            rating="unsatisfied",
            raising_unit=cls.enterprise,
            signed_at=at(D(2026, 3, 3), 23, 30),
        )
        # Signed at 00:30 the day after (still 03-03 in UTC): late. Replied at 23:59 on the
        # resolution deadline: on time.
        cls.closed(
            "林地占用手续",
            dept,
            days=8,
            project=cls.project_a,
            signed_at=at(D(2026, 3, 4), 0, 30),
            replied_at=at(D(2026, 3, 16), 23, 59),
        )
        cls.red = cls.problem(
            "征地补偿未到位",
            created=D(2026, 9, 20),
            project=cls.project_a,
            lead_department=dept,
            status=Status.IN_PROGRESS,
            assigned_at=at(D(2026, 9, 22)),
            sign_due=D(2026, 9, 23),
            signed_at=at(D(2026, 9, 23)),
            resolve_due=D(2026, 10, 9),
            escalation_level=2,
        )
        cls.blue = cls.problem(
            "用地预审",
            created=D(2026, 9, 25),
            project=cls.project_a,
            lead_department=dept,
            status=Status.SIGNED,
            assigned_at=at(D(2026, 9, 28)),
            sign_due=D(2026, 9, 29),
            signed_at=at(D(2026, 9, 29)),
            resolve_due=D(2026, 10, 21),
        )
        cls.yellow = cls.problem(
            "不动产登记",
            created=D(2026, 9, 10),
            project=cls.project_a,
            lead_department=dept,
            status=Status.REPLIED,
            assigned_at=at(D(2026, 9, 11)),
            sign_due=D(2026, 9, 14),
            signed_at=at(D(2026, 9, 15)),
            resolve_due=D(2026, 10, 9),
            replied_at=at(D(2026, 10, 12)),
            review_due=D(2026, 10, 15),
        )
        # 市住建局: three closed in 2026 (days 2, 3, 9) and one open, one closed in 2025.
        cls.closed("施工许可延迟", housing, days=2, rating="satisfied", project=cls.project_b)
        cls.closed("图审意见反复", housing, days=3, rating="satisfied", project=cls.project_b)
        # 00:30 on New Year's Day is still 2025 in UTC, but 2026 here.
        cls.closed(
            "消防验收",
            housing,
            days=9,
            assigned=D(2026, 1, 1),
            assigned_at=at(D(2026, 1, 1), 0, 30),
        )
        cls.closed("去年的问题", housing, days=1, assigned_at=at(D(2025, 12, 31), 23, 30))
        cls.housing_open = cls.problem(
            "住建局在办问题",
            created=D(2026, 10, 19),
            project=cls.project_b,
            lead_department=housing,
            status=Status.IN_PROGRESS,
            assigned_at=at(D(2026, 10, 20)),
            sign_due=D(2026, 10, 21),
            signed_at=at(D(2026, 10, 20)),
            resolve_due=D(2026, 11, 30),
        )
        cls.unassigned = cls.problem(
            "待交办问题",
            created=D(2026, 10, 12),
            project=cls.project_b,
            raising_unit=cls.town_b,
            triage_due=D(2026, 10, 14),
        )

    def rows_by_name(self, rows):
        return {row.unit.name: row for row in rows}

    def test_it_counts_by_department(self):
        with self.assertNumQueries(2):
            rows = department_stats(Problem.objects.all(), year=2026, today=D(2026, 10, 21))
        self.assertEqual([r.unit.name for r in rows], ["市自然资源局", "市住建局", "Total"])
        dept, housing, total = rows
        self.assertEqual(dept.unit.id, self.dept.pk)
        self.assertEqual(
            (dept.received, dept.signed_on_time, dept.resolved, dept.resolved_on_time),
            (7, 4, 4, 3),
        )
        self.assertEqual(dept.resolution_rate, Decimal("57.1"))
        self.assertEqual(dept.on_time_rate, Decimal("75.0"))
        self.assertEqual(dept.median_days, Decimal("6.5"))  # even count: (5 + 8) / 2
        self.assertEqual(dept.open_overdue, 1)  # the replied one waits for review, not for them
        self.assertEqual(dept.ratings, {"satisfied": 1, "fairly": 1, "unsatisfied": 1})

        self.assertEqual((housing.received, housing.signed_on_time, housing.resolved), (4, 4, 3))
        self.assertEqual(housing.resolution_rate, Decimal("75.0"))
        self.assertEqual(housing.on_time_rate, Decimal("100.0"))
        self.assertEqual(housing.median_days, Decimal("3"))  # odd count: 2, 3, 9
        self.assertEqual(housing.open_overdue, 0)

        self.assertTrue(total.is_total)
        self.assertIsNone(total.unit.id)
        self.assertEqual(
            (total.received, total.signed_on_time, total.resolved, total.open_overdue),
            (11, 8, 7, 1),
        )
        self.assertEqual(total.resolution_rate, Decimal("63.6"))
        self.assertEqual(total.on_time_rate, Decimal("85.7"))
        self.assertEqual(total.median_days, Decimal("5"))  # 2 3 4 5 8 9 10
        self.assertEqual(total.ratings, {"satisfied": 3, "fairly": 1, "unsatisfied": 1})

    def test_it_counts_last_year_apart(self):
        rows = department_stats(Problem.objects.all(), year=2025, today=D(2026, 10, 21))
        self.assertEqual([(r.unit.name, r.received) for r in rows], [("市住建局", 1), ("Total", 1)])

    def test_it_has_no_rates_without_problems(self):
        (total,) = department_stats(Problem.objects.all(), year=2020, today=D(2026, 10, 21))
        self.assertEqual(total.received, 0)
        self.assertIsNone(total.resolution_rate)
        self.assertIsNone(total.on_time_rate)
        self.assertIsNone(total.median_days)

    def test_it_counts_by_responsible_unit(self):
        with self.assertNumQueries(2):
            rows = unit_stats(Problem.objects.all(), year=2026, today=D(2026, 10, 21))
        self.assertEqual(
            [(r.unit.name, r.received, r.resolved, r.median_days) for r in rows],
            [
                ("东湖街道", 5, 2, Decimal("6")),  # project_a: days 4 and 8
                ("西山镇", 4, 3, Decimal("3")),  # project_b: days 10, 2, 3, one open
                ("青川新材料有限公司", 1, 1, Decimal("5")),  # no project: the raising unit
                ("No unit", 1, 1, Decimal("9")),
                ("Total", 11, 7, Decimal("5")),
            ],
        )
        self.assertEqual(rows[0].open_overdue, 1)

    def test_it_lists_open_problems_by_department(self):
        WorkdayOverride.objects.create(date=D(2026, 10, 19), is_workday=False)
        with self.assertNumQueries(4):
            groups = weekly_list(Problem.objects.all(), today=D(2026, 10, 21))
        self.assertEqual(
            [(g.unit.name, g.count, g.red) for g in groups],
            [("Not yet assigned", 1, 0), ("市自然资源局", 3, 1), ("市住建局", 1, 0)],
        )
        self.assertIsNone(groups[0].unit.id)
        rows = groups[1].rows
        self.assertEqual([r.title for r in rows], ["不动产登记", "征地补偿未到位", "用地预审"])
        self.assertEqual([r.seq for r in rows], [2, 3, 4])
        self.assertEqual([r.colour for r in rows], ["yellow", "red", "blue"])
        self.assertEqual([r.age_days for r in rows], [41, 31, 26])
        red = rows[1]
        # After 10-09: Saturday 10-10 is a make-up working day, 10-19 is off by the override.
        self.assertEqual(red.days_overdue, 8)
        self.assertIsNone(rows[0].days_overdue)
        self.assertEqual(red.assigned_on, D(2026, 9, 22))
        self.assertEqual(red.level_name, "Head of the responsible unit (责任单位主要领导)")
        self.assertEqual(red.project, self.project_a.name)
        self.assertEqual(groups[0].rows[0].colour, "yellow")  # not assigned by 10-14

    # The pages ---------------------------------------------------------------------------

    def get(self, user, name, **params):
        if user is not None:
            self.client.force_login(user)
        return self.client.get(reverse(name), params)

    def test_it_shows_the_office_both_tables(self):
        response = self.get(self.alice, "problems:stats")
        self.assertContains(response, "市自然资源局")
        self.assertContains(response, "市住建局")
        self.assertContains(response, "57.1%")
        self.assertContains(response, "6.5")
        self.assertContains(response, 'id="stats-total"')
        response = self.get(self.alice, "problems:stats", by="unit", year="2026")
        self.assertContains(response, "东湖街道")
        self.assertContains(response, "No unit")
        self.assertEqual(response.context["rows"][-1].received, 11)

    def test_it_takes_the_year_from_the_query(self):
        response = self.get(self.leo, "problems:stats", year="2025")
        self.assertEqual(response.context["year"], 2025)
        self.assertEqual(response.context["rows"][-1].received, 1)
        for year in ("x", "1999", "2028"):  # the years run from 2000 to next year
            response = self.get(self.leo, "problems:stats", year=year)
            self.assertEqual(response.status_code, 400)

    def test_it_shows_the_weekly_list(self):
        response = self.get(self.leo, "problems:weekly")
        self.assertContains(response, "Weekly problem list (as of 2026-10-21)")
        self.assertContains(response, "Not yet assigned")
        self.assertContains(response, "征地补偿未到位")
        self.assertContains(response, '<span class="badge bg-danger"', count=2)  # group + row
        self.assertContains(response, '<span class="badge bg-warning text-dark"', count=2)
        self.assertContains(response, '<span class="badge bg-primary"', count=1)
        self.assertNotContains(response, "消防验收")  # closed

    def test_it_downloads_the_weekly_list(self):
        WorkdayOverride.objects.create(date=D(2026, 10, 19), is_workday=False)
        response = self.get(self.alice, "problems:weekly-xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(".xlsx", response["Content-Disposition"])
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        rows = book.get_sheet_by_index(0).to_python()
        self.assertEqual(rows[0][0], "问题清单（截至2026-10-21）")
        self.assertEqual(rows[1], HEADER)
        self.assertEqual(rows[2][0], "Not yet assigned（1）")
        self.assertEqual(rows[3][:3], [1.0, self.unassigned.number, "待交办问题"])
        self.assertEqual(rows[4][0], "市自然资源局（3）")
        self.red.refresh_from_db()
        self.assertEqual(
            rows[6],
            [
                3.0,
                self.red.number,
                "征地补偿未到位",
                self.project_a.name,
                "用地",
                "市自然资源局",
                "In progress",
                D(2026, 9, 22),
                D(2026, 10, 9),
                31.0,
                8.0,
                "Head of the responsible unit (责任单位主要领导)",
            ],
        )
        self.assertEqual(rows[7][2], "用地预审")
        self.assertEqual(rows[7][10], "")  # blue: not overdue
        self.assertEqual(rows[8][0], "市住建局（1）")
        self.assertEqual(len(rows), 10)

    def test_it_shows_a_department_only_its_own_problems(self):
        response = self.get(self.dora, "problems:stats")
        self.assertEqual(response.status_code, 200)
        names = [row.unit.name for row in response.context["rows"]]
        self.assertEqual(names, ["市自然资源局", "Total"])
        self.assertEqual(response.context["rows"][-1].received, 7)
        response = self.get(self.dora, "problems:weekly")
        self.assertContains(response, "征地补偿未到位")
        self.assertNotContains(response, "住建局在办问题")
        self.assertNotContains(response, "待交办问题")

    def test_it_shows_a_unit_its_own_problems(self):
        response = self.get(self.ursula, "problems:stats", by="unit")
        self.assertEqual(response.status_code, 200)
        names = [row.unit.name for row in response.context["rows"]]
        self.assertEqual(names, ["东湖街道", "Total"])
        response = self.get(self.boris, "problems:weekly")
        self.assertContains(response, "待交办问题")
        self.assertNotContains(response, "征地补偿未到位")
        self.assertEqual(self.get(self.boris, "problems:weekly-xlsx").status_code, 200)

    def test_it_refuses_other_roles(self):
        for user in (self.erin, self.judy, self.oscar):
            for name in ("problems:stats", "problems:weekly", "problems:weekly-xlsx"):
                with self.subTest(user=user.username, page=name):
                    self.assertEqual(self.get(user, name).status_code, 403)

    def test_it_sends_visitors_to_the_login(self):
        for name in ("problems:stats", "problems:weekly", "problems:weekly-xlsx"):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("accounts:login"), response["Location"])


@time_machine.travel(TODAY, tick=False)
class ProblemStatsQueryCountTests(ProblemData, BaseTestCase):
    """The pages run the same number of queries for three departments as for six."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.land = ProblemCategory.objects.get(code="land")
        ProblemPolicy.current()  # created on first use, which would add queries to one page

    def add_departments(self, count: int) -> None:
        for _ in range(count):
            department = Unit.objects.create(
                name=f"部门{Unit.objects.count()}", kind=Unit.Kind.DEPARTMENT, parent=self.city
            )
            for days in (3, 4):
                self.closed("办结", department, days=days, assigned=D(2026, 6, 1))
            self.problem(
                "在办",
                lead_department=department,
                status=Status.IN_PROGRESS,
                assigned_at=at(D(2026, 10, 1)),
                resolve_due=D(2026, 10, 15),
                project=self.project_a,
            )

    def test_it_runs_a_fixed_number_of_queries(self):
        self.client.force_login(self.alice)
        pages = [
            ("problems:stats", {}, 5),
            ("problems:stats", {"by": "unit"}, 5),
            ("problems:weekly", {}, 7),
            # The export's audit entry: the chain's head and the insert (and on PostgreSQL the
            # chain's lock first).
            ("problems:weekly-xlsx", {}, 9 if connection.vendor == "sqlite" else 10),
        ]
        for _round in range(2):
            self.add_departments(3)
            # Once first, so the cached lists (lib/cached_lists.py) the new units dropped are
            # read again; then the count.
            for name, params, _expected in pages:
                self.client.get(reverse(name), params)
            for name, params, expected in pages:
                with self.subTest(page=name, **params), self.assertNumQueries(expected):
                    self.client.get(reverse(name), params)
