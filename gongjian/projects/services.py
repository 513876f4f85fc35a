"""Writes to the registry that touch several rows or must be audited together."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from gongjian.audit.services import (
    audit_created,
    audit_deleted,
    audit_updated,
    snapshot,
)
from gongjian.projects.models import Milestone, MilestoneKind, Project, Rebaseline


class EditConflict(Exception):
    """Someone saved the project after the editor opened it."""

    def __init__(self, current: Project):
        super().__init__("edit conflict")
        self.current = current


class ProjectInUse(Exception):
    """Other records (problems, 观摩 nominations) name the project and must keep it."""


@transaction.atomic
def project_create(*, actor, form) -> Project:
    project: Project = form.save(commit=False)
    start_baseline(project)
    project.save()
    audit_created(actor=actor, instance=project)
    milestones_create_from_templates(project=project)
    return project


def start_baseline(project: Project) -> None:
    """A new project's original baseline is its first approved cost and dates."""
    project.original_total_investment = project.total_investment
    project.original_start = project.planned_start
    project.original_end = project.planned_end


def milestones_create_from_templates(*, project: Project) -> None:
    kinds = MilestoneKind.objects.filter(is_active=True)
    Milestone.objects.bulk_create([Milestone(project=project, kind=k) for k in kinds])


@transaction.atomic
def project_update(*, actor, project: Project, form, expected_version: int | None) -> Project:
    """Save an edit form, refusing to overwrite a version someone else saved meanwhile.

    The version check and bump is one conditional UPDATE, so two editors racing cannot both win.
    """
    before = snapshot(Project.objects.get(pk=project.pk), form.Meta.fields)
    claimed = Project.objects.filter(pk=project.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise EditConflict(Project.objects.get(pk=project.pk))
    updated: Project = form.save(commit=False)
    updated.version = (expected_version or 0) + 1
    updated.save()
    audit_updated(actor=actor, instance=updated, before=before)
    return updated


@transaction.atomic
def project_rebaseline(
    *,
    actor,
    project: Project,
    total_investment: Decimal,
    planned_start: datetime.date | None,
    planned_end: datetime.date | None,
    reason: str,
    approved_by: str,
    approved_on: datetime.date,
) -> Rebaseline:
    before = snapshot(project, ["total_investment", "planned_start", "planned_end"])
    record = Rebaseline.objects.create(
        project=project,
        old_total_investment=project.total_investment,
        new_total_investment=total_investment,
        old_start=project.planned_start,
        new_start=planned_start,
        old_end=project.planned_end,
        new_end=planned_end,
        reason=reason,
        approved_by=approved_by,
        approved_on=approved_on,
        recorded_by=actor,
    )
    project.total_investment = total_investment
    project.planned_start = planned_start
    project.planned_end = planned_end
    project.version = F("version") + 1
    project.save(
        update_fields=["total_investment", "planned_start", "planned_end", "version", "updated_at"]
    )
    project.refresh_from_db(fields=["version"])
    audit_updated(
        actor=actor,
        instance=project,
        before=before,
        note=_("Re-baseline approved by %(who)s: %(reason)s")
        % {"who": approved_by, "reason": reason},
    )
    return record


@transaction.atomic
def project_delete(*, actor, project: Project) -> None:
    """Delete the project, or raise ProjectInUse. Atomic: a refused delete leaves no deletion
    in the append-only audit trail."""
    audit_deleted(actor=actor, instance=project)
    try:
        project.delete()
    except ProtectedError as error:
        raise ProjectInUse(_in_use_message(error.protected_objects)) from None


def _in_use_message(protected) -> str:
    # By label, not by model: problems and assessment sit above the registry.
    counts = Counter(obj._meta.label for obj in protected)
    parts = []
    for label, count in sorted(counts.items()):
        if label == "problems.Problem":
            text = ngettext("%(count)d problem", "%(count)d problems", count)
        elif label == "assessment.Nomination":
            text = ngettext("%(count)d review nomination", "%(count)d review nominations", count)
        else:
            text = ngettext("%(count)d other record", "%(count)d other records", count)
        parts.append(text % {"count": count})
    return _("This project cannot be deleted: %(records)s still refer to it.") % {
        "records": pgettext("list separator", ", ").join(parts)
    }


def child_save(*, actor, form, project: Project) -> None:
    """Save a listing or milestone form of `project` and audit it."""
    instance = form.instance
    is_new = instance.pk is None
    before = (
        {}
        if is_new
        else snapshot(type(instance).objects.get(pk=instance.pk), list(form.Meta.fields))
    )
    with transaction.atomic():
        obj = form.save(commit=False)
        obj.project = project
        obj.save()
        Project.objects.filter(pk=project.pk).update(version=F("version") + 1)
        if is_new:
            audit_created(actor=actor, instance=obj)
        else:
            audit_updated(actor=actor, instance=obj, before=before)


@transaction.atomic
def child_delete(*, actor, instance) -> None:
    audit_deleted(actor=actor, instance=instance)
    Project.objects.filter(pk=instance.project_id).update(version=F("version") + 1)
    instance.delete()
