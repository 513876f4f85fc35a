"""Keep the period snapshots true to the data: every write that changes a figure of the cockpit
or the big screen refreshes the rows it changed, once its transaction commits. A page only
reads; a rolled back write refreshes nothing.

What changes the figures, and how we hear of it:
- the registry (projects, their year's listing, their start and completion dates): the models'
  save and delete signals; a project that changes unit refreshes both units;
- a unit moved under another parent: everything (the roll-up follows Unit.path);
- bulk writes of the registry (the Excel import): projects.signals.projects_changed;
- accepted reports, corrections and lights: dispatch.signals.figures_changed, with the
  campaign; a full light run or new periods refresh every row of the periods concerned.

The changes of one atomic block are gathered and refreshed once, per campaign, and only the
groups of figures each write changed (snapshots.GROUPS): the units of the changed projects
with refresh_units, everything with refresh_snapshots. An acceptance or a correction is the
one exception: its amount is added to (or taken from) the rows at once, inside the writer's
transaction (snapshots.add_completed), which is exact and costs a few UPDATEs where
recomputing a big unit's completed investment costs half a second. The registry's changes
concern the active campaigns.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from gongjian.accounts.models import Unit
from gongjian.dashboards.snapshots import GROUPS, add_completed, refresh_snapshots, refresh_units
from gongjian.dispatch.models import Campaign, Light, Period
from gongjian.dispatch.signals import figures_changed
from gongjian.projects.models import AnnualListing, Milestone, Project
from gongjian.projects.signals import projects_changed

ACTIVE = "active"  # the key of the changes that concern every active campaign
EVERY_PERIOD = "every period"
MANY = 2000  # projects changed at once from which everything is refreshed
ALL = tuple(GROUPS)
LISTED = ("registry", "completed", "milestones")  # what being on the year's list changes


@dataclass
class Change:
    """What changed, for one campaign (or ACTIVE): the groups of figures (snapshots.GROUPS)
    of some projects and units, and whole periods."""

    projects: dict = field(default_factory=lambda: defaultdict(set))
    units: dict = field(default_factory=lambda: defaultdict(set))
    periods: set | str = field(default_factory=set)  # to refresh whole; or EVERY_PERIOD

    def merge(self, other: Change) -> None:
        for mine, theirs in ((self.projects, other.projects), (self.units, other.units)):
            for key, groups in theirs.items():
                mine[key] |= groups
        if EVERY_PERIOD in (self.periods, other.periods):
            self.periods = EVERY_PERIOD
        else:
            self.periods |= other.periods


@dataclass
class Pending:
    """The changes of one transaction, by campaign id (or ACTIVE)."""

    changes: dict = field(default_factory=dict)
    callback: object = None
    savepoints: tuple = ()
    done: bool = False


_local = threading.local()


def note(key, groups=ALL, *, projects=(), units=(), periods=()) -> None:
    """Refresh, once the current transaction commits (at once outside one), in the campaign
    `key` (an id, or ACTIVE): the `groups` of figures of `projects` and `units`, and the
    `periods` (ids, or EVERY_PERIOD) whole."""
    change = Change(periods=periods if isinstance(periods, str) else set(periods))
    for pk in projects:
        change.projects[pk] |= set(groups)
    for pk in set(units) - {None}:
        change.units[pk] |= set(groups)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _flush(Pending({key: change}))
        return
    pending = _pending(connection)
    pending.changes.setdefault(key, Change()).merge(change)


def _pending(connection) -> Pending:
    """The Pending of the current atomic block, registered with on_commit once. A Pending of
    another block, or whose callback was dropped (its savepoint rolled back) or has run, is
    replaced."""
    pending = getattr(_local, "pending", None)
    savepoints = tuple(connection.savepoint_ids)
    if (
        pending is None
        or pending.done
        or pending.savepoints != savepoints
        or not any(entry[1] is pending.callback for entry in connection.run_on_commit)
    ):
        pending = Pending(savepoints=savepoints)
        pending.callback = lambda: _flush(pending)
        _local.pending = pending
        transaction.on_commit(pending.callback, robust=True)
    return pending


def _flush(pending: Pending) -> None:
    pending.done = True
    active = pending.changes.pop(ACTIVE, None)
    by_campaign = {c.pk: c for c in Campaign.objects.filter(pk__in=list(pending.changes))}
    if active is not None:
        for campaign in Campaign.objects.filter(is_active=True):
            by_campaign[campaign.pk] = campaign
            pending.changes.setdefault(campaign.pk, Change()).merge(active)
    for campaign_id, change in pending.changes.items():
        campaign = by_campaign.get(campaign_id)
        if campaign is not None:
            _refresh(campaign, change)


def _refresh(campaign: Campaign, change: Change) -> None:
    if change.periods == EVERY_PERIOD:
        refresh_snapshots(campaign)
        return
    if change.periods:
        refresh_snapshots(campaign, list(Period.objects.filter(pk__in=change.periods)))
    units = defaultdict(set, change.units)
    for project_id, unit_id in Project.objects.filter(pk__in=list(change.projects)).values_list(
        "pk", "responsible_unit_id"
    ):
        units[unit_id] |= change.projects[project_id]
    # One refresh per set of groups: a light recomputed for one unit and a listing changed
    # in another do not recompute each other's figures.
    by_groups = defaultdict(set)
    for unit_id, groups in units.items():
        by_groups[frozenset(groups)].add(unit_id)
    for groups, unit_ids in by_groups.items():
        refresh_units(campaign, unit_ids, [name for name in GROUPS if name in groups])


# What dispatch and the registry say ------------------------------------------------------------


@receiver(figures_changed)
def _figures_changed(
    sender, campaign, project_ids=None, periods=None, unit_ids=(), completed=None, **kwargs
):
    if project_ids is None:
        note(campaign.pk, periods=EVERY_PERIOD if periods is None else [p.pk for p in periods])
    elif completed is not None:
        # Now, in the writer's transaction: an increment commits or rolls back with the
        # report, and a recompute on commit (of a listing changed with it) then includes it.
        if not add_completed(campaign, completed):
            note(campaign.pk, periods=EVERY_PERIOD)
    elif sender is Light:
        note(campaign.pk, ("lights",), projects=project_ids, units=unit_ids)
    else:
        note(campaign.pk, projects=project_ids, units=unit_ids)


@receiver(projects_changed)
def _projects_changed(sender, project_ids, unit_ids=(), new_in_units=(), **kwargs):
    if len(project_ids) > MANY:
        note(ACTIVE, periods=EVERY_PERIOD)  # cheaper whole than unit by unit
        return
    note(ACTIVE, projects=project_ids, units=unit_ids)
    note(ACTIVE, ("registry",), units=new_in_units)


@receiver(pre_save, sender=Project)
def _project_before(sender, instance: Project, raw=False, **kwargs):
    """Remember the unit a project had: a move changes every figure of both units."""
    if not raw and not instance._state.adding:
        before = Project.objects.filter(pk=instance.pk).values_list("responsible_unit_id")
        instance._unit_before = next(iter(before), (None,))[0]


@receiver(post_save, sender=Project)
def _project_saved(sender, instance: Project, created=False, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_unit_before", instance.responsible_unit_id)
    if before != instance.responsible_unit_id:
        note(ACTIVE, units={before, instance.responsible_unit_id})
    else:  # its investment, its 纳统: what the registry figures hold
        note(ACTIVE, ("registry",), units={instance.responsible_unit_id})


@receiver(post_delete, sender=Project)
def _project_deleted(sender, instance: Project, **kwargs):
    note(ACTIVE, units={instance.responsible_unit_id})


@receiver(post_save, sender=AnnualListing)
def _listing_saved(sender, instance: AnnualListing, created=False, raw=False, **kwargs):
    if not raw:
        # On the list, the project's reports and milestones count too; a plan changed is all.
        note(ACTIVE, LISTED if created else ("registry",), projects=[instance.project_id])


@receiver(post_delete, sender=AnnualListing)
def _listing_deleted(sender, instance: AnnualListing, **kwargs):
    note(ACTIVE, LISTED, projects=[instance.project_id])


@receiver(post_save, sender=Milestone)
@receiver(post_delete, sender=Milestone)
def _milestone_changed(sender, instance: Milestone, raw=False, **kwargs):
    if not raw:
        note(ACTIVE, ("milestones",), projects=[instance.project_id])


@receiver(pre_save, sender=Unit)
def _unit_before(sender, instance: Unit, raw=False, **kwargs):
    if not raw and not instance._state.adding:
        before = Unit.objects.filter(pk=instance.pk).values_list("parent_id")
        instance._parent_before = next(iter(before), (None,))[0]


@receiver(post_save, sender=Unit)
def _unit_moved(sender, instance: Unit, created=False, raw=False, **kwargs):
    """A unit under a new parent moves its figures up another branch: refresh everything."""
    if not raw and not created and instance.parent_id != getattr(instance, "_parent_before", 0):
        note(ACTIVE, periods=EVERY_PERIOD)
