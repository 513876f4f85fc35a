"""The organisation's units and the leaders, as the filter bars and the access checks read them
on every request: cached (lib/cached_lists.py), dropped whenever a unit, a user or a grant
changes (accounts/signals.py)."""

from __future__ import annotations

from gongjian.accounts.models import Role, Unit, User
from gongjian.lib.cached_lists import cached_rows, forget

UNITS = "units"
LEADERS = "leaders"


def organisation_units() -> list[Unit]:
    """Every unit but enterprises (which own projects but are never responsible for one),
    in tree order."""
    return cached_rows(
        UNITS, lambda: list(Unit.objects.exclude(kind=Unit.Kind.ENTERPRISE).order_by("path"))
    )


def leaders() -> list[User]:
    """Everyone who holds a leader grant somewhere: the list's 包保领导 filter."""
    return cached_rows(
        LEADERS,
        lambda: list(User.objects.filter(grants__role=Role.LEADER).distinct().order_by("pk")),
    )


def forget_units() -> None:
    forget(UNITS)


def forget_people() -> None:
    forget(LEADERS)
