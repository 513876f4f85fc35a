"""RuleSet.from_dict validation (errors name the field) and the presets as data."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal

from django.test import SimpleTestCase

from gongjian.dispatch.rules.lights import PRESETS, RuleSet, Scheme, resolve_rule_set

VALID = {
    "name": "test",
    "scheme": "red_yellow_green",
    "rules": [
        {"kind": "gap_to_schedule", "params": {"yellow_points": 10, "red_points": 30}},
        {"kind": "start_slip", "params": {"yellow_months": 1, "red_months": 3}},
        {"kind": "ratio_to_schedule", "params": {"red_ratio": 0.6, "yellow_ratio": 0.8}},
        {"kind": "plan_curve", "params": {"behind_ratio": "0.95", "ahead_ratio": "1.05"}},
    ],
}


def changed(path: str, value) -> dict:
    """VALID with the value at a dotted path ("rules.0.params.red_points") replaced;
    value DELETE removes the key."""
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        last = int(last)
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


class FromDictTestCase(SimpleTestCase):
    def test_it_accepts_valid_data_and_fills_defaults(self):
        rule_set = RuleSet.from_dict(VALID)
        self.assertEqual(rule_set.scheme, Scheme.RED_YELLOW_GREEN)
        gap = rule_set.rules[0]
        self.assertEqual(gap.kind, "gap_to_schedule")
        self.assertEqual(
            dict(gap.params),
            {"yellow_points": Decimal(10), "red_points": Decimal(30), "variant": "month_linear"},
        )
        ratio = rule_set.rules[2].params
        self.assertEqual(ratio["red_ratio"], Decimal("0.6"))  # a JSON float, taken as typed
        self.assertEqual(rule_set.rules[3].params["behind_colour"], "yellow")

    def test_it_names_the_wrong_field(self):
        rows = [
            # (data, start of the error message)
            ([], "rule set: must be a mapping"),
            (changed("name", DELETE), "name: is missing"),
            (changed("name", "  "), "name: is missing"),
            (changed("scheme", DELETE), "scheme: is missing"),
            (changed("scheme", "traffic_light"), "scheme: unknown scheme 'traffic_light'"),
            (changed("colour", "red"), "colour: unknown field"),
            (changed("description", 5), "description: must be text"),
            (changed("rules", []), "rules: must be a non-empty list"),
            (changed("rules", "gap"), "rules: must be a non-empty list"),
            (changed("rules.1", "start_slip"), "rules[1]: must be a mapping"),
            (changed("rules.1.kind", "weather"), "rules[1].kind: unknown rule kind 'weather'"),
            (changed("rules.1.kind", DELETE), "rules[1].kind: is missing"),
            (changed("rules.1.when", "always"), "rules[1].when: unknown field"),
            (changed("rules.0.params", [10, 30]), "rules[0].params: must be a mapping"),
            (
                changed("rules.0.params.yelow_points", 5),
                "rules[0].params.yelow_points: unknown parameter",
            ),
            # thresholds: missing, negative, not numbers
            (
                changed("rules.0.params.red_points", DELETE),
                "rules[0].params.red_points: is missing",
            ),
            (changed("rules.0.params.red_points", None), "rules[0].params.red_points: is missing"),
            (
                changed("rules.0.params.red_points", -30),
                "rules[0].params.red_points: must not be negative",
            ),
            (
                changed("rules.0.params.yellow_points", "ten"),
                "rules[0].params.yellow_points: must be a number",
            ),
            (
                changed("rules.0.params.yellow_points", True),
                "rules[0].params.yellow_points: must be a number",
            ),
            (
                changed("rules.0.params.yellow_points", [10]),
                "rules[0].params.yellow_points: must be a number",
            ),
            (
                changed("rules.0.params.yellow_points", "NaN"),
                "rules[0].params.yellow_points: must be a finite",
            ),
            (
                changed("rules.2.params.yellow_ratio", "-0.8"),
                "rules[2].params.yellow_ratio: must not be negative",
            ),
            # thresholds in the wrong order
            (
                changed("rules.0.params.yellow_points", 30),
                "rules[0].params.yellow_points: must be less than red_points",
            ),
            (
                changed("rules.0.params.yellow_points", 40),
                "rules[0].params.yellow_points: must be less than red_points",
            ),
            (
                changed("rules.2.params.red_ratio", 0.8),
                "rules[2].params.red_ratio: must be less than yellow_ratio",
            ),
            (
                changed("rules.3.params.behind_ratio", 1.1),
                "rules[3].params.behind_ratio: must be less than ahead_ratio",
            ),
            (
                changed("rules.1.params.yellow_months", 3),
                "rules[1].params.yellow_months: must be less than red_months",
            ),
            # counts and choices
            (
                changed("rules.1.params.red_months", 2.5),
                "rules[1].params.red_months: must be a whole number",
            ),
            (
                changed("rules.1.params.yellow_months", 0),
                "rules[1].params.yellow_months: must be at least 1",
            ),
            (
                changed("rules.0.params.variant", "weekly"),
                "rules[0].params.variant: unknown variant 'weekly'",
            ),
            (
                changed("rules.3.params.behind_colour", "blue"),
                "rules[3].params.behind_colour: must be red or yellow",
            ),
        ]
        for data, message in rows:
            with self.subTest(message=message):
                with self.assertRaisesRegex(ValueError, "^" + re.escape(message)):
                    RuleSet.from_dict(data)

    def test_counts_may_be_written_as_whole_numbers_of_any_type(self):
        for value in (3, 3.0, "3", Decimal("3.00")):
            with self.subTest(value=value):
                rule_set = RuleSet.from_dict(changed("rules.1.params.red_months", value))
                self.assertEqual(rule_set.rules[1].params["red_months"], 3)
                self.assertIs(type(rule_set.rules[1].params["red_months"]), int)

    def test_params_cannot_be_changed_in_place(self):
        with self.assertRaises(TypeError):
            PRESETS["default"].rules[0].params["yellow_points"] = Decimal(1)


class ToDictTestCase(SimpleTestCase):
    def test_every_preset_round_trips_through_json(self):
        for name, preset in PRESETS.items():
            with self.subTest(preset=name):
                text = json.dumps(preset.to_dict())
                self.assertNotRegex(text, r"\d\.\d+[,}]")  # no floats: thresholds are strings
                again = RuleSet.from_dict(json.loads(text))
                self.assertEqual(again.rules, preset.rules)
                self.assertEqual(again.scheme, preset.scheme)
                self.assertEqual(again.name, name)

    def test_presets_hold_the_cities_thresholds(self):
        rows = [
            (
                "yinchuan_gap",
                "red_yellow_green",
                ["gap_to_schedule", "start_slip", "stats_registration", "missing_filing"],
            ),
            ("wuhan_ratio", "red_yellow_green", ["ratio_to_schedule", "missing_filing"]),
            ("nanning_plan_curve", "red_yellow_green", ["plan_curve"]),
            (
                "default",
                "red_yellow_blue",
                ["gap_to_schedule", "start_slip", "stats_registration", "missing_filing"],
            ),
        ]
        for name, scheme, kinds in rows:
            with self.subTest(preset=name):
                self.assertEqual(PRESETS[name].scheme, scheme)
                self.assertEqual([rule.kind for rule in PRESETS[name].rules], kinds)
        yinchuan = dict(PRESETS["yinchuan_gap"].rules[0].params)
        self.assertEqual((yinchuan["yellow_points"], yinchuan["red_points"]), (10, 30))
        wuhan = dict(PRESETS["wuhan_ratio"].rules[0].params)
        self.assertEqual(
            (wuhan["red_ratio"], wuhan["yellow_ratio"]), (Decimal("0.6"), Decimal("0.8"))
        )
        nanning = dict(PRESETS["nanning_plan_curve"].rules[0].params)
        self.assertEqual(
            (nanning["behind_ratio"], nanning["ahead_ratio"]), (Decimal("0.95"), Decimal("1.05"))
        )


class ResolveTestCase(SimpleTestCase):
    def test_own_data_wins_over_the_preset(self):
        self.assertIs(resolve_rule_set("wuhan_ratio", {}), PRESETS["wuhan_ratio"])
        self.assertIs(resolve_rule_set("wuhan_ratio", None), PRESETS["wuhan_ratio"])
        self.assertEqual(resolve_rule_set("wuhan_ratio", VALID).name, "test")

    def test_it_names_an_unknown_preset(self):
        with self.assertRaisesRegex(ValueError, "^rule_preset: unknown preset 'lisbon'"):
            resolve_rule_set("lisbon")
