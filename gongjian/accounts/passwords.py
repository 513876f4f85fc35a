"""Password rules beyond Django's own: character classes (等保2.0 asks for complexity) and age.

Pure functions of plain values, so the rules are tested without a database.
"""

from __future__ import annotations

import datetime
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("upper", lambda c: c in string.ascii_uppercase),
    ("lower", lambda c: c in string.ascii_lowercase),
    ("digit", lambda c: c in string.digits),
    # Anything else counts as a symbol: punctuation, spaces, and CJK characters alike.
    ("symbol", lambda c: not (c.isascii() and c.isalnum())),
)


def character_classes(password: str) -> set[str]:
    """Which of upper-case letters, lower-case letters, digits and symbols the password uses."""
    return {name for name, test in CLASSES if any(test(c) for c in password)}


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must use at least %(n)d kind of character: upper-case letters, "
            "lower-case letters, digits, symbols.",
            "Your password must use at least %(n)d of these kinds of character: upper-case "
            "letters, lower-case letters, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


def password_expires_on(
    changed_at: datetime.datetime, max_age_days: int
) -> datetime.datetime | None:
    """When a password set at `changed_at` expires; None when passwords never expire (0)."""
    if max_age_days <= 0:
        return None
    return changed_at + datetime.timedelta(days=max_age_days)


def password_change_reason(
    *,
    must_change: bool,
    changed_at: datetime.datetime,
    now: datetime.datetime,
    max_age_days: int,
) -> str:
    """Why the user must choose a new password before going on, or "" if they need not."""
    if must_change:
        return _("An administrator set your password. Choose your own before you go on.")
    expires = password_expires_on(changed_at, max_age_days)
    if expires is not None and now >= expires:
        return _(
            "Your password is more than %(days)d days old. Choose a new one before you go on."
        ) % {"days": max_age_days}
    return ""
