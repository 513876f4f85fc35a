"""The dispatch pages for every persona: units file only their own, reviewers act at their level."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongjian.dispatch.models import Report
from gongjian.projects.models import AnnualListing
from gongjian.test.dispatch import TODAY, DispatchTestCase

PERSONAS = ["alice", "leo", "ursula", "boris", "dora", "erin", "judy", "oscar"]


@time_machine.travel(TODAY, tick=False)
class DispatchPagesTestCase(DispatchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        AnnualListing.objects.create(
            project=cls.project_b, year=2026, level="county", planned_investment=Decimal("10000")
        )

    def report_url(self, project=None, period=None):
        return reverse(
            "dispatch:report", args=[(project or self.project_a).pk, (period or self.march).pk]
        )

    def status_for_each(self, url, method="get", data=None):
        statuses = {}
        for name in PERSONAS:
            self.client.force_login(getattr(self, name))
            statuses[name] = getattr(self.client, method)(url, data or {}).status_code
        return statuses

    def test_the_due_page_is_scoped_to_each_persona(self):
        url = reverse("dispatch:due") + f"?period={self.march.pk}"
        self.assertEqual(
            self.status_for_each(url),
            {
                "alice": 200,
                "leo": 200,
                "ursula": 200,
                "boris": 200,
                "dora": 200,
                "erin": 200,
                "judy": 403,
                "oscar": 403,
            },
        )
        self.login(self.ursula)
        page = self.client.get(url)
        self.assertEqual([row.project for row in page.context["rows"]], [self.project_a])
        self.login(self.alice)
        self.assertEqual(len(self.client.get(url).context["rows"]), 2)

    def test_only_the_responsible_unit_may_file(self):
        data = {"amount": "300", "progress": "桩基施工"}
        self.assertEqual(
            self.status_for_each(self.report_url(), "post", data),
            {
                "alice": 302,
                "leo": 403,
                "ursula": 302,
                "boris": 404,
                "dora": 403,
                "erin": 403,
                "judy": 404,
                "oscar": 404,
            },
        )

    def test_a_unit_files_submits_and_the_city_accepts(self):
        self.login(self.ursula)
        response = self.client.post(
            self.report_url(), {"amount": "300", "progress": "桩基施工", "submit": "1"}
        )
        self.assertRedirects(response, self.report_url())
        report = Report.objects.get(project=self.project_a, period=self.march)
        self.assertEqual(report.status, Report.Status.SUBMITTED)

        self.login(self.boris)  # a unit, not a reviewer
        action = reverse("dispatch:review-action", args=[report.pk])
        self.assertEqual(self.client.post(action, {"action": "approve"}).status_code, 403)

        self.login(self.alice)
        queue = self.client.get(reverse("dispatch:review"))
        self.assertEqual(list(queue.context["reports"]), [report])
        self.client.post(action, {"action": "return", "reason": ""})
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.SUBMITTED)  # a return needs its reason
        self.client.post(action, {"action": "approve"})
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.ACCEPTED)

        self.login(self.ursula)
        page = self.client.get(self.report_url())
        self.assertFalse(page.context["editable"])
        # Not a bare 403: the page again, with what was typed and why it was not saved.
        self.assertEqual(self.client.post(self.report_url(), {"amount": "1"}).status_code, 409)
        report.refresh_from_db()
        self.assertEqual(report.amount, Decimal("300"))

    def test_form_errors_are_shown_and_nothing_is_saved(self):
        self.login(self.ursula)
        response = self.client.post(self.report_url(), {"amount": "-5"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "invalid-feedback")
        self.assertFalse(Report.objects.exists())

    def test_the_due_page_query_count_does_not_grow_with_rows(self):
        self.login(self.alice)
        url = reverse("dispatch:due") + f"?period={self.march.pk}"
        self.client.get(url)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(url)
            return len(ctx.captured_queries)

        few = count()
        for i in range(10):
            project = self.make_project(name=f"调度项目{i}")
            AnnualListing.objects.create(
                project=project, year=2026, level="city", planned_investment=1
            )
        self.assertEqual(count(), few)

    def test_periods_before_today_are_picked_by_default(self):
        self.login(self.ursula)
        page = self.client.get(reverse("dispatch:due"))
        self.assertEqual(page.context["period"].start, datetime.date(2026, 3, 1))  # due by 04-05
