"""The documented production start works: DEBUG off, migrate, collectstatic, gunicorn; a login,
a page and its stylesheet; Chinese error pages; and the app servers are stateless, so a session
begun on one continues on another that shares the database (PostgreSQL in CI's second run)."""

from __future__ import annotations

import re
import unittest

import pytest

from gongjian.tests.production import Browser, Deployment, csrf_token

PASSWORD = "Qingchuan#2026"
NEW_PASSWORD = "Donghu@Street2027"
CREATE_USERS = f"""
from gongjian.accounts.models import Role, RoleGrant, Unit, User
city = Unit.objects.create(name="青川市人民政府", kind=Unit.Kind.GOVERNMENT)
for name in ("office", "office2", "victim"):
    user = User.objects.create_user(name, password={PASSWORD!r}, display_name=name + "用户")
    RoleGrant.objects.create(user=user, role=Role.OFFICE, unit=city)
"""


@pytest.mark.production
class ProductionStartTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.deployment = Deployment()
        try:
            cls.deployment.prepare()
            created = cls.deployment.manage("shell", "-c", CREATE_USERS)
            assert created.returncode == 0, created.stderr
            cls.first = cls.deployment.start_server()
            cls.second = cls.deployment.start_server()
        except Exception:
            cls.deployment.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.deployment.stop()
        logs = "".join(p.read_text() for p in cls.deployment.scratch.glob("gunicorn-*.log"))
        # No request in these tests may have produced a server error.
        assert "Traceback" not in logs, logs

    def sign_in(self, base: str, username: str, password: str) -> Browser:
        browser = Browser()
        status, _headers, page = browser.get(base + "/accounts/login/")
        self.assertEqual(status, 200)
        status, headers, _page = browser.post(
            base + "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page)},
            referer=base + "/accounts/login/",
        )
        self.assertEqual(status, 302, f"sign-in of {username} failed")
        return browser

    def test_it_serves_a_login_a_page_and_its_stylesheet(self):
        browser = Browser()
        status, headers, _ = browser.get(self.first + "/")
        self.assertEqual((status, headers["Location"]), (302, "/accounts/login/?next=/"))
        status, headers, page = browser.get(self.first + "/accounts/login/")
        self.assertEqual(status, 200)
        self.assertIn("登录", page)
        self.assertIn("script-src 'self'", headers["Content-Security-Policy"])
        self.assertEqual(headers["X-Frame-Options"], "DENY")

        browser = self.sign_in(self.first, "office", PASSWORD)
        status, _headers, page = browser.get(self.first + "/projects/")
        self.assertEqual(status, 200)
        self.assertIn("项目库", page)
        self.assertIn("office用户", page)
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
        self.assertEqual(len(sheets), 2, sheets)
        for href in sheets:
            # Collected and fingerprinted by the manifest storage, served by whitenoise.
            self.assertRegex(href, r"^/static/.+\.[0-9a-f]{12}\.css$")
            status, headers, css = browser.get(self.first + href)
            self.assertEqual(status, 200, href)
            self.assertTrue(headers["Content-Type"].startswith("text/css"), href)
            self.assertIn("max-age=315360000", headers.get("Cache-Control", ""), href)
            self.assertGreater(len(css), 100)
        scripts = re.findall(r'<script src="([^"]+)"', page)
        self.assertTrue(scripts)
        for src in scripts:
            self.assertEqual(browser.get(self.first + src)[0], 200, src)

    def test_error_pages_are_chinese_in_the_site_layout(self):
        browser = self.sign_in(self.first, "office", PASSWORD)
        status, _headers, page = browser.get(self.first + "/no/such/page/")
        self.assertEqual(status, 404)
        self.assertIn("页面不存在", page)
        self.assertIn("返回我的首页", page)
        self.assertIn('rel="stylesheet"', page)
        self.assertNotIn("Not Found", page)

    def test_a_session_begun_on_one_server_continues_on_another(self):
        on_first = self.sign_in(self.first, "office2", PASSWORD)
        status, _headers, page = on_first.get(self.first + "/accounts/password/")
        self.assertEqual(status, 200)
        token = csrf_token(page)
        # The second server has never seen this browser: the session and the CSRF secret live in
        # the shared database and cookie, not in the first server's memory.
        on_second = Browser()
        on_first.copy_session_to(on_second)
        status, _headers, page = on_second.get(self.second + "/projects/")
        self.assertEqual(status, 200)
        self.assertIn("office2用户", page)
        status, headers, _ = on_second.post(
            self.second + "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            referer=self.second + "/accounts/password/",
        )
        self.assertEqual(status, 302)
        # The change, made on the second server, holds on the first.
        self.sign_in(self.first, "office2", NEW_PASSWORD)

    def test_a_lockout_on_one_server_holds_on_the_other(self):
        browser = Browser()
        _status, _headers, page = browser.get(self.first + "/accounts/login/")
        for _attempt in range(5):
            token = csrf_token(page)
            status, _headers, page = browser.post(
                self.first + "/accounts/login/",
                {"username": "victim", "password": "wrong", "csrfmiddlewaretoken": token},
                referer=self.first + "/accounts/login/",
            )
            if status == 429:  # the fifth attempt's answer is the lockout page: no form
                _status, _headers, page = browser.get(self.first + "/accounts/login/")
        other = Browser()
        _status, _headers, page = other.get(self.second + "/accounts/login/")
        status, _headers, page = other.post(
            self.second + "/accounts/login/",
            {"username": "victim", "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page)},
            referer=self.second + "/accounts/login/",
        )
        self.assertEqual(status, 429)
        self.assertIn("锁定", page)


@pytest.mark.production
class ProductionSettingsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.deployment = Deployment()

    @classmethod
    def tearDownClass(cls):
        cls.deployment.stop()

    def test_check_deploy_is_clean_under_the_documented_settings(self):
        done = self.deployment.manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            env={"SECURE_COOKIES": "1", "BEHIND_PROXY": "1", "ALLOWED_HOSTS": "xm.example.gov.cn"},
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("no issues", done.stdout)

    def test_it_refuses_to_start_without_a_secret_key(self):
        done = self.deployment.manage("check", env={"SECRET_KEY": ""})
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("SECRET_KEY must be set whenever DEBUG is off", done.stderr)
