"""Retention without deletion: entries older than AUDIT_RETENTION_DAYS move from the live trail
into compressed files that can be verified on their own (archive_audit, verify_audit).

A file holds a run of the chain: a header line ({"format", "version", "first_seq",
"prev_hash"}) and one JSON line per entry with every field, hashes included, in `seq` order,
gzip-compressed. The same entries always give the same bytes (no timestamps in the gzip
header, keys sorted), so a run interrupted after writing its file and rerun writes it again
identically. A file is written, synced and recorded in AuditArchive before its entries leave
the trail, all in one transaction; on PostgreSQL the delete trigger checks that record.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from gongjian.audit import chain
from gongjian.audit.models import ARCHIVE_LOCK, AuditArchive, AuditEntry

FORMAT = "gongjian-audit-archive"
VERSION = 1
FIELDS = (
    "id", "seq", "at", "actor_id", "actor_name", "action", "target_type", "target_id",
    "target_repr", "project_id", "changes", "note", "prev_hash", "hash",
)  # fmt: skip
PAGE = 2000


class ArchiveError(Exception):
    """The trail or a file is not what it should be; nothing was moved."""


def archive_old_entries(
    *, older_than: datetime.datetime, directory: Path, batch: int = 20_000
) -> list[AuditArchive]:
    """Move every entry older than `older_than` into files of at most `batch` entries. Runs
    one transaction per file, so app writers wait at most one file's time (on SQLite they
    share one write lock). Safe to run twice at once: the second waits, then finds less."""
    directory.mkdir(parents=True, exist_ok=True)
    archives = []
    while (archive := _archive_one(older_than, directory, batch)) is not None:
        archives.append(archive)
    return archives


def _archive_one(older_than, directory: Path, batch: int) -> AuditArchive | None:
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ARCHIVE_LOCK])
        # `at` grows with `seq` (both are set under the chain's lock), so the old entries are
        # the chain's first ones; stopping at the first newer entry keeps each file one run.
        oldest = AuditEntry.objects.order_by("seq").values_list("seq", "at")[:batch]
        run = []
        for seq, at in oldest:
            if at >= older_than:
                break
            run.append(seq)
        if not run:
            return None
        first_seq, last_seq = run[0], run[-1]
        after_hash = _hash_before(first_seq)
        name = f"audit-{first_seq:012d}-{last_seq:012d}.jsonl.gz"
        walked, first_id, last_id = _write_file(directory / name, first_seq, last_seq, after_hash)
        archive = AuditArchive.objects.create(
            file_name=name,
            first_seq=first_seq,
            last_seq=last_seq,
            first_id=first_id,
            last_id=last_id,
            count=walked.count,
            prev_hash=after_hash,
            last_hash=walked.last_hash,
            file_sha256=file_sha256(directory / name),
            older_than=older_than,
        )
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The delete trigger lets this transaction through, and only for entries an
                # archive record covers (migration 0006).
                cursor.execute("SELECT set_config('gongjian.audit_archiving', 'on', true)")
            cursor.execute(
                f"DELETE FROM {table} WHERE seq BETWEEN %s AND %s", [first_seq, last_seq]
            )
        return archive


def _hash_before(first_seq: int) -> str:
    if first_seq == 1:
        return chain.GENESIS
    previous = AuditArchive.objects.filter(last_seq=first_seq - 1).first()
    if previous is None:
        raise ArchiveError(
            f"entries before no. {first_seq} are neither in the trail nor in an archive; "
            "run verify_audit"
        )
    return previous.last_hash


def _write_file(path: Path, first_seq: int, last_seq: int, after_hash: str):
    rows = _entries(first_seq, last_seq)
    ids: dict[str, int] = {}
    part = path.with_name(path.name + ".part")
    with open(part, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            header = {
                "format": FORMAT,
                "version": VERSION,
                "first_seq": first_seq,
                "prev_hash": after_hash,
            }
            gz.write(_line(header))

            def written() -> Iterator[dict]:
                for row in rows:
                    gz.write(_line({**row, "at": chain.canonical_time(row["at"])}))
                    ids.setdefault("first", row["id"])
                    ids["last"] = row["id"]
                    yield row

            walked = chain.walk(written(), after_seq=first_seq - 1, after_hash=after_hash)
        raw.flush()
        os.fsync(raw.fileno())
    if walked.broken is not None or walked.last_seq != last_seq:
        part.unlink()
        broken = walked.broken.describe() if walked.broken else f"no. {walked.last_seq + 1}"
        raise ArchiveError(f"the trail is broken at {broken}; nothing was archived")
    os.replace(part, path)
    _sync_directory(path.parent)
    return walked, ids["first"], ids["last"]


def _entries(first_seq: int, last_seq: int) -> Iterator[dict]:
    """Entries first_seq…last_seq in order, a page at a time."""
    after = first_seq - 1
    while True:
        page = list(
            AuditEntry.objects.filter(seq__gt=after, seq__lte=last_seq)
            .order_by("seq")
            .values(*FIELDS)[:PAGE]
        )
        if not page:
            return
        yield from page
        after = page[-1]["seq"]


def _line(value: dict) -> bytes:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text + "\n").encode()


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Reading and verifying files --------------------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    path: Path
    first_seq: int
    walk: chain.Walk | None
    problem: str = ""


def check_file(path: Path, record: AuditArchive | None = None) -> FileCheck:
    """Verify an archive file on its own (its chain) and, given its record, against it."""
    if not path.exists():
        return FileCheck(path, 0, None, "the file is missing")
    if record is not None and file_sha256(path) != record.file_sha256:
        return FileCheck(path, record.first_seq, None, "the file's SHA-256 differs from its record")
    try:
        with gzip.open(path, "rb") as f:
            header = json.loads(f.readline())
            if header.get("format") != FORMAT:
                return FileCheck(path, 0, None, "not an audit archive")
            first_seq = header["first_seq"]
            rows = (json.loads(line) for line in f)
            walked = chain.walk(rows, after_seq=first_seq - 1, after_hash=header["prev_hash"])
    except (OSError, EOFError, ValueError, KeyError) as error:
        return FileCheck(path, 0, None, f"unreadable: {error}")
    if walked.broken is not None:
        return FileCheck(path, first_seq, walked, walked.broken.describe())
    if record is not None:
        expected = (record.first_seq, record.prev_hash, record.last_seq, record.last_hash)
        found = (first_seq, header["prev_hash"], walked.last_seq, walked.last_hash)
        if expected != found or walked.count != record.count:
            return FileCheck(path, first_seq, walked, "the file does not hold what its record says")
    return FileCheck(path, first_seq, walked)


def hash_in_file(path: Path, seq: int) -> str | None:
    with gzip.open(path, "rb") as f:
        f.readline()
        for line in f:
            row = json.loads(line)
            if row["seq"] == seq:
                return row["hash"]
    return None
