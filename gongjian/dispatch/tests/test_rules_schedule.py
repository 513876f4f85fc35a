"""Table-driven tests for gongjian.dispatch.rules.schedule (序时进度)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from django.test import SimpleTestCase

from gongjian.dispatch.rules.schedule import (
    ScheduleVariant,
    add_months,
    completion_share,
    describe_gap,
    expected_share,
    gap_points,
    months_elapsed,
    percent,
    round_half_up,
    round_up_cents,
)

D = Decimal
date = datetime.date
MONTH, DAY, CURVE = (
    ScheduleVariant.MONTH_LINEAR,
    ScheduleVariant.DAY_LINEAR,
    ScheduleVariant.PLAN_CURVE,
)
# 100 a month in the first half, 300 a month in the second: 2,400 in the year.
HALF_AND_HALF = (D(100),) * 6 + (D(300),) * 6


class MonthsElapsedTestCase(SimpleTestCase):
    def test_it_counts_a_month_once_its_last_day_is_reached(self):
        rows = [
            (date(2024, 4, 30), 4),  # end of April: a 1–4月 report
            (date(2024, 4, 29), 3),  # April not over yet
            (date(2024, 1, 1), 0),  # nothing has ended
            (date(2024, 1, 31), 1),
            (date(2024, 2, 29), 2),  # leap-year February ends on the 29th
            (date(2023, 2, 28), 2),  # common-year February ends on the 28th
            (date(2024, 2, 28), 1),  # …but not in a leap year
            (date(2024, 12, 31), 12),
        ]
        for as_of, expected in rows:
            with self.subTest(as_of=as_of):
                self.assertEqual(months_elapsed(as_of), expected)


class ExpectedShareTestCase(SimpleTestCase):
    def test_it_computes_each_variant(self):
        rows = [
            # month_linear
            (MONTH, 2024, {"through_month": 4}, Fraction(1, 3)),  # 1–4月 = 33.3%
            (MONTH, 2024, {"through_month": 5}, Fraction(5, 12)),  # 1–5月 = 41.7%
            (MONTH, 2024, {"through_month": 12}, Fraction(1)),
            (MONTH, 2024, {"through_month": 0}, Fraction(0)),  # before January has ended
            (MONTH, 2024, {"as_of": date(2024, 4, 30)}, Fraction(1, 3)),
            (MONTH, 2024, {"as_of": date(2024, 4, 29)}, Fraction(1, 4)),  # April not over
            (MONTH, 2024, {"as_of": date(2025, 1, 5)}, Fraction(1)),  # after the year
            (MONTH, 2024, {"as_of": date(2023, 12, 31)}, Fraction(0)),  # before the year
            # day_linear, counting as_of itself
            (DAY, 2024, {"as_of": date(2024, 4, 30)}, Fraction(121, 366)),  # leap year
            (DAY, 2023, {"as_of": date(2023, 4, 30)}, Fraction(120, 365)),  # common year
            (DAY, 2024, {"as_of": date(2024, 2, 29)}, Fraction(60, 366)),  # leap day
            (DAY, 2024, {"as_of": date(2024, 1, 1)}, Fraction(1, 366)),
            (DAY, 2024, {"as_of": date(2024, 12, 31)}, Fraction(1)),
            (DAY, 2024, {"as_of": date(2025, 1, 3)}, Fraction(1)),  # after the year
            (DAY, 2024, {"through_month": 2}, Fraction(60, 366)),  # Jan + 29 days of Feb
            (DAY, 2023, {"through_month": 2}, Fraction(59, 365)),
            (DAY, 2024, {"through_month": 12}, Fraction(1)),
            # plan_curve: cumulative plan ÷ the year's planned total (2,400)
            (CURVE, 2024, {"through_month": 4}, Fraction(400, 2400)),
            (CURVE, 2024, {"through_month": 7}, Fraction(900, 2400)),
            (CURVE, 2024, {"as_of": date(2024, 7, 15)}, Fraction(600, 2400)),  # July not over
            (CURVE, 2024, {"through_month": 12}, Fraction(1)),
        ]
        for variant, year, when, expected in rows:
            with self.subTest(variant=variant, year=year, **when):
                share = expected_share(variant, year=year, monthly_plan=HALF_AND_HALF, **when)
                self.assertEqual(share, expected)

    def test_it_defaults_to_month_linear(self):
        self.assertEqual(expected_share(year=2024, through_month=6), Fraction(1, 2))

    def test_it_rejects_bad_arguments(self):
        rows = [
            ({"variant": MONTH}, "exactly one"),  # neither month nor date
            ({"through_month": 4, "as_of": date(2024, 4, 30)}, "exactly one"),  # both
            ({"through_month": 13}, "0..12"),
            ({"through_month": -1}, "0..12"),
            ({"variant": "weekly", "through_month": 4}, "unknown schedule variant"),
            ({"variant": CURVE, "through_month": 4}, "12 monthly"),  # no monthly plan
            ({"variant": CURVE, "through_month": 4, "monthly_plan": (D(1),) * 11}, "12 monthly"),
            (
                {"variant": CURVE, "through_month": 4, "monthly_plan": (D(0),) * 12},
                "plan something",
            ),
            (
                {"variant": CURVE, "through_month": 4, "monthly_plan": (D(-1),) + (D(5),) * 11},
                "negative",
            ),
        ]
        for kwargs, message in rows:
            with self.subTest(**kwargs), self.assertRaisesRegex(ValueError, message):
                expected_share(year=2024, **kwargs)

    def test_it_refuses_floats(self):
        with self.assertRaises(TypeError):
            expected_share(CURVE, year=2024, through_month=1, monthly_plan=(0.5,) * 12)


class GapTestCase(SimpleTestCase):
    def test_it_reproduces_the_bulletins(self):
        rows = [
            # 广东某县 2024: 1–4月 31.7% "低于序时进度1.6个百分点"
            (D("0.317"), 4, D("-1.6"), "1.6 percentage points below the time schedule"),
            # same bulletin: 37.5% "高于…4.2个百分点"
            (D("0.375"), 4, D("4.2"), "4.2 percentage points above the time schedule"),
            # 某高新区: 1–5月 50.9% "超时间进度9.2个百分点"
            (D("0.509"), 5, D("9.2"), "9.2 percentage points above the time schedule"),
        ]
        for actual, month, points, text in rows:
            with self.subTest(actual=actual, month=month):
                expected = expected_share(MONTH, year=2024, through_month=month)
                self.assertEqual(gap_points(actual, expected), points)
                self.assertEqual(describe_gap(gap_points(actual, expected)), text)

    def test_it_rounds_half_away_from_zero_and_says_on_schedule_at_zero(self):
        rows = [
            (D("0.3165"), D("0.3"), D("1.7")),  # 1.65 up
            (D("0.2835"), D("0.3"), D("-1.7")),  # -1.65 away from zero
            (D("0.31649"), D("0.3"), D("1.6")),
            (D("0.3335"), Fraction(1, 3), D("0.0")),  # 0.0167 points: on schedule
            (D("0.5"), D("0.5"), D("0.0")),
        ]
        for actual, expected, points in rows:
            with self.subTest(actual=actual, expected=expected):
                self.assertEqual(gap_points(actual, expected), points)
        self.assertEqual(describe_gap(D("0.0")), "on the time schedule")


class CompletionShareTestCase(SimpleTestCase):
    def test_it_divides_exactly(self):
        rows = [
            (D(3500), D(10000), Fraction(7, 20)),
            (D(700), D(3000), Fraction(7, 30)),  # 23.333…%, kept exact
            (D(0), D(100), Fraction(0)),
            (D(120), D(100), Fraction(6, 5)),  # more than the plan
            (D(5), None, None),  # no plan: nothing to divide by
            (D(5), D(0), None),
        ]
        for done, plan, expected in rows:
            with self.subTest(done=done, plan=plan):
                self.assertEqual(completion_share(done, plan), expected)

    def test_it_rejects_a_negative_plan(self):
        with self.assertRaises(ValueError):
            completion_share(D(5), D(-1))


class RoundingTestCase(SimpleTestCase):
    def test_percent_and_round_half_up(self):
        self.assertEqual(percent(Fraction(1, 3)), D("33.3"))
        self.assertEqual(percent(Fraction(5, 12)), D("41.7"))
        self.assertEqual(percent(D("0.0005")), D("0.1"))  # 0.05 rounds up
        self.assertEqual(str(round_half_up(0, 1)), "0.0")

    def test_round_up_cents_never_under_promises(self):
        rows = [
            (D("500"), False, D("500.00")),  # reaching the amount is enough
            (D("500"), True, D("500.01")),  # the amount itself is not enough
            (D("133.3334"), False, D("133.34")),
            (Fraction(400, 3), True, D("133.34")),
            (D("0.001"), False, D("0.01")),
        ]
        for value, strictly_above, expected in rows:
            with self.subTest(value=value, strictly_above=strictly_above):
                self.assertEqual(round_up_cents(value, strictly_above=strictly_above), expected)

    def test_add_months_clamps_to_the_month_end(self):
        rows = [
            (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
            (date(2023, 1, 31), 1, date(2023, 2, 28)),
            (date(2024, 3, 15), 2, date(2024, 5, 15)),
            (date(2024, 11, 30), 3, date(2025, 2, 28)),  # across the year
        ]
        for day, months, expected in rows:
            with self.subTest(day=day, months=months):
                self.assertEqual(add_months(day, months), expected)
