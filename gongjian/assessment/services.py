"""Computing, publishing and rolling up scores. Pure scoring is in scoring.py; indicator values
in measures.py; this module puts them together per scheme, group and period and writes the
snapshot (ScoreRun + UnitScore rows with their breakdowns)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongjian.assessment import measures, ownership, scoring
from gongjian.assessment.models import (
    ManualScore,
    PublishedError,
    Scheme,
    SchemeItem,
    ScoreRun,
    Target,
    UnitScore,
)
from gongjian.assessment.review import event_scores
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import (
    audit_created,
    audit_record,
    audit_updated,
    plain_value,
    snapshot,
)

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR = re.compile(r"^(\d{4})$")


class AssessmentError(Exception):
    """Shown to the user as is."""


def period_months(period: str) -> tuple[int, list[int]]:
    """'2026-10' → (2026, [10]); '2026-Q3' → (2026, [7, 8, 9]); '2026' → (2026, [1…12])."""
    if match := MONTH.match(period):
        month = int(match[2])
        if 1 <= month <= 12:
            return int(match[1]), [month]
    if match := QUARTER.match(period):
        quarter = int(match[2])
        return int(match[1]), [3 * quarter - 2, 3 * quarter - 1, 3 * quarter]
    if match := YEAR.match(period):
        return int(match[1]), list(range(1, 13))
    raise AssessmentError(_("A period is YYYY-MM, YYYY-Qn or YYYY, not “%(p)s”.") % {"p": period})


def previous_period(period: str) -> str:
    year, months = period_months(period)
    if MONTH.match(period):
        first = datetime.date(year, months[0], 1) - datetime.timedelta(days=1)
        return f"{first:%Y-%m}"
    if QUARTER.match(period):
        quarter = (months[0] - 1) // 3 + 1
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    return str(year - 1)


def score_run_compute(scheme: Scheme, period: str, *, actor=None, facts=None) -> ScoreRun:
    """Score every unit of the scheme's groups for `period` and store the draft snapshot.
    A published period is refused: publishing freezes it, and so is a scheme ranking a unit
    outside the government that runs it."""
    year, months = period_months(period)
    outside = ownership.scheme_units_error(scheme)
    if outside:
        raise AssessmentError(outside)
    run = ScoreRun.objects.filter(scheme=scheme, period=period).first()
    if run is not None and run.is_published:
        raise PublishedError(_("%(run)s is published and cannot change.") % {"run": run})
    items = list(scheme.items.select_related("indicator"))
    groups = list(scheme.groups.prefetch_related("units"))
    if scheme.cadence == Scheme.Cadence.MONTHLY or not scheme.rollup:
        facts = facts or measures.load_facts(year, months[-1])
        rows = _score_items(items, groups, period, year, facts)
    else:
        rows = _score_rollup(scheme, groups, period)
    previous = _previous_ranks(scheme, period)
    with transaction.atomic():
        created = run is None
        if created:
            run = ScoreRun.objects.create(scheme=scheme, period=period)
        else:
            computed_before = plain_value(run.computed_at)
            UnitScore.objects.filter(run=run).delete()
            run.save()  # computed_at
        scores = []
        for group, unit, total, breakdown in rows:
            scores.append((group, unit, total, breakdown))
        for group in groups:
            in_group = [s for s in scores if s[0].pk == group.pk]
            ranks = scoring.competition_ranks({s[1].pk: s[2] for s in in_group})
            UnitScore.objects.bulk_create(
                UnitScore(
                    run=run,
                    group=group,
                    unit=unit,
                    total=total,
                    rank=ranks[unit.pk],
                    previous_rank=previous.get(unit.pk),
                    breakdown=breakdown,
                )
                for _group, unit, total, breakdown in in_group
            )
        # A draft's scores are recomputed from audited inputs (targets, manual scores, the
        # registry), so the entry records when and how many rather than every figure.
        note = ngettext(
            "%(count)d unit score computed", "%(count)d unit scores computed", len(scores)
        ) % {"count": len(scores)}
        if created:
            audit_created(actor=actor, instance=run, note=note)
        else:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                instance=run,
                changes={"computed_at": [computed_before, plain_value(run.computed_at)]},
                note=note,
            )
    return run


def _score_items(items, groups, period, year, facts) -> list:
    targets = {
        (t.unit_id, t.indicator_id): t.value
        for t in Target.objects.filter(year=year, indicator__in=[i.indicator_id for i in items])
    }
    manual = {
        (m.item_id, m.unit_id): m for m in ManualScore.objects.filter(item__in=items, period=period)
    }
    rows = []
    for group in groups:
        units = list(group.units.all())
        ids = [u.pk for u in units]
        per_item = {}
        for item in items:
            if item.method == SchemeItem.Method.MANUAL:
                continue
            per_item[item.pk] = measures.values_for(item.indicator, facts, ids)
        for unit in units:
            breakdown = []
            total = Decimal(0)
            for item in items:
                score = _score_one(item, unit, per_item.get(item.pk, {}), targets, manual)
                weighted = scoring.rounded(score.points * item.weight)
                total += weighted
                breakdown.append(
                    {
                        "item": item.name,
                        "method": item.method,
                        "weight": str(item.weight),
                        "weighted": str(weighted),
                        **score.to_dict(),
                    }
                )
            rows.append((group, unit, scoring.rounded(total), breakdown))
    return rows


def _score_one(item, unit, values, targets, manual) -> scoring.Score:
    method = item.method
    if method == SchemeItem.Method.MANUAL:
        entry = manual.get((item.pk, unit.pk))
        if entry is None:
            return scoring.Score(Decimal("0.00"), "—", _("Not entered yet."))
        return scoring.Score(
            scoring.rounded(entry.points), _("entered"), entry.reason, {"by": str(entry.entered_by)}
        )
    value = values.get(unit.pk)
    if value is None:
        return scoring.Score(Decimal("0.00"), "—", _("No data for this unit."))
    if method == SchemeItem.Method.RATIO_TO_PLAN:
        target = targets.get((unit.pk, item.indicator_id), Decimal(0))
        return scoring.ratio_to_plan(value, target, item.params)
    if method == SchemeItem.Method.COUNT:
        return scoring.count_points(int(value), item.params)
    present = {pk: v for pk, v in values.items() if v is not None}
    if method == SchemeItem.Method.RANK_BANDS:
        ranks = scoring.competition_ranks(present, higher_is_better=item.indicator.higher_is_better)
        return scoring.rank_bands(ranks[unit.pk], item.params["bands"])
    if method == SchemeItem.Method.EFFICACY:
        return scoring.efficacy(value, min(present.values()), max(present.values()), item.params)
    raise AssessmentError(f"unknown method {method}")


def _score_rollup(scheme, groups, period) -> list:
    """A quarter or a year from its months' published scores (of the monthly scheme named in
    `rollup["from"]`, or of the only monthly scheme), each weighted `months`, and its review
    events' scores (weighted `review`). Drafts never count: a roll-up adds published figures."""
    year, months = period_months(period)
    month_weight = Decimal(str(scheme.rollup.get("months", "0")))
    review_weight = Decimal(str(scheme.rollup.get("review", "0")))
    # Only the same government's monthly scores and review events: a county's own scheme
    # never leaks into the city's roll-up, nor the other way round.
    sources = Scheme.objects.filter(cadence=Scheme.Cadence.MONTHLY, owner=scheme.owner_id)
    if scheme.rollup.get("from"):
        sources = sources.filter(name=scheme.rollup["from"])
    if sources.count() != 1:
        raise AssessmentError(
            _("Name the monthly scheme this roll-up adds up (“from” in its roll-up weights).")
        )
    monthly = UnitScore.objects.filter(
        run__scheme__in=sources,
        run__published_at__isnull=False,
        run__period__in=[f"{year}-{m:02d}" for m in months],
    ).values_list("unit_id", "run__period", "total")
    by_unit: dict[int, dict[str, Decimal]] = {}
    for unit_id, month, total in monthly:
        by_unit.setdefault(unit_id, {})[month] = total
    reviews = event_scores(period, owner=scheme.owner_id)
    rows = []
    for group in groups:
        for unit in group.units.all():
            breakdown = []
            total = Decimal(0)
            for month in months:
                label = f"{year}-{month:02d}"
                points = by_unit.get(unit.pk, {}).get(label, Decimal(0))
                weighted = scoring.rounded(points * month_weight)
                total += weighted
                breakdown.append(
                    {
                        "item": label,
                        "method": "month",
                        "weight": str(month_weight),
                        "points": str(points),
                        "weighted": str(weighted),
                        "formula": f"{scoring.plain(points)} × {scoring.plain(month_weight)}",
                        "explanation": _("The month's score, weighted."),
                        "inputs": {},
                    }
                )
            if review_weight:
                review = reviews.get(unit.pk)
                points = review.points if review else Decimal(0)
                weighted = scoring.rounded(points * review_weight)
                total += weighted
                breakdown.append(
                    {
                        "item": _("On-site review (观摩)"),
                        "method": "review",
                        "weight": str(review_weight),
                        "weighted": str(weighted),
                        **(
                            review.to_dict()
                            if review
                            else scoring.Score(Decimal(0), "—", _("No review score.")).to_dict()
                        ),
                    }
                )
            rows.append((group, unit, scoring.rounded(total), breakdown))
    return rows


def _previous_ranks(scheme, period) -> dict[int, int]:
    return dict(
        UnitScore.objects.filter(
            run__scheme=scheme, run__period=previous_period(period)
        ).values_list("unit_id", "rank")
    )


@transaction.atomic
def score_run_publish(*, run: ScoreRun, actor) -> None:
    """Freeze the snapshot: from now on neither the run nor its scores can change."""
    # Unpublished, as the conditional UPDATE below proves, whatever the caller's copy says.
    before = {**snapshot(run, ["published_by"]), "published_at": None}
    moved = ScoreRun.objects.filter(pk=run.pk, published_at__isnull=True).update(
        published_at=timezone.now(), published_by=actor
    )
    if not moved:
        raise PublishedError(_("%(run)s is published already.") % {"run": run})
    run.refresh_from_db()
    audit_updated(actor=actor, instance=run, before=before)
