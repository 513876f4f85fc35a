"""Dispatch (调度): campaigns with a reporting cadence, their periods, progress reports with
review, and the light each project gets for each period."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
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
    is_current = models.BooleanField(default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_level = models.PositiveSmallIntegerField(default=0)  # index of the level reviewing now
    return_count = models.PositiveSmallIntegerField(default=0)

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

    # Derived, never typed (services.compute_derived).
    ytd_amount = models.DecimalField(
        _("year to date (万元)"), max_digits=14, decimal_places=2, default=0
    )
    since_start_amount = models.DecimalField(
        _("since start (万元)"), max_digits=14, decimal_places=2, default=0
    )
    share_of_annual_plan = models.DecimalField(
        _("share of annual plan (%)"), max_digits=7, decimal_places=2, null=True
    )
    share_of_total = models.DecimalField(
        _("share of total investment (%)"), max_digits=7, decimal_places=2, null=True
    )

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

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
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.project} · {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.is_current and self.status in (self.Status.DRAFT, self.Status.RETURNED)


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
            models.Index(fields=["period", "colour", "previous_colour"]),
            models.Index(fields=["period", "responsible_unit", "colour"]),
            models.Index(fields=["period", "previous_colour"]),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.period} {self.colour}"
