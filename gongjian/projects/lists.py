"""Stages and industries as the list pages read them on every request: cached
(lib/cached_lists.py), dropped whenever one changes (receivers below, connected in apps.py)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gongjian.lib.cached_lists import cached_rows, forget
from gongjian.projects.models import Industry, Stage

STAGES = "stages"
INDUSTRIES = "industries"


def stages() -> list[Stage]:
    return cached_rows(STAGES, lambda: list(Stage.objects.all()))


def industries() -> list[Industry]:
    return cached_rows(INDUSTRIES, lambda: list(Industry.objects.all()))


def _forget_lists() -> None:
    forget(STAGES, INDUSTRIES)


@receiver([post_save, post_delete], sender=Stage)
@receiver([post_save, post_delete], sender=Industry)
def forget_lists(sender, **kwargs):
    _forget_lists()
    transaction.on_commit(_forget_lists)
