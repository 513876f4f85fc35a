"""Chain the entries written before the chain existed, in the order they were written (id)."""

from django.db import migrations

from gongjian.audit.chain import GENESIS, chained

BATCH = 5000
FIELDS = (
    "id", "at", "actor_id", "actor_name", "action", "target_type", "target_id", "target_repr",
    "project_id", "changes", "note",
)  # fmt: skip


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    connection = schema_editor.connection
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    seq, prev, last_id = 0, GENESIS, 0
    while True:
        # Keyset pages, so a trail of millions is never held in memory at once.
        rows = list(
            AuditEntry.objects.filter(id__gt=last_id).order_by("id").values(*FIELDS)[:BATCH]
        )
        if not rows:
            return
        chained(rows, after_seq=seq, after_hash=prev)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [(r["seq"], r["prev_hash"], r["hash"], r["id"]) for r in rows],
            )
        seq, prev, last_id = rows[-1]["seq"], rows[-1]["hash"], rows[-1]["id"]


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_fields")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
