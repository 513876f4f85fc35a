"""Period snapshots for the leader cockpit: the figures of every unit (and of the whole
deployment) for every ended period, refreshed by the lights' recomputation (snapshots.py), so
the cockpit reads a few rows instead of a year of reports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import Unit
from gongjian.dispatch.models import Period

MONEY = {"max_digits": 18, "decimal_places": 2, "default": 0}


class PeriodFigures(models.Model):
    """The campaign's figures for one period: for one unit and everything under it, or, with
    `unit` empty, for the whole deployment.

    Projects are those on the campaign year's list. Money is 万元. `completed_ytd`, `starts`,
    `completions` and the light counts are as of the period; the registry's own facts
    (`projects`, `total_investment`, `annual_plan`, `registered`) keep no history and are as of
    `computed_at`."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="figures")
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="period_figures"
    )
    projects = models.PositiveIntegerField(_("projects"), default=0)
    total_investment = models.DecimalField(_("total investment (万元)"), **MONEY)
    annual_plan = models.DecimalField(_("annual planned investment (万元)"), **MONEY)
    completed_ytd = models.DecimalField(_("completed this year (万元)"), **MONEY)
    starts = models.PositiveIntegerField(_("started this year"), default=0)
    completions = models.PositiveIntegerField(_("completed this year"), default=0)
    registered = models.PositiveIntegerField(_("registered in statistics (纳统)"), default=0)
    red = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    blue = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("period figures")
        verbose_name_plural = _("period figures")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="figures_one_per_unit"),
            # NULL is distinct from NULL in a unique index: the deployment's row needs its own.
            models.UniqueConstraint(
                fields=["period"], condition=Q(unit__isnull=True), name="figures_one_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.unit or '*'}"
