"""Writes of the dispatch module: periods, filing, the review workflow, corrections.

Every write is audited. State changes claim the report with a conditional UPDATE on its status,
so two reviewers clicking at once cannot both act.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import Role, RoleGrant, Unit
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import (
    audit_bulk,
    audit_created,
    audit_updated,
    diff,
    plain_value,
    snapshot,
)
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Campaign, Period, Report, ReportEvent, ReportPhoto
from gongjian.dispatch.periods import periods_for_year
from gongjian.dispatch.signals import figures_changed
from gongjian.lib.images import PhotoRejected, clean_photo
from gongjian.projects.models import Milestone, Project

REPORT_FIELDS = ["amount", "progress", "new_stage", "stage_changed_on", "problems", "note"]
# Where a report stands in the workflow: each step's audit entry records these before and after.
STATE_FIELDS = ["status", "review_level", "return_count", "is_current"]
# A review level names the government whose office reviews: the city (the root of the unit
# tree) or the county (the government unit right below it).
LEVEL_DEPTH = {"city": 1, "county": 2}


class WorkflowError(Exception):
    """The report is not in a state that allows this action (someone acted first)."""


class ReportChanged(WorkflowError):
    """The report changed after the form was opened: a colleague saved or submitted it, or a
    reviewer acted. `current` is the report as it is now (None if there is none)."""

    def __init__(self, current: Report | None):
        super().__init__(_("This report changed while you were editing it."))
        self.current = current


def periods_ensure(campaign: Campaign) -> int:
    """Create the campaign's periods for its year; returns how many were new. Idempotent."""
    tz = timezone.get_current_timezone()
    specs = periods_for_year(
        campaign.year, campaign.cadence, campaign.deadline_days, campaign.deadline_time
    )
    existing = set(campaign.periods.values_list("start", flat=True))
    new = [
        Period(
            campaign=campaign,
            label=s.label,
            start=s.start,
            end=s.end,
            deadline=timezone.make_aware(s.deadline, tz),
        )
        for s in specs
        if s.start not in existing
    ]
    Period.objects.bulk_create(new, ignore_conflicts=True)
    if new:  # the new periods' figures (the cockpit's rows) exist from the start
        figures_changed.send(sender=Period, campaign=campaign, project_ids=None, periods=None)
    return len(new)


# Review levels ------------------------------------------------------------------------------


def review_chain(
    campaign: Campaign, project: Project, units_by_path: dict | None = None
) -> list[Unit]:
    """The reviewing government units for `project`, in order. A level with no such government
    above the project's unit (a park directly under the city has no county) is skipped.
    `units_by_path` (path -> Unit) saves the lookups when many reports are listed."""
    levels = campaign.review_levels or ["city"]
    segments = project.responsible_unit.path.split("/")[:-1]
    chain = []
    for level in levels:
        depth = LEVEL_DEPTH[level]
        if len(segments) < depth:
            continue
        unit = _unit_at("/".join(segments[:depth]) + "/", units_by_path)
        if unit is not None and unit.kind == Unit.Kind.GOVERNMENT and unit not in chain:
            chain.append(unit)
    if not chain:  # always someone: the root government
        chain.append(_unit_at(segments[0] + "/", units_by_path))
    return chain


def _unit_at(path: str, units_by_path: dict | None) -> Unit | None:
    if units_by_path is not None:
        return units_by_path.get(path)
    return Unit.objects.filter(path=path).first()


def can_review(user, report: Report) -> bool:
    """Office staff of the government at the report's current level, and only that level."""
    if report.status != Report.Status.SUBMITTED:
        return False
    chain = review_chain(report.period.campaign, report.project)
    if report.review_level >= len(chain):
        return False
    unit = chain[report.review_level]
    return RoleGrant.objects.filter(user=user, role=Role.OFFICE, unit=unit).exists()


# Filing -------------------------------------------------------------------------------------


def current_report(project: Project, period: Period, *, lock: bool = False) -> Report | None:
    reports = Report.objects.select_for_update() if lock else Report.objects
    return reports.filter(project=project, period=period, is_current=True).first()


def report_revision(report: Report | None) -> str:
    """What a report form saw when it was opened ("" for no report yet): a digest of what was
    filed, by whom and when, and where the report stands in the workflow (status, level,
    returns, a correction's new version: steps that move it with conditional UPDATEs and leave
    updated_at alone). The content is in it, so two saves within one clock tick still differ."""
    if report is None:
        return ""
    parts = [
        report.pk,
        report.version,
        report.status,
        report.review_level,
        report.return_count,
        report.filed_by_id,
        report.updated_at.isoformat(),
        sorted((report.milestones_met or {}).items()),
        report.new_stage_id,
        *(plain_value(getattr(report, name)) for name in REPORT_FIELDS if name != "new_stage"),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


_LOOK_UP = object()


@transaction.atomic
def report_save_draft(
    *,
    actor,
    project: Project,
    period: Period,
    data: dict,
    report=_LOOK_UP,
    expected_revision: str | None = None,
) -> Report:
    """Create or update the project's current report for the period from cleaned form data.
    The batch grid passes the `report` it has loaded. Its year-to-date figures are not stored:
    they are derived when read (figures.report_figures).
    `expected_revision` (report_revision when the form was opened) refuses to save over a
    report that changed since: ReportChanged, and nothing is written."""
    if report is _LOOK_UP:
        report = current_report(project, period, lock=expected_revision is not None)
    if expected_revision is not None and report_revision(report) != expected_revision:
        raise ReportChanged(report)
    if report is not None and not report.is_editable:
        raise WorkflowError(
            _("This report is %(status)s and cannot be edited.")
            % {"status": report.get_status_display()}
        )
    before = snapshot(report, REPORT_FIELDS) if report else None
    if report is None:
        report = Report(project=project, period=period)
    elif report.project_id == project.pk:
        report.project = project  # the caller's instance, for whoever reads it next
    for name in REPORT_FIELDS:
        setattr(report, name, data.get(name, getattr(report, name)))
    report.milestones_met = data.get("milestones_met", report.milestones_met) or {}
    report.filed_by = actor
    report.save()
    if before is None:
        audit_created(actor=actor, instance=report)
    else:
        audit_updated(actor=actor, instance=report, before=before)
    return report


MAX_PHOTOS = 9  # what provincial forms allow per filing


@transaction.atomic
def report_add_photos(*, actor, report: Report, uploads: list) -> list[str]:
    """Clean and store uploaded photos (re-encoded: nothing but the image survives). Returns
    one error message per refused file; accepted files are stored even if others are refused."""
    from django.core.files.base import ContentFile

    errors = []
    room = MAX_PHOTOS - report.photos.count()
    for upload in uploads:
        if room <= 0:
            errors.append(
                _("%(name)s: at most %(max)s photos per report.")
                % {"name": upload.name, "max": MAX_PHOTOS}
            )
            continue
        try:
            photo = clean_photo(upload)
        except PhotoRejected as error:
            errors.append(f"{upload.name}: {error}")
            continue
        taken_at = timezone.make_aware(photo.taken_at) if photo.taken_at else None
        stored = ReportPhoto(
            report=report,
            taken_at=taken_at,
            width=photo.width,
            height=photo.height,
            caption=upload.name[:100],
        )
        stored.image.save(f"photo{photo.extension}", ContentFile(photo.content), save=False)
        stored.save()
        audit_created(actor=actor, instance=stored)
        room -= 1
    return errors


def _claim(report: Report, from_statuses, **changes) -> None:
    """Move the report on only if it is still as the caller loaded it, in one of
    `from_statuses` (one conditional UPDATE), so of two people acting at once only the first
    succeeds, and the audit entry's "before" is what the row really was."""
    claimed = report.status in from_statuses and (
        Report.objects.filter(pk=report.pk, status=report.status, is_current=True).update(**changes)
    )
    if not claimed:
        raise WorkflowError(_("Someone else has acted on this report; reload the page."))
    for name, value in changes.items():
        setattr(report, name, value)


@transaction.atomic
def report_submit(*, actor, report: Report) -> None:
    audit_bulk([_submitted(actor, report)])


@transaction.atomic
def reports_submit_drafts(*, actor, reports: list[Report]) -> int:
    """Submit every draft or returned report of a batch; returns how many were submitted.
    One refused submits none (the transaction)."""
    editable = [report for report in reports if report.is_editable]
    # Each entry names its report ("project · period"): two queries here, not two a report;
    # and the entries extend the chain in one insert (200 reports: 406 queries, not 1,404).
    prefetch_related_objects(editable, "project", "period")
    audit_bulk([_submitted(actor, report) for report in editable])
    return len(editable)


def _submitted(actor, report: Report) -> dict:
    """Submit one report; returns its audit entry (audit_bulk's keywords) for the caller to
    write in the same transaction."""
    before = snapshot(report, STATE_FIELDS)
    _claim(
        report,
        [Report.Status.DRAFT, Report.Status.RETURNED],
        status=Report.Status.SUBMITTED,
        review_level=0,
        submitted_at=timezone.now(),
    )
    ReportEvent.objects.create(report=report, action=ReportEvent.Action.SUBMIT, actor=actor)
    return {
        "actor": actor,
        "action": AuditEntry.Action.UPDATE,
        "instance": report,
        "changes": diff(before, snapshot(report, STATE_FIELDS)),
    }


@transaction.atomic
def report_approve(*, actor, report: Report) -> bool:
    """Approve at the current level; returns True when that was the last level (accepted)."""
    chain = review_chain(report.period.campaign, report.project)
    level = report.review_level
    last = level + 1 >= len(chain)
    before = snapshot(report, STATE_FIELDS)
    if last:
        changes = {"status": Report.Status.ACCEPTED, "accepted_at": timezone.now()}
    else:
        changes = {"status": Report.Status.SUBMITTED, "review_level": level + 1}
    # The instance must be as loaded (submitted), so the audit entry's "before" is true.
    claimed = report.status == Report.Status.SUBMITTED and (
        Report.objects.filter(
            pk=report.pk, status=Report.Status.SUBMITTED, review_level=level, is_current=True
        ).update(**changes)
    )
    if not claimed:
        raise WorkflowError(_("Someone else has acted on this report; reload the page."))
    for name, value in changes.items():
        setattr(report, name, value)
    ReportEvent.objects.create(
        report=report, action=ReportEvent.Action.APPROVE, level=level, actor=actor
    )
    # The level as the reviewing government's name: the trail says whose review this was.
    reviewer = chain[level] if level < len(chain) else None
    audit_updated(
        actor=actor,
        instance=report,
        before=before,
        note=_("Approved by %(unit)s") % {"unit": reviewer} if reviewer else "",
    )
    if last:
        _apply_accepted(actor, report)
        figures_changed.send(
            sender=Report,
            campaign=report.period.campaign,
            project_ids=[report.project_id],
            completed=[(report.project_id, report.period, report.amount)],
        )
        # The project's lights follow at once, not at the next scheduled recompute.
        recompute_lights(
            campaign=report.period.campaign, all_periods=True, project_ids=[report.project_id]
        )
    return last


@transaction.atomic
def report_return(*, actor, report: Report, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Say why the report is returned."))
    level = report.review_level
    before = snapshot(report, STATE_FIELDS)
    claimed = report.status == Report.Status.SUBMITTED and (
        Report.objects.filter(
            pk=report.pk,
            status=Report.Status.SUBMITTED,
            review_level=level,
            return_count=report.return_count,
            is_current=True,
        ).update(
            status=Report.Status.RETURNED, review_level=0, return_count=report.return_count + 1
        )
    )
    if not claimed:
        raise WorkflowError(_("Someone else has acted on this report; reload the page."))
    report.status, report.review_level = Report.Status.RETURNED, 0
    report.return_count += 1
    ReportEvent.objects.create(
        report=report, action=ReportEvent.Action.RETURN, level=level, reason=reason, actor=actor
    )
    audit_updated(actor=actor, instance=report, before=before, note=reason)


@transaction.atomic
def report_start_correction(*, actor, report: Report, reason: str) -> Report:
    """An accepted report is read-only: a correction is a new draft version with a reason;
    the accepted version stays on record."""
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Say why the accepted report needs a correction."))
    before = snapshot(report, STATE_FIELDS)
    claimed = Report.objects.filter(
        pk=report.pk, status=Report.Status.ACCEPTED, is_current=True
    ).update(is_current=False)
    if not claimed:
        raise WorkflowError(_("Only the current accepted report can be corrected."))
    report.is_current = False
    audit_updated(actor=actor, instance=report, before=before, note=reason)
    new = Report.objects.create(
        project=report.project,
        period=report.period,
        version=report.version + 1,
        correction_reason=reason,
        filed_by=actor,
        milestones_met=report.milestones_met,
        **{name: getattr(report, name) for name in REPORT_FIELDS},
    )
    # The accepted amount no longer counts until the correction is accepted.
    figures_changed.send(
        sender=Report,
        campaign=report.period.campaign,
        project_ids=[report.project_id],
        completed=[(report.project_id, report.period, -report.amount)],
    )
    ReportEvent.objects.create(
        report=new, action=ReportEvent.Action.CORRECT, reason=reason, actor=actor
    )
    audit_created(actor=actor, instance=new, note=reason)
    return new


def _apply_accepted(actor, report: Report) -> None:
    """An accepted report's stage change and milestone dates become the project's. Either one
    bumps the project's version, like any edit: an edit form opened before the acceptance then
    gets the conflict page instead of saving the old stage back (projects.services)."""
    project = Project.objects.get(pk=report.project_id)
    changed = False
    if report.new_stage_id and report.new_stage_id != project.stage_id:
        before = snapshot(project, ["stage"])
        Project.objects.filter(pk=project.pk).update(stage=report.new_stage_id)
        changed = True
        project.stage = report.new_stage
        audit_updated(
            actor=actor,
            instance=project,
            before=before,
            note=_("Accepted report %(period)s") % {"period": report.period},
        )
    for milestone_id, day in (report.milestones_met or {}).items():
        milestone = Milestone.objects.filter(Q(pk=milestone_id) & Q(project=project)).first()
        if milestone is None or str(milestone.actual_date or "") == day:
            continue
        before = snapshot(milestone, ["actual_date"])
        milestone.actual_date = datetime.date.fromisoformat(day)
        milestone.save(update_fields=["actual_date"])
        changed = True
        audit_updated(
            actor=actor,
            instance=milestone,
            before=before,
            note=_("Accepted report %(period)s") % {"period": report.period},
        )
    if changed:
        Project.objects.filter(pk=project.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
