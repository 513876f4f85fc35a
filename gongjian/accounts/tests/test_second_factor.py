"""The TOTP second factor: required for configured roles, optional for everyone else."""

from __future__ import annotations

import datetime

import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.audit.models import AuditEntry
from gongjian.test import BaseTestCase

GOOD = "password"


def code_for(device: TOTPDevice) -> str:
    """The code the user's app shows now (time as the test has set it)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:06d}"


@override_settings(OTP_REQUIRED_ROLES={"office", "admin"})
class RequiredSecondFactorTests(BaseTestCase):
    def set_up_factor(self) -> TOTPDevice:
        self.password_login("alice", GOOD)
        self.client.get(reverse("accounts:otp-setup"))
        device = TOTPDevice.objects.get(user=self.alice)
        self.client.post(reverse("accounts:otp-setup"), {"token": code_for(device)})
        return device

    def test_an_office_user_without_a_factor_must_set_one_up_first(self):
        self.password_login("alice", GOOD)
        response = self.client.get(reverse("projects:list"))
        self.assertRedirects(
            response,
            reverse("accounts:otp-setup") + "?next=%2Fprojects%2F",
            fetch_redirect_response=False,
        )
        page = self.client.get(response["Location"])
        self.assertContains(page, 'src="data:image/svg+xml')
        device = TOTPDevice.objects.get(user=self.alice, confirmed=False)
        self.assertContains(page, device.config_url.split("secret=")[1][:4])

    def test_a_wrong_code_is_refused_and_the_right_one_turns_it_on(self):
        self.password_login("alice", GOOD)
        self.client.get(reverse("accounts:otp-setup"))
        device = TOTPDevice.objects.get(user=self.alice)
        wrong = self.client.post(reverse("accounts:otp-setup"), {"token": "000000"})
        self.assertContains(wrong, "The code is wrong or has expired")
        too_soon = self.client.post(reverse("accounts:otp-setup"), {"token": code_for(device)})
        self.assertContains(too_soon, "Too many wrong codes")
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
            right = self.client.post(
                reverse("accounts:otp-setup"), {"token": code_for(device), "next": "/problems/"}
            )
        self.assertRedirects(right, "/problems/", fetch_redirect_response=False)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)
        entry = AuditEntry.objects.get(action=AuditEntry.Action.SECOND_FACTOR)
        self.assertEqual((entry.actor, entry.note), (self.alice, "enabled"))

    def test_later_sign_ins_ask_for_the_code(self):
        device = self.set_up_factor()
        self.client.post(reverse("accounts:logout"))
        later = timezone.now() + datetime.timedelta(minutes=2)
        with time_machine.travel(later, tick=False):
            self.password_login("alice", GOOD)
            response = self.client.get(reverse("projects:list"))
            self.assertRedirects(
                response,
                reverse("accounts:otp-verify") + "?next=%2Fprojects%2F",
                fetch_redirect_response=False,
            )
            wrong = self.client.post(reverse("accounts:otp-verify"), {"token": "123456"})
            self.assertContains(wrong, "The code is wrong or has expired")
            self.assertEqual(self.client.get(reverse("projects:list")).status_code, 302)
        with time_machine.travel(later + datetime.timedelta(seconds=90), tick=False):
            # django-otp slows down after a wrong code; a later, right code passes.
            device.refresh_from_db()
            right = self.client.post(reverse("accounts:otp-verify"), {"token": code_for(device)})
            self.assertRedirects(right, reverse("projects:list"), fetch_redirect_response=False)
            self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)
        failed = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED, actor=self.alice)
        self.assertTrue(failed.filter(note="second factor").exists())

    def test_a_used_code_cannot_be_replayed(self):
        device = self.set_up_factor()
        used = code_for(device)
        self.client.post(reverse("accounts:logout"))
        self.password_login("alice", GOOD)
        response = self.client.post(reverse("accounts:otp-verify"), {"token": used})
        self.assertContains(response, "The code is wrong or has expired")

    def test_replacing_the_factor_needs_the_current_one(self):
        self.set_up_factor()
        self.client.post(reverse("accounts:logout"))
        self.password_login("alice", GOOD)
        response = self.client.get(reverse("accounts:otp-setup"))
        self.assertRedirects(response, reverse("accounts:otp-verify"))

    def test_a_required_factor_cannot_be_turned_off(self):
        self.set_up_factor()
        self.client.post(reverse("accounts:otp-disable"))
        self.assertTrue(TOTPDevice.objects.filter(user=self.alice, confirmed=True).exists())

    def test_other_roles_are_not_asked(self):
        self.password_login("ursula", GOOD)
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)


class OptionalSecondFactorTests(BaseTestCase):
    def test_anyone_may_turn_it_on_and_is_then_asked_for_it(self):
        self.password_login("ursula", GOOD)
        self.client.get(reverse("accounts:otp-setup"))
        device = TOTPDevice.objects.get(user=self.ursula)
        self.client.post(reverse("accounts:otp-setup"), {"token": code_for(device)})
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)
        self.client.post(reverse("accounts:logout"))
        self.password_login("ursula", GOOD)
        response = self.client.get(reverse("projects:list"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:otp-verify"), response["Location"])

    def test_a_verified_session_may_turn_it_off(self):
        self.password_login("ursula", GOOD)
        self.client.get(reverse("accounts:otp-setup"))
        device = TOTPDevice.objects.get(user=self.ursula)
        self.client.post(reverse("accounts:otp-setup"), {"token": code_for(device)})
        self.client.post(reverse("accounts:otp-disable"))
        self.assertFalse(TOTPDevice.objects.filter(user=self.ursula).exists())
        self.client.post(reverse("accounts:logout"))
        self.password_login("ursula", GOOD)
        self.assertEqual(self.client.get(reverse("projects:list")).status_code, 200)
