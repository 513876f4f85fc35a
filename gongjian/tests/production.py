"""Start Gongjian the production way, for tests: a fresh database, `migrate`, `collectstatic`,
then gunicorn with DEBUG off, exactly as docs/operations.md says. Nothing here uses Django's
test runner or settings_test; the servers are separate processes, as in a deployment."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SERVER_START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deployment:
    """A scratch deployment: its own database (a fresh PostgreSQL database when DATABASE_URL
    names a PostgreSQL server, else a SQLite file), static and media folders, and servers."""

    def __init__(self, name: str = "gongjian_production_test"):
        self.scratch = Path(tempfile.mkdtemp(prefix="gj-prod-"))
        self.database_url = self._database(name)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))},
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": self.database_url,
            "STATIC_ROOT": str(self.scratch / "static"),
            "MEDIA_ROOT": str(self.scratch / "media"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "gongjian.settings",
        }
        self.servers: list[subprocess.Popen] = []

    def _database(self, name: str) -> str:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            return f"sqlite:///{self.scratch / 'gongjian.sqlite3'}"
        base = url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._drop = (base, name)
        return f"{base}/{name}"

    def manage(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )

    def prepare(self) -> None:
        for step in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
            done = self.manage(*step)
            if done.returncode:
                raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")

    def start_server(self) -> str:
        """Start gunicorn with the repository's gunicorn.conf.py; return its base URL."""
        port = free_port()
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
        log = open(self.scratch / f"gunicorn-{port}.log", "w")  # noqa: SIM115 (kept open)
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "gongjian.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.servers.append(server)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_of(port)}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return base
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {SERVER_START_SECONDS} s")

    def log_of(self, port: int) -> str:
        return (self.scratch / f"gunicorn-{port}.log").read_text()

    def stop(self) -> None:
        for server in self.servers:
            server.terminate()
        for server in self.servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        drop = getattr(self, "_drop", None)
        if drop:
            base, name = drop
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


class Browser:
    """A cookie-keeping HTTP client that does what a browser does with forms and CSRF."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def get(self, url: str) -> tuple[int, dict, str]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict, referer: str) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": referer})
        return self._open(request)

    def _open(self, request) -> tuple[int, dict, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), _text(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), _text(error.read())

    def copy_session_to(self, other: Browser) -> None:
        for cookie in self.cookies:
            other.cookies.set_cookie(cookie)


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise AssertionError("no CSRF token on the page")
    return match.group(1)


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answered as they are, so tests see where a response points."""

    def redirect_request(self, *args, **kwargs):
        return None
