"""The public big screen (公开亮屏) is reached without a login through a token link, which the
office creates and can revoke at any time (the link stops working at once)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ScreenToken(models.Model):
    name = models.CharField(_("where it is shown"), max_length=60)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    # The token is the credential: the audit trail shows that it changed, not its value.
    AUDIT_MASKED_FIELDS = ("token",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("big-screen link")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
