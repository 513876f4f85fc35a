"""pytest set-up shared by the whole suite."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation
from xdist.scheduler import LoadScopeScheduling

from gongjian.test.demo import SHARED as DEMO_CITY


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: a list cached by one test (lib/cached_lists.py)
    would otherwise outlive the rows that test's transaction rolled back."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts with no language active, so it reads settings.LANGUAGE_CODE: a request
    through the language middleware leaves its language active in the thread, and under xdist
    the next test on that worker is any other file's."""
    translation.deactivate()
    yield
    translation.deactivate()


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
# order below rather than by size. The classes that read or build the demo city all go to one
# worker: the city is built once, and only one worker at a time holds the build's transaction
# (on PostgreSQL it holds thousands of locks, lib/bulk.py's temporary tables; two such
# transactions at once exhaust the server's lock table).

# Long single tests, started early so that no worker is still busy with one at the end while
# the others idle.
SLOW_FIRST = ("gongjian/tests/test_fuzz.py::",)
# Where the workers tell the controller which classes are the demo city's (the controller sees
# only test ids; the workers see the classes).
DEMO_SCOPES_FILE = "GONGJIAN_TEST_DEMO_SCOPES_FILE"


def demo_city_class(item) -> bool:
    return getattr(item.cls, "reads_demo_city", False) or getattr(
        item.cls, "builds_demo_city", False
    )


def pytest_collection_modifyitems(config, items):
    """The demo city's readers first, one after another: a worker builds the city once, before
    the first, and rolls it back after the last (gongjian/test/demo.py); then the classes that
    build a city of their own; then the slow tests; then the rest, in the order collected."""

    def order(item) -> int:
        if getattr(item.cls, "reads_demo_city", False):
            return 0
        if demo_city_class(item):  # builds its own: after the readers, not between them
            return 1
        return 2 if item.nodeid.startswith(SLOW_FIRST) else 3

    items.sort(key=order)
    path = os.environ.get(DEMO_SCOPES_FILE)
    if path and getattr(config, "workerinput", {}).get("workerid") == "gw0":
        scopes = {item.nodeid.rsplit("::", 1)[0] for item in items if demo_city_class(item)}
        Path(path + ".part").write_text("\n".join(sorted(scopes)))
        os.replace(path + ".part", path)  # complete before this worker reports its collection


def pytest_configure(config):
    parallel = config.getoption("numprocesses", None) and config.getoption("dist") == "loadscope"
    if parallel and not hasattr(config, "workerinput"):
        folder = tempfile.mkdtemp(prefix="gongjian-test-scopes-")
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        os.environ[DEMO_SCOPES_FILE] = os.path.join(folder, "demo-city")  # workers inherit it


class Scheduling(LoadScopeScheduling):
    """--dist loadscope, with the demo city's classes as one unit of work."""

    demo_scopes: set[str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        if self.demo_scopes is None:
            path = Path(os.environ.get(DEMO_SCOPES_FILE, "/nonexistent"))
            self.demo_scopes = set(path.read_text().split("\n")) if path.exists() else set()
        return "demo city" if scope in self.demo_scopes else scope


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadscope":
        return None
    return Scheduling(config, log)
