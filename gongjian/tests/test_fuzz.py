"""A bounded fuzz test: every URL of the project, as every persona, with real and hostile path
arguments, hostile query strings and random form posts, must answer without a server error.

1. A sweep: every route as every persona and anonymously, with ids of objects that exist in
   gongjian/test/fuzz_city.py. The forms on the pages it gets are read (field names and the
   values offered) for step 3.
2. GET: hypothesis draws query strings from the parameters the views read, with hostile values
   (digits int() refuses or silently accepts, huge numbers, control characters, impossible
   dates, long text, repeated keys, markup), and hostile path arguments.
3. POST: random subsets of each form's fields, with the values the form offers or hostile ones,
   lists and files, as personas allowed to post there and as others.

Every request runs in a savepoint that is rolled back and the client's cookies are restored, so
each example starts from the same city: the examples, and their shrinking, are deterministic.
A failure names the persona, the request and where the exception arose, for the minimal
example hypothesis finds; all failing routes are reported together.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from gongjian.lib.converters import IdConverter, YearConverter
from gongjian.lib.params import MAX_ID
from gongjian.problems.views import STEP_FORMS
from gongjian.test.fuzz_city import MEDIA, TODAY, FuzzCity
from gongjian.tests.forms_html import page_forms

# /admin/ is Django's own, tested by its owners and by accounts/tests/test_admin_roles.py.
SKIPPED_PREFIXES = ("admin/",)
# Path arguments: which kind of object (fuzz_city.FuzzCity.ids) an argument names.
ARG_KINDS = {
    "project_pk": "project",
    "period_pk": "period",
    "report_pk": "report",
    "photo_pk": "photo",
    "listing_pk": "listing",
    "milestone_pk": "milestone",
    "unit_pk": "unit",
    "attachment_pk": "attachment",
    "notice_pk": "notice",
    "run_pk": "run",
    "event_pk": "event",
    "nomination_pk": "nomination",
}
PK_KINDS = {"projects": "project", "problems": "problem"}  # <id:pk> by the route's first part
HOSTILE_IDS = ["0", "999999", str(MAX_ID), str(MAX_ID + 1), "9" * 40, "-1", "1.0", "x", "１", "²"]
HOSTILE_YEARS = ["0000", "1999", "2101", "99999", "２０２６", "20x6"]
HOSTILE_SLUGS = ["x", "-", "a" * 300, "__init__", "%00", "%E2%91%A0", "..%2F.."]
PROBLEM_STEPS = sorted({*STEP_FORMS, "sign"})

# The query parameters the views, selectors and filter forms read (grep request.GET and the
# gongjian.lib.params calls), plus a few no view reads.
PARAMS = [
    "period", "unit", "page", "figure", "own", "scheme", "year", "month", "by", "project",
    "next", "q", "stage", "level", "industry", "leader", "flag", "sort", "status", "colour",
    "source", "category", "department", "format", "id",
]  # fmt: skip
HOSTILE_VALUES = [
    "", " ", "\t", "\n", "\x00", "a\x00b", "\x01", "\x7f", "\u200b", "\ufeff",
    "²", "①", "١٢", "１２", "٣", "-1", "0", "-0", "+1", "00", "1e3", "1.5", "NaN", "inf",
    str(MAX_ID), str(MAX_ID + 1), str(2**64), "9" * 40, str(-(2**63) - 1),
    "2026-02-30", "9999-99-99", "0000-00-00", "2026-13", "2026-Q5", "2026-Q0", "2026-00",
    "9999-12-31", "0001-01-01", "1900-01-01", "2026/04/10", "20260410", "2026-4-1",
    "1e999", "-1e999", "Infinity", "-Infinity", "sNaN", "1E+30", "0.000000001", "-99999999",
    "99999999999999.99", "1,000", "１００", "5万",
    "99999", "1999", "2101", "２０２６", "2026-03 ", " 2026-03",
    "{}", "[]", '{"a": 1}', "null", "true", "on", "yes", "None",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "' OR 1=1 --", "%", "%00",
    "../../etc/passwd", "//evil.example", "https://evil.example/", "javascript:alert(1)",
    "x" * 5000, "中" * 2000, "🙂", "𠀀",
]  # fmt: skip
# Values that make sense somewhere: ids, years, periods, choices of the filter forms.
PLAIN_VALUES = [
    "1", "2", "3", "5", "12", "2025", "2026", "2027", "3", "2026-03", "2026-Q1", "2025",
    "all", "red", "yellow", "blue", "green", "starts", "completions", "registered",
    "unit", "department", "open", "reported", "assigned", "in_progress", "closed",
    "city", "province", "county", "investment", "-investment", "name", "updated", "stage",
    "is_high_tech", "foreign", "enterprise", "leader", "1", "0", "/projects/", "长安", "cqca",
    "2026-04-10", "2026-05-01", "2026-03-01", "2025-12-31", "2027-06-30", "100", "0.5",
    "120000", "approve", "refuse", "return", "satisfied", "unsatisfied", "有说明的文字",
]  # fmt: skip
# Names no form of the route may have, posted anyway: the views read some by hand.
POST_EXTRA = ["next", "period", "action", "reason", "group", "seen", "submit", "token", "x"]
FILE_FIELDS = ["file", "photos", "sheet"]
FILE_NAMES = ["a.xlsx", "a.png", "a.jpg", "a.txt", "../../a.xlsx", "名称.pdf", "a" * 300 + ".png"]
HTMX_TARGETS = ["project-rows", "problem-rows", "", "x"]
PERSONAS = ["alice", "leo", "ursula", "dora", "erin", "judy", "oscar", "anonymous"]
CHINESE = {"alice", "ursula", "erin", "anonymous"}  # the rest see English

# Examples per route and method; the PDFs take a few hundred milliseconds each.
# GONGJIAN_FUZZ_SCALE=20 multiplies them for a deeper run by hand.
SCALE = int(os.environ.get("GONGJIAN_FUZZ_SCALE", "1"))
GET_EXAMPLES = 14 * SCALE
POST_EXAMPLES = 14 * SCALE
SLOW = {"problems/notice/<id:notice_pk>/pdf/": 3, "bulletin/pdf/": 3}
MINIMUM_REQUESTS = 2500

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@dataclass(frozen=True)
class Route:
    template: str  # "projects/<id:pk>/edit/"
    converters: dict = field(hash=False, compare=False)

    def fill(self, values: dict[str, str]) -> str:
        return "/" + _ARG.sub(lambda m: values[m[1]], self.template)


_ARG = re.compile(r"<(?:\w+:)?(\w+)>")


def project_routes() -> list[Route]:
    def walk(patterns, prefix):
        for pattern in patterns:
            template = prefix + str(pattern.pattern)
            if template.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, template)
            else:
                yield Route(template, dict(pattern.pattern.converters))

    return list(walk(get_resolver().url_patterns, ""))


@dataclass
class Request:
    persona: str
    method: str
    path: str
    query: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    htmx_target: str | None = None

    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")

    def __str__(self) -> str:
        data = {k: _short(v) for k, v in self.data.items()}
        target = f" (htmx → {self.htmx_target!r})" if self.htmx_target is not None else ""
        return f"{self.persona}: {self.method} {_short(self.url(), 300)} {data or ''}{target}"


def _short(value, limit=80):
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


class Failure(AssertionError):
    pass


@dataclass
class Form:
    """What the pages showed of the forms sending to one route: field names with the values
    offered, and the personas shown them."""

    fields: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    personas: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)  # the paths the pages send to


def _as_query(data: dict) -> list[tuple[str, str]]:
    """{name: value or [values]} as query pairs; a list repeats the key."""
    pairs = []
    for name, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    return pairs


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(TODAY, tick=False)
class FuzzTest(FuzzCity):
    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(MEDIA, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        self.clients = {}
        for name in PERSONAS:
            client = Client()
            if name != "anonymous":
                client.force_login(getattr(self, name))
            if name == "leo":  # signed in with his second factor
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = self.leo_device.persistent_id
                session.save()
            if name in CHINESE:
                client.cookies["django_language"] = "zh-hans"
            self.clients[name] = client
        self.sent = 0
        self.statuses = defaultdict(set)  # route → statuses seen
        # Thousands of 403s, 404s and 400s would each log a traceback; a failure is reported
        # by the test itself.
        for name in ("django.request", "django.security"):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.CRITICAL)

    # --- sending ---------------------------------------------------------------------------

    def send(self, route: Route, request: Request):
        """One request in a rolled-back savepoint; a Failure for a 5xx or an exception."""
        client = self.clients[request.persona]
        cookies = client.cookies
        client.cookies = type(cookies)(cookies)  # logging out must not log the persona out
        headers = {}
        if request.htmx_target is not None:
            headers = {"HX-Request": "true", "HX-Target": request.htmx_target}
        self.sent += 1
        try:
            with transaction.atomic():
                if request.method == "GET":
                    response = client.get(request.url(), headers=headers)
                else:
                    response = client.post(request.url(), request.data, headers=headers)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)  # a download fails while it streams
                transaction.set_rollback(True)
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            raise Failure(
                f"{request}\n    {type(error).__name__}: {_short(str(error), 300)}\n"
                f"    at {where.filename}:{where.lineno} ({where.name})"
            ) from error
        finally:
            client.cookies = cookies
        self.statuses[route.template].add(response.status_code)
        if response.status_code >= 500:
            raise Failure(f"{request}\n    HTTP {response.status_code}")
        return response

    # --- path arguments --------------------------------------------------------------------

    def real_args(self, route: Route, arg: str, converter) -> list[str]:
        if isinstance(converter, IdConverter):
            kind = ARG_KINDS.get(arg) or PK_KINDS.get(route.template.split("/")[0])
            if kind is None:
                raise AssertionError(f"{route.template}: which objects does <{arg}> name?")
            return [str(pk) for pk in self.ids[kind]]
        if isinstance(converter, YearConverter):
            return ["2025", "2026", "2027"]
        if arg == "token":
            return [self.screen.token, self.revoked_screen.token]
        if arg == "step":
            return PROBLEM_STEPS
        raise AssertionError(f"{route.template}: what goes into <{arg}>?")

    def hostile_args(self, converter) -> list[str]:
        if isinstance(converter, IdConverter):
            return HOSTILE_IDS
        if isinstance(converter, YearConverter):
            return HOSTILE_YEARS
        return HOSTILE_SLUGS

    def path_strategy(self, route: Route, linked=()):
        """Real ids in any combination, hostile ones, and the paths the pages link to."""
        parts = {}
        for arg, converter in route.converters.items():
            real = st.sampled_from(self.real_args(route, arg, converter))
            parts[arg] = st.one_of(real, real, real, st.sampled_from(self.hostile_args(converter)))
        paths = st.fixed_dictionaries(parts).map(route.fill)
        if linked and parts:
            paths = st.one_of(paths, st.sampled_from(sorted(linked)))
        return paths

    # --- 1. the sweep ----------------------------------------------------------------------

    def sweep(self, routes: list[Route]) -> dict[tuple[str, str], Form]:
        """Every route as every persona with real ids; returns the forms found on the pages,
        by method and the route they send to."""
        found = defaultdict(Form)
        for route in routes:
            combos = self.real_combinations(route)
            for persona in PERSONAS:
                for path in combos:
                    response = self.send(route, Request(persona, "GET", path))
                    if "text/html" not in response.get("Content-Type", ""):
                        continue
                    for method, action, fields in page_forms(response.content.decode(), path):
                        form = found[method, _route_of(action)]
                        form.personas.add(persona)
                        form.paths.add(urlsplit(action).path)
                        for name, values in fields.items():
                            if name != "csrfmiddlewaretoken":
                                form.fields[name] |= values
        return found

    def real_combinations(self, route: Route) -> list[str]:
        """Every real value of a route's one argument; with more, the first, middle and last
        of each (the pages' links supply the combinations that belong together)."""
        choices = {arg: self.real_args(route, arg, conv) for arg, conv in route.converters.items()}
        if not choices:
            return [route.fill({})]
        if len(choices) == 1:
            [(arg, values)] = choices.items()
            return [route.fill({arg: value}) for value in values]
        longest = max(len(values) for values in choices.values())
        picks = sorted({0, longest // 2, longest - 1})
        return [route.fill({a: v[i % len(v)] for a, v in choices.items()}) for i in picks]

    # --- 2. and 3. hypothesis --------------------------------------------------------------

    def value_strategy(self, name: str = "", offered=()):
        """One value: hostile, plausible somewhere, random, a list of them, a file."""
        one = [
            st.sampled_from(HOSTILE_VALUES),
            st.sampled_from(PLAIN_VALUES),
            st.text(max_size=12),
            st.integers(-(2**70), 2**70).map(str),
        ]
        if offered:
            one += [st.sampled_from(sorted(offered))] * 2
        one = st.one_of(one)
        options = [one, one, one, st.lists(one, min_size=2, max_size=3)]
        if name in FILE_FIELDS:
            options.append(
                st.builds(SimpleUploadedFile, st.sampled_from(FILE_NAMES), st.binary(max_size=64))
            )
        return st.one_of(options)

    def data_strategy(self, form: Form, extra: list[str]):
        """The form as the page offers it (or nothing), with a few fields changed to random
        values, a few left out, and now and then a field no form has."""
        every_name = sorted(set(form.fields) | set(extra))
        names = st.sampled_from(every_name)
        if form.fields:  # mostly the form's own fields
            names = st.one_of(st.sampled_from(sorted(form.fields)), names)
        offered = st.fixed_dictionaries(
            {name: st.sampled_from(sorted(values)) for name, values in form.fields.items()}
        )
        base = st.one_of(offered, offered, st.just({}))
        # Built once per form: a strategy made anew for each example (flatmap) costs hypothesis
        # more than drawing from it.
        value_of = {n: self.value_strategy(n, form.fields.get(n, ())) for n in every_name}

        @st.composite
        def changed(draw):
            chosen = draw(st.lists(names, unique=True, max_size=4))
            return {n: draw(value_of[n]) for n in chosen}

        dropped = st.lists(names, unique=True, max_size=3)

        def merge(parts):
            base, changed, dropped = parts
            data = {**base, **changed}
            for name in dropped:
                data.pop(name, None)
            return data

        return st.tuples(base, changed(), dropped).map(merge)

    def request_strategy(self, route: Route, method: str, form: Form):
        personas = st.sampled_from(PERSONAS)
        if form.personas:  # those who were shown the form, and everyone else
            personas = st.one_of(st.sampled_from(sorted(form.personas)), personas)
        if method == "GET":
            sent = {"query": self.data_strategy(form, PARAMS).map(_as_query)}
        else:
            sent = {"data": self.data_strategy(form, POST_EXTRA)}
        return st.builds(
            Request,
            persona=personas,
            method=st.just(method),
            path=self.path_strategy(route, form.paths),
            htmx_target=st.none() | st.sampled_from(HTMX_TARGETS),
            **sent,
        )

    def fuzz(self, route: Route, strategy, examples: int) -> str | None:
        """Run hypothesis over one route; the minimal failure's description, or None."""

        @settings(SETTINGS, max_examples=examples)
        @given(strategy)
        def attack(request):
            self.send(route, request)

        try:
            attack()
        except Failure as failure:
            return f"{route.template}\n    {failure}"
        return None

    def test_no_request_gets_a_server_error(self):
        started = time.monotonic()
        routes = project_routes()
        failures = []
        try:
            forms = self.sweep(routes)
        except Failure as failure:
            self.fail(f"The sweep with real ids failed:\n{failure}")
        for route in routes:
            for method, examples in (("GET", GET_EXAMPLES), ("POST", POST_EXAMPLES)):
                form = forms.get((method, route.template), Form())
                strategy = self.request_strategy(route, method, form)
                failure = self.fuzz(route, strategy, SLOW.get(route.template, examples))
                if failure:
                    failures.append(failure)
        elapsed = time.monotonic() - started
        print(f"\nfuzz: {self.sent} requests over {len(routes)} routes in {elapsed:.1f} s")
        self.assertEqual(failures, [], "\n\n" + "\n\n".join(failures))
        # The test must have attacked: enough requests, and every route reached its view
        # (a real id or token got past the URL and the object lookup at least once).
        self.assertGreaterEqual(self.sent, MINIMUM_REQUESTS)
        unreached = [r.template for r in routes if not self.statuses[r.template] - {404, 405}]
        self.assertEqual(unreached, [])


def _route_of(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return ""
