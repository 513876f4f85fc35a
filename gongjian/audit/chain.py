"""The audit trail's hash chain (等保2.0: the trail must reveal tampering).

Every entry has a sequence number (`seq`, 1, 2, 3, … with no gaps) and stores the previous
entry's hash (`prev_hash`) and its own (`hash`): SHA-256 over a canonical text of its fields
and `prev_hash`. Editing an entry in the database breaks its hash; deleting one leaves a gap in
`seq` and breaks the next entry's link; inserting one breaks the link or the hash of the next.

Pure functions of plain values; the database side is in models.py (writing) and verify.py.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The `prev_hash` of entry 1.
GENESIS = "0" * 64

# The hashed fields besides `changes`, in this order. `id` is not among them: on PostgreSQL an
# entry's id is only known once inserted, and `seq` orders the chain instead.
HEADER_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "project_id",
    "note",
    "prev_hash",
)


def canonical_changes(changes: Any) -> str:
    """The JSON text of `changes` that the hash covers: keys sorted, no spaces. The same text
    results from the value as written and as read back from either database."""
    return json.dumps(changes, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_time(at: datetime.datetime | str) -> str:
    """An entry's time in UTC with microseconds, whatever time zone it was read in."""
    if isinstance(at, str):
        at = datetime.datetime.fromisoformat(at)
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def entry_hash(row: Mapping[str, Any], changes_text: str | None = None) -> str:
    """The hash of one entry, from its fields (by attname) and its `prev_hash`.

    `changes_text` is canonical_changes(row["changes"]) when the caller has it already (bulk
    writes dump it once for the hash and the insert)."""
    header = [row[name] for name in HEADER_FIELDS]
    header[1] = canonical_time(header[1])
    if changes_text is None:
        changes_text = canonical_changes(row["changes"])
    # JSON escapes newlines inside strings, so the one between the parts is unambiguous.
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n" + changes_text
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain does not hold."""

    id: int | None
    seq: int
    reason: str  # "gap", "link" or "hash"

    def describe(self) -> str:
        what = f"audit entry id {self.id} (no. {self.seq})"
        if self.reason == "gap":
            return f"{what}: the entries before it are missing (deleted, or moved)"
        if self.reason == "link":
            return (
                f"{what}: it does not follow the entry before it "
                "(that entry was rewritten, or this one was inserted)"
            )
        return f"{what}: its content does not match its hash (it was changed after writing)"


@dataclass(frozen=True)
class Walk:
    """What walking a run of entries found: how many held, where the chain ends, the break."""

    count: int
    last_seq: int
    last_hash: str
    broken: Break | None = None


def walk(rows: Iterable[Mapping[str, Any]], *, after_seq: int, after_hash: str) -> Walk:
    """Check entries in `seq` order, each against the one before; the run starts right after
    entry `after_seq` whose hash is `after_hash` (0 and GENESIS for the very first entry).
    Stops at the first break."""
    count, seq, prev = 0, after_seq, after_hash
    for row in rows:
        if row["seq"] != seq + 1:
            return Walk(count, seq, prev, Break(row.get("id"), row["seq"], "gap"))
        if row["prev_hash"] != prev:
            return Walk(count, seq, prev, Break(row.get("id"), row["seq"], "link"))
        if entry_hash(row) != row["hash"]:
            return Walk(count, seq, prev, Break(row.get("id"), row["seq"], "hash"))
        count, seq, prev = count + 1, row["seq"], row["hash"]
    return Walk(count, seq, prev)


def chained(rows: list[dict[str, Any]], *, after_seq: int, after_hash: str) -> list[str]:
    """Give `rows` (dicts by attname, without seq/prev_hash/hash) their place in the chain, in
    place, and return the canonical changes texts (for the insert, so they are dumped once)."""
    texts = []
    seq, prev = after_seq, after_hash
    for row in rows:
        seq += 1
        row["seq"] = seq
        row["prev_hash"] = prev
        text = canonical_changes(row["changes"])
        row["hash"] = prev = entry_hash(row, text)
        texts.append(text)
    return texts
