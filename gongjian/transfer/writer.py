"""Write a checked import in bulk: projects, their milestones, listings, re-baselines, audit.

Runs inside the importer's transaction; every row was validated before anything here runs.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_bulk, creation_changes, diff, snapshot
from gongjian.projects.forms import BASELINE_FIELDS, EDIT_FIELDS
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind, Project, Rebaseline

BATCH = 1000


def write_plans(plans: list, *, user, filename: str) -> None:
    now = timezone.now()
    note = _("Excel import: %(file)s") % {"file": filename}
    created = [plan for plan in plans if plan.is_new]
    updated = [plan for plan in plans if not plan.is_new and plan.before != _after(plan)]
    entries = []

    for plan in created:
        project = plan.project
        project.original_total_investment = project.total_investment
        project.original_start = project.planned_start
        project.original_end = project.planned_end
        project.refresh_search_text()
    Project.objects.bulk_create([plan.project for plan in created], batch_size=BATCH)
    kinds = list(MilestoneKind.objects.filter(is_active=True))
    Milestone.objects.bulk_create(
        [Milestone(project=plan.project, kind=kind) for plan in created for kind in kinds],
        batch_size=5000,
    )
    entries += [
        _entry(user, AuditEntry.Action.CREATE, plan.project, creation_changes(plan.project), note)
        for plan in created
    ]

    for plan in updated:
        project = plan.project
        project.version += 1
        project.updated_at = now
        project.refresh_search_text()
        entries.append(
            _entry(user, AuditEntry.Action.UPDATE, project, diff(plan.before, _after(plan)), note)
        )
    Project.objects.bulk_update(
        [plan.project for plan in updated],
        EDIT_FIELDS + BASELINE_FIELDS + ["search_text", "version", "updated_at"],
        batch_size=500,
    )
    Rebaseline.objects.bulk_create(
        [_rebaseline(plan, user, note) for plan in updated if plan.rebaseline]
    )

    entries += _write_listings(plans, user, note)
    audit_bulk(entries)


def _after(plan) -> dict:
    return snapshot(plan.project, list(plan.before))


def _entry(actor, action, instance, changes, note) -> dict:
    return {
        "actor": actor,
        "action": action,
        "instance": instance,
        "changes": changes,
        "note": note,
    }


def _rebaseline(plan, user, note) -> Rebaseline:
    project, old = plan.project, plan.rebaseline
    return Rebaseline(
        project=project,
        old_total_investment=old["total_investment"],
        new_total_investment=project.total_investment,
        old_start=old["planned_start"],
        new_start=project.planned_start,
        old_end=old["planned_end"],
        new_end=project.planned_end,
        reason=note,
        approved_by=str(user),
        approved_on=timezone.localdate(),
        recorded_by=user,
    )


def _write_listings(plans: list, user, note: str) -> list[dict]:
    new, changed, entries = [], [], []
    for plan in plans:
        listing = plan.listing
        if listing is None:
            continue
        listing.project = plan.project  # a new project has its primary key only now
        if plan.listing_before is None:
            new.append(listing)
        else:
            changes = diff(plan.listing_before, snapshot(listing, list(plan.listing_before)))
            if changes:
                changed.append(listing)
                entries.append(_entry(user, AuditEntry.Action.UPDATE, listing, changes, note))
    AnnualListing.objects.bulk_create(new, batch_size=BATCH)
    AnnualListing.objects.bulk_update(
        changed,
        ["level", "planned_investment", "planned_start", "planned_completion"],
        batch_size=500,
    )
    entries += [
        _entry(user, AuditEntry.Action.CREATE, listing, creation_changes(listing), note)
        for listing in new
    ]
    return entries
