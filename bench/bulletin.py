"""Bulletin benchmarks: the dispatch bulletin (调度通报) of 20,000 listed projects as Excel
(budget 10 s) and as PDF (budget 60 s), each timed from the database to the file. Called after
Django is set up on the benchmark database:

    from bench.__main__ import DB_PATH, setup_django
    setup_django(f"sqlite:///{DB_PATH}")
    from bench import bulletin
    bulletin.build()          # None when the data is there already
    bulletin.bench_xlsx()     # seconds
    bulletin.bench_pdf()      # seconds
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

PROJECTS = 20_000


def build() -> float | None:
    """The bulletin reads the listed projects' reports: build them (bench/dispatch.py) unless
    there are already 20,000 listed projects with reports."""
    from bench import dispatch
    from gongjian.dispatch.models import Report

    campaign, _last = dispatch.campaign_and_last_period()
    listed = _listed(campaign.year).count() if campaign else 0
    if listed >= PROJECTS and Report.objects.filter(period__campaign=campaign).exists():
        return None
    seconds = dispatch.build()
    campaign, _last = dispatch.campaign_and_last_period()
    listed = _listed(campaign.year).count()
    assert listed >= PROJECTS, f"the benchmark database lists only {listed} projects"
    return seconds


def _listed(year: int):
    from gongjian.projects.models import AnnualListing

    return AnnualListing.objects.filter(year=year)


def projects():
    """The 20,000 listed projects with the lowest ids, as a query (no list of 20,000 ids)."""
    from bench import dispatch
    from gongjian.projects.models import Project

    campaign, _last = dispatch.campaign_and_last_period()
    ids = _listed(campaign.year).order_by("project_id").values_list("project_id", flat=True)
    return Project.objects.filter(listings__year=campaign.year, pk__lte=ids[PROJECTS - 1])


def _bulletin():
    from bench import dispatch
    from gongjian.bulletin.data import build_bulletin

    _campaign, last = dispatch.campaign_and_last_period()
    bulletin = build_bulletin(last, projects=projects())
    assert bulletin.total.count == PROJECTS, bulletin.total.count
    return bulletin


def bench_xlsx() -> float:
    """Seconds from the database to the Excel file."""
    from gongjian.bulletin.xlsx import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        write_xlsx(_bulletin(), str(Path(tmp) / "bulletin.xlsx"))
        return time.perf_counter() - started


def bench_pdf() -> float:
    """Seconds from the database to the PDF."""
    from gongjian.bulletin.pdf import write_pdf

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        write_pdf(_bulletin(), Path(tmp) / "bulletin.pdf")
        return time.perf_counter() - started
