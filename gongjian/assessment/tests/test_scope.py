"""Assessment rights follow the government that runs a scheme or an event: its own office
computes, publishes, sees drafts and runs the 观摩; a county office cannot touch the city's
(and the city office does not run the county's). Units outside the owner are refused, and the
public big screen only ever shows published snapshots."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.forms import inlineformset_factory
from django.test import SimpleTestCase, TransactionTestCase
from django.urls import reverse

from gongjian.accounts.models import Role, Unit
from gongjian.assessment import ownership, review, services
from gongjian.assessment.admin import ReviewGroupFormSet, SchemeForm, UnitGroupForm
from gongjian.assessment.models import (
    Judge,
    ManualScore,
    Nomination,
    ReviewEvent,
    ReviewGroup,
    Scheme,
    SchemeItem,
    ScoreRun,
    UnitGroup,
    UnitScore,
)
from gongjian.audit.models import AuditEntry
from gongjian.screen.data import screen_data
from gongjian.screen.models import ScreenToken
from gongjian.test import BaseTestCase

Status = ReviewEvent.Status


def assessment_writes() -> int:
    """Audited writes to assessment rows (signing in is audited too, and is no write)."""
    return AuditEntry.objects.filter(target_type__startswith="assessment.").count()


class UnitsOutsideTests(SimpleTestCase):
    def test_table(self):
        city, county = "0001/", "0001/0005/"
        cases = [
            # owner path, units (name, path), names outside
            (city, [("东湖街道", "0001/0002/"), ("西山县", "0001/0005/")], []),
            (county, [("城关镇", "0001/0005/0009/"), ("西山县", "0001/0005/")], []),
            (county, [("东湖街道", "0001/0002/"), ("城关镇", "0001/0005/0009/")], ["东湖街道"]),
            # A sibling whose path merely starts with the same digits is still outside.
            (county, [("五十镇", "0001/00050/")], ["五十镇"]),
            (county, [("青川市", "0001/")], ["青川市"]),  # the parent is not under its child
            (city, [("邻市", "0002/"), ("邻市", "0002/")], ["邻市"]),
            (city, [], []),
        ]
        for owner, units, outside in cases:
            with self.subTest(owner=owner, units=units):
                self.assertEqual(ownership.units_outside(owner, units), outside)


class ScopeData(BaseTestCase):
    """The city (alice's office) runs 月度考核 over 东湖街道, 西山镇 and the county's 城关镇; the
    county 西山县 (xiu's office) runs 县月度考核 over its own 城关镇 and 河口镇. Each has a draft
    for 2026-09 and a 观摩 in preparation."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.county = Unit.objects.create(
            name="西山县人民政府", kind=Unit.Kind.GOVERNMENT, parent=cls.city
        )
        cls.county_town = Unit.objects.create(name="城关镇", kind=Unit.Kind.TOWN, parent=cls.county)
        cls.county_town_2 = Unit.objects.create(
            name="河口镇", kind=Unit.Kind.TOWN, parent=cls.county
        )
        cls.xiu = cls.make_user("xiu", Role.OFFICE, cls.county)
        cls.city_scheme = cls.make_scheme(
            "月度考核", cls.city, "市镇街组", [cls.town_a, cls.town_b, cls.county_town]
        )
        cls.county_scheme = cls.make_scheme(
            "县月度考核", cls.county, "县镇街组", [cls.county_town, cls.county_town_2]
        )
        cls.city_draft = services.score_run_compute(cls.city_scheme, "2026-09")
        cls.county_draft = services.score_run_compute(cls.county_scheme, "2026-09")
        cls.city_event = cls.make_event("市观摩", cls.city, [cls.town_a, cls.town_b])
        cls.county_event = cls.make_event(
            "县观摩", cls.county, [cls.county_town, cls.county_town_2]
        )

    @classmethod
    def make_scheme(cls, name, owner, group_name, units) -> Scheme:
        group = UnitGroup.objects.create(name=group_name)
        group.units.set(units)
        scheme = Scheme.objects.create(name=name, cadence=Scheme.Cadence.MONTHLY, owner=owner)
        scheme.groups.set([group])
        item = SchemeItem.objects.create(scheme=scheme, name="工作作风", method="manual")
        for points, unit in enumerate(units, start=1):
            ManualScore.objects.create(
                item=item, unit=unit, period="2026-09", points=points, reason="测试"
            )
        return scheme

    @classmethod
    def make_event(cls, name, owner, units) -> ReviewEvent:
        event = ReviewEvent.objects.create(
            name=name,
            period="2026-Q4",
            held_on=datetime.date(2026, 12, 10),
            status=Status.PREPARING,
            owner=owner,
        )
        group = ReviewGroup.objects.create(event=event, name="镇街组")
        group.units.set(units)
        project = cls.make_project(name=f"{name}项目", code="", responsible_unit=units[0])
        Nomination.objects.create(event=event, unit=units[0], project=project, eligible=False)
        return event

    def as_user(self, user):
        self.client.force_login(user)
        return self.client

    def compute(self, user, scheme, period="2026-10"):
        return self.as_user(user).post(
            reverse("assessment:compute"), {"scheme": scheme.pk, "period": period}
        )

    def publish(self, user, run):
        return self.as_user(user).post(reverse("assessment:publish", args=[run.pk]))

    def ranking(self, user, scheme):
        return self.as_user(user).get(reverse("assessment:ranking"), {"scheme": scheme.pk})

    def breakdown(self, user, run, unit):
        return self.as_user(user).get(reverse("assessment:breakdown", args=[run.pk, unit.pk]))


class SchemeScopeTests(ScopeData):
    def test_the_county_office_cannot_compute_the_city_scheme(self):
        audit = assessment_writes()
        self.assertEqual(self.compute(self.xiu, self.city_scheme).status_code, 403)
        # Not even over an existing draft.
        self.assertEqual(self.compute(self.xiu, self.city_scheme, "2026-09").status_code, 403)
        self.assertFalse(ScoreRun.objects.filter(period="2026-10").exists())
        self.assertEqual(assessment_writes(), audit)
        computed_at = ScoreRun.objects.get(pk=self.city_draft.pk).computed_at
        self.assertEqual(computed_at, self.city_draft.computed_at)

    def test_the_county_office_cannot_publish_the_city_draft(self):
        self.assertEqual(self.publish(self.xiu, self.city_draft).status_code, 404)
        self.city_draft.refresh_from_db()
        self.assertFalse(self.city_draft.is_published)

    def test_the_county_office_cannot_see_the_city_drafts(self):
        response = self.ranking(self.xiu, self.city_scheme)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["runs"], [])
        self.assertFalse(response.context["can_manage"])
        self.assertNotContains(response, 'id="compute-form"')
        self.assertNotContains(response, "东湖街道")
        unit = self.town_a
        self.assertEqual(self.breakdown(self.xiu, self.city_draft, unit).status_code, 404)

    def test_the_county_office_runs_its_own_scheme(self):
        response = self.ranking(self.xiu, self.county_scheme)
        self.assertEqual(response.context["runs"], [self.county_draft])
        self.assertContains(response, 'id="publish-button"')
        self.assertContains(response, 'id="compute-form"')
        self.assertContains(response, "河口镇")
        self.assertEqual(
            self.breakdown(self.xiu, self.county_draft, self.county_town).status_code, 200
        )
        audit = assessment_writes()
        self.assertEqual(self.compute(self.xiu, self.county_scheme).status_code, 302)
        self.assertEqual(assessment_writes(), audit + 1)  # what the refusals above must not do
        run = ScoreRun.objects.get(scheme=self.county_scheme, period="2026-10")
        self.assertEqual(run.scores.count(), 2)
        self.assertEqual(self.publish(self.xiu, run).status_code, 302)
        run.refresh_from_db()
        self.assertEqual(run.published_by, self.xiu)

    def test_the_city_office_runs_the_city_scheme(self):
        response = self.ranking(self.alice, self.city_scheme)
        self.assertEqual(response.context["runs"], [self.city_draft])
        self.assertTrue(response.context["can_manage"])
        self.assertEqual(self.compute(self.alice, self.city_scheme).status_code, 302)
        run = ScoreRun.objects.get(scheme=self.city_scheme, period="2026-10")
        self.assertEqual(run.scores.count(), 3)
        self.assertEqual(self.publish(self.alice, self.city_draft).status_code, 302)
        self.city_draft.refresh_from_db()
        self.assertTrue(self.city_draft.is_published)

    def test_the_city_office_does_not_run_a_county_scheme(self):
        # A county's ranking is the county's decision: the city reads it once published.
        self.assertEqual(self.compute(self.alice, self.county_scheme).status_code, 403)
        self.assertEqual(self.publish(self.alice, self.county_draft).status_code, 404)
        self.assertEqual(self.ranking(self.alice, self.county_scheme).context["runs"], [])
        self.assertFalse(ScoreRun.objects.filter(period="2026-10").exists())
        services.score_run_publish(run=self.county_draft, actor=self.xiu)
        response = self.ranking(self.alice, self.county_scheme)
        self.assertEqual(response.context["runs"], [self.county_draft])
        self.assertNotContains(response, 'id="compute-form"')
        self.assertEqual(self.publish(self.alice, self.county_draft).status_code, 403)

    def test_published_runs_stay_visible_to_every_reader(self):
        services.score_run_publish(run=self.city_draft, actor=self.alice)
        for user in (self.xiu, self.leo, self.ursula, self.dora):
            with self.subTest(user.username):
                response = self.ranking(user, self.city_scheme)
                self.assertEqual(response.context["runs"], [self.city_draft])
                self.assertContains(response, "东湖街道")

    def test_a_unit_outside_the_owner_is_refused_and_nothing_is_written(self):
        outsider = UnitGroup.objects.create(name="越界组")
        outsider.units.set([self.town_a])  # a city street in the county's scheme
        self.county_scheme.groups.add(outsider)
        with self.assertRaisesMessage(services.AssessmentError, "东湖街道"):
            services.score_run_compute(self.county_scheme, "2026-10")
        self.assertFalse(ScoreRun.objects.filter(period="2026-10").exists())
        response = self.compute(self.xiu, self.county_scheme)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(ScoreRun.objects.filter(period="2026-10").exists())

    def test_the_roll_up_adds_its_own_governments_months_only(self):
        for run in (self.city_draft, self.county_draft):
            services.score_run_publish(run=run, actor=None)
        quarterly = Scheme.objects.create(
            name="县季度评比",
            cadence=Scheme.Cadence.QUARTERLY,
            rollup={"months": "1"},
            owner=self.county,
        )
        quarterly.groups.set(self.county_scheme.groups.all())
        # Two monthly schemes exist; the county's roll-up finds its own without being told.
        run = services.score_run_compute(quarterly, "2026-Q3")
        scores = {s.unit_id: s.total for s in run.scores.all()}
        self.assertEqual(
            scores, {self.county_town.pk: Decimal("1.00"), self.county_town_2.pk: Decimal("2.00")}
        )


class AdminFormTests(ScopeData):
    def scheme_form(self, owner, groups):
        data = {
            "name": "新方案",
            "cadence": "monthly",
            "rollup": "{}",
            "owner": owner.pk,
            "groups": [g.pk for g in groups],
        }
        return SchemeForm(data)

    def test_a_scheme_ranks_only_units_under_its_owner(self):
        city_groups = list(self.city_scheme.groups.all())
        county_groups = list(self.county_scheme.groups.all())
        self.assertTrue(self.scheme_form(self.city, city_groups + county_groups).is_valid())
        self.assertTrue(self.scheme_form(self.county, county_groups).is_valid())
        form = self.scheme_form(self.county, city_groups)
        self.assertFalse(form.is_valid())
        self.assertIn("东湖街道", str(form.errors["groups"]))
        self.assertIn("西山镇", str(form.errors["groups"]))

    def test_only_a_government_can_own_a_scheme(self):
        form = self.scheme_form(self.town_a, [])
        self.assertFalse(form.is_valid())
        self.assertIn("owner", form.errors)

    def test_a_shared_group_stays_under_every_schemes_owner(self):
        group = self.county_scheme.groups.get()
        data = {"name": group.name, "order": 0, "units": [self.county_town.pk, self.town_b.pk]}
        form = UnitGroupForm(data, instance=group)
        self.assertFalse(form.is_valid())
        self.assertIn("西山镇", str(form.errors["units"]))
        data["units"] = [self.county_town.pk]
        self.assertTrue(UnitGroupForm(data, instance=group).is_valid())

    def test_an_events_groups_lie_under_its_owner(self):
        FormSet = inlineformset_factory(
            ReviewEvent, ReviewGroup, formset=ReviewGroupFormSet, fields=["name", "units"]
        )
        group = self.county_event.groups.get()
        data = {
            "groups-TOTAL_FORMS": "1",
            "groups-INITIAL_FORMS": "1",
            "groups-0-id": group.pk,
            "groups-0-event": self.county_event.pk,
            "groups-0-name": group.name,
            "groups-0-units": [self.county_town.pk, self.town_a.pk],
        }
        formset = FormSet(data, instance=self.county_event, prefix="groups")
        self.assertFalse(formset.is_valid())
        self.assertIn("东湖街道", str(formset.forms[0].errors["units"]))
        data["groups-0-units"] = [self.county_town.pk]
        self.assertTrue(FormSet(data, instance=self.county_event, prefix="groups").is_valid())


class ReviewScopeTests(ScopeData):
    def post(self, user, name, *args, data=None):
        url = reverse(f"assessment:{name}", args=args)
        return self.as_user(user).post(url, data or {})

    def get(self, user, name, *args):
        return self.as_user(user).get(reverse(f"assessment:{name}", args=args))

    def test_the_county_office_cannot_run_the_city_event(self):
        event = self.city_event
        nomination = event.nominations.get()
        audit = assessment_writes()
        self.assertEqual(self.get(self.xiu, "review-event", event.pk).status_code, 403)
        self.assertEqual(self.post(self.xiu, "review-open", event.pk).status_code, 403)
        self.assertEqual(self.post(self.xiu, "review-close", event.pk).status_code, 403)
        response = self.post(
            self.xiu, "nomination-override", nomination.pk, data={"reason": "县里说行"}
        )
        self.assertEqual(response.status_code, 403)
        event.refresh_from_db()
        nomination.refresh_from_db()
        self.assertEqual(event.status, Status.PREPARING)
        self.assertFalse(nomination.eligible)
        self.assertEqual(assessment_writes(), audit)

    def test_the_county_office_runs_its_own_event(self):
        event = self.county_event
        self.assertEqual(self.get(self.xiu, "review-event", event.pk).status_code, 200)
        nomination = event.nominations.get()
        self.post(self.xiu, "nomination-override", nomination.pk, data={"reason": "手续已补齐"})
        nomination.refresh_from_db()
        self.assertTrue(nomination.eligible)
        self.post(self.xiu, "review-open", event.pk)
        event.refresh_from_db()
        self.assertEqual(event.status, Status.OPEN)
        self.post(self.xiu, "review-close", event.pk)
        event.refresh_from_db()
        self.assertEqual(event.status, Status.CLOSED)

    def test_the_city_office_runs_the_city_event_not_the_countys(self):
        self.assertEqual(self.get(self.alice, "review-event", self.city_event.pk).status_code, 200)
        self.post(self.alice, "review-open", self.city_event.pk)
        self.city_event.refresh_from_db()
        self.assertEqual(self.city_event.status, Status.OPEN)
        county = self.county_event.pk
        self.assertEqual(self.get(self.alice, "review-event", county).status_code, 403)
        self.assertEqual(self.post(self.alice, "review-open", county).status_code, 403)
        self.county_event.refresh_from_db()
        self.assertEqual(self.county_event.status, Status.PREPARING)

    def test_each_office_lists_its_own_events_and_closed_ones(self):
        response = self.get(self.xiu, "review-events")
        self.assertEqual([e.name for e in response.context["events"]], ["县观摩"])
        self.assertContains(
            response, reverse("assessment:review-event", args=[self.county_event.pk])
        )
        review.event_open(event=self.city_event, actor=self.alice)
        review.event_close(event=self.city_event, actor=self.alice)
        response = self.get(self.xiu, "review-events")
        self.assertEqual({e.name for e in response.context["events"]}, {"市观摩", "县观摩"})
        # The closed city event: its results, but no way to manage it.
        self.assertContains(
            response, reverse("assessment:review-results", args=[self.city_event.pk])
        )
        manage = reverse("assessment:review-event", args=[self.city_event.pk])
        self.assertNotContains(response, f'href="{manage}"')

    def test_no_tally_before_the_close(self):
        review.event_open(event=self.city_event, actor=self.alice)
        judge = Judge.objects.create(event=self.city_event, user=self.judy)
        group = self.city_event.groups.get()
        review.ballot_cast(judge=judge, group=group, ranking=[self.town_a.pk, self.town_b.pk])
        for user in (self.alice, self.xiu, self.leo):
            with self.subTest(user.username):
                response = self.get(user, "review-results", self.city_event.pk)
                self.assertEqual(response.context["tables"], [])
        review.event_close(event=self.city_event, actor=self.alice)
        response = self.get(self.xiu, "review-results", self.city_event.pk)
        self.assertEqual(len(response.context["tables"]), 1)
        self.assertFalse(response.context["is_office"])  # no link to the event page

    def test_an_event_with_a_unit_outside_its_owner_does_not_open(self):
        self.county_event.groups.get().units.add(self.town_a)
        with self.assertRaisesMessage(review.BallotError, "东湖街道"):
            review.event_open(event=self.county_event, actor=self.xiu)
        self.county_event.refresh_from_db()
        self.assertEqual(self.county_event.status, Status.PREPARING)

    def test_the_roll_up_counts_its_own_governments_events_only(self):
        for event in (self.city_event, self.county_event):
            review.event_open(event=event, actor=None)
            judge = Judge.objects.create(event=event, user=self.judy)
            group = event.groups.get()
            review.ballot_cast(
                judge=judge, group=group, ranking=list(group.units.values_list("pk", flat=True))
            )
            review.event_close(event=event, actor=None)
        county = review.event_scores("2026-Q4", owner=self.county.pk)
        self.assertEqual(set(county), {self.county_town.pk, self.county_town_2.pk})
        city = review.event_scores("2026-Q4", owner=self.city.pk)
        self.assertEqual(set(city), {self.town_a.pk, self.town_b.pk})


class ScreenScopeTests(ScopeData):
    def test_the_big_screen_never_shows_a_draft(self):
        token = ScreenToken.objects.create(name="市民中心大屏")
        url = reverse("screen:data", args=[token.token])
        # The county office tries to publish the city's draft: refused, so nothing to show.
        self.publish(self.xiu, self.city_draft)
        self.client.logout()
        self.assertEqual(self.client.get(url).json()["rankings"], [])
        self.assertEqual(screen_data()["rankings"], [])
        # Each office publishes its own; a later draft of either stays off the screen.
        services.score_run_publish(run=self.city_draft, actor=self.alice)
        services.score_run_publish(run=self.county_draft, actor=self.xiu)
        services.score_run_compute(self.city_scheme, "2026-10")
        services.score_run_compute(self.county_scheme, "2026-10")
        rankings = self.client.get(url).json()["rankings"]
        self.assertEqual(
            sorted((r["scheme"], r["period"]) for r in rankings),
            [("县月度考核", "2026-09"), ("月度考核", "2026-09")],
        )
        published = set(ScoreRun.objects.published().values_list("scheme__name", "period"))
        self.assertEqual({(r["scheme"], r["period"]) for r in rankings}, published)
        shown = sorted(row["total"] for r in rankings for g in r["groups"] for row in g["rows"])
        expected = UnitScore.objects.filter(run__published_at__isnull=False)
        self.assertEqual(shown, sorted(float(s.total) for s in expected))


class OwnerMigrationTests(TransactionTestCase):
    """0002 gives existing schemes and events the top-level government covering their units."""

    def test_existing_rows_go_to_the_root_government(self):
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        before = [("assessment", "0001_initial")]
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        city = Unit.objects.create(name="青川市人民政府", kind=Unit.Kind.GOVERNMENT)
        county = Unit.objects.create(name="西山县", kind=Unit.Kind.GOVERNMENT, parent=city)
        town = Unit.objects.create(name="城关镇", kind=Unit.Kind.TOWN, parent=county)
        Unit.objects.create(name="青川新材料有限公司", kind=Unit.Kind.ENTERPRISE)
        group = old.get_model("assessment", "UnitGroup").objects.create(name="县镇街组")
        group.units.set([town.pk])
        scheme = old.get_model("assessment", "Scheme").objects.create(
            name="月度考核", cadence="monthly"
        )
        scheme.groups.set([group])
        empty = old.get_model("assessment", "Scheme").objects.create(name="空", cadence="yearly")
        event = old.get_model("assessment", "ReviewEvent").objects.create(
            name="观摩", period="2026-Q4", held_on=datetime.date(2026, 12, 10)
        )
        event_group = old.get_model("assessment", "ReviewGroup").objects.create(
            event=event, name="镇街组"
        )
        event_group.units.set([town.pk])

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        # The city (not the county that covers the town): the city office keeps running it.
        self.assertEqual(Scheme.objects.get(pk=scheme.pk).owner, city)
        self.assertEqual(Scheme.objects.get(pk=empty.pk).owner, city)
        self.assertEqual(ReviewEvent.objects.get(pk=event.pk).owner, city)
