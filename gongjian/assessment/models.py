"""Assessment (考核): indicators measured per unit, targets, scoring schemes, published score
snapshots with rankings (赛马), on-site review events (观摩评议) with ballots, yearly awards.

Indicators and schemes are data (JSON parameters checked by measures.py and scoring.py), so an
office can model its own 考核办法 without code.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import Unit
from gongjian.assessment.measures import params_error
from gongjian.projects.models import Project


class Indicator(models.Model):
    """A measure over the registry, reports or problems, computed per unit and period."""

    class Measure(models.TextChoices):
        SUM = "sum", _("Sum")
        COUNT = "count", _("Count")
        SHARE = "share", _("Share")
        RATE = "rate", _("Rate")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices)
    # What is measured and over which projects: see measures.py for the keys, e.g.
    # {"of": "completed_ytd", "where": {"levels": ["province", "city"]}}.
    params = models.JSONField(_("parameters"), default=dict)
    unit_label = models.CharField(_("unit of measure"), max_length=10, default="万元")
    higher_is_better = models.BooleanField(_("higher is better"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        error = params_error(self.measure, self.params)
        if error:
            raise ValidationError({"params": error})


def government_owner(*, verbose_name, help_text) -> models.ForeignKey:
    """The government whose office runs a scheme or a review event; every unit it ranks lies
    under that government (see ownership.py)."""
    return models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Unit.Kind.GOVERNMENT},
        verbose_name=verbose_name,
        help_text=help_text,
    )


class UnitGroup(models.Model):
    """Units ranked together (县组, 区组, 园区组)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    units = models.ManyToManyField(Unit, related_name="assessment_groups")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["year", "indicator", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "year"], name="target_one_per_unit_year"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} {self.indicator}: {self.value}"


class Scheme(models.Model):
    """A scoring scheme: its items (in SchemeItem) and, for a quarter or a year, how the
    monthly scores and review events roll into it (`rollup`)."""

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    name = models.CharField(_("name"), max_length=80, unique=True)
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices)
    # Quarterly or yearly: {"months": "0.3", "review": "0.1"} = each month of the period
    # weighs 30%, the period's 观摩 score 10% (禹州 2018).
    rollup = models.JSONField(_("roll-up weights"), default=dict, blank=True)
    groups = models.ManyToManyField(UnitGroup, related_name="schemes")
    owner = government_owner(
        verbose_name=_("run by"),
        help_text=_(
            "The government whose office computes and publishes these scores; every unit "
            "ranked must be under it."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchemeItem(models.Model):
    class Method(models.TextChoices):
        RATIO_TO_PLAN = "ratio_to_plan", _("Ratio to plan, with bands and a cap")
        RANK_BANDS = "rank_bands", _("Points by rank band")
        COUNT = "count", _("Points per item, capped (or a deduction)")
        EFFICACY = "efficacy", _("Efficacy coefficient (功效系数法)")
        MANUAL = "manual", _("Entered by the office, with a reason")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("name"), max_length=80)
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="manual") | Q(indicator__isnull=False),
                name="schemeitem_indicator_unless_manual",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ManualScore(models.Model):
    """An office-entered item score for a unit and period, with its required reason."""

    item = models.ForeignKey(SchemeItem, on_delete=models.CASCADE, related_name="manual_scores")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=10)  # 2026-10, 2026-Q3, 2026
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "unit", "period"], name="manual_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="manual_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.unit} {self.item}: {self.points}"


class PublishedError(Exception):
    """A published snapshot cannot change."""


class ScoreRunQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def latest_published(self):
        """The latest published ranking: the run published last (of a scheme, when filtered
        by it), for the cockpit, the bulletin and the big screen alike; or None."""
        return self.published().order_by("-published_at", "-pk").first()

    def update(self, **kwargs):
        if self.filter(published_at__isnull=False).exists():
            raise PublishedError("a published score snapshot cannot change")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(published_at__isnull=False).exists():
            raise PublishedError("a published score snapshot cannot be deleted")
        return super().delete()


class ScoreRun(models.Model):
    """The scores of one scheme for one period: a draft until the office publishes it; then an
    immutable snapshot (rows and breakdowns are never recomputed or edited)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    period = models.CharField(_("period"), max_length=10)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("published by"),
    )

    objects = ScoreRunQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "scheme"]
        constraints = [models.UniqueConstraint(fields=["scheme", "period"], name="scorerun_once")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period}"

    def save(self, *args, **kwargs):
        if self.pk and ScoreRun.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise PublishedError("a published score snapshot cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise PublishedError("a published score snapshot cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class UnitScoreQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(run__published_at__isnull=False).exists():
            raise PublishedError("a published score snapshot cannot change")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(run__published_at__isnull=False).exists():
            raise PublishedError("a published score snapshot cannot be deleted")
        return super().delete()


class UnitScore(models.Model):
    run = models.ForeignKey(ScoreRun, on_delete=models.PROTECT, related_name="scores")
    group = models.ForeignKey(UnitGroup, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=9, decimal_places=2)
    rank = models.PositiveSmallIntegerField()
    previous_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    # [{item, method, weight, points, weighted, formula, explanation, inputs}]
    breakdown = models.JSONField(default=list)

    objects = UnitScoreQuerySet.as_manager()

    class Meta:
        ordering = ["run", "group", "rank", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="unitscore_once_per_run")
        ]
        indexes = [models.Index(fields=["run", "group", "rank"], name="unitscore_ranking")]

    def __str__(self) -> str:
        return f"{self.run} {self.unit}: {self.total}"

    def save(self, *args, **kwargs):
        if ScoreRun.objects.filter(pk=self.run_id, published_at__isnull=False).exists():
            raise PublishedError("a published score snapshot cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.run.is_published:
            raise PublishedError("a published score snapshot cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (positive = up)."""
        if self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


# --- 观摩评议 -----------------------------------------------------------------------------------


class ReviewEvent(models.Model):
    class Method(models.TextChoices):
        RANK = "rank", _("Rank voting (places weighted 100, 97, 94 …)")
        CRITERIA = "criteria", _("Criteria scores")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        OPEN = "open", _("Open for ballots")
        CLOSED = "closed", _("Closed, ballots sealed")

    name = models.CharField(_("name"), max_length=80)
    period = models.CharField(_("period"), max_length=10)  # the quarter it counts for: 2026-Q3
    held_on = models.DateField(_("held on"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default="rank")
    # Criteria ballots: [{"name": "形象进度", "max": 40}, …]
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    exclude_own_unit = models.BooleanField(_("judges do not rank their own unit"), default=True)
    # Eligibility of nominated projects: {"min_completed_share": "0.3333", "not_shown_years": 3,
    # "procedures_complete": true}
    eligibility = models.JSONField(_("eligibility rules"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREPARING
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    owner = government_owner(
        verbose_name=_("run by"),
        help_text=_(
            "The government whose office runs this event; every unit reviewed must be under it."
        ),
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.name


class ReviewGroup(models.Model):
    event = models.ForeignKey(ReviewEvent, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=40)
    units = models.ManyToManyField(Unit, related_name="+")

    class Meta:
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="reviewgroup_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Nomination(models.Model):
    """A unit's project put forward for the event, checked against the eligibility rules."""

    event = models.ForeignKey(ReviewEvent, on_delete=models.CASCADE, related_name="nominations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="nominations")
    eligible = models.BooleanField(default=False)
    findings = models.JSONField(default=list)  # [{rule, ok, message}]
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "project"], name="nomination_once")]

    def __str__(self) -> str:
        return f"{self.event} {self.project}"


class Judge(models.Model):
    event = models.ForeignKey(ReviewEvent, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The judge's own unit (a county head judges the other counties only).
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="judge_once")]

    def __str__(self) -> str:
        return str(self.user)


class Ballot(models.Model):
    """One judge's ballot for one group: a ranking (unit ids, first place first) or criteria
    scores ({unit id: {criterion: points}}). Sealed when the event closes."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(ReviewGroup, on_delete=models.CASCADE, related_name="ballots")
    ranking = models.JSONField(default=list, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    cast_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["judge", "group"], name="ballot_once")]

    def __str__(self) -> str:
        return f"{self.judge} · {self.group}"
