"""No typing is lost to a colleague: a report that changed while someone was filling it in comes
back with their values and an explanation (409, nothing overwritten), and accepting a report
bumps the project's version so an edit form opened before cannot save the old stage back."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.urls import reverse

from gongjian.accounts.models import Role
from gongjian.audit.models import AuditEntry
from gongjian.dispatch import services
from gongjian.dispatch.models import Report
from gongjian.projects.models import Milestone, Project, Stage
from gongjian.projects.services import milestones_create_from_templates
from gongjian.projects.tests.test_project_edit import form_data
from gongjian.test.dispatch import TODAY, DispatchTestCase


@time_machine.travel(TODAY, tick=False)
class AcceptanceBumpsTheVersionTests(DispatchTestCase):
    def accept(self, **data):
        report = self.file(self.ursula, self.project_a, self.march, "500", **data)
        services.report_approve(actor=self.alice, report=report)
        return report

    def test_an_edit_form_opened_before_the_acceptance_gets_the_conflict_page(self):
        done = Stage.objects.get(code="in_production")
        self.login(self.alice)
        url = reverse("projects:edit", args=[self.project_a.pk])
        opened = self.client.get(url).context["form"]
        self.assertEqual(opened["version"].value(), 1)
        before = Project.objects.get(pk=self.project_a.pk)

        self.accept(new_stage=done, stage_changed_on=datetime.date(2026, 3, 20))
        project = Project.objects.get(pk=self.project_a.pk)
        self.assertEqual((project.stage, project.version), (done, 2))

        # The form as it was opened, with the old stage and version, and one change of its own.
        response = self.client.post(url, form_data(before, address="新的建设地点"))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, 'value="新的建设地点"', status_code=409)
        project.refresh_from_db()
        self.assertEqual(project.stage, done)  # not reverted
        self.assertNotEqual(project.address, "新的建设地点")

    def test_a_milestone_met_in_the_report_bumps_it_too(self):
        milestones_create_from_templates(project=self.project_a)
        milestone = Milestone.objects.filter(project=self.project_a).first()
        self.accept(milestones_met={str(milestone.pk): "2026-03-15"})
        milestone.refresh_from_db()
        self.assertEqual(milestone.actual_date, datetime.date(2026, 3, 15))
        self.assertEqual(Project.objects.get(pk=self.project_a.pk).version, 2)

    def test_an_acceptance_that_changes_nothing_leaves_the_version(self):
        self.accept()
        self.assertEqual(Project.objects.get(pk=self.project_a.pk).version, 1)


@time_machine.travel(TODAY, tick=False)
class StaleReportFormTests(DispatchTestCase):
    """ursula opens the March report; her colleague uma (the same street's filer) or the office
    acts on it before ursula presses a button."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.uma = cls.make_user("uma", Role.UNIT, cls.town_a)

    def url(self):
        return reverse("dispatch:report", args=[self.project_a.pk, self.march.pk])

    def open_form(self, user=None) -> dict:
        """What the form carries when `user` opens the page: its revision token."""
        self.login(user or self.ursula)
        response = self.client.get(self.url())
        self.assertTrue(response.context["editable"])
        return {"seen": response.context["form"]["seen"].value()}

    def draft(self, user, amount, progress):
        return services.report_save_draft(
            actor=user,
            project=self.project_a,
            period=self.march,
            data={"amount": Decimal(amount), "progress": progress},
        )

    def typed(self, opened: dict, **extra) -> dict:
        return {**opened, "amount": "800", "progress": "主体结构封顶，正在砌筑二次结构", **extra}

    def test_a_report_submitted_meanwhile_keeps_the_typing_and_says_who(self):
        self.draft(self.ursula, "300", "桩基施工")
        opened = self.open_form()
        report = self.draft(self.uma, "450", "桩基完成")
        services.report_submit(actor=self.uma, report=report)
        audit = AuditEntry.objects.filter(target_type="dispatch.Report").count()

        self.login(self.ursula)
        response = self.client.post(self.url(), self.typed(opened, submit="1"))
        self.assertEqual(response.status_code, 409)
        self.assertContains(
            response,
            "Uma submitted this report for review at 2026-04-03 18:00",
            status_code=409,
        )
        self.assertContains(response, "主体结构封顶，正在砌筑二次结构", status_code=409)
        self.assertContains(response, 'value="800"', status_code=409)
        rows = {r["label"]: (r["theirs"], r["yours"]) for r in response.context["conflict"]["rows"]}
        self.assertEqual(rows["Investment completed in the period (万元)"], ("450", "800"))
        self.assertEqual(
            rows["Construction progress (形象进度)"], ("桩基完成", "主体结构封顶，正在砌筑二次结构")
        )
        self.assertNotContains(response, 'id="submit-report"', status_code=409)
        report.refresh_from_db()
        self.assertEqual((report.status, report.amount), (Report.Status.SUBMITTED, Decimal(450)))
        self.assertEqual(AuditEntry.objects.filter(target_type="dispatch.Report").count(), audit)

    def test_an_accepted_report_is_not_a_bare_403(self):
        report = self.file(self.ursula, self.project_a, self.march, "300")
        services.report_approve(actor=self.alice, report=report)
        self.login(self.ursula)
        response = self.client.post(self.url(), {"amount": "1", "progress": "补充说明"})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Alice accepted this report", status_code=409)
        self.assertContains(response, "补充说明", status_code=409)
        report.refresh_from_db()
        self.assertEqual(report.amount, Decimal(300))

    def test_a_draft_saved_meanwhile_is_shown_and_saving_again_keeps_mine(self):
        opened = self.open_form()  # nothing filed yet
        self.draft(self.uma, "450", "桩基完成")
        self.login(self.ursula)
        response = self.client.post(self.url(), self.typed(opened))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Uma saved this report", status_code=409)
        self.assertContains(response, 'id="save-draft"', status_code=409)  # still editable
        conflict = response.context["conflict"]
        self.assertTrue(conflict["editable"])
        theirs = {r["theirs"] for r in conflict["rows"]}
        self.assertEqual(theirs, {"450", "桩基完成"})
        self.assertEqual(Report.objects.get().amount, Decimal(450))
        # The page now carries the new revision: saving again is a deliberate overwrite.
        again = {"seen": response.context["form"]["seen"].value()}
        self.assertEqual(self.client.post(self.url(), self.typed(again)).status_code, 302)
        report = Report.objects.get()
        self.assertEqual((report.amount, report.filed_by), (Decimal(800), self.ursula))

    def test_a_return_meanwhile_is_a_change_too(self):
        report = self.file(self.ursula, self.project_a, self.march, "300")
        services.report_return(actor=self.alice, report=report, reason="请补充照片")
        opened = self.open_form()
        services.report_submit(actor=self.uma, report=report)
        services.report_return(actor=self.alice, report=report, reason="仍缺照片")
        self.login(self.ursula)
        response = self.client.post(self.url(), self.typed(opened))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Alice returned this report", status_code=409)

    def test_an_unchanged_report_saves(self):
        self.draft(self.ursula, "300", "桩基施工")
        opened = self.open_form()
        self.assertEqual(self.client.post(self.url(), self.typed(opened)).status_code, 302)
        self.assertEqual(Report.objects.get().amount, Decimal(800))

    def test_the_service_refuses_a_stale_revision_and_writes_nothing(self):
        report = self.draft(self.ursula, "300", "桩基施工")
        stale = services.report_revision(report)
        self.draft(self.uma, "450", "桩基完成")
        with self.assertRaises(services.ReportChanged) as caught:
            services.report_save_draft(
                actor=self.ursula,
                project=self.project_a,
                period=self.march,
                data={"amount": Decimal(800)},
                expected_revision=stale,
            )
        self.assertEqual(caught.exception.current.amount, Decimal(450))
        self.assertEqual(Report.objects.get().amount, Decimal(450))

    def test_the_explanation_is_in_chinese(self):
        opened = self.open_form()
        self.draft(self.uma, "450", "桩基完成")
        self.login(self.ursula)
        self.client.cookies["django_language"] = "zh-hans"
        response = self.client.post(self.url(), self.typed(opened))
        self.assertContains(response, "在您编辑期间保存了此报告", status_code=409)
        self.assertContains(response, "您填写的内容尚未保存", status_code=409)
