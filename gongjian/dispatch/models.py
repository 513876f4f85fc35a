"""Dispatch (调度): campaigns with a reporting cadence, their periods, progress reports with
review, and the light each project gets for each period."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from gongjian.projects.models import Project, Stage


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    TEN_DAY = "ten_day", _("Every ten days (旬)")
    MONTHLY = "monthly", _("Monthly")


class Campaign(models.Model):
    """A year's dispatch of the key projects: how often units report and by when, how many
    review levels a report passes, and which light rules apply."""

    name = models.CharField(_("name"), max_length=80)
    year = models.PositiveSmallIntegerField(_("year"))
    cadence = models.CharField(
        _("cadence"), max_length=8, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    # The deadline is a number of days after the period's last day, at a time of day:
    # monthly "by the 5th of next month" = 5 days, 23:59; weekly "Monday 12:00" = 1 day, 12:00.
    deadline_days = models.PositiveSmallIntegerField(_("days after the period to file"), default=5)
    deadline_time = models.TimeField(_("deadline time"), default=datetime.time(23, 59))
    # Review levels in order, e.g. ["county", "city"]: the government unit of that level above
    # the project's responsible unit reviews (see services.reviewing_unit).
    review_levels = models.JSONField(_("review levels"), default=list, blank=True)
    rule_set = models.JSONField(_("light rule set"), default=dict, blank=True)
    rule_preset = models.CharField(_("light rule preset"), max_length=40, default="default")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="campaign_unique_name_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Period(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(_("period"), max_length=30)
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"))
    deadline = models.DateTimeField(_("deadline"))

    class Meta:
        ordering = ["campaign", "start"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "start"], name="period_unique_start"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ReportQuerySet(models.QuerySet):
    """Completed investment (完成投资), defined once for every page, export, light, score and
    bulletin: the amounts of the current, accepted reports. A correction counts once (only the
    current version), and drafts, submitted and returned reports do not count until accepted.
    Year-to-date and since-start figures are sums over these, made when they are read (see
    dispatch/figures.py), so a late acceptance of an earlier period shows everywhere at once."""

    def counted(self) -> ReportQuerySet:
        """The reports whose amount is completed investment."""
        return self.filter(COUNTED)

    def through(self, period: Period, projects=None) -> ReportQuerySet:
        """Completed investment of the year to date as of `period` (1–M月完成): the counted
        reports of its campaign from the year's first period through `period`.

        `projects`: only these (ids, or a queryset of them: a page, a unit's grid, a unit's
        projects). The periods are then looked up first and given as a list, so SQLite reads
        those projects' reports by the (project, period) index; joined to the periods, it
        reads every report of the periods, which is what a sum over all projects wants (the
        lights, the bulletin, the snapshots)."""
        if projects is None:
            return self.counted().filter(_year_to_date(period, "period__"))
        periods = Period.objects.filter(_year_to_date(period)).order_by()
        return self.counted().filter(
            project_id__in=projects, period_id__in=list(periods.values_list("pk", flat=True))
        )

    def through_date(self, year: int, end: datetime.date) -> ReportQuerySet:
        """Completed investment of `year` through the date `end`, for figures kept by month
        rather than by a campaign's period (scores, 四多四少): the counted reports of the
        year's periods that have ended by `end`, in any campaign of the year."""
        return self.counted().ended_by(year, end)

    def ended_by(self, year: int, end: datetime.date) -> ReportQuerySet:
        """The reports of the year's periods that have ended by `end`, counted or not."""
        return self.filter(period__start__year=year, period__end__lte=end)

    def by_project(self) -> dict[int, Decimal]:
        """{project id: the sum of the amounts}, one GROUP BY."""
        return dict(self.order_by().values_list("project_id").annotate(total=Sum("amount")))

    def total(self) -> Decimal:
        """The sum of the amounts (0 when there is none)."""
        return self.order_by().aggregate(total=Sum("amount"))["total"] or Decimal(0)


class Report(models.Model):
    """One project's progress report for one period. An accepted report is never edited: a
    correction is a new version (with a reason) and the old one stays visible."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="reports")
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The index of the level reviewing now (services.review_chain).
    review_level = models.PositiveSmallIntegerField(_("review level"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)

    # What the unit fills in.
    amount = models.DecimalField(
        _("investment completed in the period (万元)"), max_digits=14, decimal_places=2
    )
    progress = models.TextField(_("construction progress (形象进度)"), blank=True)
    new_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("new stage")
    )
    stage_changed_on = models.DateField(_("stage changed on"), null=True, blank=True)
    problems = models.TextField(_("problems"), blank=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Required when the cumulative total exceeds the total investment."),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    milestones_met = models.JSONField(default=dict, blank=True)  # {milestone id: "YYYY-MM-DD"}

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["period__start", "project_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period", "version"], name="report_unique_version"
            ),
            models.UniqueConstraint(
                fields=["project", "period"],
                condition=Q(is_current=True),
                name="report_one_current",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="report_amount_nonneg"),
        ]
        indexes = [
            # A period's reports by status; with the flag and the project, the desk's late
            # filers read a period's filed reports from the index alone.
            models.Index(
                fields=["period", "status", "is_current", "project"], name="report_period_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.is_current and self.status in (self.Status.DRAFT, self.Status.RETURNED)


def _year_to_date(period: Period, prefix: str = "") -> Q:
    """The periods of `period`'s campaign and year up to it (as the fields under `prefix`)."""
    return Q(
        **{
            f"{prefix}campaign_id": period.campaign_id,
            f"{prefix}start__year": period.start.year,
            f"{prefix}start__lte": period.start,
        }
    )


# The reports whose amount is completed investment (ReportQuerySet.counted), and their sum in a
# GROUP BY that also counts other reports (the filing rate beside the completed amount).
COUNTED = Q(is_current=True, status=Report.Status.ACCEPTED)


def completed_amount() -> Sum:
    return Sum("amount", filter=COUNTED)


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="reports/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.caption or self.image.name


class ReportEvent(models.Model):
    """The history of a report: every submission, approval, return and correction."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned")
        CORRECT = "correct", _("Correction started")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=8, choices=Action.choices)
    level = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


class Light(models.Model):
    """A project's light for a period, with the rules that fired and what would clear it."""

    class Colour(models.TextChoices):
        RED = "red", _("Red")
        YELLOW = "yellow", _("Yellow")
        BLUE = "blue", _("Blue")
        GREEN = "green", _("Green")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lights")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="lights")
    colour = models.CharField(max_length=6, choices=Colour.choices)
    # Copied when the light is computed, so the desk counts and compares with index scans only.
    responsible_unit = models.ForeignKey(
        "accounts.Unit", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_colour = models.CharField(max_length=6, choices=Colour.choices, blank=True)
    findings = models.JSONField(default=list)  # [{rule, colour, numbers, message, clear_hint}]
    explanation = models.TextField(blank=True)
    clear_hint = models.TextField(blank=True)
    schedule_status = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="light_one_per_period")
        ]
        indexes = [
            # The desk and the bulletin read a period's lights from these indexes alone (no
            # table rows): the lights of a colour with their projects, and the new reds; the
            # counts by unit and, with the project, the late filers; the recovered (previous
            # colour, then colour).
            models.Index(
                fields=["period", "colour", "previous_colour", "project"],
                name="light_desk_colour",
            ),
            models.Index(
                fields=["period", "responsible_unit", "colour", "project"], name="light_desk_unit"
            ),
            models.Index(fields=["period", "previous_colour", "colour"], name="light_desk_changes"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.period} {self.colour}"
