"""The demo city of `manage.py seed_demo`, built once per test run for the tests that read it.

Building it takes seconds (250 projects, a year of reports, problems, assessments; on
PostgreSQL tens of seconds), and several test classes only read it. Each subclass of
DemoCityTestCase finds it already in the database:

- the first such class to run builds it, with time frozen at DEMO_TODAY, inside an outer
  transaction; each test class then runs in its own savepoint within it, as a TestCase does
  anyway, so what a test changes is rolled back as usual and the next class finds the city as
  it was built;
- before any other test runs (a class that does not read it, a test function, a
  TransactionTestCase), the outer transaction is rolled back: no other test ever sees the city.
  A later class that reads it builds it again.

conftest.py does the opening and closing (`demo_city_around`), per test class. In parallel runs
(`pytest -n`) it sends every class that reads the city, or builds one of its own
(`builds_demo_city = True`), to one worker.
"""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import TestCase

# The dispatch year of the demo has every kind of report and light by then, and the third
# quarter's assessment is published (gongjian/demo/dispatch.py, assessment.py).
DEMO_TODAY = datetime.datetime(2026, 11, 22, 9, 0)


class SharedDemoCity:
    """The outer transaction holding the demo city, while it is open."""

    def __init__(self) -> None:
        self.atomic = None
        self.output = ""  # what seed_demo printed (the logins table)

    @property
    def is_open(self) -> bool:
        return self.atomic is not None

    def open(self) -> None:
        if self.is_open:
            return
        atomic = transaction.atomic()
        atomic.__enter__()
        # Closing the connection would end the transaction, and the city with it: TestCase's
        # tearDownClass closes every connection, and so does a management command run from its
        # argv. While the city is open, close() does nothing, as it always does for SQLite's
        # in-memory test database.
        connections[DEFAULT_DB_ALIAS].close = _stay_open
        try:
            out = io.StringIO()
            with time_machine.travel(DEMO_TODAY, tick=False):
                call_command("seed_demo", stdout=out)
        except BaseException:
            self._roll_back(atomic)
            raise
        self.atomic, self.output = atomic, out.getvalue()

    def close(self) -> None:
        if not self.is_open:
            return
        atomic, self.atomic = self.atomic, None
        self._roll_back(atomic)

    @staticmethod
    def _roll_back(atomic) -> None:
        del connections[DEFAULT_DB_ALIAS].close  # the method again
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def _stay_open() -> None:
    pass


SHARED = SharedDemoCity()


@time_machine.travel(DEMO_TODAY, tick=False)
class DemoCityTestCase(TestCase):
    """A TestCase that reads the demo city, on DEMO_TODAY; `demo_output` is what seed_demo
    printed when it built the city."""

    reads_demo_city = True

    @classmethod
    def setUpTestData(cls) -> None:
        if not SHARED.is_open:
            raise RuntimeError("the demo city is built by conftest.py's demo_city_around")
        cls.demo_output = SHARED.output
