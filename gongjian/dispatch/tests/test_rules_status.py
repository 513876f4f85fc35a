"""MoSPI-style schedule status (gongjian.dispatch.rules.status)."""

from __future__ import annotations

import datetime
import json

from django.test import SimpleTestCase

from gongjian.dispatch.rules.schedule import add_months
from gongjian.dispatch.rules.status import EndBasis, ScheduleState, delay_bucket, schedule_status

date = datetime.date
PLANNED = date(2020, 6, 30)
LATER = date(2030, 1, 1)  # an as_of after every completion below


class DelayBucketTestCase(SimpleTestCase):
    def test_it_uses_the_flash_report_classes(self):
        rows = [
            (-3, None),  # ahead
            (0, None),  # on schedule
            (1, "1-12"),
            (12, "1-12"),
            (13, "13-24"),
            (24, "13-24"),
            (25, "25-60"),
            (60, "25-60"),
            (61, "61+"),
            (240, "61+"),
        ]
        for months, bucket in rows:
            with self.subTest(months=months):
                self.assertEqual(delay_bucket(months), bucket)


class ScheduleStatusTestCase(SimpleTestCase):
    def test_it_counts_whole_calendar_months_against_the_plan(self):
        rows = [
            # (completed on, status, months, bucket)
            (date(2020, 6, 1), ScheduleState.ON_SCHEDULE, 0, None),  # same month
            (date(2020, 5, 31), ScheduleState.AHEAD, -1, None),
            (date(2019, 6, 30), ScheduleState.AHEAD, -12, None),
            (date(2020, 7, 1), ScheduleState.DELAYED, 1, "1-12"),  # one day, one month late
            (add_months(PLANNED, 12), ScheduleState.DELAYED, 12, "1-12"),
            (add_months(PLANNED, 13), ScheduleState.DELAYED, 13, "13-24"),
            (add_months(PLANNED, 24), ScheduleState.DELAYED, 24, "13-24"),
            (add_months(PLANNED, 25), ScheduleState.DELAYED, 25, "25-60"),
            (add_months(PLANNED, 60), ScheduleState.DELAYED, 60, "25-60"),
            (add_months(PLANNED, 61), ScheduleState.DELAYED, 61, "61+"),
        ]
        for completed_on, status, months, bucket in rows:
            with self.subTest(completed_on=completed_on):
                result = schedule_status(
                    as_of=LATER, planned_end_original=PLANNED, completed_on=completed_on
                )
                self.assertEqual(result.end_basis, EndBasis.COMPLETED)
                for baseline in (result.original, result.latest):  # no revision: both the same
                    self.assertEqual(baseline.status, status)
                    self.assertEqual(baseline.months, months)
                    self.assertEqual(baseline.delay_months, max(months, 0))
                    self.assertEqual(baseline.bucket, bucket)

    def test_it_compares_with_the_original_and_the_latest_plan(self):
        result = schedule_status(
            as_of=LATER,
            planned_end_original=PLANNED,
            planned_end_latest=date(2022, 6, 30),
            completed_on=date(2022, 8, 10),
        )
        self.assertEqual(
            (result.original.status, result.original.delay_months, result.original.bucket),
            (ScheduleState.DELAYED, 26, "25-60"),
        )
        self.assertEqual(
            (result.latest.status, result.latest.delay_months, result.latest.bucket),
            (ScheduleState.DELAYED, 2, "1-12"),
        )
        self.assertEqual(
            result.explanation,
            "Completed on 2022-08-10; 26 months late against the original schedule (2020-06);"
            " 2 months late against the latest schedule (2022-06)",
        )

    def test_it_picks_the_date_to_compare(self):
        as_of = date(2024, 6, 30)
        rows = [
            # (expected_end, completed_on, compared end, basis)
            (date(2025, 3, 1), None, date(2025, 3, 1), EndBasis.FORECAST),
            (None, None, date(2024, 12, 31), EndBasis.LATEST_PLAN),  # no forecast
            # the forecast has passed without completion: it ends no earlier than as_of
            (date(2024, 3, 31), None, as_of, EndBasis.OVERDUE),
            (date(2024, 3, 31), date(2024, 5, 2), date(2024, 5, 2), EndBasis.COMPLETED),
            # a completion recorded after as_of had not happened yet
            (date(2024, 9, 1), date(2024, 9, 15), date(2024, 9, 1), EndBasis.FORECAST),
        ]
        for expected_end, completed_on, end, basis in rows:
            with self.subTest(expected_end=expected_end, completed_on=completed_on):
                result = schedule_status(
                    as_of=as_of,
                    planned_end_original=date(2024, 3, 31),
                    planned_end_latest=date(2024, 12, 31),
                    expected_end=expected_end,
                    completed_on=completed_on,
                )
                self.assertEqual((result.end, result.end_basis), (end, basis))

    def test_an_unfinished_project_past_both_plans_is_delayed(self):
        result = schedule_status(
            as_of=date(2024, 6, 30),
            planned_end_original=date(2023, 12, 31),
            planned_end_latest=date(2024, 3, 31),
        )
        self.assertEqual(result.end_basis, EndBasis.OVERDUE)
        self.assertEqual((result.original.delay_months, result.latest.delay_months), (6, 3))
        self.assertTrue(result.explanation.startswith("Not finished by 2024-06-30; 6 months late"))

    def test_it_explains_ahead_and_on_schedule(self):
        result = schedule_status(
            as_of=LATER,
            planned_end_original=date(2024, 6, 30),
            planned_end_latest=date(2024, 5, 31),
            completed_on=date(2024, 5, 3),
        )
        self.assertEqual(
            result.explanation,
            "Completed on 2024-05-03; 1 month ahead of the original schedule (2024-06);"
            " on the latest schedule (2024-05)",
        )

    def test_it_serialises_to_json(self):
        result = schedule_status(as_of=date(2024, 6, 30), planned_end_original=date(2023, 12, 31))
        data = json.loads(json.dumps(result.to_dict()))
        self.assertEqual(data["original"]["status"], "delayed")
        self.assertEqual(data["original"]["bucket"], "1-12")
        self.assertEqual(data["end_basis"], "overdue")
