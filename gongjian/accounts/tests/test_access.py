"""Each persona reaches exactly what its role allows, page by page."""

from __future__ import annotations

from django.urls import reverse

from gongjian.accounts import access
from gongjian.projects import access as project_access
from gongjian.test import BaseTestCase

PERSONAS = ["alice", "leo", "ursula", "boris", "dora", "erin", "judy", "oscar"]


class AccessMatrixTestCase(BaseTestCase):
    def assert_statuses(self, method: str, url: str, expected: dict[str, int]) -> None:
        self.assertEqual(set(expected), set(PERSONAS), "every persona needs an expectation")
        for name, status in expected.items():
            with self.subTest(persona=name, url=url):
                self.client.force_login(getattr(self, name))
                response = getattr(self.client, method)(url)
                self.assertEqual(response.status_code, status)

    def test_it_scopes_the_project_list(self):
        self.assert_statuses(
            "get",
            reverse("projects:list"),
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

    def test_it_scopes_the_project_page(self):
        self.assert_statuses(
            "get",
            reverse("projects:detail", args=[self.project_a.pk]),
            {
                "alice": 200,
                "leo": 200,
                "ursula": 200,
                "boris": 404,
                "dora": 200,
                "erin": 200,
                "judy": 404,
                "oscar": 404,
            },
        )

    def test_it_scopes_the_edit_form(self):
        self.assert_statuses(
            "get",
            reverse("projects:edit", args=[self.project_a.pk]),
            {
                "alice": 200,
                "leo": 403,
                "ursula": 200,
                "boris": 404,
                "dora": 403,
                "erin": 403,
                "judy": 404,
                "oscar": 404,
            },
        )

    def test_it_scopes_the_create_form(self):
        self.assert_statuses(
            "get",
            reverse("projects:create"),
            {
                "alice": 200,
                "leo": 403,
                "ursula": 200,
                "boris": 200,
                "dora": 403,
                "erin": 403,
                "judy": 403,
                "oscar": 403,
            },
        )

    def test_it_lets_only_the_office_rebaseline(self):
        self.assert_statuses(
            "get",
            reverse("projects:rebaseline", args=[self.project_a.pk]),
            {
                "alice": 200,
                "leo": 403,
                "ursula": 403,
                "boris": 404,
                "dora": 403,
                "erin": 403,
                "judy": 404,
                "oscar": 404,
            },
        )

    def test_it_scopes_the_listing_form(self):
        self.assert_statuses(
            "get",
            reverse("projects:listing-create", args=[self.project_a.pk]),
            {
                "alice": 200,
                "leo": 403,
                "ursula": 200,
                "boris": 404,
                "dora": 403,
                "erin": 403,
                "judy": 404,
                "oscar": 404,
            },
        )

    def test_it_scopes_the_milestone_form(self):
        milestone = self.project_a.milestones.create(kind_id=1)
        url = reverse("projects:milestone-edit", args=[self.project_a.pk, milestone.pk])
        self.assert_statuses(
            "get",
            url,
            {
                "alice": 200,
                "leo": 403,
                "ursula": 200,
                "boris": 404,
                "dora": 403,
                "erin": 403,
                "judy": 404,
                "oscar": 404,
            },
        )

    def test_it_lets_only_the_office_delete(self):
        url = reverse("projects:delete", args=[self.project_b.pk])
        for name in ["leo", "ursula", "dora", "erin", "judy", "oscar"]:
            with self.subTest(persona=name):
                self.client.force_login(getattr(self, name))
                self.assertIn(self.client.post(url).status_code, (403, 404))
        self.client.force_login(self.boris)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.post(url), reverse("projects:list"))
        self.assertFalse(type(self.project_b).objects.filter(pk=self.project_b.pk).exists())

    def test_it_sends_anonymous_visitors_to_log_in(self):
        for url in [reverse("projects:list"), reverse("projects:detail", args=[self.project_a.pk])]:
            response = self.client.get(url)
            self.assertRedirects(response, f"{reverse('accounts:login')}?next={url}")


class VisibleProjectsTestCase(BaseTestCase):
    def visible(self, user) -> set[str]:
        return set(project_access.visible_projects(user).values_list("name", flat=True))

    def test_it_shows_everything_to_the_office_leader_and_departments(self):
        both = {self.project_a.name, self.project_b.name}
        for user in (self.alice, self.leo, self.dora):
            self.assertEqual(self.visible(user), both)

    def test_it_shows_a_unit_only_its_own_projects(self):
        self.assertEqual(self.visible(self.ursula), {self.project_a.name})
        self.assertEqual(self.visible(self.boris), {self.project_b.name})

    def test_it_shows_an_enterprise_only_the_projects_it_owns(self):
        self.assertEqual(self.visible(self.erin), {self.project_a.name})

    def test_it_shows_judges_and_strangers_nothing(self):
        self.assertEqual(self.visible(self.judy), set())
        self.assertEqual(self.visible(self.oscar), set())

    def test_it_includes_sub_units_of_a_granted_unit(self):
        village = type(self.town_a).objects.create(name="东湖社区", kind="town", parent=self.town_a)
        project = self.make_project(name="社区养老中心", responsible_unit=village)
        self.assertIn(project.name, self.visible(self.ursula))
        self.assertNotIn(project.name, self.visible(self.boris))

    def test_it_lets_units_assign_only_units_in_scope(self):
        self.assertTrue(access.can_assign_unit(self.ursula, self.town_a))
        self.assertFalse(access.can_assign_unit(self.ursula, self.town_b))
        self.assertTrue(access.can_assign_unit(self.alice, self.town_b))
        self.assertFalse(access.can_assign_unit(self.leo, self.town_b))
