"""`manage.py bulletin --period 2026-10 --xlsx out.xlsx [--pdf out.pdf] [--text out.txt]`: the
dispatch bulletin of the active campaign's period ending in that month, for every listed
project. A long table's PDF is rendered on every core (bulletin/pdf.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongjian.audit.services import audit_export
from gongjian.bulletin.data import build_bulletin
from gongjian.bulletin.pdf import write_pdf
from gongjian.bulletin.text import render_text
from gongjian.bulletin.xlsx import write_xlsx
from gongjian.dispatch.models import Period


def period_ending_in(value: str) -> Period:
    """The active campaign's period whose end falls in the month `value` (YYYY-MM); the latest
    one when several do (weekly or 旬 cadences)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"--period must be a month as YYYY-MM, e.g. 2026-10 (got {value!r}).")
    period = (
        Period.objects.filter(
            campaign__is_active=True, end__year=int(match[1]), end__month=int(match[2])
        )
        .select_related("campaign")
        .order_by("-end", "-campaign__year", "campaign__name")
        .first()
    )
    if period is None:
        raise CommandError(f"No period of an active campaign ends in {value}.")
    return period


class Command(BaseCommand):
    help = "Write the dispatch bulletin of a period as Excel, and optionally as PDF and text."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM: the month the period ends in")
        parser.add_argument("--xlsx", required=True, type=Path, help="the Excel table to write")
        parser.add_argument("--pdf", type=Path, help="also write the PDF (narrative and table)")
        parser.add_argument("--text", type=Path, help="also write the narrative as text")

    def handle(self, *args, **options):
        period = period_ending_in(options["period"])
        started = time.perf_counter()
        bulletin = build_bulletin(period)
        written = []
        write_xlsx(bulletin, str(options["xlsx"]))
        written.append(options["xlsx"])
        if options["pdf"]:
            write_pdf(bulletin, options["pdf"])
            written.append(options["pdf"])
        if options["text"]:
            options["text"].write_text(render_text(bulletin), encoding="utf-8")
            written.append(options["text"])
        self.stdout.write(
            f"{period.campaign} · {period.label}: {bulletin.total.count} projects, "
            f"{time.perf_counter() - started:.1f} s"
        )
        for path in written:
            self.stdout.write(f"  {path}")
            audit_export(actor=None, what=str(path)[-200:], rows=len(bulletin.rows), note="command")
