"""In-app notices (reminders, returns, escalations), each also sent by email when possible, and
group-robot webhooks (企业微信, 钉钉) with an outbox of deliveries."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What the notice is about, e.g. "due:<period>:<unit>". Unique per user, so a scheduled job
    # that runs twice, or twice at once, cannot notify twice.
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Failed emails are retried by send_webhooks (services.retry_emails) a few times.
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")
        ]

    def __str__(self) -> str:
        return self.title


class WebhookEndpoint(models.Model):
    """A group robot that receives notices as markdown messages (docs/notifications.md)."""

    # The URL carries the robot's access key and the secret signs for it: the audit trail
    # records that they changed, not what they are.
    AUDIT_MASKED_FIELDS = ("url", "secret")

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom (企业微信) group robot")
        DINGTALK = "dingtalk", _("DingTalk (钉钉) group robot")

    name = models.CharField(_("name"), max_length=100)
    # The robot's webhook address carries its access token: treat it like a password.
    url = models.URLField(
        _("webhook URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the SEC… secret of the robot's signing (加签) setting."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    topics = models.CharField(
        _("topics"),
        max_length=200,
        blank=True,
        help_text=_(
            'Comma-separated topics, e.g. "problems"; each also covers its sub-topics '
            '("problems.escalated"). Empty: every topic.'
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def wants(self, topic: str) -> bool:
        prefixes = [p.strip() for p in self.topics.split(",") if p.strip()]
        if not prefixes:
            return True
        return any(topic == p or topic.startswith(p + ".") for p in prefixes)


class WebhookDelivery(models.Model):
    """One message for one endpoint: an outbox row, written in the transaction of the event it
    reports, and sent after the commit or by `send_webhooks` (webhooks.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")  # gave up after webhooks.MAX_ATTEMPTS

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook endpoint"),
    )
    # What the message is about, e.g. "problem:12:escalated:2". Unique per endpoint, so an event
    # reported twice, or by two processes at once, is queued once.
    key = models.CharField(_("key"), max_length=160)
    payload = models.JSONField(_("payload"))  # the exact JSON body to POST
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "key"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="webhook_delivery_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.key
