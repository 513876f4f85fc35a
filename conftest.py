"""pytest set-up shared by the whole suite."""

import pytest
from django.core.cache import cache

from gongjian.test.demo import SHARED as DEMO_CITY


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a list cached by one test (lib/cached_lists.py)
    would otherwise outlive the rows that test's transaction rolled back."""
    cache.clear()
    yield


@pytest.fixture(scope="session")
def demo_city_session(django_db_setup, django_db_blocker):
    """Rolls the demo city back at the end of the run, before the test database goes."""
    yield DEMO_CITY
    with django_db_blocker.unblock():
        DEMO_CITY.close()


@pytest.fixture(scope="class", autouse=True)
def demo_city_around(request):
    """Builds the demo city (gongjian/test/demo.py) before a class that reads it, unless the
    class before it read it too; rolls it back before any other test. Class-scoped and
    autouse, it runs before a TestCase's setUpClass."""
    if getattr(request.cls, "reads_demo_city", False):
        request.getfixturevalue("demo_city_session")
        with request.getfixturevalue("django_db_blocker").unblock():
            DEMO_CITY.open()
    elif DEMO_CITY.is_open:
        with request.getfixturevalue("django_db_blocker").unblock():
            DEMO_CITY.close()
    yield


# --- parallel runs ------------------------------------------------------------------------------
# `make test` runs the suite on every core: `pytest -n auto`, with `--dist loadscope
# --no-loadscope-reorder` from pyproject.toml, so each test class (or module of test functions)
# goes to one worker, where its setUpTestData runs once, and the classes are handed out in the
# order below rather than by size.

# Long single tests, started early so that no worker is still busy with one at the end while
# the others idle.
SLOW_FIRST = (
    "gongjian/tests/test_fuzz.py::",
    "gongjian/demo/tests/test_seed_demo.py::SeedDemoProjectsOnlyTestCase::",
)


def pytest_collection_modifyitems(items):
    """The demo city's readers first, one after another: a worker builds the city once, before
    its first reader, and rolls it back after its last (gongjian/test/demo.py); then the slow
    tests; then the rest, in the order they were collected."""

    def order(item) -> int:
        if getattr(item.cls, "reads_demo_city", False):
            return 0
        return 1 if item.nodeid.startswith(SLOW_FIRST) else 2

    items.sort(key=order)
