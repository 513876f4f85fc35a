"""Every state change of the dispatch and assessment workflows is in the audit trail, written in
the transaction that makes the change: who moved which object from which state to which.

One row per transition (TRANSITIONS): `arrange` brings the object to the state before, `act`
makes the change and names the objects moved and who moved them; the row's test asserts the one
entry each object gained. A change refused or failing part-way: test_state_change_refusals.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from gongjian.accounts.models import Role, Unit
from gongjian.assessment import review
from gongjian.assessment import services as assessment
from gongjian.assessment.models import (
    ReviewEvent,
    ReviewGroup,
    Scheme,
    SchemeItem,
    ScoreRun,
    UnitGroup,
)
from gongjian.audit.models import AuditEntry
from gongjian.dispatch import services as dispatch
from gongjian.dispatch.models import Campaign, Report
from gongjian.test import BaseTestCase

TODAY = datetime.datetime(2026, 4, 3, 10, 0)
SUBMITTED, RETURNED = Report.Status.SUBMITTED.value, Report.Status.RETURNED.value
DRAFT, ACCEPTED = Report.Status.DRAFT.value, Report.Status.ACCEPTED.value


class AnyTime:
    """Equal to any ISO date-time string: the moment a step stamps is not the point."""

    def __eq__(self, other) -> bool:
        try:
            datetime.datetime.fromisoformat(other)
        except (TypeError, ValueError):
            return False
        return True

    def __repr__(self) -> str:
        return "<any ISO time>"


WHEN = AnyTime()


class Fixtures:
    """A city whose campaign is reviewed by the county, then the city: project_c (under the
    东湖区 government) passes both levels, project_a (straight under the city) only the city's.
    A monthly scheme of two towns, and a 观摩 event in preparation."""

    @classmethod
    def build(cls):
        cls.county = Unit.objects.create(
            name="东湖区人民政府", kind=Unit.Kind.GOVERNMENT, parent=cls.city
        )
        cls.town_c = Unit.objects.create(name="湖滨街道", kind=Unit.Kind.TOWN, parent=cls.county)
        cls.carl = cls.make_user("carl", Role.OFFICE, cls.county)
        cls.fiona = cls.make_user("fiona", Role.UNIT, cls.town_c)
        cls.project_c = cls.make_project(name="湖滨项目", responsible_unit=cls.town_c)
        campaign = Campaign.objects.create(
            name="重点项目月调度", year=2026, review_levels=["county", "city"]
        )
        dispatch.periods_ensure(campaign)
        cls.march = campaign.periods.get(start=datetime.date(2026, 3, 1))

        towns = UnitGroup.objects.create(name="镇街组")
        towns.units.set([cls.town_a, cls.town_b])
        cls.scheme = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=cls.city
        )
        cls.scheme.groups.set([towns])
        SchemeItem.objects.create(
            scheme=cls.scheme, name="工作作风", method=SchemeItem.Method.MANUAL, order=1
        )
        cls.event = ReviewEvent.objects.create(
            name="2026年一季度观摩",
            period="2026-Q1",
            held_on=datetime.date(2026, 3, 20),
            owner=cls.city,
        )
        group = ReviewGroup.objects.create(event=cls.event, name="镇街组")
        group.units.set([cls.town_a, cls.town_b])

    # Steps used by the rows -----------------------------------------------------------------

    def draft(self, project=None, user=None) -> Report:
        return dispatch.report_save_draft(
            actor=user or self.ursula,
            project=project or self.project_a,
            period=self.march,
            data={"amount": Decimal("500")},
        )

    def filed(self, project=None, user=None) -> Report:
        report = self.draft(project, user)
        dispatch.report_submit(actor=user or self.ursula, report=report)
        return report

    def at_city(self) -> Report:
        """project_c's report, passed by the county: the city's turn."""
        report = self.filed(self.project_c, self.fiona)
        dispatch.report_approve(actor=self.carl, report=report)
        return report

    def accepted(self) -> Report:
        report = self.filed()
        dispatch.report_approve(actor=self.alice, report=report)
        return report

    def returned(self) -> Report:
        report = self.filed()
        dispatch.report_return(actor=self.alice, report=report, reason="形象进度写得太简略")
        return report

    def computed(self) -> ScoreRun:
        return assessment.score_run_compute(self.scheme, "2026-03", actor=self.alice)

    def opened(self) -> ReviewEvent:
        review.event_open(event=self.event, actor=self.alice)
        return self.event


def correct(t, report):
    new = dispatch.report_start_correction(actor=t.ursula, report=report, reason="漏报设备款")
    return [report, new], t.ursula


def recompute(t, run):
    with time_machine.travel(TODAY + datetime.timedelta(hours=1), tick=False):
        assessment.score_run_compute(t.scheme, "2026-03", actor=t.alice)
    return [run], t.alice


@dataclass
class Transition:
    name: str
    arrange: Callable  # (test) -> the object in its state before
    act: Callable  # (test, object) -> ([objects moved], actor)
    action: str
    changes: Callable  # (test) -> {field: [before, after]}, the same for every object moved
    note: Callable = lambda t: ""
    # For a created row, the fields checked (its other values are its content, not its state).
    only: list[str] = field(default_factory=list)
    objects: slice = field(default_factory=lambda: slice(None))  # which objects it checks


def _approved_by(unit_attr):
    return lambda t: f"Approved by {getattr(t, unit_attr)}"


TRANSITIONS = [
    Transition(
        "report_submitted",
        lambda t: t.draft(),
        lambda t, r: (dispatch.report_submit(actor=t.ursula, report=r), ([r], t.ursula))[1],
        "update",
        lambda t: {"status": [DRAFT, SUBMITTED]},
    ),
    Transition(
        "returned_report_submitted_again",
        lambda t: t.returned(),
        lambda t, r: (dispatch.report_submit(actor=t.ursula, report=r), ([r], t.ursula))[1],
        "update",
        lambda t: {"status": [RETURNED, SUBMITTED]},
    ),
    Transition(
        "drafts_submitted_together",
        lambda t: [t.draft(), t.draft(t.project_b, t.boris)],
        lambda t, rs: (dispatch.reports_submit_drafts(actor=t.alice, reports=rs), (rs, t.alice))[1],
        "update",
        lambda t: {"status": [DRAFT, SUBMITTED]},
    ),
    Transition(
        "approved_at_the_county_passes_to_the_city",
        lambda t: t.filed(t.project_c, t.fiona),
        lambda t, r: (dispatch.report_approve(actor=t.carl, report=r), ([r], t.carl))[1],
        "update",
        lambda t: {"review_level": [0, 1]},
        note=_approved_by("county"),
    ),
    Transition(
        "approved_at_the_city_after_the_county_is_accepted",
        lambda t: t.at_city(),
        lambda t, r: (dispatch.report_approve(actor=t.alice, report=r), ([r], t.alice))[1],
        "update",
        lambda t: {"status": [SUBMITTED, ACCEPTED]},
        note=_approved_by("city"),
    ),
    Transition(
        "approved_at_the_only_level_is_accepted",
        lambda t: t.filed(),
        lambda t, r: (dispatch.report_approve(actor=t.alice, report=r), ([r], t.alice))[1],
        "update",
        lambda t: {"status": [SUBMITTED, ACCEPTED]},
        note=_approved_by("city"),
    ),
    Transition(
        "returned_by_the_county",
        lambda t: t.filed(t.project_c, t.fiona),
        lambda t, r: (
            dispatch.report_return(actor=t.carl, report=r, reason="金额与形象进度不符"),
            ([r], t.carl),
        )[1],
        "update",
        lambda t: {"status": [SUBMITTED, RETURNED], "return_count": [0, 1]},
        note=lambda t: "金额与形象进度不符",
    ),
    Transition(
        "returned_by_the_city_goes_back_to_the_first_level",
        lambda t: t.at_city(),
        lambda t, r: (
            dispatch.report_return(actor=t.alice, report=r, reason="缺少现场照片"),
            ([r], t.alice),
        )[1],
        "update",
        lambda t: {"status": [SUBMITTED, RETURNED], "review_level": [1, 0], "return_count": [0, 1]},
        note=lambda t: "缺少现场照片",
    ),
    Transition(
        "correction_retires_the_accepted_version",
        lambda t: t.accepted(),
        correct,
        "update",
        lambda t: {"is_current": [True, False]},
        note=lambda t: "漏报设备款",
        objects=slice(0, 1),
    ),
    Transition(
        "correction_starts_a_new_draft_version",
        lambda t: t.accepted(),
        correct,
        "create",
        lambda t: {
            "status": [None, DRAFT],
            "version": [None, 2],
            "correction_reason": [None, "漏报设备款"],
        },
        note=lambda t: "漏报设备款",
        only=["status", "version", "correction_reason"],
        objects=slice(1, 2),
    ),
    Transition(
        "scores_computed_as_a_new_draft",
        lambda t: None,
        lambda t, _none: ([t.computed()], t.alice),
        "create",
        lambda t: {"scheme": [None, "月度考核"], "period": [None, "2026-03"]},
        note=lambda t: "2 unit scores computed",
    ),
    Transition(
        "draft_scores_recomputed",
        lambda t: t.computed(),
        recompute,
        "update",
        lambda t: {"computed_at": [WHEN, WHEN]},
        note=lambda t: "2 unit scores computed",
    ),
    Transition(
        "scores_published",
        lambda t: t.computed(),
        lambda t, run: (assessment.score_run_publish(run=run, actor=t.alice), ([run], t.alice))[1],
        "update",
        lambda t: {"published_at": [None, WHEN], "published_by": [None, str(t.alice)]},
    ),
    Transition(
        "review_event_opened",
        lambda t: t.event,
        lambda t, ev: (review.event_open(event=ev, actor=t.alice), ([ev], t.alice))[1],
        "update",
        lambda t: {"status": ["preparing", "open"]},
    ),
    Transition(
        "review_event_closed",
        lambda t: t.opened(),
        lambda t, ev: (review.event_close(event=ev, actor=t.alice), ([ev], t.alice))[1],
        "update",
        lambda t: {"status": ["open", "closed"], "closed_at": [None, WHEN]},
    ),
]


def entries_of(instance):
    return AuditEntry.objects.filter(target_type=instance._meta.label, target_id=instance.pk)


@time_machine.travel(TODAY, tick=False)
class TransitionTests(Fixtures, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build()

    def check(self, row: Transition) -> None:
        before = row.arrange(self)
        last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        moved, actor = row.act(self, before)
        for instance in moved[row.objects]:
            new = entries_of(instance).filter(seq__gt=last_seq or 0)
            self.assertEqual(new.count(), 1, f"{row.name}: one entry for {instance}")
            entry = new.get()
            self.assertEqual(entry.action, row.action)
            self.assertEqual(
                (entry.target_type, entry.target_id, entry.target_repr),
                (instance._meta.label, instance.pk, str(instance)),
            )
            self.assertEqual((entry.actor, entry.actor_name), (actor, str(actor)))
            changes = entry.changes
            if row.only:
                changes = {name: changes.get(name) for name in row.only}
            self.assertEqual(changes, row.changes(self))
            self.assertEqual(entry.note, row.note(self))


def _transition_test(row: Transition):
    def test(self):
        self.check(row)

    test.__name__ = f"test_{row.name}"
    test.__doc__ = f"{row.name.replace('_', ' ')}: audited with the states before and after"
    return test


for _row in TRANSITIONS:
    setattr(TransitionTests, f"test_{_row.name}", _transition_test(_row))


# The entries on Chinese pages ---------------------------------------------------------------


@override_settings(LANGUAGE_CODE="zh-hans")
@time_machine.travel(TODAY, tick=False)
class ChinesePageTests(Fixtures, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build()

    def test_the_projects_change_history_labels_each_step(self):
        with translation.override("zh-hans"):
            report = self.filed(self.project_c, self.fiona)
            dispatch.report_approve(actor=self.carl, report=report)
            dispatch.report_return(actor=self.alice, report=report, reason="缺少现场照片")
        self.login(self.alice)
        response = self.client.get(reverse("projects:detail", args=[self.project_c.pk]))
        history = response.content.decode().split('id="audit-trail"')[1].split("</ul>")[0]
        with translation.override("zh-hans"):
            labels = {
                name: str(Report._meta.get_field(name).verbose_name).capitalize()
                for name in ("status", "review_level", "return_count")
            }
            status = dict(Report.Status.choices)
            expected = [
                f"{labels['status']}: <del>{status[DRAFT]}</del> → <ins>{status[SUBMITTED]}</ins>",
                f"{labels['review_level']}: <del>0</del> → <ins>1</ins>",
                f"{labels['status']}: <del>{status[SUBMITTED]}</del> → "
                f"<ins>{status[RETURNED]}</ins>",
                f"{labels['return_count']}: <del>0</del> → <ins>1</ins>",
            ]
        self.assertEqual(labels["status"], "状态")
        self.assertEqual((status[SUBMITTED], status[RETURNED]), ("已提交", "已退回"))
        for line in expected:
            self.assertIn(line, history)
        self.assertIn("缺少现场照片", history)
        for code in (SUBMITTED, RETURNED, DRAFT, "review_level", "return_count"):
            self.assertNotIn(code, history)

    def test_the_auditors_entry_pages_read_score_and_event_steps_in_words(self):
        with translation.override("zh-hans"):
            run = self.computed()
            assessment.score_run_publish(run=run, actor=self.alice)
            review.event_open(event=self.event, actor=self.alice)
            published_at = str(ScoreRun._meta.get_field("published_at").verbose_name)
            published_by = str(ScoreRun._meta.get_field("published_by").verbose_name)
        root = get_user_model().objects.create_superuser("root", password="password")
        self.login(root)
        listing = self.client.get(reverse("admin:audit_auditentry_changelist"))
        self.assertContains(listing, str(run))
        self.assertContains(listing, self.event.name)

        opened = entries_of(self.event).get()
        page = self.client.get(reverse("admin:audit_auditentry_change", args=[opened.pk]))
        self.assertContains(page, "状态: 筹备中 → 开放投票")
        published = entries_of(run).order_by("-seq").first()
        page = self.client.get(reverse("admin:audit_auditentry_change", args=[published.pk]))
        self.assertContains(page, f"{published_at}: ∅ → 2026-04-03")
        self.assertContains(page, f"{published_by}: ∅ → {self.alice}")
