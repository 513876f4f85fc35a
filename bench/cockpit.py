"""Cockpit benchmarks at 100,000 projects × 12 monthly reports: refreshing the period snapshots
and every JSON endpoint the cockpit page fetches (budget: 150 ms median each on SQLite).
Called from bench/__main__.py after Django is set up and the dispatch data exists:

    seconds = cockpit.build()                    # None when the snapshots are there already
    for name, ms in cockpit.bench_endpoints(median_ms):
        ...
"""

from __future__ import annotations

import time

BUDGET_MS = 150.0
REPEAT = 20


def build() -> float | None:
    """Refresh the snapshots of the benchmark campaign's twelve months if they are missing;
    returns the seconds it took, or None."""
    from django.core.management import call_command

    from bench.dispatch import campaign_and_last_period
    from gongjian.dashboards.models import PeriodFigures

    call_command("migrate", "dashboards", verbosity=0)
    campaign, last = campaign_and_last_period()
    if PeriodFigures.objects.filter(period=last).exists():
        return None
    return bench_refresh(campaign, last)


def bench_refresh(campaign=None, last=None) -> float:
    """Seconds for one refresh of every period of the year (a full recompute_lights run adds
    the refresh of the periods it lit)."""
    from bench.dispatch import campaign_and_last_period
    from gongjian.dashboards.snapshots import refresh_snapshots

    if campaign is None:
        campaign, last = campaign_and_last_period()
    started = time.perf_counter()
    refresh_snapshots(campaign)
    return time.perf_counter() - started


def bench_endpoints(median_ms) -> list[tuple[str, float]]:
    """(name, median ms) for the cockpit page and each endpoint, as the city office (the whole
    province's data) and, for the drill-down, one county."""
    from django.test import Client

    from bench.dispatch import campaign_and_last_period
    from gongjian.accounts.models import Unit, User

    _campaign, last = campaign_and_last_period()
    client = Client()
    client.force_login(User.objects.get(username="office"))
    root = Unit.objects.filter(parent=None, kind=Unit.Kind.GOVERNMENT).order_by("path").first()
    county = (
        Unit.objects.filter(parent=root, kind=Unit.Kind.GOVERNMENT).order_by("path").first() or root
    )
    cases = [
        ("cockpit page", "/dashboards/", {}),
        ("summary", "/dashboards/summary.json", {}),
        ("trend", "/dashboards/trend.json", {}),
        ("units (the city's)", "/dashboards/units.json", {}),
        ("units (a county's)", "/dashboards/units.json", {"unit": county.pk}),
        ("projects, page 1 (the city)", "/dashboards/projects.json", {}),
        ("projects, page 20 (the city)", "/dashboards/projects.json", {"page": 20}),
        (
            "projects, red (a county)",
            "/dashboards/projects.json",
            {"unit": county.pk, "figure": "red"},
        ),
        ("reds (the city)", "/dashboards/reds.json", {}),
        ("reds (a county)", "/dashboards/reds.json", {"unit": county.pk}),
    ]
    results = []
    for name, url, params in cases:

        def get(url=url, params=params):
            response = client.get(url, {"period": last.pk, **params})
            assert response.status_code == 200, (url, response.status_code)

        results.append((f"cockpit: {name} (median of {REPEAT})", median_ms(get, REPEAT)))
    return results
