from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after.

    `project_id` is a plain integer, not a foreign key, so the trail outlives a deleted project.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        # Security events (等保2.0): who signed in, failed, was locked out, changed a password
        # or a second factor, was given or lost rights, and who took data away.
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKOUT = "lockout", _("Locked out")
        PASSWORD = "password", _("Password changed")
        SECOND_FACTOR = "second_factor", _("Second factor changed")
        PERMISSION = "permission", _("Rights changed")
        EXPORT = "export", _("Exported")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    target_repr = models.CharField(max_length=200)
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # {"field name": [before, after]}; values are JSON-friendly strings/numbers/None.
    changes = models.JSONField(default=dict)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def readable_changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) in the reader's language, for the change history."""
        try:
            model = apps.get_model(self.target_type)
        except LookupError:
            model = None
        rows = []
        for name, (before, after) in self.changes.items():
            rows.append((_field_label(model, name), _readable(before), _readable(after)))
        return rows


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name


def _readable(value):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return value
