"""`manage.py check_figures [--period YYYY-MM] [--campaign ID]`: recompute every figure a
period publishes (desk, lights, cockpit, big screen, bulletin, targets, scores) from the raw
reports with plain SQL and print each difference. Exits 1 on any difference, 2 on a bad
argument; the checks are in gongjian/dashboards/reconcile.py."""

from __future__ import annotations

import argparse
import calendar
import datetime
import re
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts import access
from gongjian.accounts.models import Role, RoleGrant, User
from gongjian.dashboards import reconcile, selectors
from gongjian.dispatch.models import Campaign, Period

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
SHOWN_PER_FIGURE = 20  # lines printed per figure; the rest are counted


def month(text: str) -> tuple[int, int]:
    match = MONTH.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.") % {"value": text}
        )
    return int(match[1]), int(match[2])


def usage(message: str) -> CommandError:
    """A refused argument: exit code 2, as argparse's own refusals."""
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    context: reconcile.Context | None = None  # the last run's, for callers (bench/figures.py)

    @property
    def help(self) -> str:  # argparse wants a str: translated when the parser is made
        return _(
            "Recompute every figure a period publishes (desk, lights, cockpit, big screen, "
            "bulletin, targets, scores) from the raw reports and print any difference; exits 1 "
            "if there is one."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            type=month,
            metavar="YYYY-MM",
            help=_(
                "The month whose last ended period to check (default: the campaign's latest "
                "ended period). Weekly and ten-day campaigns: the last period ending in it."
            ),
        )
        parser.add_argument(
            "--campaign",
            type=int,
            metavar="ID",
            help=_("The campaign to check (default: the active one the pages show)."),
        )

    def handle(self, *args, period=None, campaign=None, verbosity=1, **options):
        started = time.perf_counter()
        today = timezone.localdate()
        chosen = pick_campaign(campaign)
        ended = chosen.periods.filter(end__lt=today).order_by("start")
        checked = pick_period(chosen, ended, period)
        latest = checked == ended.last()
        context = self.context = reconcile.run(
            chosen, checked, today=today, latest=latest, reader=whole_deployment_reader()
        )
        self.stdout.write(
            _("Checking %(period)s of %(campaign)s (%(cadence)s).")
            % {
                "period": checked.label,
                "campaign": chosen,
                "cadence": chosen.get_cadence_display(),
            }
        )
        if verbosity > 0:
            for text in context.notes:
                self.stdout.write(text)
        self.write_differences(context, checked.label)
        summary = _("%(count)s figures compared in %(seconds).1f s") % {
            "count": f"{context.compared:,}",
            "seconds": time.perf_counter() - started,
        }
        if context.differences:
            raise CommandError(
                _("%(summary)s: %(differences)s differ.")
                % {"summary": summary, "differences": f"{len(context.differences):,}"},
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(_("%(summary)s: no difference.") % {"summary": summary})
        )

    def write_differences(self, context: reconcile.Context, label: str) -> None:
        per_figure = Counter()
        for difference in context.differences:
            per_figure[difference.figure] += 1
            if per_figure[difference.figure] > SHOWN_PER_FIGURE:
                continue
            where = f" [{difference.where}]" if difference.where else ""
            self.stdout.write(
                _("%(period)s %(figure)s%(where)s: shown %(shown)s ≠ reports %(truth)s")
                % {
                    "period": label,
                    "figure": difference.figure,
                    "where": where,
                    "shown": difference.shown,
                    "truth": difference.truth,
                }
            )
        for figure, count in per_figure.items():
            if count > SHOWN_PER_FIGURE:
                self.stdout.write(
                    _("%(period)s %(figure)s: %(more)s more differences not shown")
                    % {"period": label, "figure": figure, "more": f"{count - SHOWN_PER_FIGURE:,}"}
                )


def pick_campaign(pk: int | None) -> Campaign:
    if pk is not None:
        found = Campaign.objects.filter(pk=pk).first()
        if found is None:
            raise usage(_("There is no campaign %(id)s.") % {"id": pk})
        return found
    found = selectors.active_campaign()
    if found is None:
        raise usage(_("No campaign is active: name one with --campaign ID."))
    return found


def pick_period(campaign: Campaign, ended, wanted: tuple[int, int] | None) -> Period:
    if wanted is None:
        found = ended.last()
        if found is None:
            raise usage(_("No period of %(campaign)s has ended yet.") % {"campaign": campaign})
        return found
    year, number = wanted
    first = datetime.date(year, number, 1)
    last = datetime.date(year, number, calendar.monthrange(year, number)[1])
    found = ended.filter(end__gte=first, end__lte=last).last()
    if found is None:
        raise usage(
            _("No ended period of %(campaign)s ends in %(month)s.")
            % {"campaign": campaign, "month": f"{year}-{number:02d}"}
        )
    return found


def whole_deployment_reader() -> User | None:
    """A user whose scope is the whole deployment (the city office, the mayor): the desk and
    the cockpit's lists are read as they would read them."""
    grants = RoleGrant.objects.filter(
        unit__parent__isnull=True, role__in=[Role.OFFICE, Role.LEADER], user__is_active=True
    ).select_related("user")
    for grant in grants.order_by("user_id"):
        if access.sees_all_projects(grant.user):
            return grant.user
    return None
