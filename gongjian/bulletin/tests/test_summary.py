"""The bulletin page reads only what it shows (issue 13): its narrative is the download's, read
as aggregates — from the cockpit's snapshot or from GROUP BY queries — in a number of queries
that does not grow with the projects, and never builds the annex (no 形象进度, no project
rows). The download keeps each project's latest accepted 形象进度, from one set-based query."""

from __future__ import annotations

import datetime
import os
import tempfile
from decimal import Decimal
from unittest import mock

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gongjian.bulletin import summary
from gongjian.bulletin import text as bulletin_text
from gongjian.bulletin.data import build_bulletin
from gongjian.bulletin.summary import build_summary
from gongjian.bulletin.text import render_text, sections
from gongjian.dashboards.snapshots import refresh_snapshots
from gongjian.dispatch.models import Light, Report
from gongjian.problems.models import Problem, ProblemCategory, Source, Status
from gongjian.projects.models import AnnualListing, Project
from gongjian.test.bulletin import TODAY, BulletinTestCase

REPORTS = '"dispatch_report"'


@time_machine.travel(TODAY, tick=False)
class SummaryTestCase(BulletinTestCase):
    def setUp(self):
        self.file_the_quarter()
        Light.objects.filter(period=self.march).delete()  # the acceptances' own lights
        self.light_red(self.project_b, "低于序时进度30个百分点以上")
        self.light_red(self.project_c, "连续两期未报送")
        self.light_red(self.project_d, "未列入名单")  # not on the 2026 list: not in either
        category = ProblemCategory.objects.get(code="land")
        for status, due, department in (
            (Status.IN_PROGRESS, timezone.localdate() - datetime.timedelta(days=3), self.dept),
            (Status.SIGNED, None, self.dept),
            (Status.REPORTED, None, None),
            (Status.CLOSED, None, self.dept),
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

    def assert_same_narrative(self, **kwargs):
        """The page's bulletin against the download's, for the march period."""
        period = self.march_period()
        full = build_bulletin(period, **kwargs)
        page = build_summary(period, **kwargs)
        self.assertEqual(sections(page), sections(full))
        self.assertEqual(render_text(page), render_text(full))
        self.assertEqual(page.total, full.total)
        self.assertEqual(page.areas, full.areas)
        self.assertEqual(page.red, full.red)
        self.assertEqual(
            (page.starts, page.planned_starts, page.planned_started),
            (full.starts, full.planned_starts, full.planned_started),
        )
        self.assertEqual((page.title, page.gap_points), (full.title, full.gap_points))
        self.assertEqual(page.rows, [])  # no table: that is the download's
        return page, full

    def test_the_page_says_what_the_download_says(self):
        page, _full = self.assert_same_narrative()
        self.assertEqual(page.total.completed, Decimal("28355.67"))
        self.assertEqual([area.name for area in page.areas], ["市本级", "西山县"])
        # Biggest first, as the cockpit lists them: project_c (80,000 万元), then project_b.
        self.assertEqual(
            [item.project for item in page.red], [self.project_c.name, self.project_b.name]
        )
        self.assertEqual(page.red_count, 2)
        self.assertEqual((page.open_problems, page.overdue_problems), (3, 1))

    def test_from_the_cockpits_snapshot_without_reading_a_report(self):
        refresh_snapshots(self.campaign, [self.march])
        with CaptureQueriesContext(connection) as ctx:
            build_summary(self.march_period())
        self.assertFalse([q["sql"] for q in ctx.captured_queries if REPORTS in q["sql"]])
        self.assert_same_narrative()

    def test_a_late_acceptance_reaches_the_snapshot_and_the_page_at_once(self):
        refresh_snapshots(self.campaign, [self.january, self.february, self.march])
        # February for project_c, accepted after March was filed: the snapshot follows once
        # the acceptance commits (dashboards/receivers.py), and the page with it.
        with self.captureOnCommitCallbacks(execute=True):
            self.accept(self.alice, self.project_c, self.february, "1000")
        page, _full = self.assert_same_narrative()
        self.assertEqual(page.total.completed, Decimal("29355.67"))

    def test_many_red_lights_are_walked_biggest_first_to_the_same_list(self):
        with mock.patch.object(summary, "WALK_FROM", 1):
            page, _full = self.assert_same_narrative()
            county = Project.objects.filter(responsible_unit__path__startswith=self.county.path)
            self.assert_same_narrative(projects=county, place="西山县")
        self.assertEqual(page.red_count, 2)

    def test_a_countys_own_bulletin(self):
        refresh_snapshots(self.campaign, [self.march])  # the whole deployment's only
        projects = Project.objects.filter(responsible_unit__path__startswith=self.county.path)
        page, _full = self.assert_same_narrative(projects=projects, place="西山县")
        self.assertEqual(page.total.count, 1)
        self.assertTrue(render_text(page).startswith("西山县2026年1-3月重点项目调度通报"))

    def test_only_the_red_lights_the_page_lists_are_read(self):
        with (
            mock.patch.object(summary, "RED_LIST_LIMIT", 1),
            mock.patch.object(bulletin_text, "RED_LIST_LIMIT", 1),
        ):
            full = build_bulletin(self.march_period())
            page = build_summary(self.march_period())
            self.assertEqual(sections(page), sections(full))
            self.assertIn("另有1个项目亮红灯", render_text(page))
        self.assertEqual(page.red, full.red[:1])
        self.assertEqual((page.red_count, page.red_more), (2, 1))


@time_machine.travel(TODAY, tick=False)
class PageQueriesTestCase(BulletinTestCase):
    def add_projects(self, count: int) -> None:
        for number in range(count):
            project = self.make_project(
                name=f"批量项目{number}",
                responsible_unit=self.county_town if number % 2 else self.town_a,
            )
            AnnualListing.objects.create(
                project=project, year=2026, level="county", planned_investment=Decimal("1000")
            )
            for period in (self.january, self.march):
                Report.objects.create(
                    project=project,
                    period=period,
                    amount=Decimal("10.5"),
                    status="accepted",
                    progress=f"进度{number}",
                )
            Light.objects.create(
                project=project, period=self.march, colour=Light.Colour.RED, explanation="红"
            )

    def page_queries(self) -> list[str]:
        self.login(self.alice)
        url = reverse("bulletin:index")
        self.client.get(url, {"period": self.march.pk})
        with CaptureQueriesContext(connection) as ctx:
            page = self.client.get(url, {"period": self.march.pk})
        self.assertEqual(page.status_code, 200)
        return [query["sql"] for query in ctx.captured_queries]

    def test_the_page_queries_do_not_grow_with_the_projects_and_build_no_annex(self):
        self.file_the_quarter()
        self.add_projects(3)
        few = self.page_queries()
        self.add_projects(30)
        many = self.page_queries()
        self.assertEqual(len(many), len(few))
        # No 形象进度 and no report rows: the annex is the download's.
        self.assertFalse([sql for sql in many if '"progress"' in sql])
        self.assertLessEqual(len([sql for sql in many if REPORTS in sql]), 1)  # one GROUP BY

    def test_the_download_has_each_projects_latest_accepted_progress(self):
        self.file_the_quarter()
        self.add_projects(4)
        self.login(self.leo)
        response = self.client.get(reverse("bulletin:xlsx"), {"period": self.march.pk})
        path = self.save(b"".join(response.streaming_content))
        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        progress = {row[1]: row[6] for row in rows if row and isinstance(row[0], int | float)}
        self.assertEqual(progress[self.project_a.name], "主体结构封顶")  # March's, accepted
        self.assertEqual(progress[self.project_b.name], "设备安装")
        self.assertEqual(progress[self.project_c.name], "土地平整")  # March's not accepted
        self.assertEqual(progress["批量项目3"], "进度3")
        # January's bulletin: what was accepted through January.
        january = build_bulletin(self.january)
        by_project = {row.label: row.progress for row in january.rows if not row.is_group}
        self.assertEqual(by_project[self.project_c.name], "土地平整")
        self.assertEqual(by_project[self.project_b.name], "")  # January's was returned

    def test_the_latest_progress_is_one_query_whatever_the_projects(self):
        self.file_the_quarter()

        def progress_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                build_bulletin(self.march_period())
            return len([q for q in ctx.captured_queries if '"progress"' in q["sql"]])

        self.add_projects(2)
        self.assertEqual(progress_queries(), 1)
        self.add_projects(20)
        self.assertEqual(progress_queries(), 1)

    def save(self, content: bytes) -> str:
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
        handle.write(content)
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name
