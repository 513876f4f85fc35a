"""观摩评议 pages: the office runs an event (nominations, judges, open and close); each judge
casts a ballot per group from a phone; the office and leaders read the results once closed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.accounts import access
from gongjian.accounts.models import Role, Unit
from gongjian.assessment import access as assessment_access
from gongjian.assessment import review, scoring
from gongjian.assessment.models import Ballot, Judge, Nomination, ReviewEvent
from gongjian.audit.services import audit_updated, snapshot
from gongjian.lib.params import id_param, text_param

Status = ReviewEvent.Status


def _event_to_run(request, event_pk: int) -> ReviewEvent:
    """The event, for the office of the government that runs it (403 for any other office)."""
    ev = get_object_or_404(ReviewEvent, pk=event_pk)
    if not assessment_access.can_manage_event(request.user, ev):
        raise PermissionDenied("Only the office of the event's own government runs it")
    return ev


def _units_by_name():
    return Prefetch("units", queryset=Unit.objects.order_by("name"))


@login_required
def events(request: HttpRequest) -> HttpResponse:
    """An office sees the events it runs and the closed ones; a judge the events where they
    hold a seat."""
    seats = set(Judge.objects.filter(user=request.user).values_list("event_id", flat=True))
    if not assessment_access.can_list_review_events(request.user) and not seats:
        raise PermissionDenied("Review events are for the office and judges")
    found = list(
        ReviewEvent.objects.filter(assessment_access.review_events_q(request.user))
        .distinct()
        .order_by("-held_on", "-pk")
    )
    ctx = {
        "events": found,
        "is_office": Role.OFFICE in access.scope_for(request.user).roles,
        "managed": {ev.pk for ev in found if assessment_access.can_manage_event(request.user, ev)},
        "with_results": {
            ev.pk
            for ev in found
            if ev.status == Status.CLOSED
            and assessment_access.can_see_event_results(request.user, ev)
        },
        "seats": seats,
    }
    return render(request, "assessment/review_events.html", ctx)


@login_required
def event(request: HttpRequest, event_pk: int) -> HttpResponse:
    ev = _event_to_run(request, event_pk)
    groups = list(ev.groups.prefetch_related(_units_by_name()))
    judges = list(
        ev.judges.select_related("user", "unit")
        .annotate(voted=Count("ballots"))
        .order_by("user__display_name", "user__username")
    )
    ctx = {
        "event": ev,
        "groups": groups,
        "nominations": ev.nominations.select_related("unit", "project").order_by(
            "unit__name", "project__name"
        ),
        "judges": judges,
        "group_count": len(groups),
        "waiting": sum(1 for j in judges if j.voted < len(groups)),
    }
    return render(request, "assessment/review_event.html", ctx)


@login_required
@require_POST
def open_event(request: HttpRequest, event_pk: int) -> HttpResponse:
    ev = _event_to_run(request, event_pk)
    try:
        review.event_open(event=ev, actor=request.user)
    except review.BallotError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The event is open: judges can cast their ballots."))
    return redirect("assessment:review-event", event_pk=ev.pk)


@login_required
@require_POST
def close_event(request: HttpRequest, event_pk: int) -> HttpResponse:
    ev = _event_to_run(request, event_pk)
    try:
        review.event_close(event=ev, actor=request.user)
    except review.BallotError as error:
        messages.error(request, str(error))
        return redirect("assessment:review-event", event_pk=ev.pk)
    messages.success(request, _("The event is closed and its ballots are sealed."))
    return redirect("assessment:review-results", event_pk=ev.pk)


@login_required
@require_POST
def override_nomination(request: HttpRequest, nomination_pk: int) -> HttpResponse:
    """The office admits a nomination the rules refused, with the reason on the record."""
    nomination = get_object_or_404(Nomination.objects.select_related("event"), pk=nomination_pk)
    if not assessment_access.can_manage_event(request.user, nomination.event):
        raise PermissionDenied("Only the office of the event's own government runs it")
    reason = text_param(request.POST, "reason")[:300]
    if nomination.event.status == Status.CLOSED:
        messages.error(request, _("The event is closed; its nominations cannot change."))
    elif nomination.eligible:
        messages.info(request, _("This nomination is already eligible."))
    elif not reason:
        messages.error(request, _("Give the reason for admitting this nomination."))
    else:
        before = snapshot(nomination, ["eligible", "override_reason"])
        nomination.eligible = True
        nomination.override_reason = reason
        nomination.save(update_fields=["eligible", "override_reason"])
        audit_updated(actor=request.user, instance=nomination, before=before, note=reason)
        messages.success(
            request, _("%(project)s is admitted.") % {"project": nomination.project.name}
        )
    return redirect("assessment:review-event", event_pk=nomination.event_id)


# --- the judge's ballot ---------------------------------------------------------------------------


def _typed_places(post, units) -> dict[int, str]:
    return {unit.pk: post.get(f"place-{unit.pk}", "").strip() for unit in units}


def _typed_scores(post, units, criteria) -> dict[int, dict[str, str]]:
    return {
        unit.pk: {
            c["name"]: post.get(f"score-{unit.pk}-{index}", "").strip()
            for index, c in enumerate(criteria)
        }
        for unit in units
    }


def _ballot_rows(ev, group, ballot, own_unit_id, typed=None) -> list[dict]:
    """One row per unit of the group with what the form shows: the saved ballot, or what the
    judge just typed when it was refused."""
    rank = ev.method == ReviewEvent.Method.RANK
    saved_places = {pk: place for place, pk in enumerate(ballot.ranking, 1)} if ballot else {}
    saved_scores = ballot.scores if ballot else {}
    rows = []
    for unit in group.units.all():
        row = {"unit": unit, "own": unit.pk == own_unit_id}
        if rank:
            row["place"] = typed[unit.pk] if typed is not None else saved_places.get(unit.pk, "")
        else:
            given = typed[unit.pk] if typed is not None else saved_scores.get(str(unit.pk), {})
            row["scores"] = [
                {"index": i, "criterion": c, "value": given.get(c["name"], "")}
                for i, c in enumerate(ev.criteria)
            ]
        rows.append(row)
    if ev.status == Status.CLOSED and rank:
        # The sealed ballot reads first place first.
        rows.sort(key=lambda r: (r["place"] == "", r["place"] or 0))
    return rows


@login_required
def ballot(request: HttpRequest, event_pk: int) -> HttpResponse:
    ev = get_object_or_404(ReviewEvent, pk=event_pk)
    seat = assessment_access.judge_seat(request.user, ev)
    if seat is None:
        raise PermissionDenied("Only the event's judges cast ballots")
    seat.event, seat.user = ev, request.user
    own_unit_id = seat.unit_id if ev.exclude_own_unit else None
    groups = list(ev.groups.prefetch_related(_units_by_name()))
    ballots = {b.group_id: b for b in Ballot.objects.filter(judge=seat)}
    refused: dict[int, tuple[str, dict]] = {}

    if request.method == "POST":
        if ev.status != Status.OPEN:
            messages.error(
                request,
                _("Ballots are closed and sealed; nothing was changed.")
                if ev.status == Status.CLOSED
                else _("The event is not open for ballots yet."),
            )
            return redirect("assessment:ballot", event_pk=ev.pk)
        group_pk = id_param(request.POST, "group")
        group = next((g for g in groups if g.pk == group_pk), None)
        if group is None:
            raise Http404("Not a group of this event")
        units = list(group.units.all())
        if ev.method == ReviewEvent.Method.RANK:
            typed = _typed_places(request.POST, units)
            kwargs = {"places": typed}
        else:
            typed = _typed_scores(request.POST, units, ev.criteria)
            kwargs = {"scores": typed}
        try:
            review.ballot_cast(judge=seat, group=group, **kwargs)
        except review.BallotError as error:
            refused[group.pk] = (str(error), typed)
        else:
            messages.success(
                request, _("Your ballot for %(group)s is recorded.") % {"group": group.name}
            )
            return redirect("assessment:ballot", event_pk=ev.pk)

    forms = []
    for group in groups:
        error, typed = refused.get(group.pk, (None, None))
        b = ballots.get(group.pk)
        forms.append(
            {
                "group": group,
                "ballot": b,
                "error": error,
                "rows": _ballot_rows(ev, group, b, own_unit_id, typed),
                "places": sum(1 for u in group.units.all() if u.pk != own_unit_id),
            }
        )
    ctx = {"event": ev, "seat": seat, "forms": forms, "is_open": ev.status == Status.OPEN}
    return render(request, "assessment/review_ballot.html", ctx)


# --- results --------------------------------------------------------------------------------------


@login_required
def results(request: HttpRequest, event_pk: int) -> HttpResponse:
    ev = get_object_or_404(ReviewEvent, pk=event_pk)
    if not assessment_access.can_see_event_results(request.user, ev):
        raise PermissionDenied("Results are for the event's office, and once closed for leaders")
    tables = []
    if ev.status == Status.CLOSED:
        for group in ev.groups.prefetch_related("units", "ballots"):
            group.event = ev
            scores = review.group_scores(group)
            names = {u.pk: u for u in group.units.all()}
            ranks = scoring.competition_ranks({pk: s.points for pk, s in scores.items()})
            rows = sorted(
                (
                    {"unit": names[pk], "score": score, "rank": ranks[pk]}
                    for pk, score in scores.items()
                ),
                key=lambda r: (r["rank"], r["unit"].name),
            )
            tables.append({"group": group, "rows": rows, "ballots": len(group.ballots.all())})
    ctx = {
        "event": ev,
        "tables": tables,
        "is_office": assessment_access.can_manage_event(request.user, ev),
    }
    return render(request, "assessment/review_results.html", ctx)
