"""Short lists read on every list page (units, stages, industries, leaders), kept in the shared
cache: Redis, or the database's cache table, never one process's memory, so every app server
sees the same. A list page then costs one cache read per list instead of a database query.

Each list is dropped from the cache when one of its rows changes (receivers in the app that
owns it call `forget`), and lives at most LIFETIME seconds, so even a change that bypasses the
ORM's signals (a bulk update, an edit in the database) shows within that time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache

LIFETIME = 300
PREFIX = "gongjian:list:"


def cached_rows(name: str, load: Callable[[], list]) -> list:
    rows = cache.get(PREFIX + name)
    if rows is None:
        rows = load()
        cache.set(PREFIX + name, rows, LIFETIME)
    return rows


def forget(*names: str) -> None:
    cache.delete_many([PREFIX + name for name in names])
