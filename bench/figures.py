"""check_figures at 100,000 projects (issue 13): a weekly, a 旬 and a monthly campaign, each the
only campaign of its own database, and the time the check takes. Any difference is a missed
budget: the figures must agree at scale as they do on the demo.

Each database is the demo city grown to 100,000 projects (seed_demo --projects), its monthly
demo campaign and published scores replaced by a campaign of the cadence with accepted reports
for its last ended periods (5 weeks, 6 旬, every ended month), the lights of the last two as
the nightly run computes them (with the cockpit's snapshots), and the month's scores published.
SQLite: var/bench/figures-<cadence>.sqlite3; PostgreSQL: gongjian_figures_<cadence> next to
BENCH_POSTGRES_URL's database.

`python -m bench --figures [--postgres] [--fresh]` runs the three, each in a child process
(`python -m bench.figures CADENCE …`: Django is set up once per process, on one database), and
prints the results with the other benchmarks'.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

PROJECTS = 100_000
CADENCES = {"weekly": 5, "ten_day": 6, "monthly": 12}  # periods with reports (at most)
PER_YEAR = {"weekly": 52, "ten_day": 36, "monthly": 12}
NAME = "重点项目调度（核对基准）"
RESULT = "FIGURES-RESULT "


def database_url(cadence: str, postgres: bool) -> str:
    from bench.__main__ import BENCH_DIR, POSTGRES_URL

    if postgres:
        return POSTGRES_URL.rsplit("/", 1)[0] + f"/gongjian_figures_{cadence}"
    return f"sqlite:///{BENCH_DIR / f'figures-{cadence}.sqlite3'}"


def run_all(*, postgres: bool, fresh: bool) -> list:
    """The bench rows of the three cadences, each measured in a child process."""
    rows = []
    for cadence in CADENCES:
        command = [sys.executable, "-m", "bench.figures", cadence]
        command += ["--postgres"] * postgres + ["--fresh"] * fresh
        done = subprocess.run(
            command, cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
        if done.returncode != 0 or not lines:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", flush=True)
            rows.append((f"check_figures, {cadence}: the run failed", 1, 0, "runs"))
            continue
        rows += [tuple(row) for row in json.loads(lines[-1][len(RESULT) :])]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cadence", choices=sorted(CADENCES))
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    from bench.__main__ import BENCH_DIR, prepare_postgres, setup_django

    url = database_url(args.cadence, args.postgres)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.postgres:
        prepare_postgres(args.fresh, url)
    elif args.fresh:
        path = Path(url.removeprefix("sqlite:///"))
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    setup_django(url)
    rows = []
    seconds = build(args.cadence)
    label = {"weekly": "weekly", "ten_day": "旬", "monthly": "monthly"}[args.cadence]
    if seconds is not None:
        rows.append((f"figures: build the {label} campaign's database", seconds, None, "s"))
    seconds, differences, output = check()
    print(output[-5000:], flush=True)
    scale = f"{label} campaign, {PROJECTS // 1000}k projects"
    rows.append((f"check_figures, {scale}", seconds, None, "s"))
    rows.append((f"check_figures, {scale}: differences", differences, 0, "differences"))
    print(RESULT + json.dumps(rows), flush=True)
    return 0


def build(cadence: str) -> float | None:
    """The database of `cadence`, unless it is there; returns the seconds it took or None."""
    from django.core.management import call_command

    from gongjian.dispatch.models import Campaign

    call_command("migrate", verbosity=0)
    if Campaign.objects.filter(name=NAME, cadence=cadence).exists():
        return None
    started = time.perf_counter()
    from gongjian.projects.models import Project

    call_command("seed_demo", verbosity=0)
    missing = PROJECTS - Project.objects.count()
    if missing > 0:
        call_command("seed_demo", projects=missing, verbosity=0)
    campaign, periods = _campaign(cadence)
    _reports(campaign, periods, cadence)
    _light(campaign, periods)
    _publish(periods[-1])
    _analyse()
    return time.perf_counter() - started


def _campaign(cadence: str):
    """The cadence's campaign of this year, the only one: the demo's, with its reports, and
    the scores published on them go (through SQL: published runs refuse it, as in use)."""
    from django.db import connection
    from django.utils import timezone

    from gongjian.dispatch import services
    from gongjian.dispatch.models import Campaign

    today = timezone.localdate()
    with connection.cursor() as cursor:
        for table in ("dashboards_periodfigures", "dispatch_light", "dispatch_reportphoto"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM dispatch_reportevent")
        cursor.execute("DELETE FROM dispatch_report")
        cursor.execute("DELETE FROM assessment_unitscore")
        cursor.execute("DELETE FROM assessment_scorerun")
    Campaign.objects.all().delete()
    campaign = Campaign.objects.create(
        name=NAME, year=today.year, cadence=cadence, review_levels=["county", "city"]
    )
    services.periods_ensure(campaign)
    ended = list(campaign.periods.filter(end__lt=today).order_by("start"))
    if len(ended) < 2:
        raise SystemExit("figures: fewer than two periods of this year have ended")
    return campaign, ended[-CADENCES[cadence] :]


def _reports(campaign, periods, cadence: str) -> None:
    """Accepted reports of every listed project in `periods` (a few not filed; in the last
    period some only submitted, returned or drafts)."""
    from django.db import transaction
    from django.utils import timezone

    from gongjian.dashboards.snapshots import refresh_snapshots
    from gongjian.dispatch.models import Report
    from gongjian.lib.bulk import insert_rows
    from gongjian.projects.models import AnnualListing

    plans = dict(
        AnnualListing.objects.filter(year=campaign.year).values_list(
            "project_id", "planned_investment"
        )
    )
    rng = random.Random(cadence)
    now = timezone.now()
    later = ["accepted"] * 8 + ["submitted", "returned", "draft"]
    rows = []
    for pk, plan in sorted(plans.items()):
        each = float(plan) * rng.choice((1.3, 1.0, 1.0, 0.7, 0.3, 0.0)) / PER_YEAR[cadence]
        for period in periods:
            if rng.random() < 0.05:
                continue
            status = rng.choice(later) if period == periods[-1] else "accepted"
            rows.append({
                "project_id": pk, "period_id": period.pk, "status": status,
                "amount": Decimal(each * rng.uniform(0.5, 1.5)).quantize(Decimal("0.01")),
                "progress": "按计划推进", "milestones_met": {},
                "submitted_at": now if status != "draft" else None,
                "accepted_at": now if status == "accepted" else None,
            })  # fmt: skip
    with transaction.atomic():
        insert_rows(Report, rows)
    # A bulk load tells nobody (no signal): refresh the cockpit's figures as an operator does
    # after one, for every period of the campaign.
    refresh_snapshots(campaign)


def _light(campaign, periods) -> None:
    """The last two periods' lights, each as the nightly run the day after it ends computes
    them (and the cockpit's snapshots with them)."""
    from gongjian.dispatch.lighting import recompute_lights

    for period in periods[-2:]:
        recompute_lights(campaign=campaign, today=period.end + datetime.timedelta(days=1))


def _publish(period) -> None:
    from gongjian.accounts.models import User
    from gongjian.assessment import services
    from gongjian.assessment.models import Scheme

    if period.end.year != period.campaign.year:
        return
    office = User.objects.get(username="office")
    scheme = Scheme.objects.get(cadence=Scheme.Cadence.MONTHLY)
    run = services.score_run_compute(scheme, f"{period.end:%Y-%m}", actor=office)
    services.score_run_publish(run=run, actor=office)


def _analyse() -> None:
    from bench.__main__ import after_bulk_load

    after_bulk_load()


def check() -> tuple[float, int, str]:
    """(seconds, differences, output) of `manage.py check_figures` on the latest period."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from gongjian.dashboards.management.commands.check_figures import Command

    out = io.StringIO()
    command = Command(stdout=out, stderr=out)
    started = time.perf_counter()
    try:
        call_command(command)
    except CommandError as error:
        out.write(f"{error}\n")
        if command.context is None:  # refused to run: count it as a difference
            return time.perf_counter() - started, 1, out.getvalue()
    return time.perf_counter() - started, len(command.context.differences), out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
