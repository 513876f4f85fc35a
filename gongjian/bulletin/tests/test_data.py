"""The bulletin's figures reconcile with the reports they come from, checked against sums taken
another way (SQL over the report table, Python over report rows)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import time_machine
from django.db import connection
from django.utils import timezone

from gongjian.assessment.models import Scheme, ScoreRun, UnitGroup, UnitScore
from gongjian.bulletin.data import (
    CITY_LEVEL,
    Kind,
    build_bulletin,
    chinese_number,
    span_label,
    to_yi,
)
from gongjian.dispatch.models import Light, Report
from gongjian.problems.models import Problem, ProblemCategory, Source, Status
from gongjian.projects.models import AnnualListing
from gongjian.test.bulletin import TODAY, BulletinTestCase

CENT = Decimal("0.01")


def sql_total(campaign_id: int, through: datetime.date, year: int) -> Decimal:
    """The accepted current amount of the listed projects, summed by the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(SUM(r.amount), 0)
            FROM dispatch_report r
            JOIN dispatch_period p ON p.id = r.period_id
            JOIN projects_annuallisting l ON l.project_id = r.project_id AND l.year = %s
            WHERE r.status = 'accepted' AND r.is_current AND p.campaign_id = %s AND p.start <= %s
            """,
            [year, campaign_id, through],
        )
        (value,) = cursor.fetchone()
    return Decimal(str(value)).quantize(CENT)


@time_machine.travel(TODAY, tick=False)
class TotalsTestCase(BulletinTestCase):
    def setUp(self):
        self.file_the_quarter()
        self.bulletin = build_bulletin(self.march_period())

    def group(self, kind: str, label: str):
        return [row for row in self.bulletin.rows if row.kind == kind and row.label == label]

    def test_it_adds_up_to_the_database_sum_of_the_accepted_reports(self):
        total = self.bulletin.rows[0]
        self.assertEqual(total.kind, Kind.TOTAL)
        self.assertEqual(total.label, "合计（3项）")
        expected = sql_total(self.campaign.pk, self.march.start, 2026)
        self.assertEqual(expected, Decimal("28355.67"))
        self.assertEqual(total.figures.completed, expected)
        self.assertEqual(total.figures.annual_plan, Decimal("120000"))

    def test_each_stage_and_area_adds_up_to_the_report_rows(self):
        by_stage: dict[str, Decimal] = defaultdict(Decimal)
        by_area: dict[str, Decimal] = defaultdict(Decimal)
        listed = set(AnnualListing.objects.filter(year=2026).values_list("project_id", flat=True))
        reports = Report.objects.filter(
            period__campaign=self.campaign,
            period__start__lte=self.march.start,
            is_current=True,
            status=Report.Status.ACCEPTED,
        ).select_related("project__stage", "project__responsible_unit")
        for report in reports:
            if report.project_id not in listed:
                continue
            project = report.project
            by_stage[project.stage.name] += report.amount
            area = "西山县" if project.responsible_unit.is_within(self.county) else CITY_LEVEL
            by_area[area] += report.amount
        self.assertEqual(by_stage, {"在建": Decimal("16000"), "前期": Decimal("12355.67")})
        for stage, amount in by_stage.items():
            (row,) = [
                r for r in self.bulletin.rows if r.kind == Kind.STAGE and f"、{stage}（" in r.label
            ]
            self.assertEqual(row.figures.completed, amount, stage)
        areas = {area.name: area.figures.completed for area in self.bulletin.areas}
        self.assertEqual(areas, dict(by_area))

    def test_group_rows_are_the_exact_sums_of_their_rows(self):
        rows = self.bulletin.rows
        stage_sum = Decimal(0)
        for index, row in enumerate(rows):
            if row.kind == Kind.STAGE:
                stage_sum += row.figures.completed
            if row.kind in (Kind.STAGE, Kind.AREA):
                members = []
                for member in rows[index + 1 :]:
                    if member.kind == Kind.STAGE or (
                        row.kind == Kind.AREA and member.kind == Kind.AREA
                    ):
                        break
                    if member.kind == Kind.PROJECT:
                        members.append(member)
                self.assertEqual(row.figures.count, len(members))
                for name in ("total_investment", "annual_plan", "completed"):
                    self.assertEqual(
                        getattr(row.figures, name),
                        sum((getattr(m.figures, name) for m in members), Decimal(0)),
                    )
        self.assertEqual(rows[0].figures.completed, stage_sum)

    def test_the_layout_is_total_then_stage_then_area_then_projects(self):
        self.assertEqual(
            [(row.kind, row.label, row.seq) for row in self.bulletin.rows],
            [
                (Kind.TOTAL, "合计（3项）", None),
                (Kind.STAGE, "一、前期（1项）", None),
                (Kind.AREA, "西山县（1项）", None),
                (Kind.PROJECT, "河口物流园项目", 1),
                (Kind.STAGE, "二、在建（2项）", None),
                (Kind.AREA, "市本级（2项）", None),
                (Kind.PROJECT, self.project_a.name, 2),
                (Kind.PROJECT, self.project_b.name, 3),
            ],
        )

    def test_a_correction_counts_once_and_unaccepted_reports_not_at_all(self):
        rows = {row.project_id: row for row in self.bulletin.rows if not row.is_group}
        self.assertEqual(rows[self.project_a.pk].figures.completed, Decimal("10000"))  # 3+2+5
        self.assertEqual(rows[self.project_b.pk].figures.completed, Decimal("6000"))
        self.assertEqual(rows[self.project_c.pk].figures.completed, Decimal("12355.67"))
        self.assertNotIn(self.project_d.pk, rows)  # not on the 2026 list

    def test_a_project_row_shows_its_plan_share_progress_unit_and_leader(self):
        (row,) = [r for r in self.bulletin.rows if r.project_id == self.project_a.pk]
        self.assertEqual(row.figures.total_investment, Decimal("120000"))
        self.assertEqual(row.figures.annual_plan, Decimal("40000"))
        self.assertEqual(row.figures.share, Decimal("25.0"))
        self.assertEqual(row.progress, "主体结构封顶")  # the latest accepted report's
        self.assertEqual(row.unit, "东湖街道")
        self.assertEqual(row.leader, "Leo")
        (row_c,) = [r for r in self.bulletin.rows if r.project_id == self.project_c.pk]
        self.assertEqual(row_c.progress, "土地平整")  # March's was not accepted

    def test_an_earlier_period_counts_only_the_months_through_it(self):
        bulletin = build_bulletin(self.february)
        self.assertEqual(bulletin.total.completed, Decimal("17355.67"))  # 3,000+2,000+12,355.67
        self.assertEqual(bulletin.span, "1-2月")
        self.assertEqual(bulletin.title, "青川市2026年1-2月重点项目完成情况一览表")

    def test_starts_count_the_year_through_the_period(self):
        self.assertEqual(
            (self.bulletin.starts, self.bulletin.planned_starts, self.bulletin.planned_started),
            (2, 2, 1),  # a and c started; a and b planned for 2026; b not yet
        )
        february = build_bulletin(self.february)
        self.assertEqual(february.starts, 1)  # c started on 5 March

    def test_projects_limit_the_bulletin(self):
        bulletin = build_bulletin(self.march_period(), projects=[self.project_c])
        self.assertEqual(bulletin.total.count, 1)
        self.assertEqual(bulletin.total.completed, Decimal("12355.67"))


@time_machine.travel(TODAY, tick=False)
class ListsTestCase(BulletinTestCase):
    def test_the_red_list_is_the_periods_red_lights_with_their_reasons(self):
        self.file_the_quarter()
        Light.objects.filter(period=self.march).delete()
        for project, colour, why in (
            (self.project_b, Light.Colour.RED, "低于序时进度30个百分点以上"),
            (self.project_a, Light.Colour.YELLOW, "低于序时进度"),
            (self.project_d, Light.Colour.RED, "未列入名单"),
        ):
            Light.objects.create(project=project, period=self.march, colour=colour, explanation=why)
        bulletin = build_bulletin(self.march_period())
        self.assertEqual(
            [(item.project, item.unit, item.area, item.explanation) for item in bulletin.red],
            [(self.project_b.name, "西山镇", CITY_LEVEL, "低于序时进度30个百分点以上")],
        )

    def test_open_problems_are_counted_by_lead_department(self):
        category = ProblemCategory.objects.get(code="land")
        today = timezone.localdate()
        for status, due, department in (
            (Status.IN_PROGRESS, today - datetime.timedelta(days=3), self.dept),  # overdue
            (Status.SIGNED, today + datetime.timedelta(days=3), self.dept),
            (Status.CLOSED, today - datetime.timedelta(days=3), self.dept),  # closed
            (Status.REPORTED, None, None),  # not yet assigned
        ):
            Problem.objects.create(
                title="用地",
                category=category,
                source=Source.UNIT,
                lead_department=department,
                status=status,
                resolve_due=due,
                closed_at=timezone.now() if status == Status.CLOSED else None,
            )
        bulletin = build_bulletin(self.march_period())
        self.assertEqual(
            [(p.department, p.open, p.overdue) for p in bulletin.problems],
            [("未交办", 1, 0), ("市自然资源局", 2, 1)],
        )
        self.assertEqual((bulletin.open_problems, bulletin.overdue_problems), (3, 1))

    def test_the_latest_published_ranking_is_included(self):
        self.assertIsNone(build_bulletin(self.march_period()).ranking)
        scheme = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=self.city
        )
        group = UnitGroup.objects.create(name="县区组")
        draft = ScoreRun.objects.create(scheme=scheme, period="2026-04")
        run = ScoreRun.objects.create(scheme=scheme, period="2026-03")
        for unit, rank, total in ((self.town_a, 2, "88.50"), (self.county, 1, "91.25")):
            UnitScore.objects.create(
                run=run, group=group, unit=unit, total=Decimal(total), rank=rank
            )
        UnitScore.objects.create(run=draft, group=group, unit=self.town_b, total=99, rank=1)
        run.published_at = timezone.now()
        run.save()
        ranking = build_bulletin(self.march_period()).ranking
        self.assertEqual((ranking.scheme, ranking.period), ("月度考核", "2026-03"))
        self.assertEqual(
            [(g.name, g.units) for g in ranking.groups],
            [("县区组", [(1, "西山县", Decimal("91.25")), (2, "东湖街道", Decimal("88.50"))])],
        )


@time_machine.travel(TODAY, tick=False)
class QueryCountTestCase(BulletinTestCase):
    def add_projects(self, count: int) -> None:
        for number in range(count):
            project = self.make_project(
                name=f"批量项目{number}",
                responsible_unit=self.county_town if number % 2 else self.town_a,
                leader=self.leo if number % 3 else None,
            )
            AnnualListing.objects.create(
                project=project, year=2026, level="county", planned_investment=Decimal("1000")
            )
            for period in (self.january, self.march):
                Report.objects.create(
                    project=project, period=period, amount=Decimal("10.5"), status="accepted"
                )
            Light.objects.create(
                project=project, period=self.march, colour=Light.Colour.RED, explanation="红"
            )

    def count_queries(self) -> int:
        period = self.march_period()
        # The rows, the latest 形象进度 (one set-based query), the sums, areas, stages, place,
        # red lights, problems, ranking.
        with self.assertNumQueries(9) as context:
            build_bulletin(period)
        return len(context.captured_queries)

    def test_the_number_of_queries_does_not_grow_with_the_projects(self):
        self.add_projects(3)
        self.count_queries()
        self.add_projects(27)
        self.count_queries()
        self.assertEqual(build_bulletin(self.march_period()).total.count, 33)


class HelpersTestCase(BulletinTestCase):
    def test_amounts_in_yi_round_half_up(self):
        self.assertEqual(to_yi(Decimal("28355.67")), Decimal("2.84"))
        self.assertEqual(to_yi(Decimal("28349.99")), Decimal("2.83"))
        self.assertEqual(to_yi(Decimal("28350.00")), Decimal("2.84"))

    def test_the_span_of_a_period(self):
        self.assertEqual(span_label(datetime.date(2026, 1, 31), 2026), (1, "1月"))
        self.assertEqual(span_label(datetime.date(2026, 10, 31), 2026), (10, "1-10月"))
        self.assertEqual(span_label(datetime.date(2026, 4, 12), 2026), (4, "1月1日至4月12日"))
        self.assertEqual(span_label(datetime.date(2027, 1, 3), 2026), (12, "1-12月"))

    def test_chinese_numbers(self):
        self.assertEqual(
            [chinese_number(n) for n in (1, 9, 10, 12, 20, 21)],
            ["一", "九", "十", "十二", "二十", "二十一"],
        )
