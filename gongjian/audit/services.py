"""Recording audit entries. Every write to registry data goes through these helpers."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import hashlib
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from gongjian.audit.models import AuditEntry

# Who is acting, for entries written where no user is passed along (signal receivers for
# rights changes, the admin's password form): the signed-in user of the request being served
# (audit/middleware.py), or whoever a command names (acting_as). None means "system".
_current_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)


def current_actor():
    actor = _current_actor.get()
    if callable(actor):  # the request's user, resolved only when an entry needs it
        actor = actor()
    return actor if actor is not None and actor.is_authenticated else None


@contextlib.contextmanager
def acting_as(actor):
    """Entries written inside are by `actor` (a user, or a callable returning one)."""
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


def plain_value(value: Any) -> Any:
    """A JSON-friendly, human-readable form of a field value."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name  # the stored file's path, not its contents
    if isinstance(value, Decimal):
        # Normalised, so 321.30 from the database and 321.3 from a form or sheet are equal.
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


# Never copied into the trail: the trail is readable by more people than the secret is.
SECRET_FIELDS = {"password"}


def snapshot(instance: models.Model, field_names: list[str] | None = None) -> dict[str, Any]:
    """The audited values of an instance: concrete editable fields, foreign keys as their text."""
    names = _audited_fields(type(instance))
    if field_names is not None:
        names = [name for name in names if name in field_names]
    masked = getattr(type(instance), "AUDIT_MASKED_FIELDS", ())
    return {
        name: _fingerprint(getattr(instance, name))
        if name in masked
        else plain_value(getattr(instance, name))
        for name in names
    }


def _fingerprint(value) -> str:
    """A value the trail must not show (a robot's URL carries its access key): that it changed
    stays visible, what it is does not."""
    if not value:
        return ""
    return "••••" + hashlib.sha256(str(value).encode()).hexdigest()[:8]


@functools.cache
def _audited_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in SECRET_FIELDS
    ]


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _project_id_of(instance: models.Model) -> int | None:
    if instance._meta.label == "projects.Project":
        return instance.pk
    return getattr(instance, "project_id", None)


def audit_record(
    *, actor, action: str, instance: models.Model, changes: dict[str, list[Any]], note: str = ""
) -> AuditEntry:
    return AuditEntry.objects.create(**_entry_fields(actor, action, instance, changes, note))


def audit_event(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_repr: str = "",
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
    actor_name: str = "",
) -> AuditEntry:
    """An event that is not a row's write: a login, a failed login, an export. `target` is the
    account or object concerned, if any; `target_repr` names it otherwise (a file, a username
    that does not exist). `actor_name` names an actor who is no user (the name a failed login
    tried)."""
    if target is not None:
        fields = _entry_fields(actor, action, target, changes or {}, note)
        if target_repr:
            fields["target_repr"] = target_repr[:200]
    else:
        fields = {
            "actor": actor if actor is not None and actor.pk else None,
            "actor_name": str(actor) if actor is not None else "system",
            "action": action,
            "target_type": "",
            "target_id": 0,
            "target_repr": target_repr[:200],
            "project_id": None,
            "changes": changes or {},
            "note": note[:200],
        }
    if actor_name:
        fields["actor_name"] = actor_name[:150]
    return AuditEntry.objects.create(**fields)


def _entry_fields(actor, action, instance, changes, note) -> dict[str, Any]:
    return {
        "actor": actor if actor is not None and actor.pk else None,
        "actor_name": str(actor) if actor is not None else "system",
        "action": action,
        "target_type": instance._meta.label,
        "target_id": instance.pk,
        "target_repr": str(instance)[:200],
        "project_id": _project_id_of(instance),
        "changes": changes,
        "note": note[:200],
    }


def _is_empty(value: Any) -> bool:
    # Not `value in (None, "", False)`: 0 == False, and a zero amount is a value worth keeping.
    return value is None or value is False or value == ""


def creation_changes(instance: models.Model) -> dict[str, list[Any]]:
    """A new row's values as changes from nothing (empty values left out)."""
    return {k: [None, v] for k, v in snapshot(instance).items() if not _is_empty(v)}


def audit_created(*, actor, instance: models.Model, note: str = "") -> AuditEntry:
    return audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=instance,
        changes=creation_changes(instance),
        note=note,
    )


def audit_updated(
    *, actor, instance: models.Model, before: dict[str, Any], note: str = ""
) -> AuditEntry | None:
    changes = diff(before, snapshot(instance, list(before)))
    if not changes:
        return None
    return audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, instance=instance, changes=changes, note=note
    )


def audit_deleted(*, actor, instance: models.Model, note: str = "") -> AuditEntry:
    before = snapshot(instance)
    return audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=instance,
        changes={k: [v, None] for k, v in before.items() if not _is_empty(v)},
        note=note,
    )


def audit_bulk(entries: list[dict[str, Any]]) -> None:
    """Write many entries at once (imports); each dict takes audit_record's keyword arguments.
    They extend the hash chain in the order given."""
    rows = []
    for e in entries:
        row = _entry_fields(e["actor"], e["action"], e["instance"], e["changes"], e.get("note", ""))
        actor = row.pop("actor")
        row["actor_id"] = actor.pk if actor is not None else None
        rows.append(row)
    AuditEntry.objects.append(rows)


def audit_export(*, actor, what: str, rows: int | None = None, note: str = "") -> AuditEntry:
    """Data leaving the system (等保2.0): who took `what` (a file name), how many rows."""
    return audit_event(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        target_repr=what,
        changes={"rows": [None, rows]} if rows is not None else {},
        note=note,
    )
