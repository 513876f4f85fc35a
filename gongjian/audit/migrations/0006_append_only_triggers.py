"""The trail is append-only in the database itself (PostgreSQL): UPDATE, DELETE and TRUNCATE of
audit entries and archive records are refused by triggers, whoever sends them.

Two exceptions, each needing a setting that ordinary code never makes:
- archive_audit deletes entries it has written to a file, after recording that file in
  audit_auditarchive: it sets `gongjian.audit_archiving` for its transaction (SET LOCAL), and the
  trigger also checks that an archive record covers every deleted entry;
- the test settings set `gongjian.audit_allow_truncate` for their connections, so the test
  runner can empty the database between tests (a production connection never sets it).

SQLite has no triggers here: whoever can write its file can drop them, and Django rebuilds an
SQLite table (dropping its triggers) whenever a migration alters it. There the ORM refuses
changes (AuditEntryQuerySet) and the hash chain reveals what was done to the file.

A later migration that must rewrite entries has to disable these triggers explicitly.
"""

from django.db import migrations

TABLES = ("audit_auditentry", "audit_auditarchive")

FUNCTION = """
CREATE OR REPLACE FUNCTION gongjian_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_auditentry' THEN
        IF current_setting('gongjian.audit_archiving', true) = 'on'
           AND EXISTS (SELECT 1 FROM audit_auditarchive a
                       WHERE OLD.seq BETWEEN a.first_seq AND a.last_seq) THEN
            RETURN OLD;
        END IF;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('gongjian.audit_allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the function's RAISE format has % signs that are no placeholders.
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gongjian_audit_append_only()",
            params=None,
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gongjian_audit_append_only()",
            params=None,
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS gongjian_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_unique_and_archives")]

    operations = [migrations.RunPython(install, uninstall)]
