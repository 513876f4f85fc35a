"""Escalate every overdue problem to the level its lateness reaches. Idempotent and safe to run
twice at once; run it from cron every morning (docs/operations.md)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand

from gongjian.problems.escalation import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue problems (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="as if today were YYYY-MM-DD"
        )

    def handle(self, *args, today=None, **options):
        run = escalate_overdue(today=today)
        levels = ", ".join(f"level {level}: {n}" for level, n in sorted(run.moved.items()))
        self.stdout.write(
            f"escalated {run.total} problem(s){' (' + levels + ')' if levels else ''}"
        )
