"""End to end in chromium: a judge ranks the 镇街组 of an on-site review (观摩评议) on her
phone; her first try has a tie and is refused, the second is recorded; the office closes the
event and reads the results; the judge then finds her ballot sealed.

Screenshots land in var/screenshots/review-*.png.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from gongjian.accounts.models import Unit
from gongjian.assessment.models import Ballot, Judge, Nomination, ReviewEvent, ReviewGroup
from gongjian.test.browser import SHOTS, BrowserTestCase

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@override_settings(LANGUAGE_CODE="zh-hans")
class ReviewJourneyTests(BrowserTestCase):
    shot_prefix = "review-"

    def setUp(self):
        super().setUp()
        self.desk = self.page
        self.phone_context = self.browser.new_context(
            viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
        )
        self.phone = self.phone_context.new_page()
        self.north = Unit.objects.create(name="北坡乡", kind=Unit.Kind.TOWN, parent=self.city)
        self.event = ReviewEvent.objects.create(
            name="2026年四季度重点项目观摩",
            status=ReviewEvent.Status.OPEN,
            method=ReviewEvent.Method.RANK,
            period="2026-Q4",
            held_on=datetime.date(2026, 12, 10),
            owner=self.city,
        )
        self.group = ReviewGroup.objects.create(event=self.event, name="镇街组")
        self.group.units.set([self.town_a, self.town_b, self.park, self.north])
        # judy comes from 西山镇, so she ranks the other three.
        Judge.objects.create(event=self.event, user=self.judy, unit=self.town_b)
        Nomination.objects.create(
            event=self.event,
            unit=self.town_a,
            project=self.project_a,
            findings=[
                {
                    "rule": "min_completed_share",
                    "ok": False,
                    "message": "30000 of 120000万元 completed; at least 39996 needed",
                },
                {"rule": "procedures_complete", "ok": True, "message": "procedures complete"},
            ],
        )
        Nomination.objects.create(
            event=self.event,
            unit=self.town_b,
            project=self.project_b,
            eligible=True,
            findings=[{"rule": "not_shown_years", "ok": True, "message": "not shown"}],
        )

    def tearDown(self):
        self.page = self.desk
        self.phone_context.close()
        super().tearDown()

    def as_(self, username: str, page) -> None:
        self.page = page
        self.log_in(username)

    def place(self, unit: Unit):
        return self.page.locator(f"#group-{self.group.pk} input[name=place-{unit.pk}]")

    def test_judge_ranks_on_a_phone_office_closes_and_the_ballot_is_sealed(self):
        # 1. The judge opens her ballot on her phone: three places, her own town not rankable.
        self.as_("judy", self.phone)
        page = self.phone
        page.goto(f"{self.live_server_url}/assessment/review/")
        self.assert_fits_the_phone("events")
        self.shot("0-events")
        page.click(f"a[href='/assessment/review/{self.event.pk}/ballot/']")
        page.wait_for_selector(".ballot-form")
        self.assertEqual(page.locator("input.place").count(), 3)
        self.assertEqual(self.place(self.town_b).count(), 0)
        self.assertIn("西山镇", page.text_content(".own-unit"))
        self.assert_fits_the_phone("ballot")
        box = self.place(self.town_a).bounding_box()
        self.assertGreaterEqual(box["height"], 44, "a place input is a comfortable touch target")
        self.assertEqual(self.place(self.town_a).get_attribute("inputmode"), "numeric")
        self.shot("1-ballot")

        # 2. A tie is refused with a message naming the units; what she typed stays.
        self.place(self.town_a).fill("1")
        self.place(self.park).fill("1")
        self.place(self.north).fill("2")
        self.assertIn("is-invalid", self.place(self.park).get_attribute("class"))
        self.shot("2-tie-typed")
        page.click(f"#group-{self.group.pk} button")
        page.wait_for_selector(".ballot-error")
        error = page.text_content(".ballot-error")
        self.assertIn("东湖街道", error)
        self.assertIn("青川高新区", error)
        self.assertEqual(self.place(self.town_a).input_value(), "1")
        self.assertEqual(self.place(self.north).input_value(), "2")
        self.assertFalse(Ballot.objects.exists())
        self.assert_fits_the_phone("refused ballot")
        self.shot("3-tie-refused")

        # 3. Distinct places are recorded.
        self.place(self.park).fill("3")
        page.click(f"#group-{self.group.pk} button")
        page.wait_for_selector(".ballot-cast")
        self.assertEqual(page.locator(".ballot-error").count(), 0)
        self.assertIn("镇街组", page.text_content("main .alert-success"))
        self.assertEqual(self.place(self.park).input_value(), "3")
        ballot = Ballot.objects.get()
        self.assertEqual(ballot.ranking, [self.town_a.pk, self.north.pk, self.park.pk])
        self.assert_fits_the_phone("recorded ballot")
        self.shot("4-cast")

        # 4. The office closes the event at its desk and reads the results.
        self.as_("alice", self.desk)
        page = self.desk
        page.goto(f"{self.live_server_url}/assessment/review/{self.event.pk}/")
        self.assertIn("1 / 1", page.text_content("#judges"))
        self.assertIn("✗ 30000 of 120000万元", page.text_content("#nominations"))
        self.assertEqual(page.locator("#nominations .override-form").count(), 1)
        self.shot("5-event")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#close-button")
        page.wait_for_url(f"**/assessment/review/{self.event.pk}/results/")
        rows = page.locator("table.review-results tbody tr")
        self.assertEqual(rows.count(), 4)
        first = rows.nth(0)
        self.assertIn("东湖街道", first.text_content())
        self.assertEqual(first.locator(".score").text_content().strip(), "100.00")
        self.assertEqual(first.locator(".formula").text_content().strip(), "(1×100) ÷ 1")
        self.assertIn("北坡乡", rows.nth(1).text_content())
        self.assertEqual(rows.nth(1).locator(".score").text_content().strip(), "97.00")
        self.assertEqual(rows.nth(2).locator(".score").text_content().strip(), "94.00")
        self.assertIn("西山镇", rows.nth(3).text_content())
        self.assertEqual(rows.nth(3).locator(".score").text_content().strip(), "0.00")
        self.shot("6-results")

        # 5. Back on her phone, the judge finds her ballot sealed, first place first.
        self.as_("judy", self.phone)
        page = self.phone
        page.goto(f"{self.live_server_url}/assessment/review/{self.event.pk}/ballot/")
        page.wait_for_selector("#sealed")
        self.assertEqual(page.locator("input.place, .ballot-form").count(), 0)
        names = [n.strip() for n in page.locator(".sealed-ballot .unit-name").all_text_contents()]
        self.assertEqual(names, ["东湖街道", "北坡乡", "青川高新区", "西山镇"])
        self.assert_fits_the_phone("sealed ballot")
        self.shot("7-sealed")

    def test_a_long_ballot_keeps_its_button_in_reach(self):
        counties = [
            Unit.objects.create(name=f"青川第{i:02d}县", kind=Unit.Kind.TOWN, parent=self.city)
            for i in range(13)
        ]
        self.group.units.set(counties)
        self.as_("judy", self.phone)
        page = self.phone
        page.goto(f"{self.live_server_url}/assessment/review/{self.event.pk}/ballot/")
        page.wait_for_selector(".ballot-form")
        self.assertEqual(page.locator("input.place").count(), 13)
        self.assertEqual(self.place(counties[0]).get_attribute("max"), "13")
        # The last unit is below the fold, the button at the bottom of the screen.
        self.assertGreater(self.place(counties[-1]).bounding_box()["y"], PHONE["height"])
        button = page.locator(f"#group-{self.group.pk} button").bounding_box()
        self.assertLessEqual(button["y"] + button["height"], PHONE["height"])
        self.assertGreaterEqual(button["height"], 44)
        self.assert_fits_the_phone("long ballot")
        page.screenshot(path=str(SHOTS / f"{self.shot_prefix}8-long-ballot-screen.png"))
