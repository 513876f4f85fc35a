"""A step's text over its limit comes back on the problem page with a field error naming the
limit and the text still in the form, instead of a redirect that drops it."""

from __future__ import annotations

import datetime
import html

import time_machine
from django.urls import reverse

from gongjian.problems.models import Problem, ProblemCategory, Source
from gongjian.test import BaseTestCase

DAY = datetime.datetime(2026, 10, 12, 10, tzinfo=datetime.UTC)


@time_machine.travel(DAY, tick=False)
class LongTextTests(BaseTestCase):
    def make_problem(self, status: str) -> Problem:
        values = {
            "title": "超长文本测试",
            "category": ProblemCategory.objects.get(code="other"),
            "source": Source.ENTERPRISE,
            "project": self.project_a,
            "raised_by": self.erin,
            "raising_unit": self.enterprise,
            "status": status,
            "lead_department": self.dept,
            "assigned_at": DAY,
            "sign_due": datetime.date(2026, 10, 13),
            "resolve_due": datetime.date(2026, 10, 26),
            "original_resolve_due": datetime.date(2026, 10, 26),
        }
        return Problem.objects.create(**values)

    def post(self, user, problem, step, data):
        self.client.force_login(user)
        return self.client.post(reverse("problems:step", args=[problem.pk, step]), data)

    def test_a_comment_over_the_limit_is_kept_with_the_limit_named(self):
        problem = self.make_problem("in_progress")
        text = "进度说明<第一段>&" + "慢" * 4000  # over 4,000, with characters to escape
        response = self.post(self.alice, problem, "comment", {"text": text})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(problem.events.exists())
        form = response.context["forms"]["comment"]
        self.assertEqual(form.data["text"], text)
        (error,) = form.errors["text"]
        self.assertIn("at most 4000 characters", error)
        self.assertIn(f"it has {len(text)}", error)
        self.assertContains(response, html.escape(error))
        self.assertContains(response, html.escape(text))  # in the textarea, escaped

    def test_a_comment_at_the_limit_is_saved(self):
        problem = self.make_problem("in_progress")
        response = self.post(self.alice, problem, "comment", {"text": "快" * 4000})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(problem.events.get().note, "快" * 4000)

    def test_every_text_of_a_step_over_its_limit(self):
        # step, status, who, the other fields, the text field, its limit
        cases = [
            ("reply", "in_progress", "dora", {}, "text", 4000),
            ("return", "replied", "alice", {}, "text", 4000),
            ("extend", "in_progress", "dora", {"requested_due": "2026-10-30"}, "reason", 1000),
            ("escalate", "in_progress", "alice", {"level": "2"}, "reason", 500),
            ("assign", "reported", "alice", {"lead_department": "dept"}, "note", 500),
        ]
        for step, status, username, data, field, limit in cases:
            with self.subTest(step=step):
                problem = self.make_problem(status)
                text = "字" * (limit + 1)
                data = {k: self.dept.pk if v == "dept" else v for k, v in data.items()}
                response = self.post(getattr(self, username), problem, step, {**data, field: text})
                self.assertEqual(response.status_code, 200)
                form = response.context["forms"][step]
                self.assertIn(f"at most {limit} characters", form.errors[field][0])
                self.assertContains(response, text)
                problem.refresh_from_db()
                self.assertEqual(problem.status, status)
                self.assertFalse(problem.events.exists())
