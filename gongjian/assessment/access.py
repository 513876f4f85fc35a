"""Who may read rankings and run schemes and 观摩 events, on the shared scope of
accounts/access.py.

Rankings are read by the office, leaders, units and departments: published snapshots only.
A scheme and a review event belong to a government (`owner`). Only an office grant on exactly
that government computes the scheme, enters its manual items, publishes it and sees its
drafts, and runs the event (nominations, opening, closing, results before the close).
An office higher up does not: a ranking is the decision of the government that issued the
考核办法, and the city reads a county's ranking once it is published, like everyone else;
with one owning office, two offices never race to publish the same irreversible snapshot.
Judges see the events they judge.
"""

from __future__ import annotations

from django.db.models import Q

from gongjian.accounts import access
from gongjian.accounts.models import Role
from gongjian.assessment.models import Judge


def can_see_rankings(user) -> bool:
    return bool(
        access.scope_for(user).roles & {Role.OFFICE, Role.LEADER, Role.UNIT, Role.DEPARTMENT}
    )


def assessment_offices(user) -> frozenset[int]:
    """The government units whose office `user` works in (the units of their office grants)."""
    return access.scope_for(user).office_units


def can_manage_scheme(user, scheme) -> bool:
    """Compute, enter manual item scores, publish: the office of the scheme's own government."""
    return scheme.owner_id in assessment_offices(user)


def can_see_drafts(user, scheme) -> bool:
    return can_manage_scheme(user, scheme)


def visible_runs_q(user) -> Q:
    """The score runs `user` may read (a filter on ScoreRun): every published snapshot, and the
    drafts of the schemes their office runs."""
    return Q(published_at__isnull=False) | Q(scheme__owner__in=assessment_offices(user))


def can_manage_event(user, event) -> bool:
    """Nominations, overrides, opening, closing, the event page: its own government's office."""
    return event.owner_id in assessment_offices(user)


def can_list_review_events(user) -> bool:
    return access.has_any_role(user, Role.OFFICE, Role.JUDGE)


def review_events_q(user) -> Q:
    """The events on `user`'s list (a filter on ReviewEvent): the ones their office runs, the
    ones they judge, and closed ones whose results they may read."""
    q = Q(owner__in=assessment_offices(user)) | Q(judges__user=user)
    if access.scope_for(user).roles & {Role.OFFICE, Role.LEADER}:
        q |= Q(status="closed")
    return q


def can_see_event_results(user, event) -> bool:
    """The results page: the event's own office, other offices and leaders. It shows the tally
    only once the event is closed and its ballots sealed; before that nobody sees one, and the
    votes cast so far are on the event page, which is the owning office's alone."""
    return can_manage_event(user, event) or bool(
        access.scope_for(user).roles & {Role.OFFICE, Role.LEADER}
    )


def judge_seat(user, event):
    """The user's Judge row on `event`, or None."""
    if not user.is_authenticated:
        return None
    return Judge.objects.filter(event=event, user=user).select_related("unit").first()
