"""pytest set-up shared by the whole suite."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a list cached by one test (lib/cached_lists.py)
    would otherwise outlive the rows that test's transaction rolled back."""
    cache.clear()
    yield
