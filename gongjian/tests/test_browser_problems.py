"""End to end in chromium: an enterprise blows the whistle from a phone; the office assigns the
problem to 市自然资源局; the department signs for it and replies; the office returns the reply
once with a reason, the department replies again and the office closes it (销号); the
enterprise, on its phone again, rates the outcome and sees it closed with its rating.

Screenshots land in var/screenshots/problems-*.png.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import override_settings
from django.utils import translation

from gongjian.problems.models import Action, Problem, ProblemCategory, Rating, Status
from gongjian.test.browser import BrowserTestCase

pytestmark = pytest.mark.browser
TODAY = datetime.datetime(2026, 4, 8, 10, 0)  # a Wednesday, clear of 清明
LANGUAGE = "zh-hans"
PHONE = {"width": 390, "height": 844}

WHISTLE = (
    "项目用地指标未落实，影响开工\n东侧地块约30亩仍未完成农转用审批，请协调自然资源部门加快办理。"
)
FIRST_REPLY = "已与企业对接，正在准备农转用报批材料。"
RETURN_REASON = "反馈只说明在准备材料，未写明审批时限，请补充具体办结时间"
SECOND_REPLY = "农转用审批已于4月8日获批，用地指标已下达，企业可办理供地手续。"


def label(choice) -> str:
    """A status or rating as the page shows it in LANGUAGE (translated or not)."""
    with translation.override(LANGUAGE):
        return str(choice.label)


@override_settings(LANGUAGE_CODE=LANGUAGE)
@time_machine.travel(TODAY, tick=True)
class ProblemJourneyTests(BrowserTestCase):
    shot_prefix = "problems-"

    def setUp(self):
        super().setUp()
        self.desk = self.page
        self.phone_context = self.browser.new_context(
            viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
        )
        self.phone = self.phone_context.new_page()
        self.category = ProblemCategory.objects.get(code="land")

    def tearDown(self):
        self.page = self.desk
        self.phone_context.close()
        super().tearDown()

    def as_(self, username: str, page) -> None:
        """Act in `page` (the desk or the phone) as `username`."""
        self.page = page
        self.log_in(username)

    def open_problem(self, pk: int) -> None:
        self.page.goto(f"{self.live_server_url}/problems/{pk}/")
        self.page.wait_for_selector("#problem-status")

    def step(self, name: str, status: str, text: str | None = None) -> None:
        """Fill in the step's card, send it, and wait for the status badge to change."""
        card = self.page.locator(f"#step-{name}")
        if text is not None:
            card.locator("textarea[name=text]").fill(text)
        card.locator("button").click()
        self.page.wait_for_selector(f"#problem-status.status-{status}")
        self.assert_status(status)

    def assert_status(self, status: str) -> None:
        self.assertEqual(self.page.text_content("#problem-status").strip(), label(Status(status)))

    def timeline(self) -> list[str]:
        return [li.strip() for li in self.page.locator("#timeline > li").all_text_contents()]

    def test_whistle_assign_sign_reply_return_close_and_rate(self):
        # 1. The enterprise blows the whistle from its phone.
        self.as_("erin", self.phone)
        page = self.phone
        page.goto(f"{self.live_server_url}/problems/whistle/")
        page.wait_for_selector("#whistle-form")
        self.assert_fits_the_phone("whistle form")
        page.select_option("#whistle-form select[name=project]", str(self.project_a.pk))
        page.select_option("#whistle-form select[name=category]", str(self.category.pk))
        page.fill("#whistle-form textarea[name=text]", WHISTLE)
        self.shot("1-whistle")
        page.click("#whistle-form button")
        page.wait_for_url("**/problems/mine/")
        problem = Problem.objects.get()
        card = page.locator(f"a.card[href='/problems/{problem.pk}/']")
        card.wait_for()
        self.assertIn("项目用地指标未落实，影响开工", card.text_content())
        self.assertIn(problem.number, card.text_content())
        self.assertIn(problem.number, page.text_content("main .alert-success"))
        self.assertEqual(
            card.locator(".badge.status-reported").text_content().strip(),
            label(Status.REPORTED),
        )
        self.assert_fits_the_phone("my problems")
        self.shot("2-mine")
        self.assertEqual(problem.title, "项目用地指标未落实，影响开工")
        self.assertEqual(problem.project, self.project_a)
        self.assertEqual(problem.raising_unit, self.enterprise)

        # 2. The office finds it in the list and assigns it to 市自然资源局.
        self.as_("alice", self.desk)
        page = self.desk
        page.goto(f"{self.live_server_url}/problems/")
        page.click(f"#problem-rows a[href='/problems/{problem.pk}/']")
        page.wait_for_selector("#step-assign")
        self.assert_status(Status.REPORTED)
        page.select_option("#step-assign select[name=lead_department]", label="市自然资源局")
        page.fill("#step-assign input[name=note]", "请5个工作日内反馈审批进度")
        self.step("assign", Status.ASSIGNED)
        self.assertIn("市自然资源局", page.text_content("main"))
        self.assertEqual(len(self.timeline()), 2)
        self.assertIn("请5个工作日内反馈审批进度", self.timeline()[1])
        self.shot("3-assigned")

        # 3. The department signs for it and replies with the result.
        self.as_("dora", self.desk)
        self.open_problem(problem.pk)
        self.assertEqual(page.locator("#step-assign").count(), 0)
        page.click("#sign-button")
        page.wait_for_selector("#problem-status.status-signed")
        self.assert_status(Status.SIGNED)
        self.assertEqual(page.locator("#sign-button").count(), 0)
        self.step("reply", Status.REPLIED, FIRST_REPLY)
        self.assertEqual(page.text_content("#problem-reply").strip(), FIRST_REPLY)
        self.assertEqual(len(self.timeline()), 4)
        self.shot("4-replied")

        # 4. The office returns the reply once, with a reason...
        self.as_("alice", self.desk)
        self.open_problem(problem.pk)
        self.assertEqual(page.locator("#step-close").count(), 1)
        self.shot("5-review")
        self.step("return", Status.IN_PROGRESS, RETURN_REASON)
        self.assertIn(RETURN_REASON, self.timeline()[-1])
        self.assertEqual(page.locator("#step-close, #step-return").count(), 0)
        self.shot("6-returned")

        # ...the department sees the reason and replies again...
        self.as_("dora", self.desk)
        self.open_problem(problem.pk)
        self.assertIn(RETURN_REASON, page.text_content("#timeline"))
        self.step("reply", Status.REPLIED, SECOND_REPLY)
        self.assertEqual(page.text_content("#problem-reply").strip(), SECOND_REPLY)

        # ...and the office closes it (销号).
        self.as_("alice", self.desk)
        self.open_problem(problem.pk)
        # The close note is optional: the office closes it without one.
        self.assertIsNone(page.locator("#step-close textarea").get_attribute("required"))
        self.step("close", Status.CLOSED)
        self.assertEqual(page.locator("#step-rate").count(), 0)  # only the raiser rates
        self.assertEqual(len(self.timeline()), 7)
        self.shot("7-closed")

        # 5. The enterprise, on its phone, is asked to rate it, rates it satisfied and sees it.
        self.as_("erin", self.phone)
        page = self.phone
        page.goto(f"{self.live_server_url}/problems/mine/")
        card = page.locator(f"a.card[href='/problems/{problem.pk}/']")
        self.assertEqual(card.locator(".badge.status-closed").count(), 1)
        self.assertEqual(card.locator(".badge.text-bg-warning").count(), 1)  # please rate
        self.shot("8-mine-to-rate")
        card.click()
        page.wait_for_selector("#step-rate")
        self.assert_fits_the_phone("problem to rate")
        page.check(f"#step-rate input[name=rating][value={Rating.SATISFIED}]")
        page.fill("#step-rate input[name=note]", "办理及时")
        self.shot("9-rate")
        page.locator("#step-rate button").click()
        page.wait_for_selector("#step-rate", state="detached")
        self.assert_status(Status.CLOSED)
        self.assertIn(f"{label(Rating.SATISFIED)} 办理及时", page.text_content("main dl"))
        steps = self.timeline()
        self.assertEqual(len(steps), 8)
        self.assertIn(RETURN_REASON, steps[4])
        self.assertIn(label(Rating.SATISFIED), steps[7])
        self.assert_fits_the_phone("rated problem")
        self.shot("10-rated")
        page.goto(f"{self.live_server_url}/problems/mine/")
        card = page.locator(f"a.card[href='/problems/{problem.pk}/']")
        self.assertEqual(card.locator(".badge.text-bg-warning").count(), 0)
        self.shot("11-mine-rated")

        # The database agrees.
        problem.refresh_from_db()
        self.assertEqual(problem.status, Status.CLOSED)
        self.assertEqual(problem.rating, Rating.SATISFIED)
        self.assertEqual(problem.rating_note, "办理及时")
        self.assertEqual(problem.return_count, 1)
        self.assertEqual(problem.reopen_count, 0)
        self.assertEqual(problem.lead_department, self.dept)
        self.assertEqual(problem.reply, SECOND_REPLY)
        self.assertIsNotNone(problem.closed_at)
        events = list(problem.events.values_list("action", "actor__username", "note"))
        self.assertEqual(
            [(action, actor) for action, actor, _note in events],
            [
                (Action.RAISED, "erin"),
                (Action.ASSIGNED, "alice"),
                (Action.SIGNED, "dora"),
                (Action.REPLIED, "dora"),
                (Action.RETURNED, "alice"),
                (Action.REPLIED, "dora"),
                (Action.CLOSED, "alice"),
                (Action.RATED, "erin"),
            ],
        )
        self.assertEqual(events[4][2], RETURN_REASON)
        self.assertEqual(events[5][2], SECOND_REPLY)
