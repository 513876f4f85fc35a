"""Light rules for events (start slip, 纳统, missing reports) and evaluate(); the helpers here
are shared with test_rules_progress.py."""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal

from django.test import SimpleTestCase
from django.utils import translation

from gongjian.dispatch.rules.lights import (
    BLUE,
    GREEN,
    PRESETS,
    RED,
    YELLOW,
    ProjectFacts,
    RuleSet,
    evaluate,
)

D = Decimal
date = datetime.date
END_OF_JUNE = date(2024, 6, 30)  # 1–6月: month_linear 序时 = 50%


def facts(**changes) -> ProjectFacts:
    """A started, registered, filed project, on schedule at the end of June 2024."""
    base = ProjectFacts(
        as_of=END_OF_JUNE,
        year=2024,
        period_month=6,
        total_investment=D(50000),
        annual_plan=D(10000),
        completed_ytd=D(5000),
        planned_start=date(2024, 2, 1),
        actual_start=date(2024, 2, 1),
        stats_registered=True,
    )
    return dataclasses.replace(base, **changes)


def only(kind: str, scheme: str = "red_yellow_blue", **params) -> RuleSet:
    """A rule set with the preset's rule of `kind`, thresholds overridable."""
    preset_params = next(p for preset in PRESETS.values() for k, p in preset.rules if k == kind)
    rule = {"kind": kind, "params": {**preset_params, **params}}
    return RuleSet.from_dict({"name": kind, "scheme": scheme, "rules": [rule]})


def finding_of(light, kind):
    return next(f for f in light.findings if f.rule == kind)


class StartSlipTestCase(SimpleTestCase):
    """银川: not started in the planned month = yellow; 3 months in a row = red."""

    def test_it_counts_the_months_ended_without_a_start(self):
        planned = date(2024, 4, 10)
        rows = [
            # (as_of, months ended without a start, colour or None)
            (date(2024, 3, 31), 0, None),  # before the planned month
            (date(2024, 4, 20), 0, None),  # the planned month is not over
            (date(2024, 4, 30), 1, YELLOW),  # month 0 after: April is over, no start
            (date(2024, 5, 31), 2, YELLOW),  # month 1 after
            (date(2024, 6, 29), 2, YELLOW),  # June not over yet
            (date(2024, 6, 30), 3, RED),  # month 2 after: the third month of the slip
            (date(2024, 7, 31), 4, RED),  # month 3 after
            (date(2024, 8, 31), 5, RED),  # month 4 after
        ]
        for as_of, slipped, colour in rows:
            with self.subTest(as_of=as_of):
                project = facts(
                    as_of=as_of, period_month=None, planned_start=planned, actual_start=None
                )
                light = evaluate(project, only("start_slip"))
                findings = [f for f in light.findings if f.rule == "start_slip"]
                if colour is None:
                    self.assertEqual(findings, [])
                    continue
                self.assertEqual(findings[0].colour, colour)
                self.assertEqual(findings[0].numbers["months_slipped"], slipped)
                self.assertEqual(findings[0].clear_hint, "start the project")

    def test_a_started_project_does_not_slip(self):
        rows = [
            (
                facts(planned_start=date(2024, 1, 5), actual_start=date(2024, 5, 2)),
                None,
            ),  # late start
            (facts(planned_start=date(2024, 1, 5), actual_start=None, has_started=True), None),
            (facts(planned_start=None, actual_start=None), None),  # no plan to slip from
            # a start recorded after as_of had not happened yet
            (facts(planned_start=date(2024, 1, 5), actual_start=date(2024, 7, 2)), RED),
        ]
        for project, colour in rows:
            with self.subTest(project=project):
                light = evaluate(project, only("start_slip"))
                self.assertEqual([f.colour for f in light.findings], [colour] if colour else [])

    def test_it_explains(self):
        project = facts(planned_start=date(2024, 4, 10), actual_start=None)
        finding = evaluate(project, only("start_slip")).findings[0]
        self.assertEqual(
            finding.message,
            "planned to start in 2024-04, not started after 3 months"
            " (yellow from month 1 of a slip, red from month 3)",
        )


class StatsRegistrationTestCase(SimpleTestCase):
    """银川: started and not registered (纳统) 1 month after the start = yellow, over 2 = red."""

    def test_it_colours_by_time_since_the_start(self):
        start = date(2024, 3, 15)
        rows = [
            (date(2024, 3, 31), None),
            (date(2024, 4, 15), None),  # exactly 1 month: still in time
            (date(2024, 4, 16), YELLOW),  # more than 1 month
            (date(2024, 5, 15), YELLOW),  # exactly 2 months
            (date(2024, 5, 16), RED),  # more than 2 months
            (date(2024, 9, 30), RED),
        ]
        for as_of, colour in rows:
            with self.subTest(as_of=as_of):
                project = facts(
                    as_of=as_of, period_month=None, actual_start=start, stats_registered=False
                )
                light = evaluate(project, only("stats_registration"))
                self.assertEqual([f.colour for f in light.findings], [colour] if colour else [])

    def test_month_lengths_are_calendar_months(self):
        rows = [
            (date(2024, 2, 29), None),  # 31 January + 1 month = 29 February (leap year)
            (date(2024, 3, 1), YELLOW),
        ]
        for as_of, colour in rows:
            with self.subTest(as_of=as_of):
                project = facts(as_of=as_of, actual_start=date(2024, 1, 31), stats_registered=False)
                light = evaluate(project, only("stats_registration"))
                self.assertEqual([f.colour for f in light.findings], [colour] if colour else [])

    def test_it_skips_registered_small_and_unstarted_projects(self):
        rows = [
            (facts(stats_registered=True), []),
            (facts(stats_registered=False, stats_registered_on=date(2024, 3, 1)), []),
            # registered after as_of: it was not registered yet
            (facts(stats_registered=False, stats_registered_on=date(2024, 7, 2)), [RED]),
            (facts(stats_registered=False, total_investment=D(499)), []),  # under 500万元
            (facts(stats_registered=False, total_investment=D(500)), [RED]),
            (facts(stats_registered=False, total_investment=None), [RED]),
            (facts(stats_registered=False, actual_start=None), []),  # not started
            (facts(stats_registered=False, actual_start=date(2024, 7, 1)), []),  # starts later
        ]
        for project, colours in rows:
            with self.subTest(project=project):
                light = evaluate(project, only("stats_registration"))
                self.assertEqual([f.colour for f in light.findings], colours)

    def test_it_does_not_judge_without_a_start_date(self):
        project = facts(actual_start=None, has_started=True, stats_registered=False)
        light = evaluate(project, only("stats_registration"))
        self.assertEqual(light.colour, BLUE)
        self.assertEqual(
            light.not_judged[0].message, "start date unknown, statistical registration not judged"
        )

    def test_it_explains(self):
        project = facts(stats_registered=False)
        finding = evaluate(project, only("stats_registration")).findings[0]
        self.assertEqual(
            finding.message,
            "started on 2024-02-01 and not registered with statistics (纳统) by 2024-06-30"
            " (yellow after the 1-month mark from the start, red after the 2-month mark)",
        )
        self.assertEqual(finding.clear_hint, "register it with statistics")


class MissingFilingTestCase(SimpleTestCase):
    def test_it_colours_by_periods_missed_in_a_row(self):
        rows = [
            (0, GREEN, ""),
            (1, YELLOW, "File the missing report"),
            (2, RED, "File the missing reports"),
            (3, RED, "File the missing reports"),
        ]
        for missed, colour, hint in rows:
            with self.subTest(missed=missed):
                light = evaluate(facts(missed_periods_in_a_row=missed), PRESETS["wuhan_ratio"])
                self.assertEqual(light.colour, colour)
                self.assertEqual(light.clear_hint, hint)


class EvaluateTestCase(SimpleTestCase):
    def test_the_best_colour_depends_on_the_scheme(self):
        rows = [
            ("default", BLUE),
            ("yinchuan_gap", GREEN),
            ("wuhan_ratio", GREEN),
            ("nanning_plan_curve", GREEN),
        ]
        for preset, colour in rows:
            with self.subTest(preset=preset):
                light = evaluate(
                    facts(monthly_plan=(D(1000),) * 12, completed_ytd=D(6000)), PRESETS[preset]
                )
                self.assertEqual(light.colour, colour)
                self.assertEqual(light.findings, [])
                self.assertEqual(light.explanation, "Every rule passes")
                self.assertEqual(light.clear_hint, "")

    def test_the_worst_finding_decides_and_names_every_hint_for_it(self):
        project = facts(
            completed_ytd=D(3500),  # yellow
            planned_start=date(2024, 1, 1),
            actual_start=None,  # red: 6 months without a start
            missed_periods_in_a_row=2,  # red
        )
        light = evaluate(project, PRESETS["default"])
        self.assertEqual(light.colour, RED)
        self.assertEqual([f.colour for f in light.findings], [YELLOW, RED, RED])
        self.assertEqual(light.clear_hint, "Start the project; file the missing reports")
        self.assertEqual(light.explanation.count("; "), 2)

    def test_it_serialises_to_json(self):
        project = facts(completed_ytd=D(3500), stats_registered=False)
        data = evaluate(project, PRESETS["default"]).to_dict()
        again = json.loads(json.dumps(data))
        self.assertEqual(again["colour"], "red")
        self.assertEqual(again["findings"][0]["numbers"]["amount_to_clear"], "500.01")
        self.assertEqual(again["findings"][1]["numbers"]["actual_start"], "2024-02-01")
        self.assertEqual(
            set(again["findings"][0]),
            {"rule", "colour", "numbers", "message", "clear_hint", "judged"},
        )

    def test_every_message_goes_through_gettext_with_its_placeholders(self):
        project = facts(completed_ytd=D(3500), stats_registered=False, missed_periods_in_a_row=1)
        with translation.override("zh-hans"):
            light = evaluate(project, PRESETS["default"])
        self.assertIn("500.01", light.findings[0].clear_hint)
        self.assertIn("2024-02-01", light.findings[1].message)

    def test_preset_descriptions_name_their_city(self):
        rows = [
            ("yinchuan_gap", "银川"),
            ("wuhan_ratio", "武汉"),
            ("nanning_plan_curve", "南宁"),
            ("default", "银川"),
        ]
        for preset, city in rows:
            with self.subTest(preset=preset):
                self.assertIn(city, str(PRESETS[preset].description))

    def test_facts_reject_impossible_values(self):
        rows = [
            {"period_month": 13},
            {"period_month": 0},
            {"missed_periods_in_a_row": -1},
            {"annual_plan": D(-1)},
            {"monthly_plan": (D(1),) * 11},
            {"monthly_plan": (D(-1),) + (D(1),) * 11},
        ]
        for changes in rows:
            with self.subTest(**changes), self.assertRaises(ValueError):
                facts(**changes)
