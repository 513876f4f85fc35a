"""Sending notices exactly once."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongjian.inbox.models import Notification


def notify(*, user, key: str, title: str, body: str = "", url: str = "") -> bool:
    """Put a notice in `user`'s inbox and email it, unless a notice with `key` exists already.

    Returns whether this call sent it. The unique (user, key) constraint decides: of two runs
    racing, only the one whose INSERT succeeds sends the email.
    """
    try:
        with transaction.atomic():
            notice = Notification.objects.create(
                user=user, key=key, title=title, body=body, url=url
            )
    except IntegrityError:
        return False
    if user.email:
        send_mail(title, f"{body}\n\n{url}".strip(), None, [user.email], fail_silently=True)
        Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
    return True
