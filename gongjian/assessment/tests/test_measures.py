"""Indicator values from period facts: filters, sums, counts, shares and rates, rolled up the
unit tree; parameter checking. Pure: the facts are built by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import SimpleTestCase

from gongjian.assessment import measures


def row(unit, total=100, plan=50, completed=20, level="city", flags=(), **extra):
    values = {
        "unit_id": unit,
        "total": Decimal(total),
        "plan": Decimal(plan),
        "completed": Decimal(completed),
        "level": level,
        "created_year": 2026,
        "stage": "construction",
        "flags": frozenset(flags),
        "started": False,
        "completed_in_year": False,
        "late_start": False,
    } | extra
    return measures.Row(**values)


class Indicator:
    def __init__(self, measure, params):
        self.measure, self.params = measure, params


# A county (1) with two towns (2, 3); another county (4).
PATHS = {1: "000001/", 2: "000001/000002/", 3: "000001/000003/", 4: "000004/"}
FACTS = measures.PeriodFacts(
    year=2026,
    end=datetime.date(2026, 9, 30),
    rows=[
        row(
            2,
            total=20000,
            completed=300,
            level="province",
            flags={"is_manufacturing"},
            started=True,
        ),
        row(2, total=5000, completed=100, flags={"in_park"}),
        row(
            3,
            total=15000,
            completed=600,
            level="county",
            flags={"is_manufacturing", "in_park"},
            late_start=True,
            created_year=2025,
        ),
        row(4, total=8000, completed=0, flags={"in_park"}, started=True),
    ],
    unit_paths=PATHS,
    rates={"problems_on_time": {2: (3, 4), 3: (1, 4)}, "filing_on_time": {}},
)


class MeasureTests(SimpleTestCase):
    def values(self, measure, params, units=(1, 2, 3, 4)):
        return measures.values_for(Indicator(measure, params), FACTS, list(units))

    def test_sums_roll_up_the_tree(self):
        values = self.values("sum", {"of": "completed_ytd"})
        self.assertEqual(values, {1: 1000, 2: 400, 3: 600, 4: 0})

    def test_filters(self):
        provincial_city = {"of": "completed_ytd", "where": {"levels": ["province", "city"]}}
        self.assertEqual(self.values("sum", provincial_city)[1], 400)
        big_new = {
            "of": "total_investment",
            "where": {"min_total_investment": 10000, "created_in_year": True},
        }
        self.assertEqual(self.values("sum", big_new)[1], 20000)  # 15000 was created in 2025

    def test_counts(self):
        self.assertEqual(self.values("count", {"of": "starts"}), {1: 1, 2: 1, 3: 0, 4: 1})
        self.assertEqual(self.values("count", {"of": "late_starts"})[1], 1)
        self.assertEqual(self.values("count", {"of": "projects"})[1], 3)

    def test_shares_divide_the_rolled_up_parts(self):
        parks = {"of": "projects", "part": {"flags": ["in_park"]}}
        values = self.values("share", parks)
        self.assertEqual(values[1], Decimal(2) / 3 * 100)  # 2 of the county's 3 projects
        self.assertEqual(values[4], 100)
        manufacturing = {"of": "completed_ytd", "part": {"flags": ["is_manufacturing"]}}
        self.assertEqual(self.values("share", manufacturing)[1], Decimal(90))  # 900 of 1000
        self.assertIsNone(self.values("share", manufacturing, units=[4])[4])  # 0 ÷ 0

    def test_rates_roll_up_numerator_and_denominator(self):
        values = self.values("rate", {"of": "problems_on_time"})
        self.assertEqual(values[1], Decimal(50))  # (3 + 1) ÷ (4 + 4)
        self.assertEqual(values[2], Decimal(75))
        self.assertIsNone(values[4])  # nothing closed: no rate, not 0%

    def test_params_errors(self):
        cases = [
            ("sum", {"of": "projects"}, "of"),
            ("count", {"of": "starts", "where": {"colour": "red"}}, "where"),
            ("share", {"of": "projects"}, "part"),
            ("share", {"of": "projects", "part": {"flags": ["shiny"]}}, "flag"),
            ("rate", {"of": "completed_ytd"}, "of"),
        ]
        for measure, params, word in cases:
            with self.subTest(params=params):
                self.assertIn(word, measures.params_error(measure, params))
        self.assertIsNone(measures.params_error("sum", {"of": "completed_ytd"}))
