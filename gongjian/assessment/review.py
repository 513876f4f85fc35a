"""观摩评议: nominations checked against the event's eligibility rules, ballots validated and
sealed, and each unit's score from the ballots (rank voting, 济宁 2015, or criteria scores).

validate_ranking, validate_scores and check_eligibility are pure; the rest reads and writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.assessment import ownership, scoring
from gongjian.assessment.models import Ballot, Judge, Nomination, ReviewEvent, ReviewGroup
from gongjian.audit.services import audit_created, audit_updated, snapshot
from gongjian.dispatch.models import Report


class BallotError(Exception):
    """The ballot is refused; the message says why, for the judge to correct it."""


def validate_ranking(
    ranking: list, unit_ids: list[int], names: dict[int, str], own_unit: int | None
) -> list[int]:
    """Every unit of the group ranked exactly once, no ties, and (when the event says so) not
    the judge's own unit. Returns the ranking as unit ids, first place first."""
    expected = [pk for pk in unit_ids if pk != own_unit]
    try:
        ranked = [int(pk) for pk in ranking]
    except (TypeError, ValueError):
        raise BallotError(_("The ranking must list units.")) from None
    if own_unit is not None and own_unit in ranked:
        raise BallotError(
            _("You may not rank your own unit, %(unit)s.") % {"unit": names.get(own_unit, "")}
        )
    unknown = [pk for pk in ranked if pk not in expected]
    if unknown:
        raise BallotError(_("A ranked unit is not in this group."))
    twice = sorted({pk for pk in ranked if ranked.count(pk) > 1})
    if twice:
        raise BallotError(
            _("Each unit may have one place only: %(units)s appear more than once.")
            % {"units": "、".join(names.get(pk, str(pk)) for pk in twice)}
        )
    missing = [pk for pk in expected if pk not in ranked]
    if missing:
        raise BallotError(
            _("Rank every unit: %(units)s have no place.")
            % {"units": "、".join(names.get(pk, str(pk)) for pk in missing)}
        )
    return ranked


def validate_places(places: dict, unit_ids, names, own_unit) -> list[int]:
    """The phone form sends a place per unit ({unit id: place}); two units on one place is a
    tie, which spoils a ballot (某市委书记 评议会)."""
    expected = [pk for pk in unit_ids if pk != own_unit]
    by_place: dict[int, list[int]] = {}
    for pk in expected:
        raw = places.get(pk)
        if raw in (None, ""):
            continue
        try:
            place = int(raw)
        except (TypeError, ValueError):
            raise BallotError(_("A place must be a number.")) from None
        if not 1 <= place <= len(expected):
            raise BallotError(
                _("Places run from 1 to %(n)d; %(unit)s has %(place)d.")
                % {"n": len(expected), "unit": names.get(pk, ""), "place": place}
            )
        by_place.setdefault(place, []).append(pk)
    ties = [units for units in by_place.values() if len(units) > 1]
    if ties:
        raise BallotError(
            _("No ties: %(units)s share a place.")
            % {"units": "、".join(names.get(pk, "") for pk in ties[0])}
        )
    ranking = [by_place[place][0] for place in sorted(by_place)]
    return validate_ranking(ranking, unit_ids, names, own_unit)


def validate_scores(scores: dict, unit_ids, names, own_unit, criteria: list) -> dict:
    """Criteria ballots: a number from 0 to each criterion's maximum for every unit."""
    expected = [pk for pk in unit_ids if pk != own_unit]
    clean = {}
    for pk in expected:
        given = scores.get(pk) or scores.get(str(pk)) or {}
        row = {}
        for criterion in criteria:
            raw = given.get(criterion["name"])
            try:
                value = Decimal(str(raw))
            except Exception:
                raise BallotError(
                    _("%(unit)s: give a score for %(criterion)s.")
                    % {"unit": names.get(pk, ""), "criterion": criterion["name"]}
                ) from None
            # NaN cannot be compared (InvalidOperation) and Infinity is no score.
            if not value.is_finite() or not 0 <= value <= Decimal(str(criterion["max"])):
                raise BallotError(
                    _("%(unit)s: %(criterion)s must be from 0 to %(max)s.")
                    % {
                        "unit": names.get(pk, ""),
                        "criterion": criterion["name"],
                        "max": criterion["max"],
                    }
                )
            row[criterion["name"]] = str(value)
        clean[str(pk)] = row
    return clean


@dataclass(frozen=True)
class EligibilityFinding:
    rule: str
    ok: bool
    message: str


def check_eligibility(
    rules: dict, *, total, completed, shown_years: list[int], year: int, procedures_complete: bool
) -> list[EligibilityFinding]:
    """甘肃 2015: under 1/3 of the total investment completed is not eligible; projects shown
    in the past N years are excluded; 县 2024: procedures (手续) must be complete."""
    findings = []
    share = rules.get("min_completed_share")
    if share is not None:
        needed = Decimal(str(share)) * Decimal(total or 0)
        ok = Decimal(completed or 0) >= needed
        findings.append(
            EligibilityFinding(
                "min_completed_share",
                ok,
                _("%(done)s of %(total)s万元 completed; at least %(needed)s needed")
                % {
                    "done": scoring.plain(completed or 0),
                    "total": scoring.plain(total or 0),
                    "needed": scoring.plain(scoring.rounded(needed)),
                },
            )
        )
    years = rules.get("not_shown_years")
    if years:
        recent = [y for y in shown_years if year - years <= y < year]
        findings.append(
            EligibilityFinding(
                "not_shown_years",
                not recent,
                _("shown in %(years)s") % {"years": ", ".join(map(str, recent))}
                if recent
                else _("not shown in the last %(n)d years") % {"n": years},
            )
        )
    if rules.get("procedures_complete"):
        findings.append(
            EligibilityFinding(
                "procedures_complete",
                procedures_complete,
                _("procedures complete") if procedures_complete else _("procedures incomplete"),
            )
        )
    return findings


@transaction.atomic
def ballot_cast(*, judge: Judge, group: ReviewGroup, ranking=None, places=None, scores=None):
    """Record (or replace) a judge's ballot while the event is open; refused once sealed."""
    event = judge.event
    if group.event_id != event.pk:
        # Otherwise an open event's judge could write into another event's (sealed) group.
        raise BallotError(_("This group belongs to another event."))
    # Lock the event row: a close committing meanwhile waits for this ballot, or refuses it.
    still_open = ReviewEvent.objects.select_for_update().filter(
        pk=event.pk, status=ReviewEvent.Status.OPEN
    )
    if not list(still_open.values_list("pk", flat=True)):
        raise BallotError(_("Ballots are closed and sealed."))
    units = list(group.units.all())
    ids = [u.pk for u in units]
    names = {u.pk: u.short_name or u.name for u in units}
    own = judge.unit_id if event.exclude_own_unit else None
    values = {"ranking": [], "scores": {}}
    if event.method == ReviewEvent.Method.RANK:
        order = (
            validate_places(places, ids, names, own)
            if places is not None
            else (validate_ranking(ranking or [], ids, names, own))
        )
        values["ranking"] = order
    else:
        values["scores"] = validate_scores(scores or {}, ids, names, own, event.criteria)
    ballot = Ballot.objects.filter(judge=judge, group=group).first()
    if ballot is None:
        ballot = Ballot.objects.create(judge=judge, group=group, **values)
        audit_created(actor=judge.user, instance=ballot)
    else:
        before = snapshot(ballot)
        for name, value in values.items():
            setattr(ballot, name, value)
        ballot.save()
        audit_updated(actor=judge.user, instance=ballot, before=before)
    return ballot


@transaction.atomic
def event_open(*, event: ReviewEvent, actor) -> None:
    """Open for ballots: only an event in preparation, and only when every unit of its groups
    and nominations is under the government that runs it."""
    error = ownership.event_units_error(event)
    if error:
        raise BallotError(error)
    moved = ReviewEvent.objects.filter(pk=event.pk, status=ReviewEvent.Status.PREPARING).update(
        status=ReviewEvent.Status.OPEN
    )
    if not moved:
        raise BallotError(_("Only an event in preparation can be opened."))
    # The conditional UPDATE proves where it stood, whatever the caller's copy says.
    before = {"status": ReviewEvent.Status.PREPARING.value}
    event.status = ReviewEvent.Status.OPEN
    audit_updated(actor=actor, instance=event, before=before)


@transaction.atomic
def event_close(*, event: ReviewEvent, actor) -> None:
    """Close and seal: no ballot can be cast or changed afterwards."""
    moved = ReviewEvent.objects.filter(pk=event.pk, status=ReviewEvent.Status.OPEN).update(
        status=ReviewEvent.Status.CLOSED, closed_at=timezone.now()
    )
    if not moved:
        raise BallotError(_("The event is not open."))
    before = {**snapshot(event, ["closed_at"]), "status": ReviewEvent.Status.OPEN.value}
    event.refresh_from_db()
    audit_updated(actor=actor, instance=event, before=before)


def group_scores(group: ReviewGroup) -> dict[int, scoring.Score]:
    """Each unit's score in the group from its ballots."""
    event = group.event
    ballots = list(group.ballots.all())
    units = [u.pk for u in group.units.all()]
    if event.method == ReviewEvent.Method.RANK:
        weights = scoring.place_weights(len(units))
        counts: dict[int, dict[int, int]] = {pk: {} for pk in units}
        for ballot in ballots:
            for place, pk in enumerate(ballot.ranking, start=1):
                counts.setdefault(pk, {})[place] = counts[pk].get(place, 0) + 1
        return {pk: scoring.rank_vote_score(counts[pk], weights) for pk in units}
    result = {}
    for pk in units:
        totals = [
            sum(Decimal(v) for v in ballot.scores.get(str(pk), {}).values())
            for ballot in ballots
            if str(pk) in ballot.scores
        ]
        if not totals:
            result[pk] = scoring.Score(Decimal("0.00"), "—", _("No scores."))
            continue
        mean = scoring.rounded(sum(totals) / len(totals))
        result[pk] = scoring.Score(
            mean,
            f"Σ ÷ {len(totals)}",
            _("The mean of %(n)d judges' criteria totals: %(points)s")
            % {"n": len(totals), "points": scoring.plain(mean)},
            {"judges": len(totals)},
        )
    return result


def event_scores(period: str, *, owner: int) -> dict[int, scoring.Score]:
    """Every unit's score from the closed review events of `period` run by the government
    `owner` (a unit id)."""
    result = {}
    for group in ReviewGroup.objects.filter(
        event__period=period, event__status=ReviewEvent.Status.CLOSED, event__owner=owner
    ).select_related("event"):
        result.update(group_scores(group))
    return result


def refresh_eligibility(nomination) -> None:
    """Check a nomination against its event's rules from the registry: completed investment
    since the start (accepted reports), the years the project was shown before, and whether
    every preparation milestone (前期手续) has its actual date."""
    event, project = nomination.event, nomination.project
    completed = Report.objects.counted().filter(project=project).total()  # since the start
    shown = list(
        Nomination.objects.filter(project=project, eligible=True)
        .exclude(event=event)
        .values_list("event__held_on__year", flat=True)
    )
    preparation = project.milestones.filter(kind__phase="preparation")
    findings = check_eligibility(
        event.eligibility,
        total=project.total_investment,
        completed=completed,
        shown_years=shown,
        year=event.held_on.year,
        procedures_complete=not preparation.filter(actual_date__isnull=True).exists(),
    )
    nomination.findings = [
        {"rule": f.rule, "ok": f.ok, "message": str(f.message)} for f in findings
    ]
    if not nomination.override_reason:
        nomination.eligible = all(f.ok for f in findings)
