"""The progress light rules at every boundary: gap to the time schedule (银川), ratio to it
(武汉) and the cumulative plan curve (南宁), with the amounts that clear them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import SimpleTestCase

from gongjian.dispatch.rules.lights import BLUE, GREEN, PRESETS, RED, YELLOW, evaluate
from gongjian.dispatch.tests.test_rules_lights import facts, finding_of, only

D = Decimal
date = datetime.date
NO_MONTHS = (D(0),) * 12


class GapToScheduleTestCase(SimpleTestCase):
    """银川: 10–30 points behind (inclusive) is yellow, more than 30 is red."""

    def test_it_colours_at_the_boundaries(self):
        rows = [
            # (completed, period month, annual plan, light)
            (D(6000), 6, D(10000), GREEN),  # 10 points ahead
            (D(5000), 6, D(10000), GREEN),  # on the schedule
            (D(4010), 6, D(10000), GREEN),  # 9.9 behind
            (D(4000), 6, D(10000), YELLOW),  # exactly 10 behind
            (D(2000), 6, D(10000), YELLOW),  # exactly 30 behind
            (D(1990), 6, D(10000), RED),  # 30.1 behind
            (D(0), 6, D(10000), RED),
            # 序时 = 1/3: exact arithmetic keeps 23.333…% exactly 10 behind
            (D(700), 4, D(3000), YELLOW),  # exactly 10 behind
            (D("700.01"), 4, D(3000), GREEN),  # 9.9997 behind
            (D(100), 4, D(3000), YELLOW),  # exactly 30 behind
            (D("99.99"), 4, D(3000), RED),  # 30.0003 behind
        ]
        rule_set = PRESETS["yinchuan_gap"]
        for done, month, plan, colour in rows:
            with self.subTest(done=done, month=month, plan=plan):
                light = evaluate(
                    facts(completed_ytd=done, period_month=month, annual_plan=plan), rule_set
                )
                self.assertEqual(light.colour, colour)

    def test_it_says_how_much_more_clears_the_light(self):
        rows = [
            # (completed, period month, annual plan, colour, amount, clears to)
            # 序时 50%, done 35%: 15 behind; leaving yellow needs < 10 behind, i.e. > 4,000
            (D(3500), 6, D(10000), YELLOW, D("500.01"), BLUE),
            # 35 behind: 30 behind (2,000) is already yellow, so exactly 500 is enough
            (D(1500), 6, D(10000), RED, D("500.00"), YELLOW),
            # 序时 1/3 of 7,000: leaving yellow needs > 1,633.33…, rounded up
            (D(1500), 4, D(7000), YELLOW, D("133.34"), BLUE),
        ]
        rule_set = PRESETS["default"]
        for done, month, plan, colour, amount, target in rows:
            with self.subTest(done=done, month=month, plan=plan):
                light = evaluate(
                    facts(completed_ytd=done, period_month=month, annual_plan=plan), rule_set
                )
                finding = finding_of(light, "gap_to_schedule")
                self.assertEqual(finding.colour, colour)
                self.assertEqual(finding.numbers["amount_to_clear"], amount)
                self.assertEqual(finding.numbers["clears_to"], target)
                self.assertEqual(
                    finding.clear_hint, f"complete {amount} 万元 more to turn {target}"
                )
                self.assertEqual(light.clear_hint, f"Complete {amount} 万元 more to turn {target}")
                # The promise holds, and a cent less would not have been enough.
                enough = facts(completed_ytd=done + amount, period_month=month, annual_plan=plan)
                short = facts(
                    completed_ytd=done + amount - D("0.01"), period_month=month, annual_plan=plan
                )
                self.assertEqual(evaluate(enough, rule_set).colour, target)
                self.assertEqual(evaluate(short, rule_set).colour, colour)

    def test_it_explains_with_the_numbers_used(self):
        light = evaluate(facts(completed_ytd=D(3500)), PRESETS["yinchuan_gap"])
        finding = light.findings[0]
        self.assertEqual(
            finding.message,
            "35.0% of the annual plan completed, 15.0 percentage points below the time schedule"
            " of 50.0% (yellow from 10 to 30 points behind, red beyond 30)",
        )
        self.assertEqual(finding.numbers["actual_share"], D("0.3500"))
        self.assertEqual(finding.numbers["expected_share"], D("0.5000"))
        self.assertEqual(finding.numbers["gap_points"], D("-15.0"))
        self.assertEqual(finding.numbers["yellow_points"], D(10))
        self.assertEqual(finding.numbers["red_points"], D(30))
        self.assertEqual(light.explanation, finding.message[0].upper() + finding.message[1:])

    def test_it_uses_the_configured_variant(self):
        rows = [
            # (variant, as_of, annual plan, completed, light)
            # day_linear, leap year: 121/366 of 36,600 = 12,100; 10 behind = 8,440
            ("day_linear", date(2024, 4, 30), D(36600), D(8440), YELLOW),
            ("day_linear", date(2024, 4, 30), D(36600), D("8440.01"), BLUE),
            # day_linear, common year: 120/365 of 36,500 = 12,000; 10 behind = 8,350
            ("day_linear", date(2023, 4, 30), D(36500), D(8350), YELLOW),
            ("day_linear", date(2023, 4, 30), D(36500), D("8350.01"), BLUE),
            # plan_curve: 400 of the 2,400 planned by April; 10 behind = 160
            ("plan_curve", date(2024, 4, 30), D(2400), D(160), YELLOW),
            ("plan_curve", date(2024, 4, 30), D(2400), D("160.01"), BLUE),
            # the same 560 is far ahead of the plan curve but exactly 10 behind 4/12 = 800
            ("plan_curve", date(2024, 4, 30), D(2400), D(560), BLUE),
            ("month_linear", date(2024, 4, 30), D(2400), D(560), YELLOW),
        ]
        monthly_plan = (D(100),) * 6 + (D(300),) * 6
        for variant, as_of, plan, done, colour in rows:
            with self.subTest(variant=variant, as_of=as_of, done=done):
                project = facts(
                    as_of=as_of,
                    year=as_of.year,
                    period_month=4,
                    annual_plan=plan,
                    completed_ytd=done,
                    monthly_plan=monthly_plan,
                )
                light = evaluate(project, only("gap_to_schedule", variant=variant))
                self.assertEqual(light.colour, colour)

    def test_it_does_not_judge_without_a_plan(self):
        rows = [
            (facts(annual_plan=None), "yinchuan_gap", "no annual plan, progress not judged"),
            (facts(annual_plan=D(0)), "wuhan_ratio", "no annual plan, progress not judged"),
            (
                facts(monthly_plan=None),
                "nanning_plan_curve",
                "no monthly plan, progress not judged",
            ),
            (
                facts(monthly_plan=NO_MONTHS),
                "nanning_plan_curve",
                "no monthly plan, progress not judged",
            ),
        ]
        for project, preset, message in rows:
            with self.subTest(preset=preset):
                light = evaluate(project, PRESETS[preset])
                self.assertEqual(light.colour, GREEN)  # not red, and not silently green either:
                self.assertEqual([f.message for f in light.not_judged], [message])
                self.assertIsNone(light.not_judged[0].colour)
                self.assertEqual(light.explanation, message[0].upper() + message[1:])
                self.assertEqual(light.clear_hint, "")


class RatioToScheduleTestCase(SimpleTestCase):
    """武汉: 低于 60% of the 序时 share = red, 低于 80% = yellow; 低于 is strict."""

    def test_it_colours_at_the_boundaries(self):
        rows = [
            # 序时 50% of 10,000: 60% of it is 3,000, 80% is 4,000
            (D("2999.99"), RED),  # just under 60%
            (D(3000), YELLOW),  # exactly 60% is not below 60%
            (D("3000.01"), YELLOW),
            (D("3999.99"), YELLOW),  # just under 80%
            (D(4000), GREEN),  # exactly 80% is not below 80%
            (D("4000.01"), GREEN),
            (D(0), RED),
        ]
        for done, colour in rows:
            with self.subTest(done=done):
                light = evaluate(facts(completed_ytd=done), PRESETS["wuhan_ratio"])
                self.assertEqual(light.colour, colour)

    def test_it_says_how_much_more_clears_the_light(self):
        rows = [
            (D(2500), RED, D("500.00"), YELLOW),  # 60% of 序时 is enough to leave red
            (D(3500), YELLOW, D("500.00"), GREEN),  # 80% of 序时 is enough to leave yellow
            (D("3999.999"), YELLOW, D("0.01"), GREEN),
        ]
        for done, colour, amount, target in rows:
            with self.subTest(done=done):
                finding = evaluate(facts(completed_ytd=done), PRESETS["wuhan_ratio"]).findings[0]
                self.assertEqual(finding.colour, colour)
                self.assertEqual(finding.numbers["amount_to_clear"], amount)
                self.assertEqual(finding.numbers["clears_to"], target)

    def test_it_explains(self):
        finding = evaluate(facts(completed_ytd=D(2500)), PRESETS["wuhan_ratio"]).findings[0]
        self.assertEqual(
            finding.message,
            "25.0% of the annual plan completed is 50.0% of the time schedule of 50.0%"
            " (red below 60% of the time schedule, yellow below 80%)",
        )
        self.assertEqual(finding.numbers["ratio"], D("0.5000"))
        self.assertEqual(finding.clear_hint, "complete 500.00 万元 more to turn yellow")

    def test_it_does_not_judge_before_anything_is_due(self):
        project = facts(as_of=date(2024, 1, 20), period_month=None, completed_ytd=D(0))
        light = evaluate(project, PRESETS["wuhan_ratio"])
        self.assertEqual(light.colour, GREEN)
        self.assertEqual(light.not_judged[0].message, "no progress is due yet, progress not judged")


class PlanCurveTestCase(SimpleTestCase):
    """南宁: below 95% of the cumulative plan = behind, above 105% = ahead; 95–105 normal."""

    PLAN = (D(1000),) * 12  # 4,000 planned by the end of April

    def evaluate(self, done, **params):
        project = facts(
            as_of=date(2024, 4, 30), period_month=4, monthly_plan=self.PLAN, completed_ytd=done
        )
        rule_set = only("plan_curve", **params) if params else PRESETS["nanning_plan_curve"]
        return evaluate(project, rule_set)

    def test_it_colours_at_the_boundaries(self):
        rows = [
            (D("3799.99"), YELLOW, None),  # just under 95%: behind
            (D(3800), GREEN, None),  # exactly 95%: normal
            (D(4000), GREEN, None),
            (D(4200), GREEN, None),  # exactly 105%: normal
            (D("4200.01"), GREEN, "ahead"),  # ahead is noted but never changes the light
            (D(9000), GREEN, "ahead"),
        ]
        for done, colour, status in rows:
            with self.subTest(done=done):
                light = self.evaluate(done)
                self.assertEqual(light.colour, colour)
                statuses = [f.numbers["plan_status"] for f in light.findings]
                self.assertEqual(
                    statuses, [status] if status else ([] if colour == GREEN else ["behind"])
                )

    def test_ahead_is_a_note_not_a_colour(self):
        finding = self.evaluate(D(4400)).findings[0]
        self.assertIsNone(finding.colour)
        self.assertTrue(finding.judged)
        self.assertTrue(finding.message.startswith("ahead of plan: 4400 万元 completed is 110.0%"))

    def test_behind_can_be_configured_red(self):
        light = self.evaluate(D(3000), behind_colour="red")
        self.assertEqual(light.colour, RED)
        finding = light.findings[0]
        self.assertEqual(finding.numbers["amount_to_clear"], D("800.00"))
        self.assertEqual(finding.clear_hint, "complete 800.00 万元 more to turn blue")

    def test_it_does_not_judge_when_nothing_is_planned_yet(self):
        plan = (D(0),) * 6 + (D(1000),) * 6
        project = facts(as_of=date(2024, 4, 30), period_month=4, monthly_plan=plan)
        light = evaluate(project, PRESETS["nanning_plan_curve"])
        self.assertEqual(light.colour, GREEN)
        self.assertEqual(
            light.not_judged[0].message, "nothing planned up to month 4, progress not judged"
        )
