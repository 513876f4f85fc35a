"""Schedule status the way India's MoSPI Flash Report counts it (intl-anchors §1.3).

MoSPI (OCMS-2006, now PAIMANA) classifies each project as ahead of schedule, on schedule or
delayed, and computes the delay "against the original schedule and again against the latest
schedule" (Feb 2024: 764 projects delayed against the original, 568 against the latest). The
time overrun is bucketed as "1–12, 13–24, 25–60 and 61+ months" (with the average overrun,
37.49 months over 815 delayed projects in Jun 2023). MoSPI warns that overruns are
under-reported because agencies do not report revised dates, so a project that is still not
finished after its forecast date counts as finishing no earlier than as_of.

Delays are whole calendar months between the planned month and the month of the compared
end date, as MoSPI gives completion as month/year: finishing in the planned month is on
schedule, one month later is a 1-month delay whatever the days.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from gongjian.dispatch.rules.i18n import gettext as _
from gongjian.dispatch.rules.i18n import ngettext
from gongjian.dispatch.rules.schedule import month_index


class ScheduleState(TextChoices):
    AHEAD = "ahead", gettext_lazy("Ahead of schedule")
    ON_SCHEDULE = "on_schedule", gettext_lazy("On schedule")
    DELAYED = "delayed", gettext_lazy("Delayed")


class EndBasis(TextChoices):
    COMPLETED = "completed", gettext_lazy("Completed")
    FORECAST = "forecast", gettext_lazy("Forecast completion")
    OVERDUE = "overdue", gettext_lazy("Not finished by the report date")
    LATEST_PLAN = "latest_plan", gettext_lazy("No forecast: the latest planned end")


# (first month, last month or None, label): MoSPI Flash Report time-overrun classes.
DELAY_BUCKETS = ((1, 12, "1-12"), (13, 24, "13-24"), (25, 60, "25-60"), (61, None, "61+"))


def delay_bucket(delay_months: int) -> str | None:
    """'1-12', '13-24', '25-60' or '61+'; None when not delayed."""
    for first, last, label in DELAY_BUCKETS:
        if delay_months >= first and (last is None or delay_months <= last):
            return label
    return None


@dataclass(frozen=True)
class BaselineStatus:
    planned_end: datetime.date
    status: ScheduleState
    months: int  # end month minus planned month: > 0 late, < 0 early
    delay_months: int  # max(months, 0)
    bucket: str | None  # delay_bucket(delay_months)

    def to_dict(self) -> dict:
        return {
            "planned_end": self.planned_end.isoformat(),
            "status": str(self.status),
            "months": self.months,
            "delay_months": self.delay_months,
            "bucket": self.bucket,
        }


@dataclass(frozen=True)
class ScheduleStatus:
    end: datetime.date  # the date compared with both plans
    end_basis: EndBasis
    original: BaselineStatus
    latest: BaselineStatus
    explanation: str

    def to_dict(self) -> dict:
        """JSON-safe, for Light.schedule_status."""
        return {
            "end": self.end.isoformat(),
            "end_basis": str(self.end_basis),
            "original": self.original.to_dict(),
            "latest": self.latest.to_dict(),
            "explanation": str(self.explanation),
        }


def schedule_status(
    *,
    as_of: datetime.date,
    planned_end_original: datetime.date,
    planned_end_latest: datetime.date | None = None,
    expected_end: datetime.date | None = None,
    completed_on: datetime.date | None = None,
) -> ScheduleStatus:
    """Status against the original and the latest planned end.

    The compared end is the completion date when the project finished by as_of, else the
    forecast (expected_end, or the latest plan when there is none), but never before as_of:
    an unfinished project cannot finish in the past. A completion recorded after as_of is
    ignored, so past statuses recompute as they were.
    """
    planned_end_latest = planned_end_latest or planned_end_original
    end, basis = _compared_end(as_of, planned_end_latest, expected_end, completed_on)
    original = compare(end, planned_end_original)
    latest = compare(end, planned_end_latest)
    sentences = [
        _describe_end(end, basis),
        _describe_baseline(original, latest=False),
        _describe_baseline(latest, latest=True),
    ]
    return ScheduleStatus(end, basis, original, latest, capfirst(_("; ").join(sentences)))


def compare(end: datetime.date, planned_end: datetime.date) -> BaselineStatus:
    months = month_index(end) - month_index(planned_end)
    if months > 0:
        status = ScheduleState.DELAYED
    elif months < 0:
        status = ScheduleState.AHEAD
    else:
        status = ScheduleState.ON_SCHEDULE
    delay = max(months, 0)
    return BaselineStatus(planned_end, status, months, delay, delay_bucket(delay))


def _compared_end(as_of, planned_end_latest, expected_end, completed_on):
    if completed_on is not None and completed_on <= as_of:
        return completed_on, EndBasis.COMPLETED
    if expected_end is not None:
        end, basis = expected_end, EndBasis.FORECAST
    else:
        end, basis = planned_end_latest, EndBasis.LATEST_PLAN
    if end < as_of:
        return as_of, EndBasis.OVERDUE
    return end, basis


def _describe_end(end: datetime.date, basis: EndBasis) -> str:
    texts = {
        EndBasis.COMPLETED: _("completed on %(date)s"),
        EndBasis.FORECAST: _("expected to finish on %(date)s"),
        EndBasis.OVERDUE: _("not finished by %(date)s"),
        EndBasis.LATEST_PLAN: _("no forecast, taken to finish on the latest plan (%(date)s)"),
    }
    return texts[basis] % {"date": end.isoformat()}


def _describe_baseline(baseline: BaselineStatus, *, latest: bool) -> str:
    values = {"count": abs(baseline.months), "planned": baseline.planned_end.strftime("%Y-%m")}
    n = abs(baseline.months)
    if baseline.status == ScheduleState.DELAYED and latest:
        text = ngettext(
            "%(count)s month late against the latest schedule (%(planned)s)",
            "%(count)s months late against the latest schedule (%(planned)s)",
            n,
        )
    elif baseline.status == ScheduleState.DELAYED:
        text = ngettext(
            "%(count)s month late against the original schedule (%(planned)s)",
            "%(count)s months late against the original schedule (%(planned)s)",
            n,
        )
    elif baseline.status == ScheduleState.AHEAD and latest:
        text = ngettext(
            "%(count)s month ahead of the latest schedule (%(planned)s)",
            "%(count)s months ahead of the latest schedule (%(planned)s)",
            n,
        )
    elif baseline.status == ScheduleState.AHEAD:
        text = ngettext(
            "%(count)s month ahead of the original schedule (%(planned)s)",
            "%(count)s months ahead of the original schedule (%(planned)s)",
            n,
        )
    elif latest:
        text = _("on the latest schedule (%(planned)s)")
    else:
        text = _("on the original schedule (%(planned)s)")
    return text % values
