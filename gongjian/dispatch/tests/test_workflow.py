"""Periods, filing with derived figures, and review (填报 → 提交 → 审核 → 通过/退回)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine

from gongjian.accounts.models import Role, Unit
from gongjian.audit.models import AuditEntry
from gongjian.dispatch import figures, services
from gongjian.dispatch.forms import ReportForm
from gongjian.dispatch.models import Cadence, Campaign, Report, ReportEvent
from gongjian.projects.models import Stage
from gongjian.test.dispatch import TODAY, DispatchTestCase


class PeriodTests(DispatchTestCase):
    def test_monthly_periods_are_due_on_the_5th_of_next_month(self):
        periods = list(self.campaign.periods.all())
        self.assertEqual(len(periods), 12)
        deadline = self.march.deadline.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        self.assertEqual(
            (deadline.date(), deadline.hour, deadline.minute), (datetime.date(2026, 4, 5), 23, 59)
        )

    def test_creating_periods_twice_creates_nothing_new(self):
        self.assertEqual(services.periods_ensure(self.campaign), 0)
        self.assertEqual(self.campaign.periods.count(), 12)

    def test_ten_day_and_weekly_cadences(self):
        ten = Campaign.objects.create(name="旬报", year=2026, cadence=Cadence.TEN_DAY)
        weekly = Campaign.objects.create(
            name="周调度",
            year=2026,
            cadence=Cadence.WEEKLY,
            deadline_days=1,
            deadline_time=datetime.time(12, 0),
        )
        services.periods_ensure(ten)
        services.periods_ensure(weekly)
        self.assertEqual(ten.periods.count(), 36)
        self.assertEqual(ten.periods.last().end, datetime.date(2026, 12, 31))
        first_week = weekly.periods.first()
        self.assertEqual(
            (first_week.start, first_week.end),
            (datetime.date(2026, 1, 5), datetime.date(2026, 1, 11)),
        )
        self.assertEqual(weekly.periods.count(), 52)


@time_machine.travel(TODAY, tick=False)
class FilingTests(DispatchTestCase):
    def test_derived_figures_are_computed_from_accepted_reports(self):
        february = self.file(self.ursula, self.project_a, self.february, "6000")
        services.report_approve(actor=self.alice, report=february)
        march = services.report_save_draft(
            actor=self.ursula,
            project=self.project_a,
            period=self.march,
            data={"amount": Decimal("4000")},
        )
        figures.attach_figures(self.march, [(self.project_a, march)])
        derived = march.figures  # derived when read, never stored
        self.assertEqual(derived.ytd, Decimal("10000"))
        self.assertEqual(derived.since_start, Decimal("10000"))
        self.assertEqual(derived.share_of_annual_plan.text, "25.0")  # of 40,000
        self.assertEqual(derived.share_of_total.text, "8.3")  # of 120,000

    def test_submit_then_accept_applies_the_stage_change_and_is_audited(self):
        done = Stage.objects.get(code="in_production")
        report = self.file(
            self.ursula,
            self.project_a,
            self.march,
            "500",
            new_stage=done,
            stage_changed_on=datetime.date(2026, 3, 20),
        )
        self.assertTrue(services.report_approve(actor=self.alice, report=report))
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.ACCEPTED)
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.stage, done)
        self.assertTrue(
            AuditEntry.objects.filter(
                project_id=self.project_a.pk, changes__has_key="stage"
            ).exists()
        )
        self.assertEqual([e.action for e in report.events.all()], ["submit", "approve"])

    def test_a_return_needs_a_reason_and_is_counted(self):
        report = self.file(self.ursula, self.project_a, self.march, "500")
        with self.assertRaises(services.WorkflowError):
            services.report_return(actor=self.alice, report=report, reason="  ")
        services.report_return(actor=self.alice, report=report, reason="形象进度写得太简略")
        report.refresh_from_db()
        self.assertEqual((report.status, report.return_count), (Report.Status.RETURNED, 1))
        services.report_save_draft(
            actor=self.ursula,
            project=self.project_a,
            period=self.march,
            data={"amount": Decimal("500"), "progress": "主体结构完成60%"},
        )
        services.report_submit(actor=self.ursula, report=report)
        services.report_approve(actor=self.alice, report=report)
        event = ReportEvent.objects.get(report=report, action="return")
        self.assertEqual(event.reason, "形象进度写得太简略")

    def test_an_accepted_report_is_corrected_by_a_new_version(self):
        report = self.file(self.ursula, self.project_a, self.march, "500")
        services.report_approve(actor=self.alice, report=report)
        with self.assertRaises(services.WorkflowError):
            services.report_save_draft(
                actor=self.ursula,
                project=self.project_a,
                period=self.march,
                data={"amount": Decimal("900")},
            )
        correction = services.report_start_correction(
            actor=self.ursula, report=report, reason="漏报设备款"
        )
        self.assertEqual((correction.version, correction.status), (2, Report.Status.DRAFT))
        report.refresh_from_db()
        self.assertFalse(report.is_current)
        self.assertEqual(report.amount, Decimal("500"))  # the accepted version stays on record

    def test_two_reviewers_acting_at_once_cannot_both_win(self):
        report = self.file(self.ursula, self.project_a, self.march, "500")
        stale = Report.objects.get(pk=report.pk)
        services.report_approve(actor=self.alice, report=report)
        with self.assertRaises(services.WorkflowError):
            services.report_return(actor=self.alice, report=stale, reason="迟到的退回")


@time_machine.travel(TODAY, tick=False)
class ReviewLevelTests(DispatchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.county = Unit.objects.create(
            name="东湖区人民政府", kind=Unit.Kind.GOVERNMENT, parent=cls.city
        )
        cls.town_c = Unit.objects.create(name="湖滨街道", kind=Unit.Kind.TOWN, parent=cls.county)
        cls.county_office = cls.make_user("carl", Role.OFFICE, cls.county)
        cls.filer = cls.make_user("fiona", Role.UNIT, cls.town_c)
        cls.project_c = cls.make_project(name="湖滨项目", responsible_unit=cls.town_c)
        cls.campaign.review_levels = ["county", "city"]
        cls.campaign.save()

    def test_the_county_reviews_first_then_the_city(self):
        report = self.file(self.filer, self.project_c, self.march, "100")
        report = Report.objects.select_related("period__campaign", "project__responsible_unit").get(
            pk=report.pk
        )
        self.assertFalse(services.can_review(self.alice, report))  # not the city's turn yet
        self.assertTrue(services.can_review(self.county_office, report))
        self.assertFalse(services.report_approve(actor=self.county_office, report=report))
        self.assertFalse(services.can_review(self.county_office, report))  # not the county's level
        self.assertTrue(services.can_review(self.alice, report))
        self.assertTrue(services.report_approve(actor=self.alice, report=report))

    def test_a_project_with_no_county_goes_straight_to_the_city(self):
        chain = services.review_chain(self.campaign, self.project_a)
        self.assertEqual(chain, [self.city])


@time_machine.travel(TODAY, tick=False)
class ReportFormTests(DispatchTestCase):
    def errors(self, project=None, **data):
        form = ReportForm(
            data={"amount": "100", **data}, project=project or self.project_a, period=self.march
        )
        form.is_valid()
        return form.errors

    def test_it_refuses_negative_and_absurd_amounts(self):
        self.assertIn("amount", self.errors(amount="-1"))
        self.assertIn("total investment", self.errors(amount="1200000")["amount"][0])

    def test_it_refuses_future_dates(self):
        planning = Stage.objects.get(code="in_production")
        errors = self.errors(new_stage=planning.pk, stage_changed_on="2026-05-01")
        self.assertIn("future", errors["stage_changed_on"][0])

    def test_it_refuses_amounts_for_a_project_not_yet_started(self):
        self.project_b.stage = Stage.objects.get(code="preliminary")
        self.project_b.save()
        self.assertIn("not started", self.errors(project=self.project_b)["amount"][0])
        self.assertEqual(self.errors(project=self.project_b, amount="0"), {})

    def test_a_cumulative_total_above_the_total_investment_needs_a_note(self):
        february = self.file(self.ursula, self.project_a, self.february, "119950")
        services.report_approve(actor=self.alice, report=february)
        self.assertIn("note", self.errors(amount="100"))
        self.assertEqual(self.errors(amount="100", note="概算调增，待调整基准"), {})


@time_machine.travel(TODAY, tick=False)
class MilestoneReportTests(DispatchTestCase):
    def test_milestones_met_in_a_report_reach_the_project_when_accepted(self):
        from gongjian.projects.models import Milestone, MilestoneKind
        from gongjian.projects.services import milestones_create_from_templates

        milestones_create_from_templates(project=self.project_a)
        start = Milestone.objects.get(
            project=self.project_a, kind=MilestoneKind.objects.get(code="start")
        )
        field = f"milestone_{start.pk}"
        future = ReportForm(
            data={"amount": "10", field: "2026-05-01"}, project=self.project_a, period=self.march
        )
        self.assertIn(field, future.errors)
        form = ReportForm(
            data={"amount": "10", field: "2026-03-18"}, project=self.project_a, period=self.march
        )
        self.assertTrue(form.is_valid(), form.errors)
        report = services.report_save_draft(
            actor=self.ursula, project=self.project_a, period=self.march, data=form.cleaned_data
        )
        services.report_submit(actor=self.ursula, report=report)
        start.refresh_from_db()
        self.assertIsNone(start.actual_date)  # not before acceptance
        services.report_approve(actor=self.alice, report=report)
        start.refresh_from_db()
        self.assertEqual(start.actual_date, datetime.date(2026, 3, 18))
