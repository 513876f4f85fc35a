"""Battle maps: milestone states (pure), the project's chart data, the unit's board, access."""

from __future__ import annotations

import datetime

import time_machine
from django.test import SimpleTestCase
from django.urls import reverse

from gongjian.dashboards.battle import milestone_state
from gongjian.projects.models import Milestone, MilestoneKind
from gongjian.test import BaseTestCase

D = datetime.date
TODAY = D(2026, 11, 20)


class StateTests(SimpleTestCase):
    def test_table(self):
        cases = [
            (D(2026, 11, 1), D(2026, 10, 30), "done", "done before the plan"),
            (D(2026, 11, 1), D(2026, 11, 1), "done", "done on the day"),
            (D(2026, 11, 1), D(2026, 11, 5), "late", "done after the plan"),
            (D(2026, 11, 19), None, "overdue", "plan passed, not done"),
            (TODAY, None, "due", "due today is not overdue"),
            (None, None, "none", "not planned"),
            (None, D(2026, 3, 1), "done", "done without a plan"),
        ]
        for planned, actual, state, why in cases:
            with self.subTest(why):
                self.assertEqual(milestone_state(planned, actual, TODAY), state)


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC), tick=False)
class BattlePageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        start = MilestoneKind.objects.get(code="start")
        permit = MilestoneKind.objects.get(code="construction_permit")
        Milestone.objects.create(
            project=cls.project_a,
            kind=permit,
            planned_date=D(2026, 9, 1),
            actual_date=D(2026, 9, 20),
        )
        milestone = Milestone.objects.create(
            project=cls.project_a, kind=start, planned_date=D(2026, 10, 1)
        )
        milestone.planned_date = D(2026, 11, 10)  # the plan moved: the first one stays
        milestone.save()

    def test_project_chart_data(self):
        self.client.force_login(self.ursula)
        response = self.client.get(reverse("maps:battle", args=[self.project_a.pk]))
        data = response.context["chart"]
        rows = {r["name"]: r for r in data["rows"]}
        self.assertEqual(rows["开工"]["baseline"], "2026-10-01")
        self.assertEqual(rows["开工"]["planned"], "2026-11-10")
        self.assertEqual(rows["开工"]["state"], "overdue")
        self.assertEqual(rows["施工许可"]["state"], "late")
        self.assertContains(response, 'id="battle-data"')

    def test_unit_board_marks_overdue(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("maps:unit-battle", args=[self.town_a.pk]))
        self.assertContains(response, self.project_a.name)
        self.assertNotContains(response, self.project_b.name)
        self.assertContains(response, "battle-cell overdue")
        self.assertEqual(response.context["overdue"], 1)

    def test_access(self):
        url = reverse("maps:battle", args=[self.project_a.pk])
        for user, status in ((self.boris, 404), (self.erin, 200), (self.judy, 404)):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, status)
        self.client.force_login(self.boris)
        response = self.client.get(reverse("maps:unit-battle", args=[self.town_a.pk]))
        self.assertEqual(response.status_code, 404)
        self.client.force_login(self.judy)
        response = self.client.get(reverse("maps:unit-battle", args=[self.town_a.pk]))
        self.assertEqual(response.status_code, 403)
