"""Scores computed from the registry and reports, ranked within groups with their change,
published as an immutable snapshot, rolled up into a quarter with the 观摩 score; the ranking,
breakdown and awards pages per role."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongjian.accounts.models import Unit
from gongjian.assessment import review, services
from gongjian.assessment.models import (
    Indicator,
    Judge,
    ManualScore,
    PublishedError,
    ReviewEvent,
    ReviewGroup,
    Scheme,
    SchemeItem,
    ScoreRun,
    Target,
    UnitGroup,
    UnitScore,
)
from gongjian.dispatch.models import Campaign, Period, Report
from gongjian.projects.models import AnnualListing
from gongjian.test import BaseTestCase

PLAN_ITEM = {
    "full": 25,
    "below": "0.1",
    "bands": [[100, 130, "0.2"], [130, None, "0.1"]],
    "cap": 10,
}


class AssessmentFixtures:
    @classmethod
    def build_assessment(cls):
        # Three towns: town_a (project_a), town_b (project_b), town_c (a third project).
        cls.town_c = Unit.objects.create(name="南湖镇", kind=Unit.Kind.TOWN, parent=cls.city)
        cls.project_c = cls.make_project(
            name="南湖物流园项目", code="", responsible_unit=cls.town_c, is_manufacturing=True
        )
        for project in (cls.project_a, cls.project_b, cls.project_c):
            AnnualListing.objects.create(
                project=project, year=2026, level="city", planned_investment=Decimal("10000")
            )
        campaign = Campaign.objects.create(name="月调度", year=2026)
        cls.september = Period.objects.create(
            campaign=campaign,
            label="2026-09",
            start=datetime.date(2026, 9, 1),
            end=datetime.date(2026, 9, 30),
            deadline=datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC),
        )
        # Completed by September: a 9,900 (99% of its 10,000 target), b 13,000, c 15,000.
        for project, amount in (
            (cls.project_a, 9900),
            (cls.project_b, 13000),
            (cls.project_c, 15000),
        ):
            Report.objects.create(
                project=project,
                period=cls.september,
                amount=Decimal(amount),
                status=Report.Status.ACCEPTED,
                submitted_at=datetime.datetime(2026, 10, 2, tzinfo=datetime.UTC),
            )
        cls.completed = Indicator.objects.create(
            code="completed",
            name="完成投资",
            measure=Indicator.Measure.SUM,
            params={"of": "completed_ytd"},
        )
        cls.manufacturing = Indicator.objects.create(
            code="manufacturing_share",
            name="制造业占比",
            measure=Indicator.Measure.SHARE,
            params={"of": "completed_ytd", "part": {"flags": ["is_manufacturing"]}},
            unit_label="%",
        )
        for town in (cls.town_a, cls.town_b, cls.town_c):
            Target.objects.create(
                unit=town, indicator=cls.completed, year=2026, value=Decimal("10000")
            )
        cls.towns = UnitGroup.objects.create(name="镇街组")
        cls.towns.units.set([cls.town_a, cls.town_b, cls.town_c])
        cls.monthly = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=cls.city
        )
        cls.monthly.groups.set([cls.towns])
        SchemeItem.objects.create(
            scheme=cls.monthly,
            name="年度投资完成",
            indicator=cls.completed,
            method=SchemeItem.Method.RATIO_TO_PLAN,
            params=PLAN_ITEM,
            order=1,
        )
        SchemeItem.objects.create(
            scheme=cls.monthly,
            name="完成投资排名",
            indicator=cls.completed,
            method=SchemeItem.Method.RANK_BANDS,
            params={"bands": [[1, 1, 7], [2, 3, 5]]},
            order=2,
        )
        cls.efficacy_item = SchemeItem.objects.create(
            scheme=cls.monthly,
            name="制造业占比",
            indicator=cls.manufacturing,
            method=SchemeItem.Method.EFFICACY,
            weight=Decimal("0.1"),
            order=3,
        )
        cls.manual_item = SchemeItem.objects.create(
            scheme=cls.monthly, name="工作作风", method=SchemeItem.Method.MANUAL, order=4
        )


class ComputeTests(AssessmentFixtures, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_assessment()

    def test_scores_by_hand(self):
        ManualScore.objects.create(
            item=self.manual_item, unit=self.town_b, period="2026-09", points=-2, reason="迟报"
        )
        run = services.score_run_compute(self.monthly, "2026-09", actor=self.alice)
        scores = {s.unit_id: s for s in run.scores.all()}
        # town_a: 99% → 24.9; rank 3 → 5; manufacturing share 0% → efficacy 60 × 0.1 = 6.
        # town_b: 130% → 31; rank 2 → 5; 0% → 6; manual −2.  town_c: 150% → 33; rank 1 → 7;
        # 100% → 100 × 0.1 = 10.
        self.assertEqual(scores[self.town_a.pk].total, Decimal("35.90"))
        self.assertEqual(scores[self.town_b.pk].total, Decimal("40.00"))
        self.assertEqual(scores[self.town_c.pk].total, Decimal("50.00"))
        self.assertEqual(
            [scores[t.pk].rank for t in (self.town_c, self.town_b, self.town_a)], [1, 2, 3]
        )
        parts = {p["item"]: p for p in scores[self.town_a.pk].breakdown}
        self.assertEqual(parts["年度投资完成"]["points"], "24.90")
        self.assertIn("99%", parts["年度投资完成"]["explanation"])
        self.assertEqual(parts["工作作风"]["explanation"], "Not entered yet.")
        manual = {p["item"]: p for p in scores[self.town_b.pk].breakdown}["工作作风"]
        self.assertEqual((manual["points"], manual["explanation"]), ("-2.00", "迟报"))

    def test_recompute_replaces_the_draft_and_change_is_against_last_period(self):
        previous = ScoreRun.objects.create(scheme=self.monthly, period="2026-08")
        for unit, rank in ((self.town_a, 1), (self.town_b, 2), (self.town_c, 3)):
            UnitScore.objects.create(
                run=previous, group=self.towns, unit=unit, total=Decimal(50 - rank), rank=rank
            )
        services.score_run_compute(self.monthly, "2026-09")
        run = services.score_run_compute(self.monthly, "2026-09")
        self.assertEqual(run.scores.count(), 3)
        changes = {s.unit_id: s.rank_change for s in run.scores.all()}
        self.assertEqual(changes, {self.town_a.pk: -2, self.town_b.pk: 0, self.town_c.pk: 2})

    def test_published_snapshot_cannot_change(self):
        run = services.score_run_compute(self.monthly, "2026-09")
        services.score_run_publish(run=run, actor=self.alice)
        score = run.scores.first()
        score.total = Decimal("99")
        with self.assertRaises(PublishedError):
            score.save()
        with self.assertRaises(PublishedError):
            UnitScore.objects.filter(run=run).update(total=0)
        with self.assertRaises(PublishedError):
            UnitScore.objects.filter(run=run).delete()
        with self.assertRaises(PublishedError):
            run.delete()
        with self.assertRaises(PublishedError):
            ScoreRun.objects.filter(pk=run.pk).update(period="2026-10")
        with self.assertRaises(PublishedError):
            services.score_run_compute(self.monthly, "2026-09")
        with self.assertRaises(PublishedError):
            services.score_run_publish(run=run, actor=self.alice)
        self.assertEqual(
            sorted(UnitScore.objects.filter(run=run).values_list("total", flat=True)),
            [Decimal("35.90"), Decimal("42.00"), Decimal("50.00")],
        )

    def test_quarter_rolls_up_months_and_the_review(self):
        for month, base in (("2026-07", 40), ("2026-08", 50), ("2026-09", 60)):
            run = ScoreRun.objects.create(scheme=self.monthly, period=month)
            UnitScore.objects.create(
                run=run, group=self.towns, unit=self.town_a, total=Decimal(base), rank=1
            )
            if month != "2026-09":
                services.score_run_publish(run=run, actor=self.alice)
        event = ReviewEvent.objects.create(
            name="三季度观摩",
            period="2026-Q3",
            held_on=datetime.date(2026, 9, 25),
            status=ReviewEvent.Status.OPEN,
            exclude_own_unit=False,
            owner=self.city,
        )
        group = ReviewGroup.objects.create(event=event, name="镇街组")
        group.units.set([self.town_a, self.town_b])
        judge = Judge.objects.create(event=event, user=self.judy)
        review.ballot_cast(judge=judge, group=group, ranking=[self.town_a.pk, self.town_b.pk])
        review.event_close(event=event, actor=self.alice)
        quarterly = Scheme.objects.create(
            name="季度评比",
            cadence=Scheme.Cadence.QUARTERLY,
            rollup={"months": "0.3", "review": "0.1"},
            owner=self.city,
        )
        quarterly.groups.set([self.towns])
        run = services.score_run_compute(quarterly, "2026-Q3")
        score = run.scores.get(unit=self.town_a)
        # September is still a draft and counts 0: (40 + 50) × 0.3 + 100 × 0.1 = 27 + 10 = 37
        self.assertEqual(score.total, Decimal("37.00"))
        services.score_run_publish(
            run=ScoreRun.objects.get(scheme=self.monthly, period="2026-09"), actor=self.alice
        )
        run = services.score_run_compute(quarterly, "2026-Q3")
        score = run.scores.get(unit=self.town_a)
        # (40 + 50 + 60) × 0.3 + 100 (1st place of 1 vote) × 0.1 = 45 + 10 = 55
        self.assertEqual(score.total, Decimal("55.00"))
        self.assertEqual(score.breakdown[-1]["formula"], "(1×100) ÷ 1")

    def test_periods(self):
        self.assertEqual(services.period_months("2026-Q3"), (2026, [7, 8, 9]))
        self.assertEqual(services.previous_period("2026-01"), "2025-12")
        self.assertEqual(services.previous_period("2026-Q1"), "2025-Q4")
        with self.assertRaises(services.AssessmentError):
            services.period_months("2026-13")


class PageTests(AssessmentFixtures, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_assessment()
        cls.draft = services.score_run_compute(cls.monthly, "2026-09")

    def get(self, user, url):
        self.client.force_login(user)
        return self.client.get(url)

    def test_ranking_access_and_drafts(self):
        url = reverse("assessment:ranking")
        for user, status in (
            (self.alice, 200),
            (self.leo, 200),
            (self.ursula, 200),
            (self.dora, 200),
            (self.erin, 403),
            (self.judy, 403),
            (self.oscar, 403),
        ):
            with self.subTest(user.username):
                self.assertEqual(self.get(user, url).status_code, status)
        self.assertContains(self.get(self.alice, url), "南湖镇")  # the office sees the draft
        self.assertNotContains(self.get(self.leo, url), "南湖镇")  # others only published
        services.score_run_publish(run=self.draft, actor=self.alice)
        response = self.get(self.leo, url)
        self.assertContains(response, "南湖镇")
        self.assertNotContains(response, 'id="publish-button"')

    def test_publish_and_compute_only_by_the_office(self):
        for user in (self.leo, self.ursula, self.dora):
            self.client.force_login(user)
            response = self.client.post(reverse("assessment:publish", args=[self.draft.pk]))
            self.assertEqual(response.status_code, 404)  # a draft they cannot see
            response = self.client.post(
                reverse("assessment:compute"), {"scheme": self.monthly.pk, "period": "2026-09"}
            )
            self.assertEqual(response.status_code, 403)
        self.client.force_login(self.alice)
        self.client.post(reverse("assessment:publish", args=[self.draft.pk]))
        self.draft.refresh_from_db()
        self.assertTrue(self.draft.is_published)
        response = self.client.post(
            reverse("assessment:compute"),
            {"scheme": self.monthly.pk, "period": "2026-09"},
            follow=True,
        )
        self.assertContains(response, "cannot change")

    def test_breakdown_shows_formula(self):
        url = reverse("assessment:breakdown", args=[self.draft.pk, self.town_a.pk])
        response = self.get(self.alice, url)
        self.assertContains(response, "-(1 × 0.1)")
        self.assertContains(response, "35.90")
        self.assertEqual(self.get(self.leo, url).status_code, 404)  # a draft

    def test_ranking_query_count_does_not_grow(self):
        url = reverse("assessment:ranking")
        self.client.force_login(self.alice)
        self.client.get(url)
        with self.assertNumQueries(6) as before:
            self.client.get(url)
        for index in range(5):
            unit = Unit.objects.create(name=f"新镇{index}", kind=Unit.Kind.TOWN, parent=self.city)
            self.towns.units.add(unit)
        services.score_run_compute(self.monthly, "2026-09")
        with self.assertNumQueries(len(before.captured_queries)):
            self.client.get(url)

    def test_awards_page_and_excel(self):
        yearly = Scheme.objects.create(
            name="年度考核", cadence=Scheme.Cadence.YEARLY, owner=self.city
        )
        run = ScoreRun.objects.create(scheme=yearly, period="2026")
        units = [self.town_c, self.town_b, self.town_a, self.park]
        for rank, unit in enumerate(units, start=1):
            UnitScore.objects.create(
                run=run, group=self.towns, unit=unit, total=Decimal(100 - rank), rank=rank
            )
        url = reverse("assessment:awards", args=[2026])
        self.assertContains(self.get(self.alice, url), "This year has no published")
        services.score_run_publish(run=run, actor=self.alice)
        response = self.get(self.leo, url)
        self.assertContains(response, "南湖镇")
        response = self.get(self.alice, reverse("assessment:awards-xlsx", args=[2026]))
        self.assertEqual(response.status_code, 200)
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            handle.write(response.content)
            handle.flush()
            rows = CalamineWorkbook.from_path(handle.name).get_sheet_by_index(0).to_python()
        self.assertIn("2026年度重点项目考核结果", rows[0][0])
        cells = [row[1] for row in rows if len(row) > 1]
        # Top 3: 南湖镇, 西山镇, 东湖街道; bottom 3 not already honoured: 青川高新区.
        self.assertEqual(cells.count("南湖镇"), 1)
        self.assertIn("青川高新区", cells)
        self.assertEqual(self.get(self.erin, url).status_code, 403)


class NominationTests(AssessmentFixtures, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_assessment()

    def test_eligibility_from_the_registry(self):
        from gongjian.assessment.models import Nomination

        event = ReviewEvent.objects.create(
            name="观摩",
            period="2026-Q4",
            held_on=datetime.date(2026, 11, 20),
            eligibility={"min_completed_share": "0.3333", "not_shown_years": 3},
            owner=self.city,
        )
        # project_a: 9,900 of 120,000 completed, under a third.
        nomination = Nomination(event=event, unit=self.town_a, project=self.project_a)
        review.refresh_eligibility(nomination)
        self.assertFalse(nomination.eligible)
        self.assertEqual(
            [f["rule"] for f in nomination.findings if not f["ok"]], ["min_completed_share"]
        )
        # project_c: 15,000 of 120,000 too; lower the bar and it passes both rules.
        event.eligibility = {"min_completed_share": "0.1", "not_shown_years": 3}
        nomination = Nomination(event=event, unit=self.town_c, project=self.project_c)
        review.refresh_eligibility(nomination)
        self.assertTrue(nomination.eligible)


class TargetProgressTests(AssessmentFixtures, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_assessment()

    def test_light_per_unit_and_target(self):
        from gongjian.assessment.targets import progress

        rows = {r.target.unit_id: r for r in progress(2026, 9)}
        # Through September the schedule is 9/12 = 75%. town_a has 99% of its target: ahead.
        a = rows[self.town_a.pk]
        self.assertEqual(
            (a.share, a.schedule, a.gap), (Decimal("99.0"), Decimal("75.0"), Decimal("24.0"))
        )
        self.assertEqual(a.colour, "blue")
        Target.objects.filter(unit=self.town_b).update(value=Decimal("40000"))
        rows = {r.target.unit_id: r for r in progress(2026, 9)}
        # 13,000 of 40,000 = 32.5%: 42.5 points behind 75% → red under the default preset.
        b = rows[self.town_b.pk]
        self.assertEqual((b.share, b.gap, b.colour), (Decimal("32.5"), Decimal("-42.5"), "red"))
        self.assertIn("万元", b.clear_hint)

    def test_page(self):
        self.client.force_login(self.leo)
        response = self.client.get(reverse("assessment:targets"), {"year": 2026, "month": 9})
        self.assertContains(response, "南湖镇")
        self.client.force_login(self.erin)
        response = self.client.get(reverse("assessment:targets"))
        self.assertEqual(response.status_code, 403)
