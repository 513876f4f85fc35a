"""The bulletin page and its downloads: the office and leaders only, over what they may see."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from gongjian.accounts.models import Role, RoleGrant, User
from gongjian.test.bulletin import TODAY, BulletinTestCase


@time_machine.travel(TODAY, tick=False)
class PagesTestCase(BulletinTestCase):
    def setUp(self):
        self.file_the_quarter()

    def urls(self) -> list[str]:
        query = f"?period={self.march.pk}"
        return [reverse("bulletin:index")] + [
            reverse(f"bulletin:{name}") + query for name in ("xlsx", "pdf", "text")
        ]

    def test_only_the_office_and_leaders_may_issue_it(self):
        for user, status in (
            (self.alice, 200),
            (self.leo, 200),
            (self.ursula, 403),
            (self.boris, 403),
            (self.dora, 403),
            (self.erin, 403),
            (self.judy, 403),
            (self.oscar, 403),
        ):
            self.login(user)
            for url in self.urls():
                self.assertEqual(self.client.get(url).status_code, status, (user, url))

    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.client.get(reverse("bulletin:index"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_the_page_shows_the_latest_ended_period_and_its_narrative(self):
        self.login(self.alice)
        page = self.client.get(reverse("bulletin:index"))
        self.assertEqual(page.context["period"], self.march)  # April has not ended
        self.assertContains(page, "全市3个重点项目完成投资2.84亿元")
        self.assertContains(page, f"{reverse('bulletin:pdf')}?period={self.march.pk}")
        page = self.client.get(reverse("bulletin:index"), {"period": self.january.pk})
        self.assertContains(page, "1月，全市3个重点项目完成投资")

    def test_the_downloads(self):
        self.login(self.leo)
        query = {"period": self.march.pk}
        xlsx = self.client.get(reverse("bulletin:xlsx"), query)
        self.assertEqual(
            xlsx["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertTrue(b"".join(xlsx.streaming_content).startswith(b"PK"))
        pdf = self.client.get(reverse("bulletin:pdf"), query)
        self.assertTrue(b"".join(pdf.streaming_content).startswith(b"%PDF"))
        text = self.client.get(reverse("bulletin:text"), query)
        self.assertEqual(text["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("2.84亿元", b"".join(text.streaming_content).decode())

    def test_a_period_not_yet_ended_or_unknown_is_not_found(self):
        self.login(self.alice)
        april = self.campaign.periods.get(start__month=4)
        for value in (april.pk, 999999, ""):
            response = self.client.get(reverse("bulletin:xlsx"), {"period": value})
            self.assertEqual(response.status_code, 404, value)
        # What is no id at all is a bad request.
        response = self.client.get(reverse("bulletin:xlsx"), {"period": "x"})
        self.assertEqual(response.status_code, 400)

    def test_a_county_office_sees_its_own_projects_only(self):
        county_office = User.objects.create_user("colin", password="password")
        RoleGrant.objects.create(user=county_office, role=Role.OFFICE, unit=self.county)
        self.login(county_office)
        text = self.client.get(reverse("bulletin:text"), {"period": self.march.pk})
        text = b"".join(text.streaming_content).decode()
        self.assertTrue(text.startswith("西山县2026年1-3月重点项目调度通报"))
        self.assertIn("1-3月，全县1个重点项目完成投资1.24亿元", text)
