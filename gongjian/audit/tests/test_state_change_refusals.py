"""A state change refused (REFUSALS), or failing part-way (FAILURES: a later step, or the audit
entry itself), leaves neither an audit entry nor a change: the entry is written in the
transaction that makes the change. One row per case; the fixtures are test_state_changes.py's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import time_machine

from gongjian.assessment import review
from gongjian.assessment import services as assessment
from gongjian.assessment.models import PublishedError, ScoreRun
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import snapshot
from gongjian.audit.tests.test_state_changes import TODAY, Fixtures
from gongjian.dispatch import services as dispatch
from gongjian.dispatch.models import Report
from gongjian.test import BaseTestCase


@dataclass
class Refusal:
    name: str
    arrange: Callable  # (test) -> the object
    act: Callable  # (test, object) -> None; raises
    error: type[Exception]
    fields: list[str]  # the object's state, unchanged afterwards


@dataclass
class Failure:
    name: str
    arrange: Callable
    act: Callable
    breaks: str  # what fails: a function patched to raise RuntimeError
    fields: list[str]


def _stale(t, report):
    """Two reviewers at once: the second acts on the copy loaded before the first approved."""
    stale = Report.objects.get(pk=report.pk)
    dispatch.report_approve(actor=t.alice, report=report)
    return stale


REPORT_STATE = ["status", "review_level", "return_count", "is_current"]
REFUSALS = [
    Refusal(
        "submitting_an_accepted_report",
        lambda t: t.accepted(),
        lambda t, r: dispatch.report_submit(actor=t.ursula, report=r),
        dispatch.WorkflowError,
        REPORT_STATE,
    ),
    Refusal(
        "approving_a_report_someone_approved_first",
        lambda t: _stale(t, t.filed()),
        lambda t, r: dispatch.report_approve(actor=t.alice, report=r),
        dispatch.WorkflowError,
        REPORT_STATE,
    ),
    Refusal(
        "returning_a_report_someone_approved_first",
        lambda t: _stale(t, t.filed()),
        lambda t, r: dispatch.report_return(actor=t.alice, report=r, reason="迟到的退回"),
        dispatch.WorkflowError,
        REPORT_STATE,
    ),
    Refusal(
        "returning_without_a_reason",
        lambda t: t.filed(),
        lambda t, r: dispatch.report_return(actor=t.alice, report=r, reason="  "),
        dispatch.WorkflowError,
        REPORT_STATE,
    ),
    Refusal(
        "correcting_a_report_not_accepted",
        lambda t: t.filed(),
        lambda t, r: dispatch.report_start_correction(actor=t.ursula, report=r, reason="漏报"),
        dispatch.WorkflowError,
        REPORT_STATE,
    ),
    Refusal(
        "publishing_twice",
        lambda t: (run := t.computed(), assessment.score_run_publish(run=run, actor=t.alice))[0],
        lambda t, run: assessment.score_run_publish(
            run=ScoreRun.objects.get(pk=run.pk), actor=t.alice
        ),
        PublishedError,
        ["published_at", "published_by"],
    ),
    Refusal(
        "recomputing_a_published_period",
        lambda t: (run := t.computed(), assessment.score_run_publish(run=run, actor=t.alice))[0],
        lambda t, run: t.computed(),
        PublishedError,
        ["published_at", "published_by"],
    ),
    Refusal(
        "opening_an_open_event",
        lambda t: t.opened(),
        lambda t, ev: review.event_open(event=ev, actor=t.alice),
        review.BallotError,
        ["status", "closed_at"],
    ),
    Refusal(
        "closing_an_event_in_preparation",
        lambda t: t.event,
        lambda t, ev: review.event_close(event=ev, actor=t.alice),
        review.BallotError,
        ["status", "closed_at"],
    ),
]


def _broken(*args, **kwargs):
    raise RuntimeError("the write failed")


# A step failing after its entry was written (the lights after an acceptance), or its entry
# failing to be written: either way the transaction leaves no entry and no change.
FAILURES = [
    Failure(
        "acceptance_whose_lights_fail",
        lambda t: t.filed(),
        lambda t, r: dispatch.report_approve(actor=t.alice, report=r),
        "gongjian.dispatch.services.recompute_lights",
        REPORT_STATE,
    ),
    Failure(
        "submit_whose_entry_fails",
        lambda t: t.draft(),
        lambda t, r: dispatch.report_submit(actor=t.ursula, report=r),
        "gongjian.dispatch.services.audit_bulk",
        REPORT_STATE,
    ),
    Failure(
        "return_whose_entry_fails",
        lambda t: t.filed(),
        lambda t, r: dispatch.report_return(actor=t.alice, report=r, reason="缺少照片"),
        "gongjian.dispatch.services.audit_updated",
        REPORT_STATE,
    ),
    Failure(
        "correction_whose_entry_fails",
        lambda t: t.accepted(),
        lambda t, r: dispatch.report_start_correction(actor=t.ursula, report=r, reason="漏报"),
        "gongjian.dispatch.services.audit_created",
        REPORT_STATE,
    ),
    Failure(
        "publish_whose_entry_fails",
        lambda t: t.computed(),
        lambda t, run: assessment.score_run_publish(run=run, actor=t.alice),
        "gongjian.assessment.services.audit_updated",
        ["published_at", "published_by"],
    ),
    Failure(
        "opening_whose_entry_fails",
        lambda t: t.event,
        lambda t, ev: review.event_open(event=ev, actor=t.alice),
        "gongjian.assessment.review.audit_updated",
        ["status", "closed_at"],
    ),
    Failure(
        "closing_whose_entry_fails",
        lambda t: t.opened(),
        lambda t, ev: review.event_close(event=ev, actor=t.alice),
        "gongjian.assessment.review.audit_updated",
        ["status", "closed_at"],
    ),
]


@time_machine.travel(TODAY, tick=False)
class RefusalTests(Fixtures, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build()

    def check(self, row: Refusal | Failure) -> None:
        instance = row.arrange(self)
        state = snapshot(type(instance).objects.get(pk=instance.pk), row.fields)
        count = AuditEntry.objects.count()
        if isinstance(row, Failure):
            patch, error = mock.patch(row.breaks, _broken), RuntimeError
        else:
            patch, error = contextlib.nullcontext(), row.error
        with patch, self.assertRaises(error):
            row.act(self, instance)
        self.assertEqual(AuditEntry.objects.count(), count, f"{row.name}: no entry")
        after = snapshot(type(instance).objects.get(pk=instance.pk), row.fields)
        self.assertEqual(after, state, f"{row.name}: no change")


def _refusal_test(row: Refusal | Failure):
    def test(self):
        self.check(row)

    test.__name__ = f"test_{row.name}"
    test.__doc__ = f"{row.name.replace('_', ' ')}: no entry, no change"
    return test


for _row in [*REFUSALS, *FAILURES]:
    setattr(RefusalTests, f"test_{_row.name}", _refusal_test(_row))
