"""The audit trail as CSV for the audit administrator: streamed, so a year of entries never
sits in memory, and readable by Excel (UTF-8 with a byte-order mark)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.models import AuditEntry

COLUMNS = (
    "id", "seq", "at", "actor_id", "actor_name", "action", "target_type", "target_id",
    "target_repr", "project_id", "changes", "note", "prev_hash", "hash",
)  # fmt: skip


def _headers() -> list[str]:
    return [
        _("ID"), _("No."), _("Time"), _("Actor ID"), _("Actor"), _("Action"), _("Target type"),
        _("Target ID"), _("Target"), _("Project ID"), _("Changes"), _("Note"),
        _("Previous hash"), _("Hash"),
    ]  # fmt: skip


def safe_cell(value) -> str:
    """A cell Excel shows as text: one starting with = + - @ (or a tab or return) would run
    as a formula, so it gets a leading apostrophe (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(queryset) -> Iterator[str]:
    writer = csv.writer(_Echo())
    labels = dict(AuditEntry.Action.choices)
    yield "\ufeff" + writer.writerow(_headers())
    rows = queryset.values_list(*COLUMNS).iterator(chunk_size=2000)
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        values["at"] = timezone.localtime(values["at"]).strftime("%Y-%m-%d %H:%M:%S")
        values["action"] = str(labels.get(values["action"], values["action"]))
        values["changes"] = json.dumps(values["changes"], ensure_ascii=False, sort_keys=True)
        yield writer.writerow([safe_cell(values[name]) for name in COLUMNS])
