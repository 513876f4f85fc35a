"""Deleting a project that problems or 观摩 nominations still name is refused with a message
(found by the fuzz test: it was a server error, and the refused delete stayed in the audit
trail as done)."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.urls import reverse

from gongjian.assessment.models import Nomination, ReviewEvent
from gongjian.audit.models import AuditEntry
from gongjian.problems import services as problems
from gongjian.problems.models import ProblemCategory, Source
from gongjian.projects import services
from gongjian.projects.models import Project
from gongjian.test import BaseTestCase


class ProjectDeleteTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for title in ("用地指标未落实", "施工用电未接入"):
            problems.problem_raise(
                actor=cls.ursula,
                title=title,
                category=ProblemCategory.objects.get(code="land"),
                source=Source.UNIT,
                project=cls.project_a,
                raising_unit=cls.town_a,
            )
        event = ReviewEvent.objects.create(
            name="二季度观摩", period="2026-Q2", held_on=datetime.date(2026, 6, 10), owner=cls.city
        )
        Nomination.objects.create(event=event, unit=cls.town_a, project=cls.project_a)

    def deletions(self) -> int:
        return AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).count()

    def test_the_service_refuses_and_records_nothing(self):
        with self.assertRaises(services.ProjectInUse) as caught:
            services.project_delete(actor=self.alice, project=self.project_a)
        self.assertEqual(
            str(caught.exception),
            "This project cannot be deleted: 1 review nomination, 2 problems still refer to it.",
        )
        self.assertTrue(Project.objects.filter(pk=self.project_a.pk).exists())
        self.assertEqual(self.deletions(), 0)

    def test_a_project_nothing_names_is_deleted_and_audited(self):
        services.project_delete(actor=self.alice, project=self.project_b)
        self.assertFalse(Project.objects.filter(pk=self.project_b.pk).exists())
        self.assertEqual(self.deletions(), 1)

    @override_settings(LANGUAGE_CODE="zh-hans")
    def test_the_office_is_sent_back_to_the_project_with_a_chinese_message(self):
        self.login(self.alice)
        url = reverse("projects:delete", args=[self.project_a.pk])
        response = self.client.post(url, follow=True)
        self.assertRedirects(response, reverse("projects:detail", args=[self.project_a.pk]))
        self.assertContains(response, "该项目不能删除：仍有1个观摩提名、2个问题关联此项目。")
        self.assertTrue(Project.objects.filter(pk=self.project_a.pk).exists())
        self.assertEqual(self.deletions(), 0)
