"""The list page's drop-downs come from cached lists (lib/cached_lists.py); a change to a unit,
a stage, an industry or a leader grant shows on the very next page."""

from __future__ import annotations

from django.urls import reverse

from gongjian.accounts.models import Role, RoleGrant, Unit
from gongjian.projects.models import Industry, Stage
from gongjian.test import BaseTestCase


class CachedListsTests(BaseTestCase):
    def page(self):
        return self.client.get(reverse("projects:list"))

    def test_changes_show_at_once(self):
        self.login(self.alice)
        self.assertNotContains(self.page(), "南湖街道")  # the lists are cached now
        Unit.objects.create(name="南湖街道", kind=Unit.Kind.TOWN, parent=self.city)
        stage = Stage.objects.get(code="construction")
        stage.name = "施工建设"
        stage.save()
        industry = Industry.objects.get(code="materials")
        industry.name = "先进材料"
        industry.save()
        RoleGrant.objects.create(user=self.boris, role=Role.LEADER, unit=self.city)
        page = self.page()
        for text in ("南湖街道", "施工建设", "先进材料", "Boris"):
            self.assertContains(page, text)

    def test_a_user_is_offered_only_the_units_they_see(self):
        self.login(self.ursula)
        page = self.page()
        self.assertContains(page, "东湖街道")
        self.assertNotContains(page, "西山镇")

    def test_a_unit_outside_the_scope_is_refused_as_a_filter(self):
        self.login(self.ursula)
        response = self.client.get(reverse("projects:list"), {"unit": self.town_b.pk})
        self.assertNotContains(response, self.project_b.name)
