"""Parameters a page cannot use answer 400 (or 404 in the path), never 500; good values work.

The four causes of the server errors found in the attack on the clone (issue 12): digits that
str.isdigit() passes and int() refuses ('²', '①'), a year past the calendar on the structure
page, an id past 64 bits in the path, and a non-numeric scheme posted to compute scores.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import time_machine
from django.test import override_settings
from django.urls import reverse

from gongjian.assessment.models import Scheme, ScoreRun
from gongjian.dispatch import services
from gongjian.test.dispatch import TODAY, DispatchTestCase

# Digits str.isdigit() accepts and int() refuses, full-width digits int() accepts though no
# form sends them, and a number past 64 bits.
BAD_NUMBERS = ["²", "①", "１２", "-1", "1e3", " 12", str(10**30)]
HUGE_ID = str(2**64)


@time_machine.travel(TODAY, tick=False)
class BadParametersTestCase(DispatchTestCase):
    """April 2026: January to March have ended; March is still being filed."""

    def get(self, user, url, data=None):
        self.login(user)
        return self.client.get(url, data or {})

    def assert_bad(self, user, url, name, values=BAD_NUMBERS, **other):
        for value in values:
            with self.subTest(url=url, name=name, value=value):
                response = self.get(user, url, {name: value, **other})
                self.assertEqual(response.status_code, 400, getattr(response, "content", b"")[:300])
                self.assertTemplateUsed(response, "400.html")
                self.assertContains(response, f"“{name}”", status_code=400)

    def assert_ok(self, user, url, data=None):
        response = self.get(user, url, data)
        self.assertEqual(
            response.status_code, 200, (url, data, getattr(response, "content", b"")[:300])
        )
        return response

    # 1. Digits that str.isdigit() passes and int() refuses ------------------------------------

    def test_dispatch_pages_refuse_a_period_that_is_no_ascii_number(self):
        for user, name in (
            (self.ursula, "dispatch:due"),
            (self.ursula, "dispatch:batch"),
            (self.ursula, "dispatch:batch-sheet"),
            (self.alice, "dispatch:desk"),
        ):
            self.assert_bad(user, reverse(name), "period")

    def test_dispatch_pages_still_take_a_good_period(self):
        page = self.assert_ok(self.ursula, reverse("dispatch:due"), {"period": self.february.pk})
        self.assertEqual(page.context["period"], self.february)
        page = self.assert_ok(self.alice, reverse("dispatch:desk"), {"period": self.february.pk})
        self.assertEqual(page.context["period"], self.february)
        # Absent, or a number that is no period of the campaign: the period being filed.
        self.assertEqual(
            self.assert_ok(self.ursula, reverse("dispatch:due")).context["period"], self.march
        )
        page = self.assert_ok(self.ursula, reverse("dispatch:due"), {"period": "999999"})
        self.assertEqual(page.context["period"], self.march)

    def test_the_bulletin_refuses_a_period_that_is_no_ascii_number(self):
        for name in ("bulletin:index", "bulletin:xlsx", "bulletin:text", "bulletin:pdf"):
            self.assert_bad(self.alice, reverse(name), "period")

    def test_the_bulletin_still_takes_a_good_period(self):
        page = self.assert_ok(self.alice, reverse("bulletin:index"), {"period": self.february.pk})
        self.assertEqual(page.context["period"], self.february)
        self.assert_ok(self.alice, reverse("bulletin:text"), {"period": self.march.pk})
        # A number that is no ended period: nothing to download.
        response = self.get(self.alice, reverse("bulletin:text"), {"period": "999999"})
        self.assertEqual(response.status_code, 404)

    def test_the_cockpit_json_refuses_bad_numbers_and_values(self):
        for name in ("summary", "trend", "units", "projects", "reds"):
            url = reverse(f"dashboards:{name}")
            self.assert_bad(self.leo, url, "period")
            self.assert_bad(self.leo, url, "unit")
        self.assert_bad(self.leo, reverse("dashboards:cockpit"), "period")
        projects = reverse("dashboards:projects")
        self.assert_bad(self.leo, projects, "page", [*BAD_NUMBERS, "0"])
        self.assert_bad(self.leo, projects, "figure", ["nonsense", "RED", "①"])
        self.assert_bad(self.leo, projects, "own", ["2", "①", "yes please"])

    def test_the_cockpit_json_still_takes_good_values(self):
        data = self.assert_ok(
            self.leo,
            reverse("dashboards:summary"),
            {"period": self.february.pk, "unit": self.town_a.pk},
        ).json()
        self.assertEqual(
            (data["period"]["id"], data["unit"]["id"]), (self.february.pk, self.town_a.pk)
        )
        data = self.assert_ok(
            self.leo,
            reverse("dashboards:projects"),
            {"figure": "red", "own": "1", "page": "3", "unit": self.town_a.pk},
        ).json()
        self.assertEqual((data["figure"], data["page"]), ("red", 1))  # page 3 of 1: the last
        # A unit id that exists nowhere is not found, as one outside the user's scope.
        response = self.get(self.leo, reverse("dashboards:summary"), {"unit": "999999"})
        self.assertEqual(response.status_code, 404)

    # 2. Years past the calendar ----------------------------------------------------------------

    def test_the_structure_page_refuses_a_year_or_month_it_cannot_use(self):
        url = reverse("maps:structure")
        self.assert_bad(self.alice, url, "year", ["99999", "0", "1999", "2101", *BAD_NUMBERS])
        self.assert_bad(self.alice, url, "month", ["0", "13", *BAD_NUMBERS])
        page = self.assert_ok(self.alice, url, {"year": "2025", "month": "6"})
        self.assertEqual((page.context["year"], page.context["month"]), (2025, 6))
        page = self.assert_ok(self.alice, url)
        self.assertEqual((page.context["year"], page.context["month"]), (2026, 3))

    def test_the_targets_page_refuses_a_year_or_month_it_cannot_use(self):
        url = reverse("assessment:targets")
        self.assert_bad(self.alice, url, "year", ["99999", "0", *BAD_NUMBERS])
        self.assert_bad(self.alice, url, "month", ["0", "13", *BAD_NUMBERS])
        page = self.assert_ok(self.alice, url, {"year": "2025", "month": "6"})
        self.assertEqual((page.context["year"], page.context["month"]), (2025, 6))

    def test_the_problem_statistics_refuse_a_year_or_grouping_they_cannot_use(self):
        url = reverse("problems:stats")
        self.assert_bad(self.alice, url, "year", ["99999", *BAD_NUMBERS])
        self.assert_bad(self.alice, url, "by", ["units", "①"])
        page = self.assert_ok(self.alice, url, {"year": "2025", "by": "unit"})
        self.assertEqual((page.context["year"], page.context["by"]), (2025, "unit"))

    def test_the_awards_of_a_year_past_the_calendar_are_not_found(self):
        self.login(self.alice)
        for year in ("99999", "0000", "1999", "2101"):
            with self.subTest(year=year):
                response = self.client.get(f"/assessment/awards/{year}/")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.client.get(reverse("assessment:awards", args=[2026])).status_code, 200
        )

    # 3. Ids past 64 bits in the path -----------------------------------------------------------

    def test_an_id_past_64_bits_in_the_path_is_not_found(self):
        scheme = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=self.city
        )
        run = ScoreRun.objects.create(scheme=scheme, period="2026-03")
        self.login(self.alice)
        for url in (
            f"/assessment/run/{HUGE_ID}/unit/{HUGE_ID}/",
            f"/assessment/run/{run.pk}/unit/{HUGE_ID}/",
            f"/projects/{HUGE_ID}/",
            f"/projects/units/{HUGE_ID}/battle/",
            f"/dispatch/report/{HUGE_ID}/{HUGE_ID}/",
            f"/dispatch/photo/{HUGE_ID}/",
            f"/problems/{HUGE_ID}/",
            f"/assessment/review/{HUGE_ID}/",
            f"/projects/{'9' * 40}/",
            "/projects/0/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        # The largest id the databases store is still an id: simply not found.
        self.assertEqual(self.client.get(f"/projects/{2**63 - 1}/").status_code, 404)
        self.assertEqual(
            self.client.get(reverse("projects:detail", args=[self.project_a.pk])).status_code, 200
        )

    # 4. A scheme that is no number, posted to compute scores -----------------------------------

    def test_computing_with_a_scheme_that_is_no_number_is_a_bad_request(self):
        self.login(self.alice)
        url = reverse("assessment:compute")
        for scheme in ("{}", "[]", "abc", "²", "①", "１", "1.5", "-1", HUGE_ID, ""):
            with self.subTest(scheme=scheme):
                response = self.client.post(url, {"scheme": scheme, "period": "2026-03"})
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "“scheme”", status_code=400)
        response = self.client.post(url, {"period": "2026-03"})
        self.assertEqual(response.status_code, 400)
        # A number that is no scheme: not found.
        response = self.client.post(url, {"scheme": "999999", "period": "2026-03"})
        self.assertEqual(response.status_code, 404)

    @override_settings(LANGUAGE_CODE="zh-hans")
    def test_the_bad_request_page_names_the_parameter_in_chinese(self):
        self.login(self.alice)
        response = self.client.post(reverse("assessment:compute"), {"scheme": "{}"})
        self.assertContains(response, "参数“scheme”应为编号（正整数）。", status_code=400)
        self.assertContains(response, "请求有误", status_code=400)
        response = self.client.get(reverse("maps:structure"), {"year": "99999"})
        self.assertContains(response, "参数“year”应为2000至2100之间的年份。", status_code=400)

    # Other pages that read parameters ----------------------------------------------------------

    def test_lists_refuse_a_page_that_is_no_number(self):
        for user, name in ((self.alice, "projects:list"), (self.alice, "problems:list")):
            self.assert_bad(user, reverse(name), "page", [*BAD_NUMBERS, "0", "x"])
            self.assert_ok(user, reverse(name), {"page": "7"})  # past the last: the last

    def test_the_ranking_refuses_a_scheme_or_period_it_cannot_use(self):
        url = reverse("assessment:ranking")
        self.assert_bad(self.alice, url, "scheme")
        self.assert_bad(self.alice, url, "period", ["2026-13", "9999", "x", "２０２６"])
        self.assert_ok(self.alice, url, {"scheme": "999999", "period": "2026-03"})

    def test_filter_forms_show_nothing_for_values_they_do_not_offer(self):
        for name, field in (
            ("projects:list", "stage"),
            ("projects:list", "unit"),
            ("problems:list", "category"),
        ):
            for value in ("²", "①", HUGE_ID, "{}"):
                with self.subTest(name=name, field=field, value=value):
                    page = self.assert_ok(self.alice, reverse(name), {field: value})
                    self.assertEqual(len(page.context["page"].object_list), 0)
                    self.assertTrue(page.context["filters"].errors)

    def test_a_new_problem_refuses_a_project_that_is_no_id(self):
        for value in ("²", HUGE_ID, "{}"):
            with self.subTest(value=value):
                response = self.get(self.alice, reverse("problems:new"), {"project": value})
                self.assertEqual(response.status_code, 400)
        self.assert_ok(self.alice, reverse("problems:new"), {"project": self.project_a.pk})

    def test_a_typed_project_number_that_is_no_ascii_number_is_a_field_error(self):
        # With many projects the form asks for the code or system number as text.
        self.login(self.alice)
        with mock.patch("gongjian.problems.forms.PROJECT_SELECT_LIMIT", 0):
            for value in ("²", "①", "１", HUGE_ID):
                with self.subTest(value=value):
                    response = self.client.post(reverse("problems:new"), {"project": value})
                    self.assertEqual(response.status_code, 200)
                    self.assertIn("project", response.context["form"].errors)
            response = self.client.post(reverse("problems:new"), {"project": self.project_a.pk})
            self.assertNotIn("project", response.context["form"].errors)


@time_machine.travel(TODAY, tick=False)
class SafeRedirectTestCase(DispatchTestCase):
    OFF_SITE = ["https://evil.example/", "//evil.example", "javascript:alert(1)"]

    def submitted(self, period):
        report = services.report_save_draft(
            actor=self.ursula, project=self.project_a, period=period, data={"amount": Decimal(5)}
        )
        services.report_submit(actor=self.ursula, report=report)
        return report

    def test_the_review_action_never_redirects_off_site(self):
        self.login(self.alice)
        periods = self.campaign.periods.filter(end__lt=datetime.date(2026, 4, 1))
        for target, period in zip(self.OFF_SITE, periods, strict=True):
            with self.subTest(target=target):
                report = self.submitted(period)
                url = reverse("dispatch:review-action", args=[report.pk])
                response = self.client.post(url, {"action": "approve", "next": target})
                self.assertRedirects(
                    response, reverse("dispatch:review"), fetch_redirect_response=False
                )

    def test_the_review_action_returns_to_a_page_of_this_site(self):
        self.login(self.alice)
        report = self.submitted(self.march)
        back = reverse("dispatch:report", args=[self.project_a.pk, self.march.pk])
        response = self.client.post(
            reverse("dispatch:review-action", args=[report.pk]), {"action": "approve", "next": back}
        )
        self.assertRedirects(response, back, fetch_redirect_response=False)

    def test_the_language_switch_never_redirects_off_site(self):
        self.login(self.alice)
        for target in self.OFF_SITE:
            with self.subTest(target=target):
                response = self.client.post(
                    reverse("set_language"), {"language": "en", "next": target}
                )
                self.assertEqual(response.status_code, 302)
                self.assertNotIn("evil", response["Location"])
                self.assertFalse(response["Location"].startswith("javascript"))
        response = self.client.post(
            reverse("set_language"), {"language": "en", "next": "/projects/"}
        )
        self.assertEqual(response["Location"], "/projects/")
