"""等保2.0 level-3 sign-in controls: lockout, password rules and expiry, self-service change,
idle and absolute session limits, and safe redirects after sign-in."""

from __future__ import annotations

import datetime

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from gongjian.audit.models import AuditEntry
from gongjian.test import BaseTestCase

LOGIN = "accounts:login"
GOOD = "password"  # the personas' password (set directly, bypassing the validators)
STRONG = "Qingchuan#2026"


class LockoutTests(BaseTestCase):
    def test_it_locks_the_account_after_five_wrong_passwords(self):
        for attempt in range(5):
            response = self.password_login("ursula", "wrong")
            self.assertEqual(response.status_code, 200 if attempt < 4 else 429, attempt)
        response = self.password_login("ursula", GOOD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "locked for 30 minutes", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_warns_how_many_attempts_are_left(self):
        response = self.password_login("ursula", "wrong")
        self.assertContains(response, "Wrong username or password.")
        self.assertContains(response, "4 more wrong attempts lock the account.")

    def test_the_lock_holds_from_any_address_and_lifts_after_the_cool_off(self):
        for _attempt in range(5):
            self.password_login("ursula", "wrong")
        other_address = self.client.post(
            reverse(LOGIN), {"username": "ursula", "password": GOOD}, REMOTE_ADDR="10.9.9.9"
        )
        self.assertEqual(other_address.status_code, 429)
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
            response = self.password_login("ursula", GOOD)
        self.assertEqual(response.status_code, 302)

    def test_other_accounts_are_not_locked(self):
        for _attempt in range(5):
            self.password_login("ursula", "wrong")
        self.assertEqual(self.password_login("boris", GOOD).status_code, 302)

    def test_a_successful_sign_in_resets_the_count(self):
        for _attempt in range(4):
            self.password_login("ursula", "wrong")
        self.assertEqual(self.password_login("ursula", GOOD).status_code, 302)
        self.client.post(reverse("accounts:logout"))
        for _attempt in range(4):
            self.password_login("ursula", "wrong")
        self.assertEqual(self.password_login("ursula", GOOD).status_code, 302)


class LoginRedirectTests(BaseTestCase):
    def test_it_lands_each_role_on_its_own_start_page(self):
        cases = [
            ("alice", reverse("projects:list")),
            ("ursula", reverse("projects:list")),
            ("judy", reverse("assessment:review-events")),
            ("oscar", reverse("accounts:account")),
        ]
        for username, expected in cases:
            with self.subTest(username):
                self.client.logout()
                response = self.password_login(username, GOOD)
                self.assertRedirects(response, expected, fetch_redirect_response=False)
                self.assertEqual(self.client.get(expected).status_code, 200)

    def test_it_follows_next_on_this_site_only(self):
        cases = [
            ("/problems/", "/problems/"),
            ("https://evil.example/x", reverse("projects:list")),
            ("//evil.example/x", reverse("projects:list")),
            ("javascript:alert(1)", reverse("projects:list")),
        ]
        for next_url, expected in cases:
            with self.subTest(next_url):
                self.client.logout()
                response = self.client.post(
                    reverse(LOGIN), {"username": "alice", "password": GOOD, "next": next_url}
                )
                self.assertRedirects(response, expected, fetch_redirect_response=False)


class PasswordRuleTests(BaseTestCase):
    def change(self, new, old=GOOD):
        return self.client.post(
            reverse("accounts:password-change"),
            {"old_password": old, "new_password1": new, "new_password2": new},
        )

    def test_it_refuses_weak_passwords_with_the_reason(self):
        self.login(self.ursula)
        cases = {
            "unit1234": "at least 10 characters",
            "qingchuanshi": "at least 3 of these kinds",
            "1234567890123": "entirely numeric",
            "Password123": "too common",
            "ursula#2026": "too similar",
        }
        for password, reason in cases.items():
            with self.subTest(password):
                response = self.change(password)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, reason)
        self.ursula.refresh_from_db()
        self.assertTrue(self.ursula.check_password(GOOD))

    def test_it_changes_the_password_keeps_the_session_and_audits(self):
        self.login(self.ursula)
        response = self.change(STRONG)
        self.assertRedirects(response, reverse("projects:list"))
        self.ursula.refresh_from_db()
        self.assertTrue(self.ursula.check_password(STRONG))
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)
        entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD)
        self.assertEqual((entry.actor, entry.target_id), (self.ursula, self.ursula.pk))
        self.assertNotIn(STRONG, str(entry.changes))

    def test_it_needs_the_old_password(self):
        self.login(self.ursula)
        response = self.change(STRONG, old="not-it")
        self.assertContains(response, "old password was entered incorrectly")


class PasswordExpiryTests(BaseTestCase):
    def test_an_expired_password_must_be_changed_before_anything_else(self):
        self.ursula.password_changed_at = timezone.now() - datetime.timedelta(days=91)
        self.ursula.save()
        self.login(self.ursula)
        response = self.client.get(reverse("projects:list"))
        self.assertRedirects(response, reverse("accounts:password-change"))
        page = self.client.get(reverse("accounts:password-change"))
        self.assertContains(page, "more than 90 days old")
        self.client.post(
            reverse("accounts:password-change"),
            {"old_password": GOOD, "new_password1": STRONG, "new_password2": STRONG},
        )
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)

    def test_a_password_younger_than_the_limit_is_fine(self):
        self.ursula.password_changed_at = timezone.now() - datetime.timedelta(days=89)
        self.ursula.save()
        self.login(self.ursula)
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)

    def test_a_password_set_by_an_administrator_must_be_replaced(self):
        self.ursula.must_change_password = True
        self.ursula.save()
        self.login(self.ursula)
        response = self.client.get(reverse("dispatch:due"))
        self.assertRedirects(response, reverse("accounts:password-change"))
        self.client.post(
            reverse("accounts:password-change"),
            {"old_password": GOOD, "new_password1": STRONG, "new_password2": STRONG},
        )
        self.ursula.refresh_from_db()
        self.assertFalse(self.ursula.must_change_password)
        self.assertEqual(self.client.get(reverse("dispatch:due")).status_code, 200)

    def test_htmx_requests_are_sent_to_a_full_page_instead(self):
        self.ursula.must_change_password = True
        self.ursula.save()
        self.login(self.ursula)
        response = self.client.get(reverse("projects:list"), headers={"HX-Request": "true"})
        self.assertEqual(response["HX-Redirect"], reverse("accounts:password-change"))

    @override_settings(PASSWORD_MAX_AGE_DAYS=0)
    def test_expiry_can_be_turned_off(self):
        self.ursula.password_changed_at = timezone.now() - datetime.timedelta(days=900)
        self.ursula.save()
        self.login(self.ursula)
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)


class SessionLimitTests(BaseTestCase):
    def test_an_idle_session_ends_after_thirty_minutes(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.password_login("ursula", GOOD)
        with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
            self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)
        # 29 minutes after the last request, not after sign-in: still in.
        with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
            self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)
        with time_machine.travel(start + datetime.timedelta(minutes=89), tick=False):
            response = self.client.get(reverse("projects:list"))
            self.assertRedirects(
                response,
                reverse(LOGIN) + "?next=%2Fprojects%2F",
                fetch_redirect_response=False,
            )
            page = self.client.get(response["Location"])
        self.assertContains(page, "30 minutes without activity")
        self.assertNotIn("_auth_user_id", self.client.session)
        logout = AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT).first()
        if logout is not None:  # the audit helper records sign-outs; the note says why
            self.assertIn("timeout", logout.note)

    def test_a_busy_session_still_ends_at_its_absolute_limit(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.password_login("ursula", GOOD)
        minutes = 0
        while minutes <= 12 * 60 + 20:
            minutes += 20
            with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
                response = self.client.get(reverse("projects:list"))
            if response.status_code != 200:
                break
        self.assertEqual(response.status_code, 302)
        self.assertGreater(minutes, 12 * 60)
        self.assertLessEqual(minutes, 12 * 60 + 20)

    @override_settings(SESSION_IDLE_MINUTES=5)
    def test_the_idle_limit_is_configurable(self):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.password_login("ursula", GOOD)
        with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
            self.assertEqual(self.client.get(reverse("projects:list")).status_code, 302)


class SiteEndpointsTests(BaseTestCase):
    def test_healthz_answers_without_a_login(self):
        response = self.client.get("/healthz")
        self.assertEqual((response.status_code, response.content), (200, b"ok"))

    @override_settings(LANGUAGE_CODE="zh-hans")
    def test_error_pages_are_chinese_and_lead_back(self):
        self.login(self.judy)
        forbidden = self.client.get(reverse("projects:list"))
        self.assertContains(forbidden, "您的角色无权访问此页面", status_code=403)
        self.assertContains(forbidden, reverse("home"), status_code=403)
        self.assertContains(forbidden, "退出", status_code=403)
        missing = self.client.get("/no/such/page/")
        self.assertContains(missing, "页面不存在", status_code=404)
