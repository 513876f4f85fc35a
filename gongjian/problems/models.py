"""Problems (问题清单): every blocker becomes a problem with an owner and a deadline.

A problem is raised (by an enterprise's whistle, a unit, a leader or a dispatch meeting), the
office assigns it (交办) to a lead department, which signs for it (签收), works on it (办理中) and
replies (已反馈); the office reviews the reply (审核) and closes it (销号) or returns it (退回).
Deadlines count working days on the official calendar (lib/workdays); an overdue problem climbs
escalation levels; the raiser rates the outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import Unit
from gongjian.lib.search import search_text_for
from gongjian.projects.models import ConfigurableItem, Project

# Default escalation tiers (桐庐's four-level coordination); a policy may rename them.
DEFAULT_LEVEL_NAMES = [
    _("Leader in charge (分管领导)"),
    _("Head of the responsible unit (责任单位主要领导)"),
    _("County leader in contact (联系县领导)"),
    _("Principal leader (主要领导)"),
]


class ProblemCategory(ConfigurableItem):
    class Meta(ConfigurableItem.Meta):
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")


class ProblemPolicy(models.Model):
    """The deadlines and escalation margins, in working days. One row (pk=1), edited by the
    office in the admin; `current()` creates it with the defaults on first use."""

    triage_days = models.PositiveSmallIntegerField(_("assign within (working days)"), default=2)
    sign_days = models.PositiveSmallIntegerField(_("sign within (working days)"), default=1)
    resolve_days = models.PositiveSmallIntegerField(_("resolve within (working days)"), default=10)
    review_days = models.PositiveSmallIntegerField(_("review within (working days)"), default=3)
    due_soon_days = models.PositiveSmallIntegerField(_("due soon within (working days)"), default=3)
    # Working days past the resolution deadline at which each level is reached: [1, 3, 5, 10]
    # puts a problem at level 1 one working day late, at level 4 ten working days late.
    escalation_steps = models.JSONField(_("escalation steps"), default=list, blank=True)
    level_names = models.JSONField(_("escalation level names"), default=list, blank=True)

    class Meta:
        verbose_name = _("problem policy")
        verbose_name_plural = _("problem policy")

    def __str__(self) -> str:
        return str(_("Problem deadlines and escalation"))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        steps = self.escalation_steps
        if steps and (
            not isinstance(steps, list)
            or not all(isinstance(n, int) and n > 0 for n in steps)
            or steps != sorted(set(steps))
        ):
            raise ValidationError(
                {
                    "escalation_steps": _(
                        "Give increasing whole numbers of days, e.g. [1, 3, 5, 10]."
                    )
                }
            )
        names = self.level_names
        if names and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)):
            raise ValidationError({"level_names": _("Give a list of names, one per level.")})
        if steps and names and len(names) != len(steps):
            raise ValidationError(
                {"level_names": _("Give one name per escalation step (%(n)d).") % {"n": len(steps)}}
            )

    @classmethod
    def current(cls) -> ProblemPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy

    @property
    def steps(self) -> list[int]:
        return list(self.escalation_steps) or [1, 3, 5, 10]

    def level_name(self, level: int) -> str:
        names = list(self.level_names) or [str(name) for name in DEFAULT_LEVEL_NAMES]
        if level <= 0:
            return ""
        return names[level - 1] if level <= len(names) else str(level)


class WorkdayOverride(models.Model):
    """A day the official calendar changes: a holiday on a weekday, or a 调休 working weekend.
    Needed only for years the calendar package does not know yet."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"

    @classmethod
    def as_mapping(cls) -> dict:
        return dict(cls.objects.values_list("date", "is_workday"))


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 待交办
    ASSIGNED = "assigned", _("Assigned")  # 交办, waiting to be signed for
    SIGNED = "signed", _("Signed for")  # 签收
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    REPLIED = "replied", _("Replied")  # 已反馈, waiting for the office's review
    CLOSED = "closed", _("Closed")  # 销号


class Source(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise (企业吹哨)")
    UNIT = "unit", _("Responsible unit")
    LEADER = "leader", _("Leader")
    MEETING = "meeting", _("Dispatch meeting")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class ProblemQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Status.CLOSED)

    def for_list(self):
        return self.select_related("project", "category", "lead_department")


class Problem(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("project"),
    )
    title = models.CharField(_("title"), max_length=150)
    detail = models.TextField(_("detail"), blank=True)
    category = models.ForeignKey(
        ProblemCategory, on_delete=models.PROTECT, verbose_name=_("category")
    )
    source = models.CharField(_("raised by"), max_length=12, choices=Source.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="raised_problems",
    )
    raising_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="raised_problems"
    )
    lead_department = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_problems",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        Unit, blank=True, related_name="co_problems", verbose_name=_("co-departments")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    # Deadlines of each step (dates; a step is late the day after). resolve_due moves when an
    # extension is approved; original_resolve_due keeps the first one.
    triage_due = models.DateField(_("assign by"), null=True, blank=True)
    sign_due = models.DateField(_("sign by"), null=True, blank=True)
    resolve_due = models.DateField(_("resolve by"), null=True, blank=True)
    original_resolve_due = models.DateField(_("original deadline"), null=True, blank=True)
    review_due = models.DateField(_("review by"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The escalate_problems run that last moved it: how a run finds the rows it claimed.
    escalation_run = models.CharField(max_length=32, blank=True, editable=False)
    reply = models.TextField(_("reply"), blank=True)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("rating note"), max_length=300, blank=True)
    # Not auto_now_add: the demo and imported histories set it.
    created_at = models.DateTimeField(_("raised at"), default=timezone.now, editable=False)
    assigned_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    # Whole working days from assignment to closure, kept for the statistics' median.
    days_to_resolve = models.PositiveSmallIntegerField(null=True, blank=True)
    search_text = models.TextField(default="", editable=False)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("problem")
        indexes = [
            models.Index(fields=["status", "resolve_due"], name="problem_status_due"),
            # With the due date, the open and overdue problems per department (the bulletin)
            # are counted from the index alone.
            models.Index(
                fields=["lead_department", "status", "resolve_due"], name="problem_dept_open"
            ),
            models.Index(fields=["created_at"], name="problem_created"),
            # Every column the yearly statistics read (stats.py), so they scan this index
            # instead of the table and its long texts: 450 ms → 280 ms for 160,000 problems
            # on SQLite.
            models.Index(
                fields=[
                    "assigned_at",
                    "days_to_resolve",
                    "lead_department",
                    "status",
                    "signed_at",
                    "sign_due",
                    "replied_at",
                    "resolve_due",
                    "rating",
                    "project",
                    "raising_unit",
                ],
                name="problem_stats_cover",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_level__lte=9), name="problem_escalation_level_small"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="problem_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = search_text_for(self.title, self.number, "")
        super().save(*args, **kwargs)
        if not self.number:
            # The number comes from the primary key, so it is known only after the insert.
            self.number = f"WT{self.created_at:%Y}-{self.pk:06d}"
            self.search_text = search_text_for(self.title, self.number, "")
            Problem.objects.filter(pk=self.pk).update(
                number=self.number, search_text=self.search_text
            )

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class Action(models.TextChoices):
    RAISED = "raised", _("raised")
    ASSIGNED = "assigned", _("assigned")
    SIGNED = "signed", _("signed for")
    STARTED = "started", _("started work")
    COMMENTED = "commented", _("commented")
    REPLIED = "replied", _("replied")
    RETURNED = "returned", _("returned")
    CLOSED = "closed", _("closed")
    RATED = "rated", _("rated")
    REOPENED = "reopened", _("reopened")
    EXTENSION_ASKED = "extension_asked", _("asked for an extension")
    EXTENSION_APPROVED = "extension_approved", _("approved the extension")
    EXTENSION_REFUSED = "extension_refused", _("refused the extension")
    ESCALATED = "escalated", _("escalated")
    NOTICE_ISSUED = "notice_issued", _("issued a supervision notice")
    NOTICE_REPLIED = "notice_replied", _("replied to the supervision notice")
    ATTACHED = "attached", _("attached a file")


class ProblemEvent(models.Model):
    """The problem's history, shown as its timeline: every step, comment and escalation."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["problem", "at"], name="problemevent_problem_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="problems/%Y/%m/")
    name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    current_due = models.DateField(_("current deadline"))
    requested_due = models.DateField(_("new deadline"))
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem"],
                condition=Q(decision="pending"),
                name="extension_one_pending_per_problem",
            ),
            models.CheckConstraint(
                condition=Q(requested_due__gt=models.F("current_due")),
                name="extension_moves_deadline_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.current_due} → {self.requested_due} ({self.get_decision_display()})"


class SupervisionNotice(models.Model):
    """督办单: issued by the office for a red (overdue) problem, numbered per year; the lead
    department's reply is recorded against it."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="notices")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    requirement = models.TextField(_("requirement"))
    reply_due = models.DateField(_("reply by"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="notice_unique_number")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"督办〔{self.year}〕{self.sequence}号"
