"""Verifying the whole trail: the archive records link up, each archive file (optionally) holds
what its record says, and the live entries continue the chain from the last archive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gongjian.audit import chain
from gongjian.audit.archive import check_file, hash_in_file
from gongjian.audit.models import AuditArchive, AuditEntry

PAGE = 5000
ROW_FIELDS = ("id", *chain.HEADER_FIELDS, "changes", "hash")


@dataclass(frozen=True)
class TrailCheck:
    archives: int
    live: int
    last_seq: int
    last_hash: str
    problem: str = ""


def live_rows() -> Iterator[dict]:
    """Every live entry in `seq` order, a page at a time (keyset on the unique `seq`), so a
    trail of millions is streamed."""
    after = None
    while True:
        query = AuditEntry.objects.order_by("seq").values(*ROW_FIELDS)
        if after is not None:
            query = query.filter(seq__gt=after)
        page = list(query[:PAGE])
        if not page:
            return
        yield from page
        after = page[-1]["seq"]


def verify_trail(*, archive_dir: Path, check_files: bool = False) -> TrailCheck:
    seq, prev = 0, chain.GENESIS
    archives = list(AuditArchive.objects.order_by("first_seq"))
    for archive in archives:
        if archive.first_seq != seq + 1 or archive.prev_hash != prev:
            return TrailCheck(
                len(archives), 0, seq, prev,
                f"archive {archive.file_name} does not follow entry no. {seq}",
            )  # fmt: skip
        if check_files:
            checked = check_file(archive_dir / archive.file_name, archive)
            if checked.problem:
                return TrailCheck(
                    len(archives), 0, seq, prev, f"archive {archive.file_name}: {checked.problem}"
                )
        seq, prev = archive.last_seq, archive.last_hash
    walked = chain.walk(live_rows(), after_seq=seq, after_hash=prev)
    problem = walked.broken.describe() if walked.broken else ""
    return TrailCheck(len(archives), walked.count, walked.last_seq, walked.last_hash, problem)


def hash_of(seq: int, archive_dir: Path) -> str | None:
    """The recorded hash of entry `seq`, live or archived (None if it is nowhere)."""
    live = AuditEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if live is not None:
        return live
    archive = AuditArchive.objects.filter(first_seq__lte=seq, last_seq__gte=seq).first()
    if archive is None:
        return None
    if archive.last_seq == seq:
        return archive.last_hash
    path = archive_dir / archive.file_name
    return hash_in_file(path, seq) if path.exists() else None
