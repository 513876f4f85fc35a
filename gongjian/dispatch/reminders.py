"""Due-soon and overdue notices for filings. Safe to run twice, or twice at once: each notice
has a key, and the inbox sends a key to a user only once (inbox.services.notify)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import Role, RoleGrant
from gongjian.dispatch.models import Campaign, Period, Report
from gongjian.inbox.services import notify
from gongjian.projects.models import Project

DUE_SOON = datetime.timedelta(days=3)
# Overdue notices go out for periods whose deadline passed within this window, not for ever.
OVERDUE_WINDOW = datetime.timedelta(days=45)
FILED = [Report.Status.SUBMITTED, Report.Status.ACCEPTED]


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Notify unit filers of every period due within three days or recently overdue for which
    some of their listed projects have no submitted report. Returns how many notices were sent."""
    now = now or timezone.now()
    sent = 0
    grants = list(RoleGrant.objects.filter(role=Role.UNIT).select_related("user", "unit"))
    for campaign in Campaign.objects.filter(is_active=True):
        periods = campaign.periods.filter(
            deadline__gt=now - OVERDUE_WINDOW, deadline__lte=now + DUE_SOON
        )
        for period in periods:
            kind = "overdue" if period.deadline < now else "due"
            for user, count in _missing_by_filer(period, grants).items():
                sent += notify(
                    user=user,
                    key=f"{kind}:{period.pk}",
                    title=_title(kind, period, count),
                    body=_("Deadline %(deadline)s.")
                    % {"deadline": timezone.localtime(period.deadline).strftime("%Y-%m-%d %H:%M")},
                    url=reverse("dispatch:due") + f"?period={period.pk}",
                )
    return sent


def _missing_by_filer(period: Period, grants: list[RoleGrant]) -> dict:
    filed = Report.objects.filter(period=period, is_current=True, status__in=FILED).values(
        "project_id"
    )
    missing = (
        Project.objects.listed(period.start.year)
        .exclude(pk__in=filed)
        .values_list("responsible_unit__path", flat=True)
    )
    counts: dict = defaultdict(int)
    for path in missing:
        for grant in grants:
            if path.startswith(grant.unit.path):
                counts[grant.user] += 1
    return counts


def _title(kind: str, period: Period, count: int) -> str:
    values = {"period": period.label, "count": count}
    if kind == "overdue":
        return _("Overdue: %(count)s reports for %(period)s are not submitted") % values
    return _("Due soon: %(count)s reports for %(period)s are not submitted yet") % values
