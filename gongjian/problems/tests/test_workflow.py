"""The problem workflow through its services: every transition, refused transitions, deadlines
on the official calendar, extensions, rating and reopening, escalation and the 督办单."""

from __future__ import annotations

import contextlib
import datetime
import threading
import unittest

import time_machine
from django.db import connection
from django.test import TransactionTestCase

from gongjian.audit.models import AuditEntry
from gongjian.inbox.models import Notification
from gongjian.problems import services
from gongjian.problems.escalation import escalate_overdue
from gongjian.problems.models import (
    Action,
    ExtensionRequest,
    Problem,
    ProblemCategory,
    Rating,
    Source,
    Status,
)
from gongjian.test import BaseTestCase, Personas

D = datetime.date
ASSIGNED_ON = D(2026, 9, 30)  # the day before National Day: deadlines cross the holiday


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour), tick=False)


class ProblemFixtures:
    def commits(self):
        """Run on-commit callbacks (notices) inside TestCase; TransactionTestCase commits."""
        if hasattr(self, "captureOnCommitCallbacks"):
            return self.captureOnCommitCallbacks(execute=True)
        return contextlib.nullcontext()

    def raise_one(self, *, today=ASSIGNED_ON, assign=True, **fields):
        values = {
            "actor": self.erin,
            "title": "施工许可证迟迟未办结",
            "category": ProblemCategory.objects.get(code="construction_permit"),
            "source": Source.ENTERPRISE,
            "project": self.project_a,
            "raising_unit": self.enterprise,
            "today": today,
        } | fields
        with at(today), self.commits():
            problem = services.problem_raise(**values)
            if assign:
                services.problem_assign(
                    actor=self.alice, problem=problem, lead_department=self.dept, today=today
                )
        return problem

    def step(self, day, fn, **kwargs):
        with at(day), self.commits():
            return fn(**kwargs)


class TransitionTests(ProblemFixtures, BaseTestCase):
    def test_the_whole_way_with_deadlines_across_national_day(self):
        problem = self.raise_one(assign=False)
        self.assertEqual(problem.status, Status.REPORTED)
        self.assertTrue(problem.number.startswith("WT2026-"))
        self.assertEqual(problem.triage_due, D(2026, 10, 9))  # 2 working days after 09-30
        with at(D(2026, 9, 30)), self.commits():
            services.problem_assign(
                actor=self.alice,
                problem=problem,
                lead_department=self.dept,
                co_departments=[self.dept, self.park],
                today=D(2026, 9, 30),
            )
        self.assertEqual(problem.status, Status.ASSIGNED)
        self.assertEqual(problem.sign_due, D(2026, 10, 8))
        self.assertEqual(problem.resolve_due, D(2026, 10, 20))
        self.assertEqual(list(problem.co_departments.all()), [self.park])  # not the lead twice
        self.assertTrue(Notification.objects.filter(user=self.dora).exists())

        self.step(D(2026, 10, 8), services.problem_sign, actor=self.dora, problem=problem)
        self.step(
            D(2026, 10, 9),
            services.problem_start,
            actor=self.dora,
            problem=problem,
            note="现场踏勘",
        )
        self.step(
            D(2026, 10, 15),
            services.problem_reply,
            actor=self.dora,
            problem=problem,
            text="已完成审批",
            today=D(2026, 10, 15),
        )
        self.assertEqual(problem.status, Status.REPLIED)
        self.assertEqual(problem.review_due, D(2026, 10, 20))
        self.assertTrue(Notification.objects.filter(user=self.alice, title__contains="replied"))

        self.step(
            D(2026, 10, 16),
            services.problem_return,
            actor=self.alice,
            problem=problem,
            reason="缺少批复文件",
        )
        self.assertEqual((problem.status, problem.return_count), (Status.IN_PROGRESS, 1))
        self.step(
            D(2026, 10, 19),
            services.problem_reply,
            actor=self.dora,
            problem=problem,
            text="补充批复",
        )
        self.step(
            D(2026, 10, 20),
            services.problem_close,
            actor=self.alice,
            problem=problem,
            today=D(2026, 10, 20),
        )
        problem.refresh_from_db()
        self.assertEqual(problem.status, Status.CLOSED)
        self.assertEqual(problem.days_to_resolve, 10)
        self.assertIsNotNone(problem.closed_at)
        self.assertTrue(Notification.objects.filter(user=self.erin, title__contains="closed"))

        reopened = self.step(
            D(2026, 10, 21),
            services.problem_rate,
            actor=self.erin,
            problem=problem,
            rating=Rating.SATISFIED,
        )
        self.assertFalse(reopened)
        actions = list(problem.events.values_list("action", flat=True))
        self.assertEqual(
            actions,
            [
                Action.RAISED,
                Action.ASSIGNED,
                Action.SIGNED,
                Action.STARTED,
                Action.REPLIED,
                Action.RETURNED,
                Action.REPLIED,
                Action.CLOSED,
                Action.RATED,
            ],
        )
        # Every step is audited with its before/after values.
        statuses = [
            entry.changes["status"]
            for entry in AuditEntry.objects.filter(target_type="problems.Problem").order_by("id")
            if "status" in entry.changes
        ]
        self.assertIn(["replied", "in_progress"], statuses)
        self.assertIn(["replied", "closed"], statuses)

    def test_refused_transitions(self):
        problem = self.raise_one()
        cases = [
            (services.problem_start, {}, "assigned: must sign first"),
            (services.problem_reply, {"text": "done"}, "assigned: must sign first"),
            (services.problem_close, {}, "not replied"),
            (services.problem_return, {"reason": "x"}, "not replied"),
            (services.problem_rate, {"rating": Rating.SATISFIED}, "not closed"),
        ]
        for fn, kwargs, why in cases:
            with self.subTest(why), self.assertRaises(services.WorkflowError):
                fn(actor=self.alice, problem=problem, **kwargs)
        services.problem_sign(actor=self.dora, problem=problem)
        with self.assertRaises(services.WorkflowError):
            services.problem_sign(actor=self.dora, problem=problem)  # twice
        with self.assertRaises(services.WorkflowError):
            services.problem_assign(actor=self.alice, problem=problem, lead_department=self.dept)
        problem.refresh_from_db()
        self.assertEqual(problem.status, Status.SIGNED)

    def test_required_texts(self):
        problem = self.raise_one()
        services.problem_sign(actor=self.dora, problem=problem)
        with self.assertRaisesMessage(services.WorkflowError, "required"):
            services.problem_reply(actor=self.dora, problem=problem, text="  ")
        services.problem_reply(actor=self.dora, problem=problem, text="ok")
        with self.assertRaisesMessage(services.WorkflowError, "required"):
            services.problem_return(actor=self.alice, problem=problem, reason="")
        with self.assertRaisesMessage(services.WorkflowError, "150"):
            services.problem_raise(
                actor=self.erin,
                title="长" * 151,
                category=problem.category,
                source=Source.ENTERPRISE,
            )

    def test_two_people_acting_at_once_move_it_once(self):
        problem = self.raise_one()
        stale = Problem.objects.get(pk=problem.pk)
        services.problem_sign(actor=self.dora, problem=problem)
        with self.assertRaisesMessage(services.WorkflowError, "reload"):
            services.problem_sign(actor=self.dora, problem=stale)
        self.assertEqual(problem.events.filter(action=Action.SIGNED).count(), 1)


class RatingTests(ProblemFixtures, BaseTestCase):
    def closed_problem(self):
        problem = self.raise_one()
        services.problem_sign(actor=self.dora, problem=problem)
        services.problem_reply(actor=self.dora, problem=problem, text="已解决")
        services.problem_close(actor=self.alice, problem=problem)
        return problem

    def test_unsatisfied_reopens_once(self):
        problem = self.closed_problem()
        with self.assertRaisesMessage(services.WorkflowError, "required"):
            services.problem_rate(actor=self.erin, problem=problem, rating=Rating.UNSATISFIED)
        reopened = self.step(
            D(2026, 11, 2),
            services.problem_rate,
            actor=self.erin,
            problem=problem,
            rating=Rating.UNSATISFIED,
            note="问题仍未解决",
            today=D(2026, 11, 2),
        )
        self.assertTrue(reopened)
        problem.refresh_from_db()
        self.assertEqual((problem.status, problem.reopen_count), (Status.IN_PROGRESS, 1))
        self.assertEqual(problem.resolve_due, D(2026, 11, 16))  # 10 working days on
        self.assertEqual(problem.rating, "")
        services.problem_reply(actor=self.dora, problem=problem, text="再次处理")
        services.problem_close(actor=self.alice, problem=problem)
        reopened = services.problem_rate(
            actor=self.erin, problem=problem, rating=Rating.UNSATISFIED, note="还是不行"
        )
        self.assertFalse(reopened)  # only once
        problem.refresh_from_db()
        self.assertEqual((problem.status, problem.rating), (Status.CLOSED, Rating.UNSATISFIED))
        with self.assertRaises(services.WorkflowError):
            services.problem_rate(actor=self.erin, problem=problem, rating=Rating.SATISFIED)


class ExtensionTests(ProblemFixtures, BaseTestCase):
    def test_before_the_deadline_approved(self):
        problem = self.raise_one()  # resolve by 2026-10-20
        request = services.extension_ask(
            actor=self.dora,
            problem=problem,
            reason="等待省厅批复",
            requested_due=D(2026, 10, 30),
            today=D(2026, 10, 20),  # on the day: still before it passes
        )
        with self.assertRaisesMessage(services.WorkflowError, "already waiting"):
            services.extension_ask(
                actor=self.dora,
                problem=problem,
                reason="again",
                requested_due=D(2026, 11, 6),
                today=D(2026, 10, 20),
            )
        services.extension_decide(actor=self.alice, request=request, approve=True)
        problem.refresh_from_db()
        self.assertEqual(problem.resolve_due, D(2026, 10, 30))
        self.assertEqual(problem.original_resolve_due, D(2026, 10, 20))
        with self.assertRaisesMessage(services.WorkflowError, "decided already"):
            services.extension_decide(actor=self.alice, request=request, approve=False, note="x")

    def test_after_the_deadline_refused(self):
        problem = self.raise_one()
        with self.assertRaisesMessage(services.WorkflowError, "has passed"):
            services.extension_ask(
                actor=self.dora,
                problem=problem,
                reason="太晚了",
                requested_due=D(2026, 10, 30),
                today=D(2026, 10, 21),
            )
        self.assertFalse(ExtensionRequest.objects.exists())

    def test_refusal_needs_a_reason_and_keeps_the_deadline(self):
        problem = self.raise_one()
        request = services.extension_ask(
            actor=self.dora,
            problem=problem,
            reason="r",
            requested_due=D(2026, 10, 30),
            today=D(2026, 10, 12),
        )
        with self.assertRaisesMessage(services.WorkflowError, "required"):
            services.extension_decide(actor=self.alice, request=request, approve=False)
        services.extension_decide(actor=self.alice, request=request, approve=False, note="理由不足")
        problem.refresh_from_db()
        self.assertEqual(problem.resolve_due, D(2026, 10, 20))


class EscalationTests(ProblemFixtures, BaseTestCase):
    def test_levels_climb_with_working_days_late_and_never_twice(self):
        problem = self.raise_one()  # resolve by Tuesday 2026-10-20
        with self.commits():
            run = escalate_overdue(today=D(2026, 10, 20))
        self.assertEqual(run.total, 0)  # due today is not late
        with self.commits():
            run = escalate_overdue(today=D(2026, 10, 21))
        self.assertEqual(run.moved, {1: 1})
        with self.commits():
            again = escalate_overdue(today=D(2026, 10, 21))
        self.assertEqual(again.total, 0)
        problem.refresh_from_db()
        self.assertEqual(problem.escalation_level, 1)
        # Ten working days late (10-21 … 11-03) is level 4 at once.
        with self.commits():
            run = escalate_overdue(today=D(2026, 11, 3))
        self.assertEqual(run.moved, {4: 1})
        events = problem.events.filter(action=Action.ESCALATED)
        self.assertEqual([e.level for e in events], [1, 4])
        digest = Notification.objects.filter(user=self.dora, key__startswith="escalation:4:")
        self.assertEqual(digest.count(), 1)
        self.assertIn(problem.number, digest.get().body)
        self.assertTrue(
            AuditEntry.objects.filter(
                target_type="problems.Problem",
                target_id=problem.pk,
                changes__escalation_level=[1, 4],
            ).exists()
        )

    def test_replied_and_closed_problems_are_not_escalated(self):
        problem = self.raise_one()
        services.problem_sign(actor=self.dora, problem=problem)
        services.problem_reply(actor=self.dora, problem=problem, text="done")
        self.assertEqual(escalate_overdue(today=D(2026, 12, 1)).total, 0)

    def test_by_hand_with_a_reason(self):
        problem = self.raise_one()
        moved = services.problem_escalate(
            actor=self.alice, problem=problem, level=2, reason="领导批示", max_level=4
        )
        self.assertTrue(moved)
        self.assertFalse(
            services.problem_escalate(
                actor=self.alice, problem=problem, level=2, reason="x", max_level=4
            )
        )
        with self.assertRaises(services.WorkflowError):
            services.problem_escalate(
                actor=self.alice, problem=problem, level=5, reason="x", max_level=4
            )


class NoticeTests(ProblemFixtures, BaseTestCase):
    def test_only_for_red_numbered_and_replied(self):
        problem = self.raise_one()
        with self.assertRaisesMessage(services.WorkflowError, "red"):
            services.notice_issue(
                actor=self.alice,
                problem=problem,
                requirement="限期办结",
                reply_due=D(2026, 10, 23),
                today=D(2026, 10, 19),
            )
        first = services.notice_issue(
            actor=self.alice,
            problem=problem,
            requirement="限期办结",
            reply_due=D(2026, 10, 23),
            today=D(2026, 10, 21),
        )
        second = services.notice_issue(
            actor=self.alice,
            problem=problem,
            requirement="再次督办",
            reply_due=D(2026, 10, 28),
            today=D(2026, 10, 26),
        )
        self.assertEqual((first.sequence, second.sequence), (1, 2))
        self.assertEqual(first.number, "督办〔2026〕1号")
        services.notice_reply(actor=self.dora, notice=first, text="已落实")
        with self.assertRaises(services.WorkflowError):
            services.notice_reply(actor=self.dora, notice=first, text="again")
        first.refresh_from_db()
        self.assertEqual((first.reply, first.replied_by), ("已落实", self.dora))


@unittest.skipIf(connection.vendor == "sqlite", "SQLite serialises writers; no real race")
class ConcurrentEscalationTests(ProblemFixtures, Personas, TransactionTestCase):
    """Two escalate_problems runs at once: each problem moves once, one event, one digest."""

    def setUp(self):
        from django.apps import apps

        from gongjian.problems.defaults import load_categories
        from gongjian.projects.defaults import load_defaults

        load_defaults(apps)  # the flush after each TransactionTestCase empties the lists
        load_categories(apps)
        self.create_personas()
        for _ in range(30):
            self.raise_one()

    def test_run_twice_at_once(self):
        runs = []
        barrier = threading.Barrier(2)

        def run():
            barrier.wait()
            try:
                runs.append(escalate_overdue(today=D(2026, 10, 28)))
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sum(run.total for run in runs), 30)
        # 10-21 … 10-28 is six working days late: level 3.
        self.assertEqual(Problem.objects.filter(escalation_level=3).count(), 30)
        self.assertEqual(
            Problem.objects.get(pk=Problem.objects.first().pk)
            .events.filter(action=Action.ESCALATED)
            .count(),
            1,
        )
        from gongjian.problems.models import ProblemEvent

        self.assertEqual(ProblemEvent.objects.filter(action=Action.ESCALATED).count(), 30)
