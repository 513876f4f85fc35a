"""Entries are added, never changed or removed: by the ORM on every database, and by triggers in
PostgreSQL itself, whoever sends the SQL."""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from gongjian.accounts.models import User
from gongjian.audit.models import AppendOnlyError, AuditArchive, AuditEntry
from gongjian.audit.services import audit_event
from gongjian.test import BaseTestCase


class OrmTestCase(BaseTestCase):
    def setUp(self):
        self.entry = audit_event(actor=self.alice, action=AuditEntry.Action.LOGIN)

    def test_an_entry_cannot_be_saved_again_or_deleted(self):
        self.entry.note = "edited"
        with self.assertRaises(AppendOnlyError):
            self.entry.save()
        with self.assertRaises(AppendOnlyError):
            self.entry.delete()

    def test_querysets_refuse_changes_and_unchained_inserts(self):
        entries = AuditEntry.objects.filter(pk=self.entry.pk)
        with self.assertRaises(AppendOnlyError):
            entries.update(note="edited")
        with self.assertRaises(AppendOnlyError):
            entries.delete()
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.bulk_create([AuditEntry(action="login")])
        self.assertEqual(AuditEntry.objects.get(pk=self.entry.pk).note, self.entry.note)

    def test_deleting_a_user_keeps_their_entries_unchanged(self):
        user = User.objects.create_user("temp", password="password")
        entry = audit_event(actor=user, action=AuditEntry.Action.LOGIN, target=user)
        user_id = user.pk
        user.delete()
        entry_now = AuditEntry.objects.get(pk=entry.pk)
        self.assertEqual((entry_now.actor_id, entry_now.hash), (user_id, entry.hash))
        self.assertEqual(entry_now.actor_name, "temp")


class DatabaseTriggersTestCase(TestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest(
                "SQLite gets no triggers: whoever can write its file can drop them, and Django "
                "drops them whenever a migration rebuilds the table; there the ORM refuses and "
                "the hash chain reveals changes (test_chain.py)"
            )
        self.entry = audit_event(actor=None, action=AuditEntry.Action.LOGIN, note="evidence")

    def refused(self, sql: str, params=None, *, first: str = "") -> None:
        """`sql` raises the trigger's error (after `first`, in the same transaction)."""
        with self.assertRaisesMessage(DatabaseError, "append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                if first:
                    cursor.execute(first)
                cursor.execute(sql, params)

    def test_update_delete_and_truncate_are_refused(self):
        self.refused("UPDATE audit_auditentry SET note = 'edited' WHERE id = %s", [self.entry.pk])
        self.refused("DELETE FROM audit_auditentry WHERE id = %s", [self.entry.pk])
        # The test settings allow TRUNCATE for the test runner's flush; production does not.
        self.refused(
            "TRUNCATE audit_auditentry", first="SET LOCAL gongjian.audit_allow_truncate = 'off'"
        )
        self.assertEqual(AuditEntry.objects.get(pk=self.entry.pk).note, "evidence")

    def test_the_archiving_setting_alone_does_not_allow_a_delete(self):
        # Only entries an archive record covers may go, and only with the setting.
        self.refused(
            "DELETE FROM audit_auditentry WHERE id = %s",
            [self.entry.pk],
            first="SELECT set_config('gongjian.audit_archiving', 'on', true)",
        )

    def test_archive_records_cannot_be_changed_either(self):
        archive = AuditArchive.objects.create(
            file_name="a.jsonl.gz",
            first_seq=1,
            last_seq=1,
            first_id=1,
            last_id=1,
            count=1,
            prev_hash="0" * 64,
            last_hash="0" * 64,
            file_sha256="0" * 64,
            older_than=self.entry.at,
        )
        self.refused("UPDATE audit_auditarchive SET count = 2 WHERE id = %s", [archive.pk])
        self.refused("DELETE FROM audit_auditarchive WHERE id = %s", [archive.pk])
