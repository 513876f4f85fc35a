"""Dispatch benchmarks: recompute_lights over every listed project and a unit's batch filing of
200 projects (the desk: bench/pages.py). Called from bench/__main__.py after Django is set up."""

from __future__ import annotations

import datetime
import time

BATCH_PROJECTS = 200


def build(periods: int = 12) -> float | None:
    """Twelve months of accepted reports for every listed project (seed_demo --periods)."""
    from django.core.management import call_command

    from gongjian.dispatch.models import Report
    from gongjian.projects.models import Project

    # seed_demo gives the demo city's few hundred projects their reports; the bulk months are
    # there once every project has some.
    if Report.objects.count() >= Project.objects.count():
        return None
    started = time.perf_counter()
    call_command("seed_demo", periods=periods, verbosity=0)
    return time.perf_counter() - started


def campaign_and_last_period():
    from gongjian.dispatch.models import Campaign

    campaign = Campaign.objects.filter(is_active=True).order_by("-year").first()
    return campaign, campaign.periods.order_by("start").last()


def bench_recompute() -> float:
    from gongjian.dispatch.lighting import recompute_lights

    campaign, last = campaign_and_last_period()
    started = time.perf_counter()
    recompute_lights(campaign=campaign, today=last.end + datetime.timedelta(days=1))
    return time.perf_counter() - started


def bench_batch(median_ms) -> float:
    """A unit with 200 listed projects saves its whole grid (all rows changed) in one POST."""
    from django.test import Client

    from gongjian.accounts.models import Role, RoleGrant, Unit, User
    from gongjian.projects.models import Project

    campaign, last = campaign_and_last_period()
    unit, created = Unit.objects.get_or_create(
        name="基准测试街道",
        defaults={
            "kind": Unit.Kind.TOWN,
            "parent": Unit.objects.get(parent=None, kind="government"),
        },
    )
    if created:
        ids = list(
            Project.objects.filter(listings__year=campaign.year, stage__is_started=True)
            .order_by("id")
            .values_list("pk", flat=True)[:BATCH_PROJECTS]
        )
        Project.objects.filter(pk__in=ids).update(responsible_unit=unit)
    filer, _ = User.objects.get_or_create(username="bench_filer")
    RoleGrant.objects.get_or_create(user=filer, role=Role.UNIT, unit=unit)
    client = Client()
    client.force_login(filer)
    projects = list(Project.objects.filter(responsible_unit=unit).values_list("pk", flat=True))
    # The latest period that is still open for filing: no accepted report there yet.
    period = last
    runs = iter(range(1, 1000))

    def post():
        amount = next(runs)
        data = {"period": period.pk}
        for pk in projects:
            data[f"p{pk}-amount"] = str(amount)
            data[f"p{pk}-progress"] = "按计划推进"
        response = client.post("/dispatch/batch/", data)
        assert response.status_code == 302, response.status_code

    from gongjian.dispatch.models import Report

    Report.objects.filter(period=period, project_id__in=projects).delete()
    result = median_ms(post, 5)
    assert len(projects) == BATCH_PROJECTS, len(projects)
    return result
