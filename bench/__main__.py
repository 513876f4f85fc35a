"""`make bench`: build province-scale data, time the hot paths, print medians against budgets.

Runs against its own SQLite database (var/bench/bench.sqlite3), generated on first use and
reused afterwards; `python -m bench --fresh` rebuilds it. `python -m bench --postgres` runs the
same data and the database-bound benchmarks against PostgreSQL instead (BENCH_POSTGRES_URL,
default postgres://postgres@127.0.0.1:5432/gongjian_bench, created when missing). Exits 1 if any
budget is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
DB_PATH = BENCH_DIR / "bench.sqlite3"
PROJECTS = 100_000
IMPORT_ROWS = 10_000
RUNS = 3


POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/gongjian_bench"
)
# The load run's own, smaller database (20,000 projects) on the same server.
LOAD_URL = POSTGRES_URL.rsplit("/", 1)[0] + "/gongjian_load"
# The weekly campaign's database (bench/pages.py), on SQLite and on the same server.
WEEKLY_DB = BENCH_DIR / "weekly.sqlite3"
WEEKLY_URL = POSTGRES_URL.rsplit("/", 1)[0] + "/gongjian_bench_weekly"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    # The benchmark runs production settings; it needs a key but signs nothing that outlives it.
    os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 40)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_postgres(fresh: bool, url: str = POSTGRES_URL) -> None:
    """Create (or with --fresh, drop and re-create) the benchmark database on the server."""
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def build_data(fresh: bool) -> float | None:
    from django.core.management import call_command

    from gongjian.projects.models import Project

    call_command("migrate", verbosity=0)
    have = Project.objects.count()
    if have >= PROJECTS and not fresh:
        return None
    started = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", projects=PROJECTS - Project.objects.count(), verbosity=0)
    return time.perf_counter() - started


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up caches and the connection
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_list_page() -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongjian.accounts.models import User
    from gongjian.projects.models import Industry, Stage

    client = Client()
    client.force_login(User.objects.get(username="office"))
    params = {
        "stage": Stage.objects.get(code="construction").pk,
        "industry": Industry.objects.get(code="lithium").pk,
        "flag": "is_manufacturing",
        "q": "xcl",  # pinyin initials of 新材料
    }

    def get():
        response = client.get("/projects/", params)
        assert response.status_code == 200, response.status_code

    get()  # warm up
    # The request_started signal empties the query log, so start the capture from an empty one.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        get()
    count = len(queries.captured_queries)  # read now: later requests empty the log again
    return median_ms(get, 30), count


def bench_export(out: Path) -> float:
    from gongjian.projects.models import Project
    from gongjian.transfer.exporter import export_projects

    started = time.perf_counter()
    export_projects(Project.objects.all(), out)
    return time.perf_counter() - started


def bench_import(source: Path) -> tuple[float, float]:
    """Import a 10,000-row file in a child process so its peak memory can be measured alone."""
    import shutil

    scratch = BENCH_DIR / "import.sqlite3"
    shutil.copyfile(DB_PATH, scratch)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{scratch}")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_projects", str(source), "--user", "office"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
        leftover.unlink(missing_ok=True)
    return elapsed, peak_mb


def make_import_file(path: Path) -> None:
    """10,000 new projects: existing rows exported with codes and numbers cleared, names changed."""
    from gongjian.projects.models import Project
    from gongjian.transfer.exporter import export_projects

    last_pk = Project.objects.order_by("id").values_list("pk", flat=True)[IMPORT_ROWS - 1]
    rows = Project.objects.filter(pk__lte=last_pk).order_by("id")
    export_projects(
        rows,
        path,
        transform=lambda row: {
            **row,
            "系统编号": None,
            "项目代码": "",
            "项目名称": row["项目名称"] + "（二期）",
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark database")
    parser.add_argument(
        "--postgres", action="store_true", help="run against PostgreSQL instead of SQLite"
    )
    parser.add_argument(
        "--weekly",
        action="store_true",
        help="the bulletin page and the desk on a weekly campaign of 20,000 projects",
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="the load run: gunicorn on PostgreSQL with 20,000 projects, 50 connections",
    )
    parser.add_argument(
        "--figures",
        action="store_true",
        help="check_figures on weekly, 旬 and monthly campaigns of 100,000 projects",
    )
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.load:
        return load_run(args.fresh)
    if args.weekly:
        return weekly_run(args.fresh, args.postgres)
    if args.figures:
        from bench import figures

        database = "PostgreSQL" if args.postgres else "SQLite"
        print(f"check_figures on {database}, {figures.PROJECTS:,} projects", flush=True)
        rows = figures.run_all(postgres=args.postgres, fresh=args.fresh)
        return report(rows, f"{database}, figures")
    if args.postgres:
        prepare_postgres(args.fresh)
        setup_django(POSTGRES_URL)
    else:
        if args.fresh and DB_PATH.exists():
            DB_PATH.unlink()
        setup_django(f"sqlite:///{DB_PATH}")
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"benchmarks on {database}", flush=True)

    results = []  # (name, measured, budget, unit)
    seeded = build_data(args.fresh)
    if seeded is not None:
        results.append((f"seed_demo --projects {PROJECTS:,}", seeded, 60.0, "s"))
        after_bulk_load()
    list_ms, list_queries = bench_list_page()
    results.append(
        ("project list: 25 rows, 3 filters + search (median of 30)", list_ms, 100.0, "ms")
    )
    results.append(("project list: queries per request", list_queries, 12, "queries"))
    if not args.postgres:
        results += file_benchmarks()
    results += dispatch_benchmarks(recompute_budget=15.0 if args.postgres else 30.0)
    results += problem_benchmarks()
    results += assessment_benchmarks()
    results += cockpit_benchmarks()
    results += page_benchmarks()
    results += screen_and_bulletin_benchmarks()
    return report(results, database)


def weekly_run(fresh: bool, postgres: bool) -> int:
    """The bulletin page and the desk on their own database: a weekly campaign of 20,000
    projects at its fifth week (bench/pages.py)."""
    from bench import pages

    if postgres:
        prepare_postgres(fresh, WEEKLY_URL)
        setup_django(WEEKLY_URL)
    else:
        if fresh:
            for leftover in (WEEKLY_DB, Path(f"{WEEKLY_DB}-wal"), Path(f"{WEEKLY_DB}-shm")):
                leftover.unlink(missing_ok=True)
        setup_django(f"sqlite:///{WEEKLY_DB}")
    database = "PostgreSQL" if postgres else "SQLite"
    print(f"weekly benchmarks on {database}, {pages.WEEKLY_PROJECTS:,} projects", flush=True)
    results = []
    seeded = pages.build_weekly(fresh)
    if seeded is not None:
        name = f"seed {pages.WEEKLY_PROJECTS:,} projects × {pages.WEEKLY_PERIODS} weekly reports"
        results.append((name, seeded, None, "s"))
    results += pages.results(
        median_ms,
        pages.weekly_period(),
        scale=f"{pages.WEEKLY_PROJECTS // 1000}k × {pages.WEEKLY_PERIODS} weeks",
        page_budget=60.0,
        desk_budget=30.0,
    )
    return report(results, f"{database}, weekly")


def load_run(fresh: bool) -> int:
    from bench import load

    prepare_postgres(fresh, LOAD_URL)
    setup_django(LOAD_URL)
    print(f"load run on PostgreSQL, {load.PROJECTS:,} projects", flush=True)
    results = []
    seeded = load.build(fresh)
    if seeded is not None:
        results.append((f"seed the load database ({load.PROJECTS:,} projects)", seeded, None, "s"))
    results += load.run(LOAD_URL)
    return report(results, "PostgreSQL, load")


def problem_benchmarks() -> list:
    from bench import problems

    results = []
    seeded = problems.build()
    if seeded is not None:
        results.append((f"seed_demo --problems ({problems.PROBLEMS:,} in all)", seeded, None, "s"))
        after_bulk_load()
    results.append(
        (
            "problem list: 25 rows, 2 filters + search (median of 30)",
            problems.bench_list(median_ms),
            100.0,
            "ms",
        )
    )
    results.append(
        (
            "problem statistics for a year (median of 20)",
            problems.bench_stats(median_ms),
            300.0,
            "ms",
        )
    )
    results.append(
        (
            f"escalate_problems, all open problems (median of {problems.RUNS})",
            problems.bench_escalate(),
            10.0,
            "s",
        )
    )
    return results


def screen_and_bulletin_benchmarks() -> list:
    """The big screen's data, and the bulletin of 20,000 projects as Excel and as PDF."""
    from django.test import Client

    from bench import bulletin
    from gongjian.screen.models import ScreenToken

    screen = ScreenToken.objects.get_or_create(name="基准测试大屏")[0]
    client = Client()

    def get():
        response = client.get(f"/screen/{screen.token}/data/")
        assert response.status_code == 200, response.status_code

    bulletin.build()
    xlsx = statistics.median(bulletin.bench_xlsx() for _ in range(RUNS))
    pdf = statistics.median(bulletin.bench_pdf() for _ in range(RUNS))
    return [
        ("big screen data (median of 20)", median_ms(get, 20), 100.0, "ms"),
        (f"bulletin of 20,000 projects as Excel (median of {RUNS})", xlsx, 10.0, "s"),
        (f"bulletin of 20,000 projects as PDF (median of {RUNS})", pdf, 60.0, "s"),
    ]


def page_benchmarks() -> list:
    """The bulletin page and the desk for the latest ended month (bench/pages.py), after the
    cockpit's snapshots exist, as they do in use."""
    from bench import pages

    return pages.results(
        median_ms,
        pages.monthly_period(),
        scale=f"{PROJECTS // 1000}k × 12 months",
        page_budget=150.0,
        desk_budget=150.0,
    )


def cockpit_benchmarks() -> list:
    from bench import cockpit

    results = []
    seconds = cockpit.build()  # None when the snapshots exist already
    if seconds is not None:
        results.append(("period snapshots, every period", seconds, None, "s"))
    for name, ms in cockpit.bench_endpoints(median_ms):
        results.append((name, ms, 150.0, "ms"))
    return results


def assessment_benchmarks() -> list:
    from bench import assessment

    results = []
    seeded = assessment.build()
    if seeded is not None:
        results.append(
            (f"assessment: {assessment.UNITS} units, 20 indicators, targets", seeded, None, "s")
        )
        after_bulk_load()
    units, runs = assessment.UNITS, assessment.RUNS
    name = f"score a month: {units} units × 20 indicators (median of {runs})"
    results.append((name, assessment.bench_compute(), 10.0, "s"))
    ranking_ms, ranking_queries = assessment.bench_ranking(median_ms)
    results.append(
        (f"ranking page, {units} units × 20 items (median of 20)", ranking_ms, 150.0, "ms")
    )
    results.append(("ranking page: queries per request", ranking_queries, None, "queries"))
    return results


def after_bulk_load() -> None:
    """What an operator does on PostgreSQL after loading millions of rows at once
    (docs/operations.md): refresh the planner's statistics and the visibility map that lets
    counts read the indexes alone. Autovacuum would do the same some minutes later. SQLite
    keeps no statistics unless asked, and its users never ask, so it is measured as it is."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def file_benchmarks() -> list:
    """Export and import: whole-file runs take seconds each, so three runs give their median.
    SQLite only: the import runs in a child process on a copy of the database file."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        export_s = statistics.median(bench_export(Path(tmp) / "all.xlsx") for _ in range(RUNS))
        results.append(
            (f"export {PROJECTS:,} projects to xlsx (median of {RUNS})", export_s, 20.0, "s")
        )
        source = Path(tmp) / "import.xlsx"
        make_import_file(source)
        runs = [bench_import(source) for _ in range(RUNS)]
        seconds = statistics.median(seconds for seconds, _peak in runs)
        peak_mb = max(peak for _seconds, peak in runs)
        results.append((f"import {IMPORT_ROWS:,} rows (median of {RUNS})", seconds, 10.0, "s"))
        results.append((f"import {IMPORT_ROWS:,} rows: peak memory", peak_mb, 500.0, "MB"))
    return results


def dispatch_benchmarks(recompute_budget: float) -> list:
    from bench import dispatch

    results = []
    seeded = dispatch.build()
    if seeded is not None:
        results.append(
            ("seed_demo --periods 12 (reports for every listed project)", seeded, None, "s")
        )
        after_bulk_load()
    recompute_s = statistics.median(dispatch.bench_recompute() for _ in range(RUNS))
    results.append(
        (
            f"recompute_lights, all listed projects (median of {RUNS})",
            recompute_s,
            recompute_budget,
            "s",
        )
    )
    results.append(
        (
            "batch filing: a unit's 200 projects in one save (median of 5)",
            dispatch.bench_batch(median_ms) / 1000,
            1.0,
            "s",
        )
    )
    return results


def report(results: list, database: str) -> int:
    print(f"\n{'benchmark (' + database + ')':<62} {'measured':>12} {'budget':>10}  verdict")
    failed = 0
    for name, value, budget, unit in results:
        if budget is None:  # data building: shown for information, no budget in the issues
            print(f"{name:<62} {value:>9.1f} {unit:<3} {'':>11}  info")
            continue
        # Rates are "at least" budgets; everything else "at most".
        ok = value >= budget if unit == "req/s" else value <= budget
        failed += not ok
        print(
            f"{name:<62} {value:>9.1f} {unit:<3} {budget:>7.0f} {unit:<3} "
            f"{'ok' if ok else 'MISSED'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
