"""Sending notices exactly once, by email too, with failed emails retried."""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gongjian.inbox.models import Notification

log = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
# A failed email is tried again only while the notice is fresh; later it would be noise.
EMAIL_RETRY_WINDOW = datetime.timedelta(days=1)


def notify(*, user, key: str, title: str, body: str = "", url: str = "") -> bool:
    """Put a notice in `user`'s inbox and email it, unless a notice with `key` exists already.

    Returns whether this call sent it. The unique (user, key) constraint decides: of two runs
    racing, only the one whose INSERT succeeds sends the email. An email that fails is left
    for retry_emails; the notice is in the inbox either way.
    """
    try:
        with transaction.atomic():
            notice = Notification.objects.create(
                user=user, key=key, title=title, body=body, url=url
            )
    except IntegrityError:
        return False
    if user.email:
        _email(notice, user.email)
    return True


def _email(notice: Notification, address: str) -> bool:
    """Claim one attempt (a conditional UPDATE, so two runs never send it twice), then send."""
    claimed = Notification.objects.filter(
        pk=notice.pk, emailed_at__isnull=True, email_attempts=notice.email_attempts
    ).update(email_attempts=F("email_attempts") + 1)
    if not claimed:
        return False
    try:
        send_mail(notice.title, f"{notice.body}\n\n{notice.url}".strip(), None, [address])
    except Exception:  # SMTP down, refused address…: never let a notice break the caller
        log.warning("email for notice %s failed; it will be retried", notice.pk, exc_info=True)
        return False
    Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
    return True


def retry_emails(now: datetime.datetime | None = None) -> int:
    """Send again the recent notices whose email failed; returns how many went out."""
    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            email_attempts__gt=0,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
            created_at__gte=now - EMAIL_RETRY_WINDOW,
        )
        .exclude(user__email="")
        .select_related("user")
    )
    return sum(_email(notice, notice.user.email) for notice in waiting[:500])
