"""The trail's hash chain: every way of writing extends it, verify_audit finds the first entry
changed, deleted or inserted in the database, and archiving keeps the chain verifiable."""

from __future__ import annotations

import datetime
import gzip
import importlib
import shutil
import tempfile
import threading
from io import StringIO
from pathlib import Path

import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.accounts.models import User
from gongjian.audit import chain
from gongjian.audit.models import AuditArchive, AuditEntry
from gongjian.audit.services import audit_bulk, audit_event, audit_record
from gongjian.test import BaseTestCase

TABLE = "audit_auditentry"


def tamper(sql: str, params=()) -> None:
    """Write to the trail behind the application's back, as someone with database access
    would. On PostgreSQL that first takes the append-only trigger away (inside the test's
    transaction, so it comes back after the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only")


def verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def row(seq: int, prev: str, **fields) -> dict:
    values = {
        "id": seq * 10,
        "seq": seq,
        "at": datetime.datetime(2026, 1, 1, 8, seq, tzinfo=datetime.UTC),
        "actor_id": 1,
        "actor_name": "张敏",
        "action": "update",
        "target_type": "projects.Project",
        "target_id": 7,
        "target_repr": "青川项目",
        "project_id": 7,
        "changes": {"name": ["旧", "新"]},
        "note": "",
        "prev_hash": prev,
    }
    values.update(fields)
    values["hash"] = chain.entry_hash(values)
    return values


def three_rows() -> list[dict]:
    first = row(1, chain.GENESIS)
    second = row(2, first["hash"])
    return [first, second, row(3, second["hash"])]


class ChainRulesTestCase(TestCase):
    def test_it_walks_an_intact_run(self):
        walked = chain.walk(three_rows(), after_seq=0, after_hash=chain.GENESIS)
        self.assertEqual((walked.count, walked.last_seq, walked.broken), (3, 3, None))

    def test_it_names_the_first_break(self):
        def changed(rows):
            rows[1]["note"] = "edited"
            return rows

        def relinked(rows):
            rows[1]["note"] = "edited"
            rows[1]["hash"] = chain.entry_hash(rows[1])  # rewritten with its own hash
            return rows

        def removed(rows):
            return [rows[0], rows[2]]

        def changes_edited(rows):
            rows[1]["changes"] = {"name": ["旧", "改"]}
            return rows

        def moved_in_time(rows):
            rows[2]["at"] = rows[2]["at"] - datetime.timedelta(microseconds=1)
            return rows

        # (alteration, seq and reason of the break, entries that held before it)
        cases = [
            (changed, 2, "hash", 1),
            (relinked, 3, "link", 2),
            (removed, 3, "gap", 1),
            (changes_edited, 2, "hash", 1),
            (moved_in_time, 3, "hash", 2),
        ]
        for alter, seq, reason, held in cases:
            with self.subTest(alter.__name__):
                walked = chain.walk(alter(three_rows()), after_seq=0, after_hash=chain.GENESIS)
                self.assertEqual((walked.broken.seq, walked.broken.reason), (seq, reason))
                self.assertEqual(walked.count, held)

    def test_the_hash_does_not_depend_on_key_order_or_time_zone(self):
        a = row(1, chain.GENESIS, changes={"b": [1, 2], "a": ["x", None]})
        b = dict(a, changes={"a": ["x", None], "b": [1, 2]})
        b["at"] = a["at"].astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        self.assertEqual(chain.entry_hash(a), chain.entry_hash(b))
        self.assertNotEqual(chain.entry_hash(a), chain.entry_hash(dict(a, actor_id=2)))


class ChainTestCase(BaseTestCase):
    def write_each_way(self) -> list[AuditEntry]:
        audit_record(
            actor=self.alice,
            action=AuditEntry.Action.UPDATE,
            instance=self.project_a,
            changes={"name": ["旧", "新"], "total_investment": ["1", "2.5"]},
        )
        audit_event(actor=self.alice, action=AuditEntry.Action.EXPORT, target_repr="项目库.xlsx")
        audit_bulk(
            [
                {
                    "actor": self.alice,
                    "action": AuditEntry.Action.CREATE,
                    "instance": project,
                    "changes": {"name": [None, project.name]},
                }
                for project in (self.project_a, self.project_b)
            ]
        )
        return list(AuditEntry.objects.order_by("seq"))

    def test_every_way_of_writing_extends_the_chain(self):
        entries = self.write_each_way()
        self.assertEqual([e.seq for e in entries], list(range(1, len(entries) + 1)))
        self.assertEqual(entries[0].prev_hash, chain.GENESIS)
        for before, after in zip(entries, entries[1:], strict=False):
            self.assertEqual(after.prev_hash, before.hash)
        self.assertIn("The audit trail holds", verify())

    def test_bulk_writes_cost_the_same_queries_for_any_number_of_entries(self):
        def entries(n):
            return [
                {
                    "actor": None,
                    "action": "update",
                    "instance": self.project_a,
                    "changes": {"n": [i, i + 1]},
                }
                for i in range(n)
            ]

        with CaptureQueriesContext(connection) as few:
            audit_bulk(entries(2))
        self.assertLessEqual(len(few), 5)  # savepoint, lock, head, insert, release
        with self.assertNumQueries(len(few)):
            audit_bulk(entries(500))
        self.assertIn("The audit trail holds", verify())

    def test_an_entry_edited_in_the_database_is_named(self):
        entries = self.write_each_way()
        target = entries[2]
        tamper(f"UPDATE {TABLE} SET target_repr = %s WHERE id = %s", ["别的项目", target.pk])
        with self.assertRaises(CommandError) as caught:
            verify()
        self.assertIn(f"audit entry id {target.pk} (no. {target.seq})", str(caught.exception))
        self.assertIn("does not match its hash", str(caught.exception))

    def test_an_entry_deleted_in_the_database_is_found_at_the_next(self):
        entries = self.write_each_way()
        tamper(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
        with self.assertRaisesMessage(CommandError, f"id {entries[2].pk} (no. {entries[2].seq})"):
            verify()

    def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link(self):
        entries = self.write_each_way()
        edited = entries[1]
        values = {f.attname: getattr(edited, f.attname) for f in AuditEntry._meta.concrete_fields}
        values["note"] = "nothing happened"
        tamper(
            f"UPDATE {TABLE} SET note = %s, hash = %s WHERE id = %s",
            [values["note"], chain.entry_hash(values), edited.pk],
        )
        with self.assertRaisesMessage(CommandError, f"id {entries[2].pk}"):
            verify()

    def test_an_entry_inserted_in_the_database_is_named(self):
        entries = self.write_each_way()
        last = entries[-1]
        tamper(
            f"INSERT INTO {TABLE} (at, actor_name, action, target_type, target_id, target_repr,"
            " changes, note, seq, prev_hash, hash) VALUES (%s, 'x', 'login', '', 0, 'x', '{}',"
            " '', %s, %s, %s)",
            [timezone.now(), last.seq + 1, last.hash, "f" * 64],
        )
        inserted = AuditEntry.objects.get(seq=last.seq + 1)
        with self.assertRaisesMessage(CommandError, f"id {inserted.pk} (no. {inserted.seq})"):
            verify()

    def test_an_anchor_kept_elsewhere_catches_a_rewritten_trail(self):
        entries = self.write_each_way()
        self.assertIn("holds", verify("--anchor", f"{entries[1].seq}:{entries[1].hash}"))
        with self.assertRaisesMessage(CommandError, "was rewritten"):
            verify("--anchor", f"{entries[1].seq}:{'0' * 64}")

    def test_the_migration_chains_entries_written_before_the_chain(self):
        entries = self.write_each_way()
        # As they were before migration 0003: no place in any chain.
        tamper(f"UPDATE {TABLE} SET seq = -id, prev_hash = '', hash = ''")
        migration = importlib.import_module("gongjian.audit.migrations.0004_chain_existing_entries")

        class Editor:
            pass

        editor = Editor()
        editor.connection = connection
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only")
        migration.chain_existing(apps, editor)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only")
        rechained = list(AuditEntry.objects.order_by("seq").values_list("id", "seq"))
        self.assertEqual(rechained, [(e.pk, n) for n, e in enumerate(entries, 1)])
        self.assertIn("holds", verify())


class ArchiveTestCase(TestCase):
    # Not BaseTestCase: its personas' grants would be the trail's first (and recent) entries,
    # and only the chain's oldest run can be archived.
    def setUp(self):
        self.alice = User.objects.create_user("alice", display_name="Alice")
        self.directory = Path(tempfile.mkdtemp(prefix="audit-archive-"))
        self.addCleanup(shutil.rmtree, self.directory)
        settings = override_settings(AUDIT_ARCHIVE_DIR=self.directory, AUDIT_RETENTION_DAYS=180)
        settings.enable()
        self.addCleanup(settings.disable)

    def write(self, n: int, note: str) -> None:
        for i in range(n):
            audit_event(actor=self.alice, action=AuditEntry.Action.EXPORT, note=f"{note} {i}")

    def archive(self, *args) -> str:
        out = StringIO()
        call_command("archive_audit", *args, stdout=out)
        return out.getvalue()

    def test_old_entries_move_to_verifiable_files_and_the_chain_continues(self):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=200)):
            self.write(5, "old")
        self.write(2, "recent")
        output = self.archive("--batch", "4")
        old = 5
        self.assertEqual(AuditArchive.objects.count(), -(-old // 4))
        self.assertEqual(sum(a.count for a in AuditArchive.objects.all()), old)
        self.assertIn("Archived", output)
        self.assertEqual(
            sorted(AuditEntry.objects.values_list("note", flat=True)), ["recent 0", "recent 1"]
        )
        self.assertIn("2 live entries", verify("--archives"))
        for archive in AuditArchive.objects.all():
            with self.subTest(archive.file_name):
                self.assertIn(
                    f"{archive.count} entries", verify("--file", self.directory / archive.file_name)
                )
        # Run again: nothing more is old, nothing changes.
        self.assertIn("No entries older than", self.archive())
        self.assertEqual(AuditArchive.objects.count(), -(-old // 4))
        # A new entry still continues the chain.
        self.write(1, "after")
        self.assertIn("3 live entries", verify("--archives"))

    def test_when_every_entry_is_archived_the_next_one_follows_the_archive(self):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=365)):
            self.write(3, "old")
        self.archive()
        self.assertFalse(AuditEntry.objects.exists())
        self.write(1, "new")
        entry = AuditEntry.objects.get()
        self.assertEqual(
            entry.prev_hash, AuditArchive.objects.order_by("last_seq").last().last_hash
        )
        self.assertIn("1 live entries", verify("--archives"))

    def test_a_changed_archive_file_fails_verification(self):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=200)):
            self.write(3, "old")
        self.archive()
        archive = AuditArchive.objects.get()
        path = self.directory / archive.file_name
        with gzip.open(path, "rb") as f:
            text = f.read().replace(b"old 1", b"new 1")
        with gzip.open(path, "wb") as f:
            f.write(text)
        self.assertIn("holds", verify())  # the records alone still link up
        with self.assertRaisesMessage(CommandError, "SHA-256"):
            verify("--archives")
        with self.assertRaisesMessage(CommandError, "does not match its hash"):
            verify("--file", path)

    def test_retention_below_180_days_is_refused_by_the_settings(self):
        import os
        import subprocess
        import sys

        env = dict(os.environ, DEBUG="1", AUDIT_RETENTION_DAYS="90")
        code = "import django; from django.conf import settings; settings.AUDIT_RETENTION_DAYS"
        env["DJANGO_SETTINGS_MODULE"] = "gongjian.settings"
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("AUDIT_RETENTION_DAYS must be at least 180", result.stderr)


class ConcurrentWritersTestCase(TransactionTestCase):
    def test_writers_at_once_make_one_unbroken_chain(self):
        if connection.vendor == "sqlite":
            self.skipTest(
                "the in-memory SQLite test database takes one writer; there BEGIN IMMEDIATE "
                "serialises writers. CI runs this on PostgreSQL"
            )
        errors = []

        def write(n: int):
            try:
                for i in range(20):
                    audit_event(actor=None, action=AuditEntry.Action.EXPORT, note=f"{n}-{i}")
                audit_bulk(
                    [
                        {"actor": None, "action": "update", "instance": _Thing(n), "changes": {}}
                        for _ in range(50)
                    ]
                )
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(AuditEntry.objects.count(), 6 * 70)
        self.assertIn("420 live entries", verify())


class _Thing:
    _meta = AuditEntry._meta

    def __init__(self, pk):
        self.pk = pk

    def __str__(self):
        return f"thing {self.pk}"
