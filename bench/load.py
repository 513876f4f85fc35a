"""The load run (`python -m bench --load`): the production server under 50 connections.

A PostgreSQL database of 20,000 projects with a year of monthly reports (database
`gongjian_load` next to BENCH_POSTGRES_URL's, built on first use and kept), gunicorn started as
docs/operations.md starts it (DEBUG off, collected static files, gunicorn.conf.py), a real
sign-in through the login page, then wrk: 50 connections for 30 s on the filtered project list,
then on the cockpit's JSON. Prints req/s, median, p99 and errors against the budgets of issue 12.

wrk (Debian package `wrk`) drives the load: written in C, it leaves the two cores of a small
machine to the server, where a Python load generator would take one of them.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = 20_000
CONNECTIONS = 50
SECONDS = 30
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", 5))
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", 1))
BUDGET_P99_MS = 2000.0
BUDGET_LIST_RPS = 75.0


def build(fresh: bool) -> float | None:
    """Seed the load database once: the demo city grown to 20,000 projects with twelve months
    of reports, lights and cockpit snapshots."""
    from django.core.management import call_command
    from django.db import connection

    from gongjian.projects.models import Project

    call_command("migrate", verbosity=0)
    if Project.objects.count() >= PROJECTS and not fresh:
        return None
    started = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", projects=PROJECTS - Project.objects.count(), verbosity=0)
    call_command("seed_demo", periods=12, verbosity=0)
    call_command("recompute_lights", all_periods=True, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def list_query() -> str:
    """The list with three filters and a search, as bench_list_page measures it in-process."""
    from gongjian.projects.models import Industry, Stage

    return urllib.parse.urlencode(
        {
            "stage": Stage.objects.get(code="construction").pk,
            "industry": Industry.objects.get(code="lithium").pk,
            "flag": "is_manufacturing",
            "q": "xcl",
        }
    )


def cockpit_query() -> str:
    from bench.dispatch import campaign_and_last_period

    _campaign, last = campaign_and_last_period()
    return urllib.parse.urlencode({"period": last.pk})


def run(database_url: str) -> list:
    """Start the server, sign in, load it; the results as bench rows."""
    if shutil.which("wrk") is None:
        sys.exit("the load run needs wrk: apt-get install wrk")
    scratch = ROOT / "var" / "bench" / "load"
    scratch.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(scratch / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        # As docs/operations.md deploys: sessions read through Redis.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_ACCESS_LOG": str(scratch / "access.log"),
        "GUNICORN_LOG_LEVEL": "warning",
    }
    env.pop("STATICFILES_BACKEND", None)  # the production storage, as deployed
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = open(scratch / "gunicorn.log", "w")  # noqa: SIM115 (the server writes to it)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "gongjian.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/healthz", server)
        cookie = _sign_in(base, "office", os.environ.get("BENCH_LOAD_PASSWORD", "Gongjian@2026"))
        print(f"load: gunicorn gthread, {WORKERS} workers × {THREADS} threads", flush=True)
        targets = [
            ("filtered project list", f"{base}/projects/?{list_query()}", BUDGET_LIST_RPS),
            ("cockpit summary JSON", f"{base}/dashboards/summary.json?{cockpit_query()}", None),
        ]
        rows = []
        for name, url, min_rps in targets:
            _wrk(url, cookie, seconds=5)  # warm up every worker's connection and caches
            cpu_before = server_cpu_seconds()
            stats = _wrk(url, cookie, seconds=SECONDS)
            cpu_ms = (server_cpu_seconds() - cpu_before) * 1000 / max(stats["requests"], 1)
            label = f"load: {name}, {CONNECTIONS} connections, {SECONDS} s"
            print(
                f"{label}: {stats['rps']:.1f} req/s, median {stats['p50']:.0f} ms, "
                f"p99 {stats['p99']:.0f} ms, {stats['requests']} requests, "
                f"{stats['errors']} errors; server CPU {cpu_ms:.1f} ms a request "
                "(gunicorn and PostgreSQL together: what the rate would be without other load)",
                flush=True,
            )
            rows.append((f"{label}: req/s (at least)", stats["rps"], min_rps, "req/s"))
            rows.append((f"{label}: median", stats["p50"], None, "ms"))
            rows.append((f"{label}: p99", stats["p99"], BUDGET_P99_MS, "ms"))
            rows.append((f"{label}: errors", stats["errors"], 0, ""))
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def server_cpu_seconds() -> float:
    """CPU time used so far by the gunicorn and PostgreSQL processes (from /proc), so the cost of
    a request can be read even when other work shares the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # the process ended meanwhile
        if b"gunicorn" in command or b"postgres" in command:
            fields = text.rsplit(")", 1)[1].split()
            # Its own time and that of its ended children (a recycled worker, a closed backend).
            total += sum(int(field) for field in fields[11:15])
    return total / ticks


def _wrk(url: str, cookie: str, seconds: int) -> dict:
    done = subprocess.run(
        [
            "wrk",
            f"-c{CONNECTIONS}",
            "-t2",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> dict:
    """Requests per second, the 50th and 99th percentile in ms, requests and errors (socket
    errors plus non-2xx/3xx answers) from wrk's --latency report."""

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]

    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": ms(percentiles["50"]),
        "p99": ms(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited; see var/bench/load/gunicorn.log")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer within 60 s")


def _sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the login page; return the Cookie header that carries the session."""
    login = base + "/accounts/login/"
    with urllib.request.urlopen(login) as response:
        page = response.read().decode()
        cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    request = urllib.request.Request(
        login,
        data=urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode(),
        headers={"Cookie": _header(cookies), "Referer": login},
    )
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            sys.exit(f"sign-in as {username} failed: HTTP {answer.code}")
        cookies.update(_cookies(answer))
    if "sessionid" not in cookies:
        sys.exit(f"sign-in as {username} failed (wrong BENCH_LOAD_PASSWORD?)")
    return _header(cookies)


def _cookies(response) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def _header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
