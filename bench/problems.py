"""Problem benchmarks at 200,000 problems: the list (filters + search, 25 rows), department
statistics for a year, and escalate_problems over every open problem. Called from
bench/__main__.py after Django is set up and the projects exist."""

from __future__ import annotations

import statistics
import time

PROBLEMS = 200_000
RUNS = 3


def build() -> float | None:
    from django.core.management import call_command

    from gongjian.problems.models import Problem

    have = Problem.objects.count()
    if have >= PROBLEMS:
        return None
    started = time.perf_counter()
    call_command("seed_demo", problems=PROBLEMS - max(have, 300), verbosity=0)
    return time.perf_counter() - started


def _office_client():
    from django.test import Client

    from gongjian.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="office"))
    return client


def bench_list(median_ms) -> float:
    from gongjian.problems.models import ProblemCategory

    client = _office_client()
    params = {
        "status": "open",
        "category": ProblemCategory.objects.get(code="utilities").pk,
        "q": "dl",  # pinyin initials of 电力 (电力增容未批复)
    }

    def get():
        response = client.get("/problems/", params)
        assert response.status_code == 200, response.status_code
        assert b"problem-count" in response.content

    return median_ms(get, 30)


def bench_stats(median_ms) -> float:
    from django.utils import timezone

    client = _office_client()
    year = timezone.localdate().year

    def get():
        response = client.get("/problems/stats/", {"year": year})
        assert response.status_code == 200, response.status_code

    return median_ms(get, 20)


def bench_escalate() -> float:
    """Every run starts from no escalation at all, so each one does the whole work."""
    from django.db import connection

    from gongjian.problems.escalation import escalate_overdue
    from gongjian.problems.models import Problem

    times = []
    for _ in range(RUNS):
        Problem.objects.exclude(escalation_level=0).update(escalation_level=0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE problems_problem")
        started = time.perf_counter()
        run = escalate_overdue()
        times.append(time.perf_counter() - started)
        assert run.total > 0, "nothing to escalate: the benchmark data has no overdue problem"
    return statistics.median(times)
