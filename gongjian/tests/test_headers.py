"""Security headers and pages the Content Security Policy can hold.

- Every HTML response carries the CSP, and its script-src allows neither inline script nor eval.
- No page any persona opens has inline script, an inline event handler, a javascript: URL, an
  hx-on attribute or a <style> element: the CSP would block them, so they would be broken code
  (or, worse, the reason to loosen the policy).
- With SECURE_COOKIES on, plain HTTP is redirected to HTTPS and HTTPS answers carry HSTS.
"""

from __future__ import annotations

import datetime
import os
import runpy
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.urls import URLResolver, get_resolver, reverse

from gongjian.assessment.models import Judge, ReviewEvent, ReviewGroup
from gongjian.dispatch import services as dispatch_services
from gongjian.dispatch.models import Campaign
from gongjian.problems import services as problem_services
from gongjian.problems.models import ProblemCategory, Source, SupervisionNotice
from gongjian.screen.models import ScreenToken
from gongjian.test import BaseTestCase

PERSONAS = ["alice", "leo", "ursula", "boris", "dora", "erin", "judy", "oscar"]
# Routes without arguments that are actions or downloads, not pages.
NOT_PAGES = {
    "accounts:logout",
    "accounts:otp-disable",
    "inbox:mark-read",
    "set_language",
    "healthz",
    "transfer:export",
    "transfer:template",
    "transfer:import-confirm",
    "dispatch:batch-sheet",
    "problems:weekly-xlsx",
    "bulletin:xlsx",
    "bulletin:pdf",
    "bulletin:text",
    "assessment:compute",
}
SCRIPT_TYPES_THAT_ARE_DATA = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


class InlineCode(HTMLParser):
    """Collects what a strict CSP blocks: inline <script>, <style>, on*= handlers, hx-on and
    javascript: URLs. A <script type="application/json"> (json_script) is data, not code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            kind = (values.get("type") or "").strip().lower()
            if kind not in SCRIPT_TYPES_THAT_ARE_DATA:
                self.found.append(f"<script> without src (type={kind or 'none'})")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def argument_free_routes() -> list[str]:
    """Every named route without arguments ("namespace:name"), admin left out."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name and not pattern.pattern.converters:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns, None)))


class InlineCodeDetectorTests(SimpleTestCase):
    def test_it_finds_what_the_policy_blocks(self):
        cases = [
            ("<script>alert(1)</script>", 1),
            ('<script type="text/javascript">x()</script>', 1),
            ('<script type="module">x()</script>', 1),
            ('<select onchange="this.form.submit()"></select>', 1),
            ("<A HREF='#' OnClick='print()'>p</A>", 1),
            ('<img src=x onerror="x()"/>', 1),
            ('<a href=" javascript:alert(1)">x</a>', 1),
            ('<form hx-on::before-request="x()"></form>', 1),
            ("<style>p { color: red }</style>", 1),
            ('<script src="/static/js/app.js"></script>', 0),
            ('<script id="d" type="application/json">{"a": "<b>"}</script>', 0),
            ('<select data-autosubmit name="period"></select>', 0),
            ('<p class="once">sonar=1 online=2 on=3</p>', 0),
            ('<div style="height: 10px" data-confirm="Close?"></div>', 0),
        ]
        for html, expected in cases:
            with self.subTest(html=html):
                self.assertEqual(len(inline_code(html)), expected, inline_code(html))


class ContentSecurityPolicyTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        campaign = Campaign.objects.create(name="重点项目月调度", year=datetime.date.today().year)
        dispatch_services.periods_ensure(campaign)
        cls.period = campaign.periods.order_by("start").first()
        cls.problem = problem_services.problem_raise(
            actor=cls.erin,
            title="用地指标未落实",
            category=ProblemCategory.objects.get(code="land"),
            source=Source.ENTERPRISE,
            project=cls.project_a,
            raising_unit=cls.enterprise,
        )
        problem_services.problem_assign(
            actor=cls.alice, problem=cls.problem, lead_department=cls.dept
        )
        cls.notice = SupervisionNotice.objects.create(
            problem=cls.problem,
            year=2026,
            sequence=1,
            requirement="请于三个工作日内办结",
            reply_due=datetime.date(2026, 10, 26),
            issued_by=cls.alice,
        )
        cls.event = ReviewEvent.objects.create(
            name="四季度观摩",
            status=ReviewEvent.Status.OPEN,
            method=ReviewEvent.Method.RANK,
            period="2026-Q4",
            held_on=datetime.date(2026, 12, 10),
            owner=cls.city,
        )
        ReviewGroup.objects.create(event=cls.event, name="镇街组").units.set(
            [cls.town_a, cls.town_b, cls.park]
        )
        Judge.objects.create(event=cls.event, user=cls.judy, unit=cls.town_b)
        cls.screen = ScreenToken.objects.create(name="大屏")

    def pages(self) -> list[str]:
        """The persona's pages: every argument-free route, and the pages of one project, one
        unit, one report, one problem and its notice, one review event."""
        project, event = self.project_a.pk, self.event.pk
        urls = [reverse(name) for name in argument_free_routes() if name not in NOT_PAGES]
        urls += [
            reverse("projects:detail", args=[project]),
            reverse("projects:edit", args=[project]),
            reverse("projects:rebaseline", args=[project]),
            reverse("maps:battle", args=[project]),
            reverse("maps:unit-battle", args=[self.town_a.pk]),
            reverse("projects:listing-create", args=[project]),
            reverse("dispatch:report", args=[project, self.period.pk]),
            reverse("problems:detail", args=[self.problem.pk]),
            reverse("problems:notice", args=[self.notice.pk]),
            reverse("assessment:awards", args=[2026]),
            reverse("assessment:review-event", args=[event]),
            reverse("assessment:ballot", args=[event]),
            reverse("assessment:review-results", args=[event]),
        ]
        return urls

    def assert_strict_policy(self, response, what: str) -> None:
        header = response.headers.get("Content-Security-Policy")
        self.assertIsNotNone(header, f"{what}: no Content-Security-Policy header")
        policy = csp_directives(header)
        self.assertEqual(policy.get("script-src"), ["'self'"], what)
        self.assertEqual(policy.get("style-src"), ["'self'"], what)
        self.assertEqual(policy.get("object-src"), ["'none'"], what)
        self.assertEqual(policy.get("frame-ancestors"), ["'none'"], what)
        self.assertEqual(policy.get("base-uri"), ["'self'"], what)
        for directive in ("default-src", "script-src", "script-src-elem", "script-src-attr"):
            for word in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:"):
                self.assertNotIn(word, policy.get(directive, []), f"{what}: {directive}")

    def test_html_pages_carry_a_strict_policy(self):
        response = self.client.get(reverse("accounts:login"))
        self.assertEqual(response.status_code, 200)
        self.assert_strict_policy(response, "login page")
        response = self.client.get(reverse("screen:show", args=[self.screen.token]))
        self.assertEqual(response.status_code, 200)
        self.assert_strict_policy(response, "big screen")
        self.login(self.alice)
        for name in ("projects:list", "maps:map", "dashboards:cockpit"):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 200, name)
            self.assert_strict_policy(response, name)

    def test_no_page_has_inline_script_or_handlers(self):
        opened: dict[str, set[str]] = {}
        for persona in PERSONAS:
            self.login(getattr(self, persona))
            for url in self.pages():
                response = self.client.get(url)
                if response.status_code != 200:
                    continue
                if not response.get("Content-Type", "").startswith("text/html"):
                    continue
                opened.setdefault(persona, set()).add(url)
                with self.subTest(persona=persona, url=url):
                    self.assertEqual(inline_code(response.content.decode()), [])
        # The pages that had inline code until now were all opened, so the test saw them.
        for persona, url in [
            ("alice", reverse("projects:list")),
            ("alice", reverse("maps:map")),
            ("alice", reverse("maps:battle", args=[self.project_a.pk])),
            ("alice", reverse("dashboards:cockpit")),
            ("alice", reverse("dispatch:desk")),
            ("alice", reverse("bulletin:index")),
            ("alice", reverse("assessment:ranking")),
            ("alice", reverse("assessment:review-event", args=[self.event.pk])),
            ("alice", reverse("problems:stats")),
            ("alice", reverse("problems:notice", args=[self.notice.pk])),
            ("ursula", reverse("dispatch:due")),
            ("ursula", reverse("dispatch:batch")),
            ("judy", reverse("assessment:ballot", args=[self.event.pk])),
            ("erin", reverse("problems:mine")),
        ]:
            self.assertIn(url, opened.get(persona, set()), persona)
        self.assertLessEqual(set(PERSONAS) - {"oscar"}, set(opened))

    def test_the_big_screen_has_no_inline_code(self):
        response = self.client.get(reverse("screen:show", args=[self.screen.token]))
        self.assertEqual(inline_code(response.content.decode()), [])
        self.assertContains(response, 'type="application/json"')

    def test_htmx_is_configured_for_the_policy(self):
        self.login(self.alice)
        response = self.client.get(reverse("projects:list"))
        self.assertContains(response, '"allowEval": false')
        self.assertContains(response, '"includeIndicatorStyles": false')
        # htmx's indicator rules live in the style sheet instead.
        css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
        self.assertIn(".htmx-request .htmx-indicator", css)

    def test_the_notice_pdf_still_gets_its_style_sheet(self):
        """The 督办单's CSS moved out of the page; the PDF is drawn with it all the same."""
        self.login(self.alice)
        page = self.client.get(reverse("problems:notice", args=[self.notice.pk]))
        self.assertContains(page, "css/notice.css")
        self.assertContains(page, "data-print")
        with mock.patch("weasyprint.HTML.write_pdf", return_value=b"%PDF-1.7") as write_pdf:
            response = self.client.get(reverse("problems:notice-pdf", args=[self.notice.pk]))
        self.assertEqual(response.status_code, 200)
        (stylesheet,) = write_pdf.call_args.kwargs["stylesheets"]
        self.assertIsNotNone(stylesheet)


class HttpsTests(BaseTestCase):
    @override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31_536_000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
    )
    def test_with_secure_cookies_http_redirects_and_https_carries_hsts(self):
        response = self.client.get("/accounts/login/?next=/projects/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "https://testserver/accounts/login/?next=/projects/")
        self.assertNotIn("Strict-Transport-Security", response.headers)
        response = self.client.get("/accounts/login/", secure=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload"
        )
        self.assertIn("Content-Security-Policy", response.headers)
        # The load balancer's health check speaks plain HTTP and is not redirected.
        self.assertEqual(self.client.get("/healthz").status_code, 200)

    def test_without_secure_cookies_plain_http_is_served(self):
        response = self.client.get("/accounts/login/")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Strict-Transport-Security", response.headers)

    def test_settings_turn_https_on_with_secure_cookies(self):
        path = str(Path(settings.BASE_DIR) / "gongjian" / "settings.py")
        base = {"SECRET_KEY": "k" * 50, "DEBUG": "0"}
        with mock.patch.dict(os.environ, {**base, "SECURE_COOKIES": "1"}):
            on = runpy.run_path(path)
        with mock.patch.dict(os.environ, base):
            os.environ.pop("SECURE_COOKIES", None)
            off = runpy.run_path(path)
        self.assertTrue(on["SECURE_SSL_REDIRECT"])
        self.assertTrue(on["SESSION_COOKIE_SECURE"])
        self.assertGreaterEqual(on["SECURE_HSTS_SECONDS"], 31_536_000)
        self.assertFalse(off["SECURE_SSL_REDIRECT"])
        self.assertEqual(off["SECURE_HSTS_SECONDS"], 0)
