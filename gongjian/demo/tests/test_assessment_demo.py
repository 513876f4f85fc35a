"""The assessment demo: schemes, a published quarter of monthly scores, a sealed 观摩 and the
quarter's roll-up as a draft, added once by seed_demo."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.urls import reverse

from gongjian.accounts.models import Role, RoleGrant, Unit, User
from gongjian.assessment.models import (
    Ballot,
    Indicator,
    ManualScore,
    Nomination,
    ReviewEvent,
    Scheme,
    ScoreRun,
    Target,
    UnitGroup,
    UnitScore,
)
from gongjian.demo import names
from gongjian.demo.assessment import last_quarter
from gongjian.test.demo import DemoCityTestCase

MONTHS = ["2026-07", "2026-08", "2026-09"]  # the quarter before DEMO_TODAY


class AssessmentDemoTestCase(DemoCityTestCase):
    def test_it_creates_the_groups_indicators_targets_and_schemes(self):
        sizes = {g.name: g.units.count() for g in UnitGroup.objects.all()}
        self.assertEqual(sizes, {"县区组": 3, "镇街组": 12, "园区组": 4})
        self.assertEqual(Indicator.objects.count(), 8)
        self.assertEqual(
            set(Target.objects.values_list("indicator__code", flat=True)),
            {"major_investment", "signed_investment"},
        )
        schemes = {s.name: s for s in Scheme.objects.all()}
        self.assertEqual(set(schemes), {"月度考核", "年度考核", "季度评比"})
        self.assertEqual(schemes["季度评比"].rollup, {"months": "0.3", "review": "0.1"})
        methods = set(schemes["月度考核"].items.values_list("method", flat=True))
        self.assertEqual(methods, {"ratio_to_plan", "rank_bands", "count", "efficacy", "manual"})
        self.assertTrue(ManualScore.objects.exclude(reason="").exists())

    def test_the_last_quarter_is_published_month_by_month_with_ranks_and_breakdowns(self):
        runs = ScoreRun.objects.filter(scheme__name="月度考核").order_by("period")
        self.assertEqual([r.period for r in runs], MONTHS)
        self.assertTrue(all(r.is_published for r in runs))
        items = Scheme.objects.get(name="月度考核").items.count()
        for run in runs:
            scores = list(run.scores.all())
            self.assertEqual(len(scores), 19)
            self.assertTrue(all(len(s.breakdown) == items for s in scores))
            towns = {s.rank for s in scores if s.group.name == "镇街组"}
            self.assertTrue({1, 12} <= towns, towns)
        september = UnitScore.objects.filter(run__period="2026-09")
        self.assertFalse(september.filter(previous_rank__isnull=True).exists())
        # The ratio to plan spreads: some units are behind their target, some ahead.
        ratios = [
            float(s.breakdown[0]["inputs"]["ratio"])
            for s in september
            if "ratio" in s.breakdown[0]["inputs"]
        ]
        self.assertLess(min(ratios), 100)
        self.assertGreater(max(ratios), 100)

    def test_the_quarter_has_a_closed_review_with_ballots_and_nominations(self):
        event = ReviewEvent.objects.get()
        self.assertEqual(event.status, ReviewEvent.Status.CLOSED)
        self.assertEqual(event.period, "2026-Q3")
        judges = event.judges.count()
        self.assertTrue(5 <= judges <= 7, judges)
        self.assertEqual(Ballot.objects.filter(judge__event=event).count(), judges * 2)
        judge_grants = RoleGrant.objects.filter(
            role=Role.JUDGE, user__in=event.judges.values("user")
        )
        self.assertEqual(judge_grants.values("user").distinct().count(), judges)
        nominations = Nomination.objects.filter(event=event)
        self.assertTrue(nominations.filter(eligible=True).exists())
        self.assertTrue(nominations.filter(eligible=False).exists())
        self.assertTrue(all(n.findings for n in nominations))

    def test_the_quarterly_rollup_is_a_draft_with_the_review_item(self):
        run = ScoreRun.objects.get(scheme__name="季度评比")
        self.assertEqual(run.period, "2026-Q3")
        self.assertFalse(run.is_published)
        county = run.scores.filter(group__name="县区组").first()
        methods = [row["method"] for row in county.breakdown]
        self.assertEqual(methods, ["month", "month", "month", "review"])
        self.assertGreater(float(county.breakdown[-1]["points"]), 0)

    def test_the_city_runs_it_and_the_county_offices_read_what_is_published(self):
        city = Unit.objects.get(name=names.CITY_GOVERNMENT, parent=None)
        self.assertEqual({s.owner for s in Scheme.objects.all()}, {city})
        self.assertEqual(ReviewEvent.objects.get().owner, city)
        draft = ScoreRun.objects.get(scheme__name="季度评比")
        scheme = draft.scheme
        office = User.objects.get(username="office")
        counties = [u for u in User.objects.filter(username__startswith="office_")]
        self.assertEqual(len(counties), 3)  # 东湖区, 西山县, 青河县
        url = reverse("assessment:ranking")
        self.client.force_login(office)
        self.assertEqual(self.client.get(url, {"scheme": scheme.pk}).context["runs"], [draft])
        for county in counties:
            with self.subTest(county.username):
                self.client.force_login(county)
                response = self.client.get(url, {"scheme": scheme.pk})
                self.assertEqual(response.context["runs"], [])
                self.assertFalse(response.context["can_manage"])
                response = self.client.post(reverse("assessment:publish", args=[draft.pk]))
                self.assertEqual(response.status_code, 404)
                monthly = Scheme.objects.get(name="月度考核")
                response = self.client.get(url, {"scheme": monthly.pk})
                self.assertEqual([r.period for r in response.context["runs"]], MONTHS[::-1])
        draft.refresh_from_db()
        self.assertFalse(draft.is_published)

    def test_running_it_again_adds_nothing(self):
        models = (Scheme, Indicator, Target, ScoreRun, UnitScore, ReviewEvent, Ballot, Nomination)
        before = [m.objects.count() for m in models]
        call_command("seed_demo", stdout=io.StringIO())
        self.assertEqual([m.objects.count() for m in models], before)

    def test_the_last_quarter_before_january_is_the_previous_years_fourth(self):
        self.assertEqual(last_quarter(datetime.date(2027, 2, 10)), (2026, 4))
        self.assertEqual(last_quarter(datetime.date(2026, 11, 22)), (2026, 3))
        self.assertEqual(last_quarter(datetime.date(2026, 10, 1)), (2026, 3))
