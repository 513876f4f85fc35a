"""`manage.py seed_demo [--projects N]`: load the demo city; the work is in gongjian/demo/."""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.accounts.models import RoleGrant
from gongjian.dashboards.geo import write_demo_boundary
from gongjian.demo.assessment import seed_assessment
from gongjian.demo.city import Login, seed_demo
from gongjian.demo.dispatch import (
    COUNTY_OFFICES,
    add_bulk_periods,
    refresh_figures,
    seed_dispatch,
)
from gongjian.demo.problems import add_bulk_problems, seed_problems


class Command(BaseCommand):
    help = gettext_lazy(
        "Create the fictional demo city 青川市 with its units, about 250 projects and one login "
        "per role (safe to run again), and optionally add N generated projects for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects",
            type=int,
            default=0,
            metavar="N",
            help=gettext_lazy(
                "Also add N generated projects (creating the demo city first if needed)."
            ),
        )

        parser.add_argument(
            "--periods",
            type=int,
            default=0,
            metavar="M",
            help=gettext_lazy(
                "Also give every listed project accepted reports for the first M monthly periods."
            ),
        )
        parser.add_argument(
            "--problems",
            type=int,
            default=0,
            metavar="P",
            help=gettext_lazy("Also add P generated problems (for benchmarks)."),
        )

    def handle(self, *args, projects: int, periods: int, problems: int, verbosity: int, **options):
        if projects < 0 or periods < 0 or problems < 0:
            raise CommandError(_("--projects, --periods and --problems must be zero or more."))
        report = seed_demo(extra_projects=projects)
        today = timezone.localdate()
        # The dispatch history (reports, reviews, lights) of the demo campaign; then bulk periods.
        seed_dispatch(today)
        added_reports = add_bulk_periods(periods, today) if periods else 0
        # A few hundred problems with their history, then bulk ones.
        seed_problems(today)
        write_demo_boundary()  # the map's fictional county outlines, unless a boundary exists
        seed_assessment(today)
        added_problems = add_bulk_problems(problems, today) if problems else 0
        # The cockpit and the big screen show the seeded city at once, not after the nightly run.
        refresh_figures()
        if verbosity < 1:
            return
        if report.created_city:
            self.stdout.write(self.style.SUCCESS(_("Created the demo city 青川市.")))
        else:
            self.stdout.write(_("The demo city 青川市 already exists; it was left as it is."))
        if report.added_projects:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Added %(count)d projects in %(seconds).1f s.")
                    % {"count": report.added_projects, "seconds": report.added_seconds}
                )
            )
        if added_reports:
            self.stdout.write(_("Added %(count)d reports.") % {"count": added_reports})
        if added_problems:
            self.stdout.write(_("Added %(count)d problems.") % {"count": added_problems})
        self.stdout.write(login_table(report.logins + county_office_logins()))


def county_office_logins() -> list[Login]:
    usernames = [username for username, _county, _name in COUNTY_OFFICES]
    grants = RoleGrant.objects.filter(user__username__in=usernames).select_related("user", "unit")
    return [
        Login(g.user.username, g.role, g.unit.name)
        for g in sorted(grants, key=lambda g: g.user.username)
    ]


def login_table(logins: list[Login]) -> str:
    # Plain column names: the cells are usernames and role codes, which are not translated.
    header = Login("username", "role", "unit", "password")
    rows = [header, *logins]
    columns = list(zip(*[(r.username, r.role, r.unit, r.password) for r in rows], strict=True))
    widths = [max(display_width(cell) for cell in column) for column in columns]
    lines = []
    for row in rows:
        cells = (row.username, row.role, row.unit, row.password)
        lines.append("  ".join(pad(cell, width) for cell, width in zip(cells, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def display_width(text: str) -> int:
    # Chinese characters take two terminal columns, so len() would misalign the table.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
