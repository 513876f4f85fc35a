"""Deadline arithmetic on the official calendar, colours and escalation levels: pure functions,
table-driven, no database.

The 2026 calendar (国办发明电〔2025〕7号): Spring Festival off 02-15…02-23 with Saturdays 02-14
and 02-28 worked; National Day off 10-01…10-07 with Sunday 09-20 and Saturday 10-10 worked.
"""

from __future__ import annotations

import datetime

from django.test import SimpleTestCase

from gongjian.lib.workdays import add_workdays, is_workday, workdays_between
from gongjian.problems import rules

D = datetime.date


class WorkdayTests(SimpleTestCase):
    def test_make_up_days_and_holidays(self):
        cases = [
            (D(2026, 2, 14), True, "Saturday worked before the Spring Festival"),
            (D(2026, 2, 16), False, "Spring Festival Monday"),
            (D(2026, 2, 28), True, "Saturday worked after the Spring Festival"),
            (D(2026, 9, 20), True, "Sunday worked before National Day"),
            (D(2026, 10, 5), False, "National Day Monday"),
            (D(2026, 10, 10), True, "Saturday worked after National Day"),
            (D(2026, 10, 11), False, "an ordinary Sunday"),
            (D(2026, 11, 23), True, "an ordinary Monday"),
        ]
        for day, expected, why in cases:
            with self.subTest(why):
                self.assertEqual(is_workday(day), expected)

    def test_add_workdays_across_holidays(self):
        cases = [
            # start, working days, expected, why
            (D(2026, 9, 30), 1, D(2026, 10, 8), "sign-off across the National Day week"),
            (D(2026, 9, 30), 10, D(2026, 10, 20), "the Saturday 10-10 counts"),
            (D(2026, 2, 13), 1, D(2026, 2, 14), "the make-up Saturday is the next working day"),
            (D(2026, 2, 13), 10, D(2026, 3, 5), "both make-up Saturdays count"),
            (D(2026, 11, 20), 1, D(2026, 11, 23), "Friday to Monday"),
            (D(2026, 11, 23), 0, D(2026, 11, 23), "zero days is the day itself"),
        ]
        for start, days, expected, why in cases:
            with self.subTest(why):
                self.assertEqual(add_workdays(start, days), expected)

    def test_workdays_between_is_the_inverse(self):
        self.assertEqual(workdays_between(D(2026, 9, 30), D(2026, 10, 20)), 10)
        self.assertEqual(workdays_between(D(2026, 10, 1), D(2026, 10, 7)), 0)
        self.assertEqual(workdays_between(D(2026, 10, 20), D(2026, 9, 30)), -10)

    def test_overrides_for_a_year_the_package_does_not_know(self):
        # 2031 is not in the package: Monday to Friday count, unless the office records days.
        friday = D(2031, 1, 3)
        self.assertEqual(add_workdays(friday, 1), D(2031, 1, 6))
        overrides = {D(2031, 1, 4): True, D(2031, 1, 6): False}
        self.assertEqual(add_workdays(friday, 1, overrides), D(2031, 1, 4))
        self.assertEqual(add_workdays(friday, 2, overrides), D(2031, 1, 7))

    def test_negative_days_are_refused(self):
        with self.assertRaises(ValueError):
            add_workdays(D(2026, 1, 5), -1)


class DeadlineTests(SimpleTestCase):
    def test_assignment_deadlines_use_the_policy(self):
        policy = rules.Policy(sign_days=1, resolve_days=10)
        due = rules.assignment_deadlines(D(2026, 9, 30), policy)
        self.assertEqual((due.sign_due, due.resolve_due), (D(2026, 10, 8), D(2026, 10, 20)))
        short = rules.assignment_deadlines(D(2026, 9, 30), rules.Policy(resolve_days=3))
        self.assertEqual(short.resolve_due, D(2026, 10, 10))

    def test_triage_and_review(self):
        policy = rules.Policy(triage_days=2, review_days=3)
        self.assertEqual(rules.triage_deadline(D(2026, 9, 30), policy), D(2026, 10, 9))
        self.assertEqual(rules.review_deadline(D(2026, 11, 20), policy), D(2026, 11, 25))


class ColourTests(SimpleTestCase):
    """Blue = due within 3 working days, yellow = a step's own deadline missed, red = the
    resolution deadline passed without a reply."""

    def judge(self, status, today, **dates):
        return rules.judge(status=status, today=today, **dates)

    def test_table(self):
        due = D(2026, 11, 27)  # a Friday
        cases = [
            # status, today, dates, colour, why
            ("in_progress", D(2026, 11, 30), {"resolve_due": due}, "red", "a day after"),
            ("assigned", D(2026, 11, 30), {"resolve_due": due, "sign_due": due}, "red", ""),
            ("in_progress", due, {"resolve_due": due}, "blue", "on the day: 0 left"),
            ("in_progress", D(2026, 11, 24), {"resolve_due": due}, "blue", "3 working days"),
            ("in_progress", D(2026, 11, 23), {"resolve_due": due}, "", "4 working days"),
            ("signed", D(2026, 11, 24), {"resolve_due": due}, "blue", ""),
            (
                "assigned",
                D(2026, 11, 20),
                {"sign_due": D(2026, 11, 19), "resolve_due": due},
                "yellow",
                "not signed for in time",
            ),
            ("reported", D(2026, 11, 20), {"triage_due": D(2026, 11, 19)}, "yellow", ""),
            ("reported", D(2026, 11, 19), {"triage_due": D(2026, 11, 19)}, "", "on the day"),
            (
                "replied",
                D(2026, 12, 10),
                {"resolve_due": due, "review_due": D(2026, 12, 2)},
                "yellow",
                "replied late is not red; the office's review is behind",
            ),
            ("replied", D(2026, 12, 1), {"resolve_due": due, "review_due": D(2026, 12, 2)}, "", ""),
            ("closed", D(2026, 12, 10), {"resolve_due": due}, "", "closed is never coloured"),
        ]
        for status, today, dates, colour, why in cases:
            with self.subTest(f"{status} {today} {why}"):
                self.assertEqual(self.judge(status, today, **dates).colour, colour)

    def test_blue_counts_working_days_over_a_holiday(self):
        # On 09-30 a deadline of 10-09 is two working days away (10-08, 10-09).
        verdict = self.judge("in_progress", D(2026, 9, 30), resolve_due=D(2026, 10, 9))
        self.assertEqual(verdict.colour, "blue")
        self.assertIn("2", verdict.explanation)

    def test_red_explains_how_late(self):
        verdict = self.judge("in_progress", D(2026, 12, 2), resolve_due=D(2026, 11, 27))
        self.assertEqual(verdict.working_days_late, 3)
        self.assertIn("2026-11-27", verdict.explanation)
        self.assertIn("3", verdict.explanation)

    def test_due_soon_limit_covers_the_following_weekend(self):
        # Monday + 3 working days = Thursday; the window runs to the day before the 4th
        # working day (Friday), so it ends on Thursday.
        self.assertEqual(rules.due_soon_limit(D(2026, 11, 23), rules.Policy()), D(2026, 11, 26))
        # Wednesday + 3 = Monday; Saturday and Sunday before it count as well.
        self.assertEqual(rules.due_soon_limit(D(2026, 11, 25), rules.Policy()), D(2026, 11, 30))
        verdict = self.judge("in_progress", D(2026, 11, 25), resolve_due=D(2026, 11, 29))
        self.assertEqual(verdict.colour, "blue")


class EscalationTests(SimpleTestCase):
    def test_levels_by_working_days_late(self):
        steps = (1, 3, 5, 10)
        for late, level in [
            (0, 0),
            (1, 1),
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 3),
            (9, 3),
            (10, 4),
            (40, 4),
        ]:
            with self.subTest(late=late):
                self.assertEqual(rules.escalation_target(late, steps).level, level)

    def test_explanation_names_the_step(self):
        target = rules.escalation_target(6, (1, 3, 5, 10))
        self.assertIn("6", target.explanation)
        self.assertIn("5", target.explanation)


class ExtensionRuleTests(SimpleTestCase):
    def test_before_on_and_after_the_deadline(self):
        due = D(2026, 11, 27)
        later = D(2026, 12, 11)
        self.assertIsNone(
            rules.extension_error(today=D(2026, 11, 26), current_due=due, requested_due=later)
        )
        self.assertIsNone(rules.extension_error(today=due, current_due=due, requested_due=later))
        after = rules.extension_error(today=D(2026, 11, 28), current_due=due, requested_due=later)
        self.assertIn("passed", after)
        earlier = rules.extension_error(today=D(2026, 11, 26), current_due=due, requested_due=due)
        self.assertIn("after the current one", earlier)


class StepsTests(SimpleTestCase):
    def steps(self, capacities, status, **kw):
        values = {"rated": False, "colour": "", "extension_pending": False} | kw
        return rules.steps_for(capacities=set(capacities), status=status, **values)

    def test_who_may_do_what(self):
        cases = [
            ({"office"}, "reported", {"assign", "escalate", "comment"}),
            ({"lead"}, "reported", {"comment"}),
            ({"lead"}, "assigned", {"sign", "extend", "comment"}),
            ({"office"}, "assigned", {"assign", "escalate", "comment"}),
            ({"lead"}, "signed", {"start", "reply", "extend", "comment"}),
            ({"lead"}, "in_progress", {"reply", "extend", "comment"}),
            ({"co"}, "in_progress", {"comment"}),
            ({"office"}, "replied", {"close", "return", "escalate", "comment"}),
            ({"lead"}, "replied", {"comment"}),
            ({"raiser"}, "closed", {"rate"}),
            ({"raiser"}, "in_progress", {"comment"}),
            ({"leader"}, "in_progress", {"comment"}),
        ]
        for capacities, status, expected in cases:
            with self.subTest(f"{capacities} {status}"):
                self.assertEqual(set(self.steps(capacities, status)), expected)

    def test_conditional_steps(self):
        self.assertNotIn("rate", self.steps({"raiser"}, "closed", rated=True))
        self.assertIn("notice", self.steps({"office"}, "in_progress", colour="red"))
        self.assertNotIn("notice", self.steps({"office"}, "in_progress", colour="yellow"))
        self.assertIn(
            "decide_extension", self.steps({"office"}, "in_progress", extension_pending=True)
        )
        self.assertNotIn("extend", self.steps({"lead"}, "in_progress", extension_pending=True))
        self.assertIn("reply_notice", self.steps({"lead"}, "in_progress", notice_open=True))


class PolicyValidationTests(SimpleTestCase):
    def test_steps_and_names(self):
        from django.core.exceptions import ValidationError

        from gongjian.problems.models import ProblemPolicy

        ProblemPolicy(escalation_steps=[1, 3, 5, 10], level_names=["a", "b", "c", "d"]).clean()
        ProblemPolicy().clean()  # empty: the defaults
        for steps, names, field in [
            ([3, 1], [], "escalation_steps"),
            ([1, 1], [], "escalation_steps"),
            ([0, 2], [], "escalation_steps"),
            (["1"], [], "escalation_steps"),
            ([1, 2], ["only one"], "level_names"),
            ([], "not a list", "level_names"),
        ]:
            with self.subTest(steps=steps, names=names):
                with self.assertRaises(ValidationError) as caught:
                    ProblemPolicy(escalation_steps=steps, level_names=names).clean()
                self.assertIn(field, caught.exception.message_dict)
