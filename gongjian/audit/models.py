from __future__ import annotations

import contextlib

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.audit import chain
from gongjian.lib.bulk import JSONText, insert_rows

# pg_advisory_xact_lock keys: one serialises extending the chain, one archiving runs.
CHAIN_LOCK = 0x6A_61756469_7401  # "gj" "audi" "t" 1
ARCHIVE_LOCK = 0x6A_61756469_7402


class AppendOnlyError(Exception):
    """The trail is evidence: entries are added, never changed or removed (archive_audit moves
    old ones to files)."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted; archive_audit moves old ones")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit entries cannot be changed")

    def bulk_create(self, objs, *args, **kwargs):
        # Rows written without their place in the chain would break it; append() chains them.
        raise AppendOnlyError("use AuditEntry.objects.append() for many entries")


class AuditEntryManager(models.Manager.from_queryset(AuditEntryQuerySet)):
    def append(self, rows: list[dict]) -> None:
        """Chain and insert many entries at once (dicts by attname; `at` is set here). One
        query for the chain's head, hashes in one pass, one bulk insert: an import of 10,000
        rows spends a tenth of a second on its trail."""
        if not rows:
            return
        connection = connections[DEFAULT_DB_ALIAS]
        with _in_transaction(connection):
            lock_chain(connection)
            after_seq, after_hash = chain_head()
            now = timezone.now()
            for row in rows:
                row["at"] = now
                _truncate(row)
            texts = chain.chained(rows, after_seq=after_seq, after_hash=after_hash)
            for row, text in zip(rows, texts, strict=True):
                row["changes"] = JSONText(text)
            insert_rows(self.model, rows)


def _in_transaction(connection):
    """The chain's lock lasts until the transaction ends, so the head read and the insert need
    one; inside a caller's transaction that is theirs (no savepoint: two queries fewer)."""
    if connection.in_atomic_block:
        return contextlib.nullcontext()
    return transaction.atomic(using=connection.alias)


def lock_chain(connection) -> None:
    """Serialise extending the chain until the transaction ends: two writers reading the same
    head would fork it. On PostgreSQL an advisory lock; SQLite's transactions here start with
    BEGIN IMMEDIATE (settings), which takes the database's single write lock already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def chain_head() -> tuple[int, str]:
    """(seq, hash) of the last entry: the newest live one, else the end of the newest archive,
    else the chain's start."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is not None:
        return last
    archived = AuditArchive.objects.order_by("-last_seq").values_list("last_seq", "last_hash")
    return archived.first() or (0, chain.GENESIS)


# Column limits, applied before hashing so the stored text is the hashed text.
_LIMITS = {"actor_name": 150, "target_type": 40, "target_repr": 200, "note": 200}


def _truncate(row: dict) -> None:
    for name, limit in _LIMITS.items():
        value = row.get(name) or ""
        row[name] = value[:limit]


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after.

    `project_id` is a plain integer, not a foreign key, so the trail outlives a deleted project;
    `actor` has no database constraint for the same reason (and the hashed `actor_id` must
    never be nulled). Entries form a hash chain (chain.py) and are never changed: see
    AuditEntryQuerySet and, on PostgreSQL, the triggers of migration 0006.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        # Security events (等保2.0): who signed in, failed, was locked out, changed a password
        # or a second factor, was given or lost rights, and who took data away.
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKOUT = "lockout", _("Locked out")
        PASSWORD = "password", _("Password changed")
        SECOND_FACTOR = "second_factor", _("Second factor changed")
        PERMISSION = "permission", _("Rights changed")
        EXPORT = "export", _("Exported")

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=40)
    target_id = models.BigIntegerField(_("target ID"))
    target_repr = models.CharField(_("target"), max_length=200)
    project_id = models.BigIntegerField(_("project ID"), null=True, blank=True, db_index=True)
    # {"field name": [before, after]}; values are JSON-friendly strings/numbers/None.
    changes = models.JSONField(_("changes"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The chain (chain.py): position, the previous entry's hash, this entry's hash.
    seq = models.BigIntegerField(_("no."), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEntryManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        connection = connections[kwargs.get("using") or DEFAULT_DB_ALIAS]
        with _in_transaction(connection):
            lock_chain(connection)
            after_seq, after_hash = chain_head()
            row = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
            row["at"] = self.at or timezone.now()
            _truncate(row)
            chain.chained([row], after_seq=after_seq, after_hash=after_hash)
            for name in ("at", "seq", "prev_hash", "hash", *_LIMITS):
                setattr(self, name, row[name])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted; archive_audit moves old ones")

    def readable_changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) in the reader's language, for the change history."""
        try:
            model = apps.get_model(self.target_type)
        except LookupError:
            model = None
        rows = []
        for name, (before, after) in self.changes.items():
            field = _field(model, name)
            label = str(getattr(field, "verbose_name", name))  # a reverse relation has none
            rows.append((label, _readable(before, field), _readable(after, field)))
        return rows


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _readable(value, field=None):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    # A status is stored as its code ("submitted"); the reader sees its label.
    choices = getattr(field, "flatchoices", None)
    if choices and isinstance(value, str | int):
        return dict(choices).get(value, value)
    if isinstance(value, int | float):
        return str(value)  # a count of 0 is a value, not "empty" to the template's default
    return value


class AuditArchive(models.Model):
    """A file of entries moved out of the live trail by archive_audit (retention), with what it
    takes to verify it: the file's SHA-256 and where it sits in the chain. Entries are removed
    from the trail only once their archive is written and recorded here (and, on PostgreSQL,
    the delete trigger checks that a row here covers them)."""

    file_name = models.CharField(_("file"), max_length=200, unique=True)
    first_seq = models.BigIntegerField(_("first entry no."))
    last_seq = models.BigIntegerField(_("last entry no."), unique=True)
    first_id = models.BigIntegerField(_("first entry id"))
    last_id = models.BigIntegerField(_("last entry id"))
    count = models.IntegerField(_("entries"))
    # The hash of the entry before the first one here, and of the last one: the links to the
    # archive before and to the live trail (or the next archive) after.
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    last_hash = models.CharField(_("last hash"), max_length=64)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    older_than = models.DateTimeField(_("entries older than"))
    created_at = models.DateTimeField(_("archived at"), default=timezone.now)

    class Meta:
        ordering = ["first_seq"]
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")

    def __str__(self) -> str:
        return self.file_name
