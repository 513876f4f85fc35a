"""Fast multi-row INSERT for generated and imported rows."""

from __future__ import annotations

import json

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import JSONField
from django.utils import timezone


def insert_quickly(model, objs: list, batch_size: int = 5000) -> None:
    """INSERT model instances `objs`; see insert_rows. Their primary keys are not set."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    insert_rows(model, [{name: getattr(obj, name) for name in names} for obj in objs], batch_size)


def insert_rows(model, rows: list[dict], batch_size: int = 5000) -> None:
    """INSERT `rows` (dicts by column attname, e.g. project_id; a missing key takes the field's
    default) with executemany, without building model instances.

    bulk_create compiles a statement for every few rows (SQLite's 999-parameter limit) and
    prepares every value separately: for 100,000 projects that was over half of seed_demo's run.
    Values are still prepared by their field (get_db_prep_save, as bulk_create does), but each
    distinct value once, and most repeat (foreign keys, flags, dates). No signals are sent.
    """
    # The default connection, resolved once: `django.db.connection` is a proxy that looks the
    # connection up again on every use, once per value here.
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    copy_sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    now = timezone.now()  # auto_now(_add) fields: one timestamp, as if inserted at once
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        columns = []
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                values = [now] * len(batch)
            else:
                default = field.get_default()
                values = [row.get(field.attname, default) for row in batch]
            columns.append(_prepared(field, values, connection))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams the rows in one command: several times faster than
                # executemany's one INSERT per row at the scale of an escalation run or import.
                with cursor.cursor.copy(copy_sql) as copy:
                    for values in zip(*columns, strict=True):
                        copy.write_row(values)
            else:
                cursor.executemany(sql, list(zip(*columns, strict=True)))


class JSONText(str):
    """A JSONField's value already encoded as JSON text (e.g. by a worker process, whose
    results travel back pickled: a string is quicker to pickle than the nested lists and
    dicts it stands for). Written as it is."""


def _prepared(field, values: list, connection) -> list:
    if isinstance(field, JSONField):
        # Both databases take JSON as text (COPY on PostgreSQL): dumping it here skips a Django
        # and a psycopg wrapper per value (a third of the time of upserting 100,000 lights).
        return [
            v if v is None or isinstance(v, JSONText) else json.dumps(v, cls=field.encoder)
            for v in values
        ]
    try:
        distinct = {value: field.get_db_prep_save(value, connection) for value in set(values)}
    except TypeError:  # unhashable values: prepare each one
        return [field.get_db_prep_save(value, connection) for value in values]
    return [distinct[value] for value in values]


def upsert_rows(
    model,
    rows: list[dict],
    unique_fields: list[str],
    update_fields: list[str],
    compare_fields: list[str] | None = None,
):
    """INSERT `rows` (dicts by attname, every concrete non-pk field present), updating
    `update_fields` where a row with the same `unique_fields` exists already.

    With `compare_fields`, an existing row is updated only if one of those differs: a
    recomputation that changes little then rewrites little (on PostgreSQL every update is a
    new row version until VACUUM; on SQLite every rewrite updates the indexes).

    On PostgreSQL the rows go through COPY into a temporary table and one INSERT … SELECT …
    ON CONFLICT: bulk_create(update_conflicts=True) sends them as arrays that psycopg quotes
    value by value on the client, which took most of recompute_lights' time at 100,000
    projects. On SQLite it is one executemany of INSERT … ON CONFLICT, without building model
    instances (bulk_create's way took a third of recompute_lights' time there).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {f.name: f for f in fields}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    conflict = ", ".join(quote(by_name[name].column) for name in unique_fields)
    updates = ", ".join(
        f"{quote(by_name[name].column)} = EXCLUDED.{quote(by_name[name].column)}"
        for name in update_fields
    )
    if compare_fields:
        old = ", ".join(f"{table}.{quote(by_name[name].column)}" for name in compare_fields)
        new = ", ".join(f"EXCLUDED.{quote(by_name[name].column)}" for name in compare_fields)
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        updates += f" WHERE ({old}) {distinct} ({new})"
    prepared = [_prepared(f, [row[f.attname] for row in rows], connection) for f in fields]
    if connection.vendor != "postgresql":
        placeholders = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                list(zip(*prepared, strict=True)),
            )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE upsert_rows ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY upsert_rows ({columns}) FROM STDIN") as copy:
            for values in zip(*prepared, strict=True):
                copy.write_row(values)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM upsert_rows "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        cursor.execute("DROP TABLE upsert_rows")
