"""`create_admins`: the three administrators, and retiring the bootstrap superuser."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from gongjian.accounts.models import User
from gongjian.audit.models import AuditEntry
from gongjian.test import password_login


def create_admins(*args) -> str:
    out = StringIO()
    call_command("create_admins", *args, stdout=out)
    return out.getvalue()


class CreateAdminsTestCase(TestCase):
    def test_it_creates_three_administrators_who_must_choose_their_passwords(self):
        root = User.objects.create_superuser("root", password="password")
        output = create_admins("sys", "sec", "aud", "--retire-superusers")
        for username, role in (("sys", "system"), ("sec", "security"), ("aud", "audit")):
            user = User.objects.get(username=username)
            self.assertEqual((user.admin_role, user.must_change_password), (role, True))
            password = re.search(rf"^{username}: .* one-time password (\S+)", output, re.M)[1]
            self.assertEqual(password_login(self.client, username, password).status_code, 302)
            self.client.logout()
        root.refresh_from_db()
        self.assertEqual((root.is_superuser, root.is_staff, root.is_active), (False, False, False))
        retired = AuditEntry.objects.filter(action="permission", target_id=root.pk).latest("seq")
        self.assertEqual(retired.changes["is_superuser"], [True, False])
        # Run again: nothing new, nothing broken.
        self.assertIn("already the audit administrator", create_admins("sys", "sec", "aud"))

    def test_it_refuses_one_person_in_two_roles_or_a_taken_name(self):
        with self.assertRaisesMessage(CommandError, "three different people"):
            create_admins("a", "a", "b")
        User.objects.create_user("taken")
        with self.assertRaisesMessage(CommandError, "taken exists"):
            create_admins("taken", "b", "c")
        self.assertFalse(User.objects.exclude(admin_role="").exists())
