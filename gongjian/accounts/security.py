"""Account duties: password age, the second factor, and the pages a user may reach before
fulfilling them. Used by accounts/middleware.py and the account pages."""

from __future__ import annotations

import base64
import datetime
import functools

import segno
from django.conf import settings
from django.urls import reverse
from django_otp import user_has_device

from gongjian.accounts.access import scope_for
from gongjian.accounts.passwords import password_change_reason

# The session remembers that a user needs no second-factor check, so the common case costs no
# query per request. Turning a factor on (the setup page) verifies that session at once.
NO_SECOND_FACTOR = "gj_no_2fa"


@functools.cache
def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("accounts:password-change"),
        reverse("accounts:otp-verify"),
        reverse("accounts:otp-setup"),
        reverse("accounts:logout"),
        reverse("set_language"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        "/healthz",
    )


def is_exempt_path(path: str) -> bool:
    """Pages a signed-in user may open before changing their password or passing the factor."""
    return path.startswith(_exempt_prefixes())


def password_change_reason_for(user, now: datetime.datetime) -> str:
    changed_at = user.password_changed_at or user.date_joined
    return password_change_reason(
        must_change=user.must_change_password,
        changed_at=changed_at,
        now=now,
        max_age_days=settings.PASSWORD_MAX_AGE_DAYS,
    )


def roles_of(user) -> set[str]:
    """The user's roles for the second-factor rule: business roles, plus "admin" for the three
    administrators and anyone who may open /admin/."""
    roles = set(scope_for(user).roles)
    if user.admin_role or user.is_superuser or user.is_staff:
        roles.add("admin")
    return roles


def second_factor_required_by_role(user) -> bool:
    return bool(roles_of(user) & settings.OTP_REQUIRED_ROLES)


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def second_factor_required(user, session=None) -> bool:
    """Whether this user must show a code: their role requires one, or they turned one on."""
    if second_factor_required_by_role(user):
        return True
    if session is not None and session.get(NO_SECOND_FACTOR):
        return False
    required = has_second_factor(user)
    if session is not None and not required:
        session[NO_SECOND_FACTOR] = True
    return required


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data URI, drawn here (no image service, no script)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def readable_secret(device) -> str:
    """The device's secret in base32, grouped by four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
