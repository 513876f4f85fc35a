"""One rounding, half up, from the exact value: the table of cases every output relies on."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from fractions import Fraction

from django.test import SimpleTestCase

from gongjian.dispatch.rules import schedule
from gongjian.lib.figures_format import (
    day,
    percent,
    percent_of,
    percentage_points,
    point_gap,
    round_half_up,
    wan,
    yi,
)
from gongjian.projects.templatetags import gongjian_format

D = Decimal
F = Fraction


class RoundingTests(SimpleTestCase):
    def test_yi(self):
        for amount, value, text in (
            (2139050, D("213.91"), "213.91"),  # 213.905: half up (half even gave 213.90)
            (D("2139050.00"), D("213.91"), "213.91"),
            (D("2139049.99"), D("213.90"), "213.90"),
            # Once, from the exact value: 213.9049996 is 213.90, although 2,139,049.996 万元
            # rounded to cents first (2,139,050.00) would have given 213.91.
            (D("2139049.996"), D("213.90"), "213.90"),
            (D("28355.67"), D("2.84"), "2.84"),
            (D("28350"), D("2.84"), "2.84"),  # 2.835
            (D("28349.99"), D("2.83"), "2.83"),
            (-2139050, D("-213.91"), "-213.91"),  # halves go away from zero
            (D("-0.4"), D("0.00"), "0.00"),  # no "-0.00"
            (0, D("0.00"), "0.00"),
            (D("123456789"), D("12345.68"), "12,345.68"),
            (F(10000, 3), D("0.33"), "0.33"),
        ):
            with self.subTest(amount=amount):
                shown = yi(amount)
                self.assertEqual((shown.value, shown.text), (value, text))
                self.assertEqual(str(shown.value), str(value))  # two places, always

    def test_wan(self):
        for amount, trim, text in (
            (D("2139050.00"), True, "2,139,050"),
            (D("2139050.00"), False, "2,139,050.00"),
            (D("12345.6"), True, "12,345.6"),
            (D("12345.60"), False, "12,345.60"),
            (D("0.005"), True, "0.01"),
            (D("-0.005"), True, "-0.01"),
            (D("1234567.125"), False, "1,234,567.13"),
            (D("100"), True, "100"),
            (0, True, "0"),
            (0, False, "0.00"),
            (F(1, 3), False, "0.33"),
        ):
            with self.subTest(amount=amount, trim=trim):
                self.assertEqual(wan(amount, trim=trim).text, text)
        self.assertEqual(wan(D("0.005")).value, D("0.01"))

    def test_percent(self):
        for part, whole, places, text in (
            (2139050, 6844960, 1, "31.3"),  # exactly 31.25: half up (half even gave 31.2)
            (1, 3, 1, "33.3"),
            (2, 3, 1, "66.7"),
            (-1, 8, 1, "-12.5"),
            (-1, 16, 1, "-6.3"),  # -6.25
            (0, 5, 1, "0.0"),
            (5, 4, 1, "125.0"),
            (12345, 1, 1, "1,234,500.0"),
            (D("12355.67"), D("60000"), 1, "20.6"),
            (1, 800, 2, "0.13"),  # 0.125 at two places (a stored share)
            (1, 8, 2, "12.50"),
        ):
            with self.subTest(part=part, whole=whole, places=places):
                self.assertEqual(percent(part, whole, places).text, text)

    def test_percent_without_a_whole_is_none(self):
        for whole in (None, 0, D("0.00"), F(0)):
            with self.subTest(whole=whole):
                self.assertIsNone(percent(1, whole))

    def test_percent_of_a_share(self):
        for share, text in (
            (F(1, 3), "33.3"),
            (F(5, 16), "31.3"),
            (F(1, 4), "25.0"),
            (F(5, 12), "41.7"),
            (F(-33, 2000), "-1.7"),  # -1.65
            (1, "100.0"),
        ):
            with self.subTest(share=share):
                self.assertEqual(percent_of(share).text, text)

    def test_percentage_points_are_signed(self):
        for points, text in (
            (F(25, 4), "+6.3"),
            (F(-33, 20), "-1.7"),
            (F(-1, 100), "0.0"),  # -0.01 is no "-0.0"
            (0, "0.0"),
            (D("0.05"), "+0.1"),
        ):
            with self.subTest(points=points):
                self.assertEqual(percentage_points(points).text, text)

    def test_a_gap_is_rounded_once_from_the_exact_shares(self):
        # 31.249% against 25.05%: 6.199 points. The rounded shares (31.2, 25.1) would say 6.1.
        gap = point_gap(F(31249, 100000), F(2505, 10000))
        self.assertEqual((gap.value, gap.text), (D("6.2"), "+6.2"))
        self.assertEqual(point_gap(F(5, 16), F(1, 4)).text, "+6.3")

    def test_floats_and_text_are_refused(self):
        for bad in (213.905, True, "213.905", None):
            with self.subTest(bad=bad), self.assertRaises(TypeError):
                yi(bad)
        with self.assertRaises(TypeError):
            percent(1.0, 2)
        with self.assertRaises(TypeError):
            round_half_up(0.5, 0)

    def test_json_numbers_carry_the_same_digits(self):
        for shown, written in (
            (yi(2139050), "213.91"),
            (percent(2139050, 6844960), "31.3"),
            (wan(D("6583.333")), "6583.33"),
            (yi(0), "0.0"),
        ):
            with self.subTest(written=written):
                self.assertEqual(json.dumps(shown.number), written)
        self.assertEqual(f"完成投资{yi(2139050)}亿元", "完成投资213.91亿元")

    def test_dates(self):
        self.assertEqual(day(datetime.date(2026, 3, 1)), "2026-03-01")
        self.assertEqual(day(None), "")


class CallersTests(SimpleTestCase):
    """The template filters and the rules' helpers are this module underneath."""

    def test_template_filters(self):
        for value, wan_text, yi_text in (
            (D("2139050"), "2,139,050", "213.91"),
            ("12345.60", "12,345.6", "1.23"),
            (2139050.0, "2,139,050", "213.91"),  # a float as it prints, not its binary value
            (28350, "28,350", "2.84"),
            (None, "", ""),
            ("", "", ""),
        ):
            with self.subTest(value=value):
                self.assertEqual(gongjian_format.wan(value), wan_text)
                self.assertEqual(gongjian_format.yi(value), yi_text)

    def test_the_schedule_rules_round_here(self):
        self.assertEqual(schedule.percent(F(5, 16)), D("31.3"))
        self.assertEqual(schedule.gap_points(F(31249, 100000), F(2505, 10000)), D("6.2"))
        self.assertEqual(schedule.share_decimal(F(1, 3)), D("0.3333"))
        self.assertIs(schedule.round_half_up, round_half_up)
