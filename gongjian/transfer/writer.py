"""Write a checked import in bulk: projects, their milestones, listings, re-baselines, audit.

Runs inside the importer's transaction; every row was validated before anything here runs.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_bulk, creation_changes, diff, snapshot
from gongjian.lib.bulk import insert_quickly
from gongjian.projects.forms import BASELINE_FIELDS, EDIT_FIELDS
from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind, Project, Rebaseline
from gongjian.projects.services import start_baseline
from gongjian.projects.signals import projects_changed

BATCH = 1000


def write_plans(plans: list, *, user, filename: str) -> None:
    """Write checked plans. Their projects' search_text was computed with the row checks
    (rowcheck.check_row), where it runs on every core."""
    now = timezone.now()
    note = _("Excel import: %(file)s") % {"file": filename}
    created = [plan for plan in plans if plan.is_new]
    updated = [plan for plan in plans if not plan.is_new and plan.before != _after(plan)]
    entries = []
    # The units the updated projects had: a project moved changes the figures of both.
    units_before = set()
    for start in range(0, len(updated), BATCH):
        chunk = [plan.project.pk for plan in updated[start : start + BATCH]]
        units_before |= set(
            Project.objects.filter(pk__in=chunk).values_list("responsible_unit_id", flat=True)
        )

    for plan in created:
        start_baseline(plan.project)
    _insert_with_pks(Project, [plan.project for plan in created])
    _create_milestones([plan.project.pk for plan in created])
    entries += [
        _entry(user, AuditEntry.Action.CREATE, plan.project, creation_changes(plan.project), note)
        for plan in created
    ]

    for plan in updated:
        project = plan.project
        project.version += 1
        project.updated_at = now
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
    # New projects have no reports, lights or milestone dates yet: only their units' registry
    # figures change (a quick refresh even for 10,000 of them).
    projects_changed.send(
        sender=Project,
        project_ids=[plan.project.pk for plan in plans if not plan.is_new],
        unit_ids=units_before,
        new_in_units={plan.project.responsible_unit_id for plan in created},
    )


def _insert_with_pks(model, objs: list) -> None:
    """INSERT `objs` and set their primary keys."""
    if connection.vendor != "sqlite":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    # On SQLite bulk_create compiles a statement per 22 projects (its 999-parameter limit),
    # a third of a 10,000-row import. The import's transaction holds the database's write lock
    # (BEGIN IMMEDIATE, see settings), so the new rows take consecutive ids above the current
    # maximum, in insertion order.
    before = model.objects.aggregate(last=Max("pk"))["last"] or 0
    insert_quickly(model, objs)
    pks = list(model.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    if len(pks) != len(objs):
        raise RuntimeError(f"another writer inserted {model.__name__} rows during the import")
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk


def _create_milestones(project_ids: list[int]) -> None:
    """Every active milestone template for each new project, as services.project_create does.

    One INSERT … SELECT per 500 projects: the rows (12 per project) never pass through Python.
    """
    milestone, kind = Milestone._meta, MilestoneKind._meta
    q = connection.ops.quote_name
    columns = [milestone.get_field(n).column for n in ("project", "kind", "owner_person", "note")]
    with connection.cursor() as cursor:
        for start in range(0, len(project_ids), 500):
            chunk = project_ids[start : start + 500]
            cursor.execute(
                f"INSERT INTO {q(milestone.db_table)} ({', '.join(q(c) for c in columns)}) "
                f"SELECT p.id, k.id, '', '' "
                f"FROM {q(Project._meta.db_table)} p, {q(kind.db_table)} k "
                f"WHERE k.is_active AND p.id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )


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
    _insert_with_pks(AnnualListing, new)
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
