"""Pure computation over many items on every CPU core, by forking.

The workers inherit the parent's memory (the items and whatever the function reads), so only
the results travel back, pickled. They must not touch the database: the forked connection
belongs to the parent. Used where a command computes over 100,000 rows (import checks, lights).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

MAX_WORKERS = 4

# Set just before the workers fork, so they inherit it instead of receiving it.
_SHARED: tuple[Callable, Sequence] | None = None


def forked_map(fn: Callable[[Any], Any], items: Sequence, *, min_items: int = 2000) -> list:
    """[fn(item) for item in items], split over forked processes when there are enough items
    and cores to be worth the fork; in this process otherwise."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if workers < 2 or len(items) < min_items:
        return [fn(item) for item in items]
    global _SHARED
    size = -(-len(items) // (workers * 4))
    slices = [(start, start + size) for start in range(0, len(items), size)]
    _SHARED = (fn, items)
    # Keep the garbage collector in the workers off the inherited objects: walking them would
    # write to every page and copy the parent's memory into each worker.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return [result for part in pool.map(_run_slice, slices) for result in part]
    finally:
        gc.unfreeze()
        _SHARED = None


def _run_slice(bounds: tuple[int, int]) -> list:
    fn, items = _SHARED
    return [fn(item) for item in items[bounds[0] : bounds[1]]]
