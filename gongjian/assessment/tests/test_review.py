"""观摩评议: ballot validation (pure), rank voting over 13 units recomputed by hand, criteria
ballots, eligibility of nominations, sealing, and the review pages for every persona."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import SimpleTestCase
from django.urls import reverse

from gongjian.accounts.models import Role, Unit
from gongjian.assessment import review, scoring
from gongjian.assessment.models import Ballot, Judge, Nomination, ReviewEvent, ReviewGroup
from gongjian.assessment.review import BallotError
from gongjian.audit.models import AuditEntry
from gongjian.test import BaseTestCase

D = Decimal
Status = ReviewEvent.Status
# Rank voting (济宁 2015): place 1 weighs 100, each place after it 3 less; 13 places down to 64.
WEIGHTS_13 = [100, 97, 94, 91, 88, 85, 82, 79, 76, 73, 70, 67, 64]
NAMES = {1: "东湖街道", 2: "西山镇", 3: "青川高新区", 4: "南岭乡"}
IDS = [1, 2, 3, 4]


class ValidationTests(SimpleTestCase):
    def refused(self, call, *args) -> str:
        with self.assertRaises(BallotError) as caught:
            call(*args)
        return str(caught.exception)

    def test_it_accepts_a_complete_ranking(self):
        self.assertEqual(review.validate_ranking([3, 1, 4, 2], IDS, NAMES, None), [3, 1, 4, 2])
        self.assertEqual(review.validate_ranking(["3", "1", "4"], IDS, NAMES, 2), [3, 1, 4])

    def test_it_refuses_a_unit_ranked_twice(self):
        message = self.refused(review.validate_ranking, [1, 2, 2, 3], IDS, NAMES, None)
        self.assertIn("西山镇", message)
        self.assertIn("more than once", message)

    def test_it_refuses_a_missing_unit(self):
        message = self.refused(review.validate_ranking, [1, 2, 3], IDS, NAMES, None)
        self.assertIn("南岭乡", message)
        self.assertIn("no place", message)

    def test_it_refuses_the_judges_own_unit(self):
        message = self.refused(review.validate_ranking, [1, 2, 3, 4], IDS, NAMES, 2)
        self.assertIn("own unit", message)
        self.assertIn("西山镇", message)

    def test_it_refuses_a_unit_outside_the_group(self):
        self.refused(review.validate_ranking, [1, 2, 3, 4, 9], IDS, NAMES, None)

    def test_places_become_a_ranking(self):
        places = {1: "2", 2: "4", 3: "1", 4: "3"}
        self.assertEqual(review.validate_places(places, IDS, NAMES, None), [3, 1, 4, 2])

    def test_places_skip_the_judges_own_unit(self):
        self.assertEqual(review.validate_places({1: "2", 3: "1", 4: "3"}, IDS, NAMES, 2), [3, 1, 4])

    def test_it_refuses_a_tie_on_places(self):
        message = self.refused(
            review.validate_places, {1: "1", 2: "2", 3: "2", 4: "3"}, IDS, NAMES, None
        )
        self.assertIn("No ties", message)
        self.assertIn("西山镇", message)
        self.assertIn("青川高新区", message)

    def test_it_refuses_a_place_out_of_range(self):
        message = self.refused(
            review.validate_places, {1: "1", 2: "2", 3: "3", 4: "5"}, IDS, NAMES, None
        )
        self.assertIn("南岭乡", message)
        self.assertIn("1 to 4", message)
        # With the own unit left out there are only three places.
        message = self.refused(review.validate_places, {1: "1", 3: "2", 4: "4"}, IDS, NAMES, 2)
        self.assertIn("南岭乡", message)
        self.assertIn("1 to 3", message)
        self.refused(review.validate_places, {1: "0", 2: "1", 3: "2", 4: "3"}, IDS, NAMES, None)

    def test_it_refuses_an_empty_place_naming_the_unit(self):
        message = self.refused(
            review.validate_places, {1: "1", 2: "", 3: "2", 4: "3"}, IDS, NAMES, None
        )
        self.assertIn("西山镇", message)

    def test_it_refuses_a_place_that_is_not_a_number(self):
        self.refused(review.validate_places, {1: "1", 2: "二", 3: "2", 4: "3"}, IDS, NAMES, None)

    def test_criteria_scores(self):
        criteria = [{"name": "形象进度", "max": 40}, {"name": "质量", "max": 60}]
        clean = review.validate_scores(
            {1: {"形象进度": "38", "质量": "55.5"}, "3": {"形象进度": "0", "质量": "60"}},
            [1, 2, 3],
            NAMES,
            2,
            criteria,
        )
        self.assertEqual(
            clean, {"1": {"形象进度": "38", "质量": "55.5"}, "3": {"形象进度": "0", "质量": "60"}}
        )
        cases = [
            ({"形象进度": "41", "质量": "50"}, "from 0 to 40"),
            ({"形象进度": "-1", "质量": "50"}, "from 0 to 40"),
            ({"形象进度": "", "质量": "50"}, "give a score"),
            ({"质量": "50"}, "give a score"),
            ({"形象进度": "NaN", "质量": "50"}, "形象进度"),
            ({"形象进度": "Infinity", "质量": "50"}, "形象进度"),
        ]
        for given, expected in cases:
            with self.subTest(given):
                message = self.refused(
                    review.validate_scores, {1: given}, [1], NAMES, None, criteria
                )
                self.assertIn("东湖街道", message)
                self.assertIn(expected, message)


class EligibilityTests(SimpleTestCase):
    def check(self, rules, **facts):
        values = {
            "total": D(3000),
            "completed": D(1500),
            "shown_years": [],
            "year": 2026,
            "procedures_complete": True,
        }
        values.update(facts)
        return review.check_eligibility(rules, **values)

    def test_one_third_completed_is_eligible_and_just_under_is_not(self):
        rules = {"min_completed_share": "0.3333"}
        (finding,) = self.check(rules, completed=D(1000))  # 1/3 of 3,000万元
        self.assertTrue(finding.ok)
        self.assertIn("999.9", finding.message)
        (finding,) = self.check(rules, completed=D("999.89"))
        self.assertFalse(finding.ok)
        self.assertEqual(finding.rule, "min_completed_share")

    def test_a_project_shown_recently_is_excluded(self):
        rules = {"not_shown_years": 3}
        (finding,) = self.check(rules, shown_years=[2024])  # two years ago
        self.assertFalse(finding.ok)
        self.assertIn("2024", finding.message)
        (finding,) = self.check(rules, shown_years=[2023])  # 2023, 2024, 2025 are the last 3
        self.assertFalse(finding.ok)
        (finding,) = self.check(rules, shown_years=[2019, 2022])
        self.assertTrue(finding.ok)

    def test_incomplete_procedures_are_excluded(self):
        (finding,) = self.check({"procedures_complete": True}, procedures_complete=False)
        self.assertFalse(finding.ok)
        self.assertEqual(finding.message, "procedures incomplete")
        (finding,) = self.check({"procedures_complete": True})
        self.assertTrue(finding.ok)

    def test_no_rules_no_findings(self):
        self.assertEqual(self.check({}), [])


class ReviewData(BaseTestCase):
    """An open rank-voting event whose group is 东湖街道, 西山镇 and 青川高新区; judy judges
    it from 西山镇, so she ranks the other two."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.jack = cls.make_user("jack", Role.JUDGE, cls.city)  # a judge with no seat here
        cls.event = cls.make_event("2026年四季度观摩")
        cls.group = cls.make_group(cls.event, "镇街组", [cls.town_a, cls.town_b, cls.park])
        cls.seat = Judge.objects.create(event=cls.event, user=cls.judy, unit=cls.town_b)

    @classmethod
    def make_event(cls, name, **fields) -> ReviewEvent:
        values = {
            "status": Status.OPEN,
            "method": ReviewEvent.Method.RANK,
            "period": "2026-Q4",
            "held_on": datetime.date(2026, 12, 10),
            "owner": cls.city,
        }
        values.update(fields)
        return ReviewEvent.objects.create(name=name, **values)

    @classmethod
    def make_group(cls, event, name, units) -> ReviewGroup:
        group = ReviewGroup.objects.create(event=event, name=name)
        group.units.set(units)
        return group


class RankVotingTests(ReviewData):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.counties = [
            Unit.objects.create(name=f"青川{i:02d}县", kind=Unit.Kind.TOWN, parent=cls.city)
            for i in range(13)
        ]
        cls.big = cls.make_group(cls.event, "县组", cls.counties)

    def judge(self, name, unit=None) -> Judge:
        user = self.make_user(name, Role.JUDGE, self.city)
        return Judge.objects.create(event=self.event, user=user, unit=unit)

    def test_thirteen_units_by_hand(self):
        c = self.counties
        ids = [u.pk for u in c]
        # Four ballots, first place first (judge 3 comes from county 0 and leaves it out).
        review.ballot_cast(judge=self.judge("j1"), group=self.big, ranking=ids)
        review.ballot_cast(
            judge=self.judge("j2"), group=self.big, ranking=[ids[1], ids[0], *ids[2:]]
        )
        review.ballot_cast(
            judge=self.judge("j3", unit=c[0]),
            group=self.big,
            places={pk: str(place) for place, pk in enumerate(ids[1:], start=1)},
        )
        review.ballot_cast(judge=self.judge("j4"), group=self.big, ranking=ids[::-1])
        scores = review.group_scores(self.big)

        # By hand, with the weights written out: place p weighs WEIGHTS_13[p - 1].
        # county 0: 1st (j1), 2nd (j2), 13th (j4) = (100 + 97 + 64) ÷ 3 = 261 ÷ 3
        self.assertEqual(scores[ids[0]].points, D("87.00"))
        self.assertEqual(scores[ids[0]].formula, "(1×100 + 1×97 + 1×64) ÷ 3")
        # county 1: 2nd, 1st, 1st, 12th = (2×100 + 97 + 67) ÷ 4 = 364 ÷ 4
        self.assertEqual(scores[ids[1]].points, D("91.00"))
        self.assertEqual(scores[ids[1]].formula, "(2×100 + 1×97 + 1×67) ÷ 4")
        # county 6: 7th, 7th, 6th, 7th = (85 + 3×82) ÷ 4 = 331 ÷ 4
        self.assertEqual(scores[ids[6]].points, D("82.75"))
        self.assertEqual(scores[ids[6]].formula, "(1×85 + 3×82) ÷ 4")
        # county 12: 13th, 13th, 12th, 1st = (100 + 67 + 2×64) ÷ 4 = 295 ÷ 4
        self.assertEqual(scores[ids[12]].points, D("73.75"))
        self.assertEqual(scores[ids[12]].formula, "(1×100 + 1×67 + 2×64) ÷ 4")

        # Every county: its places on the four ballots, by hand from the lists above.
        places = {
            i: [
                i + 1,  # j1
                {0: 2, 1: 1}.get(i, i + 1),  # j2 swaps the first two
                *([] if i == 0 else [i]),  # j3 ranks counties 1…12 as 1…12
                13 - i,  # j4 reversed
            ]
            for i in range(13)
        }
        for i, county_places in places.items():
            with self.subTest(county=i):
                total = sum(WEIGHTS_13[p - 1] for p in county_places)
                expected = (D(total) / len(county_places)).quantize(D("0.01"))
                self.assertEqual(scores[ids[i]].points, expected)
                self.assertEqual(scores[ids[i]].inputs["votes"], len(county_places))

    def test_the_formula_reads_like_the_bulletin(self):
        score = scoring.rank_vote_score({1: 12, 2: 5, 13: 3}, scoring.place_weights(13))
        self.assertEqual(score.formula, "(12×100 + 5×97 + 3×64) ÷ 20")
        self.assertEqual(score.points, D("93.85"))  # 1,877 ÷ 20
        self.assertEqual(scoring.place_weights(13), WEIGHTS_13)

    def test_a_unit_without_votes_scores_zero(self):
        review.ballot_cast(
            judge=self.seat, group=self.group, ranking=[self.park.pk, self.town_a.pk]
        )
        scores = review.group_scores(self.group)
        self.assertEqual(scores[self.park.pk].points, D("100.00"))
        self.assertEqual(scores[self.town_a.pk].points, D("97.00"))
        self.assertEqual(scores[self.town_b.pk].points, D("0.00"))

    def test_a_judge_cannot_vote_in_another_events_group(self):
        other = self.make_event("另一场观摩", status=Status.CLOSED)
        foreign = self.make_group(other, "镇街组", [self.town_a, self.park])
        with self.assertRaises(BallotError):
            review.ballot_cast(
                judge=self.seat, group=foreign, ranking=[self.town_a.pk, self.park.pk]
            )
        self.assertFalse(Ballot.objects.filter(group=foreign).exists())

    def test_a_new_ballot_replaces_the_old_one_and_is_audited(self):
        first = review.ballot_cast(
            judge=self.seat, group=self.group, places={self.town_a.pk: "1", self.park.pk: "2"}
        )
        second = review.ballot_cast(
            judge=self.seat, group=self.group, places={self.town_a.pk: "2", self.park.pk: "1"}
        )
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Ballot.objects.get().ranking, [self.park.pk, self.town_a.pk])
        actions = AuditEntry.objects.filter(target_type="assessment.Ballot").values_list(
            "action", flat=True
        )
        self.assertEqual(sorted(actions), ["create", "update"])


class CriteriaBallotTests(ReviewData):
    CRITERIA = [{"name": "形象进度", "max": 40}, {"name": "质量", "max": 60}]

    def test_the_score_is_the_mean_of_the_judges_totals(self):
        event = self.make_event(
            "标准评分观摩", method=ReviewEvent.Method.CRITERIA, criteria=self.CRITERIA
        )
        group = self.make_group(event, "园区组", [self.town_a, self.park])
        judy = Judge.objects.create(event=event, user=self.judy)
        jack = Judge.objects.create(event=event, user=self.jack)
        review.ballot_cast(
            judge=judy,
            group=group,
            scores={
                self.town_a.pk: {"形象进度": "38", "质量": "52"},
                self.park.pk: {"形象进度": "30", "质量": "45.5"},
            },
        )
        review.ballot_cast(
            judge=jack,
            group=group,
            scores={
                str(self.town_a.pk): {"形象进度": "35", "质量": "50"},
                str(self.park.pk): {"形象进度": "40", "质量": "60"},
            },
        )
        scores = review.group_scores(group)
        self.assertEqual(scores[self.town_a.pk].points, D("87.50"))  # (90 + 85) ÷ 2
        self.assertEqual(scores[self.park.pk].points, D("87.75"))  # (75.5 + 100) ÷ 2
        self.assertEqual(scores[self.park.pk].inputs, {"judges": 2})

        with self.assertRaises(BallotError) as caught:
            review.ballot_cast(
                judge=judy,
                group=group,
                scores={self.town_a.pk: {"形象进度": "45", "质量": "50"}},
            )
        self.assertIn("东湖街道", str(caught.exception))


class SealingTests(ReviewData):
    def test_a_ballot_cannot_change_after_the_close(self):
        ballot = review.ballot_cast(
            judge=self.seat, group=self.group, ranking=[self.town_a.pk, self.park.pk]
        )
        review.event_close(event=self.event, actor=self.alice)
        self.event.refresh_from_db()
        self.assertEqual(self.event.status, Status.CLOSED)
        self.assertIsNotNone(self.event.closed_at)
        before = list(Ballot.objects.values_list("pk", "ranking", "scores", "cast_at"))
        with self.assertRaises(BallotError) as caught:
            review.ballot_cast(
                judge=self.seat, group=self.group, ranking=[self.park.pk, self.town_a.pk]
            )
        self.assertIn("sealed", str(caught.exception))
        self.assertEqual(
            list(Ballot.objects.values_list("pk", "ranking", "scores", "cast_at")), before
        )
        self.assertEqual(before[0][0], ballot.pk)
        with self.assertRaises(BallotError):
            review.event_close(event=self.event, actor=self.alice)

    def test_no_ballot_before_the_event_opens(self):
        ReviewEvent.objects.filter(pk=self.event.pk).update(status=Status.PREPARING)
        with self.assertRaises(BallotError):
            review.ballot_cast(
                judge=self.seat, group=self.group, ranking=[self.town_a.pk, self.park.pk]
            )
        self.assertFalse(Ballot.objects.exists())

    def test_the_period_counts_closed_events_only(self):
        review.ballot_cast(
            judge=self.seat, group=self.group, ranking=[self.town_a.pk, self.park.pk]
        )
        self.assertEqual(review.event_scores("2026-Q4", owner=self.city.pk), {})
        review.event_close(event=self.event, actor=self.alice)
        scores = review.event_scores("2026-Q4", owner=self.city.pk)
        self.assertEqual(scores[self.town_a.pk].points, D("100.00"))
        self.assertEqual(scores[self.park.pk].points, D("97.00"))


class ReviewPageTests(ReviewData):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.project_c = cls.make_project(name="东湖数据中心项目", responsible_unit=cls.town_a)
        findings = review.check_eligibility(
            {"min_completed_share": "0.3333", "procedures_complete": True},
            total=D(3000),
            completed=D(500),
            shown_years=[],
            year=2026,
            procedures_complete=True,
        )
        cls.refused = Nomination.objects.create(
            event=cls.event,
            unit=cls.town_a,
            project=cls.project_a,
            eligible=False,
            findings=[f.__dict__ for f in findings],
        )
        cls.admitted = Nomination.objects.create(
            event=cls.event,
            unit=cls.town_b,
            project=cls.project_b,
            eligible=True,
            findings=[
                {"rule": "procedures_complete", "ok": True, "message": "procedures complete"}
            ],
        )

    def url(self, name, *args):
        return reverse(f"assessment:{name}", args=args)

    def get(self, user, name, *args):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.get(self.url(name, *args))

    def post(self, user, name, *args, data=None):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.post(self.url(name, *args), data or {})

    def personas(self) -> dict:
        return {
            "alice": self.alice,
            "leo": self.leo,
            "judy": self.judy,  # a judge with a seat on the event
            "jack": self.jack,  # a judge without one
            "ursula": self.ursula,
            "dora": self.dora,
            "erin": self.erin,
            "oscar": self.oscar,
            "anonymous": None,
        }

    def assert_access(self, expected: dict, request) -> None:
        for name, user in self.personas().items():
            with self.subTest(name):
                response = request(user)
                if name == "anonymous":
                    self.assertEqual(response.status_code, 302)
                    self.assertIn("/accounts/login/", response["Location"])
                else:
                    self.assertEqual(response.status_code, expected[name])

    # --- access per persona -----------------------------------------------------------------------

    def test_events_access(self):
        expected = {"alice": 200, "judy": 200, "jack": 200}
        expected = {n: expected.get(n, 403) for n in self.personas()}
        self.assert_access(expected, lambda user: self.get(user, "review-events"))
        self.assertContains(self.get(self.judy, "review-events"), self.url("ballot", self.event.pk))
        self.assertNotContains(self.get(self.jack, "review-events"), self.event.name)
        response = self.get(self.alice, "review-events")
        self.assertContains(response, self.url("review-event", self.event.pk))
        self.assertNotContains(response, self.url("ballot", self.event.pk))

    def test_event_access(self):
        expected = {n: 200 if n == "alice" else 403 for n in self.personas()}
        self.assert_access(expected, lambda user: self.get(user, "review-event", self.event.pk))

    def test_ballot_access(self):
        expected = {n: 200 if n == "judy" else 403 for n in self.personas()}
        self.assert_access(expected, lambda user: self.get(user, "ballot", self.event.pk))
        for name, user in self.personas().items():
            if name == "judy":
                continue
            with self.subTest(post=name):
                response = self.post(user, "ballot", self.event.pk, data=self.places(1, 2))
                self.assertEqual(response.status_code, 302 if user is None else 403)
        self.assertFalse(Ballot.objects.exists())

    def test_results_access(self):
        review.event_close(event=self.event, actor=self.alice)
        expected = {n: 200 if n in ("alice", "leo") else 403 for n in self.personas()}
        self.assert_access(expected, lambda user: self.get(user, "review-results", self.event.pk))

    def test_open_close_and_override_are_for_the_office(self):
        self.event.status = Status.PREPARING
        self.event.save()
        for name, user in self.personas().items():
            if name == "alice":
                continue
            with self.subTest(name):
                for action, arg in [
                    ("review-open", self.event.pk),
                    ("review-close", self.event.pk),
                    ("nomination-override", self.refused.pk),
                ]:
                    response = self.post(user, action, arg, data={"reason": "x"})
                    self.assertEqual(response.status_code, 302 if user is None else 403)
        self.event.refresh_from_db()
        self.refused.refresh_from_db()
        self.assertEqual(self.event.status, Status.PREPARING)
        self.assertFalse(self.refused.eligible)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url("review-open", self.event.pk)).status_code, 405)

    # --- the office's event page ------------------------------------------------------------------

    def test_event_page_shows_findings_override_forms_and_votes(self):
        review.ballot_cast(
            judge=self.seat, group=self.group, ranking=[self.town_a.pk, self.park.pk]
        )
        response = self.get(self.alice, "review-event", self.event.pk)
        self.assertContains(response, "✗ 500 of 3000万元 completed; at least 999.9 needed")
        self.assertContains(response, "✓ procedures complete")
        self.assertContains(response, "✓ procedures complete", count=2)
        self.assertContains(response, self.url("nomination-override", self.refused.pk))
        self.assertNotContains(response, self.url("nomination-override", self.admitted.pk))
        self.assertContains(response, "1 / 1")  # judy has voted in the one group
        self.assertContains(response, self.url("review-close", self.event.pk))
        self.assertNotContains(response, self.url("review-open", self.event.pk))
        self.assertContains(response, "青川高新区")

    def test_override_needs_a_reason_and_is_audited(self):
        response = self.post(
            self.alice, "nomination-override", self.refused.pk, data={"reason": " "}
        )
        self.assertRedirects(response, self.url("review-event", self.event.pk))
        self.refused.refresh_from_db()
        self.assertFalse(self.refused.eligible)
        self.assertFalse(AuditEntry.objects.filter(target_type="assessment.Nomination").exists())

        reason = "市委决定：项目为今年招商引资重点，破格参加观摩"
        self.post(self.alice, "nomination-override", self.refused.pk, data={"reason": reason})
        self.refused.refresh_from_db()
        self.assertTrue(self.refused.eligible)
        self.assertEqual(self.refused.override_reason, reason)
        entry = AuditEntry.objects.get(target_type="assessment.Nomination")
        self.assertEqual(entry.actor, self.alice)
        self.assertEqual(entry.changes["eligible"], [False, True])
        self.assertEqual(entry.changes["override_reason"], ["", reason])
        page = self.client.get(self.url("review-event", self.event.pk))
        self.assertContains(page, reason)
        self.assertNotContains(page, self.url("nomination-override", self.refused.pk))

    def post_override(self, reason):
        return self.post(
            self.alice, "nomination-override", self.refused.pk, data={"reason": reason}
        )

    def test_override_is_refused_once_closed(self):
        review.event_close(event=self.event, actor=self.alice)
        self.post_override("太晚了")
        self.refused.refresh_from_db()
        self.assertFalse(self.refused.eligible)

    def test_open_then_close(self):
        self.event.status = Status.PREPARING
        self.event.save()
        response = self.post(self.alice, "review-open", self.event.pk)
        self.assertRedirects(response, self.url("review-event", self.event.pk))
        self.event.refresh_from_db()
        self.assertEqual(self.event.status, Status.OPEN)
        entry = AuditEntry.objects.get(target_type="assessment.ReviewEvent")
        self.assertEqual(entry.changes, {"status": ["preparing", "open"]})
        # Opening twice does nothing.
        response = self.client.post(self.url("review-open", self.event.pk), follow=True)
        self.assertContains(response, "Only an event in preparation can be opened.")

        response = self.client.post(self.url("review-close", self.event.pk))
        self.assertRedirects(response, self.url("review-results", self.event.pk))
        self.event.refresh_from_db()
        self.assertEqual(self.event.status, Status.CLOSED)
        response = self.client.post(self.url("review-close", self.event.pk), follow=True)
        self.assertContains(response, "The event is not open.")

    # --- the judge's ballot -----------------------------------------------------------------------

    def places(self, town_a, park, **extra) -> dict:
        data = {
            "group": self.group.pk,
            f"place-{self.town_a.pk}": town_a,
            f"place-{self.park.pk}": park,
        }
        data.update(extra)
        return data

    def test_ballot_form_for_a_phone(self):
        response = self.get(self.judy, "ballot", self.event.pk)
        self.assertContains(response, f'name="place-{self.town_a.pk}"')
        self.assertContains(response, f'name="place-{self.park.pk}"')
        self.assertNotContains(response, f'name="place-{self.town_b.pk}"')  # her own unit
        self.assertContains(response, "西山镇")
        self.assertContains(response, "Your unit: not ranked")
        self.assertContains(response, 'inputmode="numeric"', count=2)
        self.assertContains(response, 'min="1" max="2"', count=2)

    def test_a_tie_is_refused_and_what_was_typed_is_kept(self):
        response = self.post(self.judy, "ballot", self.event.pk, data=self.places("1", "1"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "No ties: 东湖街道、青川高新区 share a place.")
        self.assertContains(response, 'class="alert alert-danger')
        self.assertContains(response, f'name="place-{self.town_a.pk}" value="1"')
        self.assertContains(response, f'name="place-{self.park.pk}" value="1"')
        self.assertFalse(Ballot.objects.exists())

        response = self.post(self.judy, "ballot", self.event.pk, data=self.places("2", ""))
        self.assertContains(response, "Rank every unit: 青川高新区 have no place.")
        self.assertContains(response, f'name="place-{self.town_a.pk}" value="2"')
        self.assertContains(response, f'name="place-{self.park.pk}" value=""')
        response = self.post(self.judy, "ballot", self.event.pk, data=self.places("1", "3"))
        self.assertContains(response, "Places run from 1 to 2; 青川高新区 has 3.")

    def test_a_ballot_is_cast_and_shown_again(self):
        # A place sent for her own unit is not counted.
        data = self.places("2", "1", **{f"place-{self.town_b.pk}": "1"})
        self.client.force_login(self.judy)
        page = self.client.post(self.url("ballot", self.event.pk), data, follow=True)
        self.assertEqual(page.redirect_chain, [(self.url("ballot", self.event.pk), 302)])
        ballot = Ballot.objects.get()
        self.assertEqual(ballot.judge, self.seat)
        self.assertEqual(ballot.ranking, [self.park.pk, self.town_a.pk])
        self.assertContains(page, "Your ballot for 镇街组 is recorded.")
        self.assertContains(page, f'name="place-{self.park.pk}" value="1"')
        self.assertContains(page, f'name="place-{self.town_a.pk}" value="2"')

    def test_a_group_of_another_event_is_not_found(self):
        other = self.make_event("另一场观摩")
        foreign = self.make_group(other, "镇街组", [self.town_a, self.park])
        data = self.places("1", "2")
        data["group"] = foreign.pk
        response = self.post(self.judy, "ballot", self.event.pk, data=data)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Ballot.objects.exists())

    def test_the_sealed_ballot_is_read_only(self):
        self.post(self.judy, "ballot", self.event.pk, data=self.places("1", "2"))
        review.event_close(event=self.event, actor=self.alice)
        before = list(Ballot.objects.values_list("ranking", "cast_at"))
        response = self.client.post(
            self.url("ballot", self.event.pk), self.places("2", "1"), follow=True
        )
        self.assertContains(response, "Ballots are closed and sealed; nothing was changed.")
        self.assertEqual(list(Ballot.objects.values_list("ranking", "cast_at")), before)
        self.assertNotContains(response, '<input type="number"')
        self.assertNotContains(response, 'name="group"')
        self.assertContains(response, "Your ballot is sealed")
        self.assertContains(response, "sealed-ballot")

    def test_no_ballot_before_the_event_opens(self):
        self.event.status = Status.PREPARING
        self.event.save()
        response = self.get(self.judy, "ballot", self.event.pk)
        self.assertContains(response, "The ballot opens when the office opens the event.")
        self.assertNotContains(response, 'name="group"')
        response = self.client.post(
            self.url("ballot", self.event.pk), self.places("1", "2"), follow=True
        )
        self.assertContains(response, "The event is not open for ballots yet.")
        self.assertFalse(Ballot.objects.exists())

    def test_criteria_ballot_page(self):
        event = self.make_event(
            "标准评分观摩",
            method=ReviewEvent.Method.CRITERIA,
            criteria=CriteriaBallotTests.CRITERIA,
            exclude_own_unit=False,
        )
        group = self.make_group(event, "园区组", [self.park])
        Judge.objects.create(event=event, user=self.judy, unit=self.town_b)
        response = self.get(self.judy, "ballot", event.pk)
        self.assertContains(response, f'name="score-{self.park.pk}-0"')
        self.assertContains(response, 'max="40"')
        data = {"group": group.pk, f"score-{self.park.pk}-0": "50", f"score-{self.park.pk}-1": "9"}
        response = self.client.post(self.url("ballot", event.pk), data)
        self.assertContains(response, "青川高新区: 形象进度 must be from 0 to 40.")
        self.assertContains(response, 'value="50"')
        data[f"score-{self.park.pk}-0"] = "36.5"
        response = self.client.post(self.url("ballot", event.pk), data)
        self.assertRedirects(response, self.url("ballot", event.pk))
        ballot = Ballot.objects.get(group=group)
        self.assertEqual(ballot.scores, {str(self.park.pk): {"形象进度": "36.5", "质量": "9"}})

    def test_ballot_page_queries_do_not_grow_with_units(self):
        self.client.force_login(self.judy)
        url = self.url("ballot", self.event.pk)
        review.ballot_cast(
            judge=self.seat, group=self.group, ranking=[self.town_a.pk, self.park.pk]
        )
        with self.assertNumQueries(QUERIES):
            self.client.get(url)
        more = [
            Unit.objects.create(name=f"新区{i}", kind=Unit.Kind.TOWN, parent=self.city)
            for i in range(10)
        ]
        self.group.units.add(*more)
        second = self.make_group(self.event, "园区组", more[:5])
        review.ballot_cast(judge=self.seat, group=second, ranking=[u.pk for u in more[:5]])
        with self.assertNumQueries(QUERIES):
            response = self.client.get(url)
        self.assertContains(response, 'inputmode="numeric"', count=12 + 5)

    # --- results ----------------------------------------------------------------------------------

    def test_results_after_the_close(self):
        jack_seat = Judge.objects.create(event=self.event, user=self.jack)
        review.ballot_cast(
            judge=self.seat, group=self.group, ranking=[self.park.pk, self.town_a.pk]
        )
        review.ballot_cast(
            judge=jack_seat,
            group=self.group,
            ranking=[self.park.pk, self.town_b.pk, self.town_a.pk],
        )
        response = self.get(self.leo, "review-results", self.event.pk)
        self.assertContains(response, "once the event is closed")
        self.assertEqual(response.context["tables"], [])
        self.assertNotContains(response, "review-results")

        review.event_close(event=self.event, actor=self.alice)
        response = self.get(self.leo, "review-results", self.event.pk)
        rows = response.context["tables"][0]["rows"]
        self.assertEqual([r["unit"] for r in rows], [self.park, self.town_b, self.town_a])
        # park: 1st twice = 100; 西山镇: 2nd once = 97; 东湖街道: 2nd, 3rd = (97 + 94) ÷ 2
        self.assertEqual([r["score"].points for r in rows], [D("100.00"), D("97.00"), D("95.50")])
        self.assertContains(response, "(2×100) ÷ 2")
        self.assertContains(response, "(1×97 + 1×94) ÷ 2")
        self.assertContains(response, "95.50")
        self.assertContains(response, "2 ballots")


# The ballot page: session, user, scope grants, event, seat, groups, their units, ballots, and
# the messages of the session; the same however many units or groups.
QUERIES = 8
