"""Each worked example of the issue, recomputed by hand here, against the pure functions."""

from __future__ import annotations

from decimal import Decimal

from django.test import SimpleTestCase

from gongjian.assessment import scoring

D = Decimal
# 市重点工程综合奖 2020: 25 points; −0.1 per point below 100%; +0.2 per point from 100% to 130%;
# +0.1 above; capped at ±10.
PLAN_ITEM = {
    "full": 25,
    "below": "0.1",
    "bands": [[100, 130, "0.2"], [130, None, "0.1"]],
    "cap": 10,
}


class RatioToPlanTests(SimpleTestCase):
    def test_worked_examples(self):
        cases = [
            # completed, target, expected points, by hand
            (99, 100, D("24.90"), "25 − 1 × 0.1"),
            (100, 100, D("25.00"), "25"),
            (130, 100, D("31.00"), "25 + 30 × 0.2"),
            (150, 100, D("33.00"), "25 + 30 × 0.2 + 20 × 0.1"),
            (250, 100, D("35.00"), "25 + 6 + 120 × 0.1 = 43 → +10 cap"),
            (0, 100, D("15.00"), "25 − 100 × 0.1 = 15 → −10 cap exactly"),
            (1, 3, D("18.33"), "25 − 66.67 × 0.1"),
        ]
        for value, target, expected, by_hand in cases:
            with self.subTest(f"{value}/{target}: {by_hand}"):
                self.assertEqual(scoring.ratio_to_plan(value, target, PLAN_ITEM).points, expected)

    def test_explanation_and_cap(self):
        score = scoring.ratio_to_plan(250, 100, PLAN_ITEM)
        self.assertIn("250%", score.explanation)
        self.assertIn("±10", score.explanation)
        self.assertIn("+(30 × 0.2)", score.formula)
        self.assertEqual(scoring.ratio_to_plan(5, 0, PLAN_ITEM).points, 0)


class RankBandTests(SimpleTestCase):
    BANDS = [[1, 3, 7], [4, 6, 5], [7, 10, 3]]

    def test_ties_share_a_place_and_its_band(self):
        values = {"a": 90, "b": 80, "c": 80, "d": 80, "e": 70, "f": 60, "g": 60, "h": 10}
        ranks = scoring.competition_ranks(values)
        self.assertEqual(ranks, {"a": 1, "b": 2, "c": 2, "d": 2, "e": 5, "f": 6, "g": 6, "h": 8})
        points = {k: scoring.rank_bands(r, self.BANDS).points for k, r in ranks.items()}
        self.assertEqual(
            points,
            {"a": 7, "b": 7, "c": 7, "d": 7, "e": 5, "f": 5, "g": 5, "h": 3},
        )
        self.assertEqual(scoring.rank_bands(11, self.BANDS).points, 0)

    def test_lower_is_better(self):
        ranks = scoring.competition_ranks({"a": 3, "b": 1, "c": 3}, higher_is_better=False)
        self.assertEqual(ranks, {"b": 1, "a": 2, "c": 2})


class CountTests(SimpleTestCase):
    def test_per_start_with_cap_and_deduction(self):
        starts = {"per": 1, "cap": 10}
        self.assertEqual(scoring.count_points(4, starts).points, 4)
        self.assertEqual(scoring.count_points(12, starts).points, 10)
        self.assertIn("capped", scoring.count_points(12, starts).explanation)
        late = {"per": -3}
        self.assertEqual(scoring.count_points(2, late).points, -6)
        self.assertEqual(scoring.count_points(0, late).points, 0)


class EfficacyTests(SimpleTestCase):
    def test_formula(self):
        # (75 − 50) ÷ (150 − 50) × 40 + 60 = 70
        self.assertEqual(scoring.efficacy(75, 50, 150).points, D("70.00"))
        self.assertEqual(scoring.efficacy(150, 50, 150).points, D("100.00"))
        self.assertEqual(scoring.efficacy(50, 50, 150).points, D("60.00"))
        self.assertEqual(scoring.efficacy(1, 0, 3).points, D("73.33"))

    def test_all_equal_values_score_the_top(self):
        score = scoring.efficacy(42, 42, 42)
        self.assertEqual(score.points, D("100.00"))
        self.assertIn("same value", score.explanation)


class RankVotingTests(SimpleTestCase):
    def test_thirteen_units_weights(self):
        weights = scoring.place_weights(13)
        self.assertEqual(weights[0], 100)
        self.assertEqual(weights[2], 94)
        self.assertEqual(weights[-1], 64)

    def test_score_by_hand(self):
        weights = scoring.place_weights(13)
        # 20 judges: 12 put the unit 1st, 5 put it 2nd, 3 put it 13th.
        # (12×100 + 5×97 + 3×64) ÷ 20 = (1200 + 485 + 192) ÷ 20 = 93.85
        score = scoring.rank_vote_score({1: 12, 2: 5, 13: 3}, weights)
        self.assertEqual(score.points, D("93.85"))
        self.assertEqual(score.formula, "(12×100 + 5×97 + 3×64) ÷ 20")
        self.assertEqual(scoring.rank_vote_score({}, weights).points, 0)
