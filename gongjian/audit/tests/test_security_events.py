"""Security events in the trail (等保2.0): sign-ins and sign-outs, failures and lockouts, every
change of rights however it is made, password resets by an administrator, and exports."""

from __future__ import annotations

import datetime

import time_machine
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from gongjian.accounts.models import Role, RoleGrant, User
from gongjian.audit.models import AuditEntry
from gongjian.test import BaseTestCase

Action = AuditEntry.Action
GOOD = "password"


class SignInEventsTestCase(BaseTestCase):
    def last(self, action: str) -> AuditEntry:
        return AuditEntry.objects.filter(action=action).latest("seq")

    def test_a_sign_in_through_the_login_page_is_recorded_with_the_address(self):
        self.assertEqual(self.password_login("ursula", GOOD).status_code, 302)
        entry = self.last(Action.LOGIN)
        self.assertEqual((entry.actor, entry.target_id), (self.ursula, self.ursula.pk))
        self.assertIn("IP 127.0.0.1", entry.note)

    def test_a_sign_out_is_recorded_and_a_timeout_says_so(self):
        self.password_login("ursula", GOOD)
        self.client.post(reverse("accounts:logout"))
        self.assertEqual(self.last(Action.LOGOUT).actor, self.ursula)
        self.assertNotIn("timeout", self.last(Action.LOGOUT).note)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.password_login("boris", GOOD)
        with time_machine.travel(start + datetime.timedelta(minutes=45), tick=False):
            self.client.get(reverse("projects:list"))
        entry = self.last(Action.LOGOUT)
        self.assertEqual(entry.actor, self.boris)
        self.assertIn("timeout", entry.note)

    def test_a_wrong_password_is_recorded_with_the_name_tried_and_the_address(self):
        self.password_login("ursula", "wrong")
        entry = self.last(Action.LOGIN_FAILED)
        self.assertEqual((entry.actor, entry.actor_name), (None, "ursula"))
        self.assertEqual((entry.target_type, entry.target_id), ("accounts.User", self.ursula.pk))
        self.assertIn("IP 127.0.0.1", entry.note)
        self.password_login("nobody", "wrong")
        entry = self.last(Action.LOGIN_FAILED)
        self.assertEqual(
            (entry.target_repr, entry.target_id, entry.actor_name), ("nobody", 0, "nobody")
        )
        self.assertFalse(AuditEntry.objects.filter(changes__icontains="wrong").exists())

    def test_a_lockout_is_recorded_once_and_attempts_during_it_as_failures(self):
        for _attempt in range(5):
            self.password_login("ursula", "wrong")
        self.assertEqual(AuditEntry.objects.filter(action=Action.LOCKOUT).count(), 1)
        self.assertEqual(self.last(Action.LOCKOUT).target_id, self.ursula.pk)
        self.password_login("ursula", GOOD)
        self.assertEqual(AuditEntry.objects.filter(action=Action.LOCKOUT).count(), 1)
        self.assertIn("while locked out", self.last(Action.LOGIN_FAILED).note)
        self.assertEqual(AuditEntry.objects.filter(action=Action.LOGIN_FAILED).count(), 6)
        self.assertFalse(AuditEntry.objects.filter(action=Action.LOGIN).exists())


class RightsEventsTestCase(BaseTestCase):
    def rights(self) -> list[tuple]:
        return list(
            AuditEntry.objects.filter(action=Action.PERMISSION)
            .order_by("seq")
            .values_list("target_type", "target_id", "changes")
        )

    def test_group_membership_and_group_permissions_are_recorded_before_and_after(self):
        group = Group.objects.create(name="观察员")
        before = AuditEntry.objects.count()
        self.oscar.groups.add(group)
        group.permissions.add(Permission.objects.get(codename="view_unit"))
        self.oscar.groups.remove(group)
        self.assertEqual(
            self.rights()[-3:],
            [
                ("accounts.User", self.oscar.pk, {"groups": [[], ["观察员"]]}),
                ("auth.Group", group.pk, {"permissions": [[], ["accounts.view_unit"]]}),
                ("accounts.User", self.oscar.pk, {"groups": [["观察员"], []]}),
            ],
        )
        self.assertEqual(AuditEntry.objects.count(), before + 3)
        group.user_set.add(self.leo)  # from the other side
        self.assertEqual(self.rights()[-1], ("auth.Group", group.pk, {"user_set": [[], ["Leo"]]}))

    def test_direct_permissions_are_recorded(self):
        self.oscar.user_permissions.add(Permission.objects.get(codename="view_unit"))
        self.assertEqual(
            self.rights()[-1],
            ("accounts.User", self.oscar.pk, {"user_permissions": [[], ["accounts.view_unit"]]}),
        )

    def test_role_grants_added_changed_and_removed_anywhere_are_recorded(self):
        grant = RoleGrant.objects.create(user=self.oscar, role=Role.LEADER, unit=self.city)
        leader = str(grant)
        self.assertEqual(
            self.rights()[-1], ("accounts.User", self.oscar.pk, {"grants": [[], [leader]]})
        )
        grant.unit = self.town_a
        grant.save()
        self.assertEqual(
            self.rights()[-1],
            ("accounts.User", self.oscar.pk, {"grants": [[leader], [str(grant)]]}),
        )
        moved = str(grant)
        grant.delete()
        self.assertEqual(
            self.rights()[-1], ("accounts.User", self.oscar.pk, {"grants": [[moved], []]})
        )

    def test_account_flags_are_recorded_but_a_sign_in_costs_no_query_for_them(self):
        self.oscar.is_superuser = True
        self.oscar.is_active = False
        self.oscar.save()
        self.assertEqual(
            self.rights()[-1],
            (
                "accounts.User",
                self.oscar.pk,
                {"is_active": [True, False], "is_superuser": [False, True]},
            ),
        )
        root = User.objects.create_superuser("root", password="password")
        self.assertEqual(
            self.rights()[-1],
            ("accounts.User", root.pk, {"is_staff": [False, True], "is_superuser": [False, True]}),
        )
        count = AuditEntry.objects.count()
        self.ursula.display_name = "新名字"
        self.ursula.save()
        self.assertEqual(AuditEntry.objects.count(), count)

    def test_a_change_made_in_admin_names_the_administrator(self):
        secadmin = User.objects.create_user("secadmin", password="password", admin_role="security")
        group = Group.objects.create(name="观察员")
        self.client.force_login(secadmin)
        permission = Permission.objects.get(codename="view_unit")
        response = self.client.post(
            reverse("admin:auth_group_change", args=[group.pk]),
            {"name": "观察员", "permissions": [permission.pk]},
        )
        self.assertEqual(response.status_code, 302)
        entry = AuditEntry.objects.filter(
            action=Action.PERMISSION, target_type="auth.Group"
        ).latest("seq")
        self.assertEqual(entry.actor, secadmin)

    def test_a_password_reset_by_an_administrator_is_recorded_and_must_be_replaced(self):
        secadmin = User.objects.create_user("secadmin", password="password", admin_role="security")
        self.client.force_login(secadmin)
        response = self.client.post(
            reverse("admin:auth_user_password_change", args=[self.oscar.pk]),
            {
                "usable_password": "true",
                "password1": "Reset#Pass2026",
                "password2": "Reset#Pass2026",
            },
        )
        self.assertEqual(response.status_code, 302)
        entry = AuditEntry.objects.filter(action=Action.PASSWORD).latest("seq")
        self.assertEqual((entry.actor, entry.target_id), (secadmin, self.oscar.pk))
        self.assertFalse(AuditEntry.objects.filter(changes__icontains="Reset#Pass2026").exists())
        self.client.logout()
        self.password_login("oscar", "Reset#Pass2026")
        self.assertRedirects(
            self.client.get(reverse("projects:list")),
            reverse("accounts:password-change"),
            fetch_redirect_response=False,
        )


class ExportEventsTestCase(BaseTestCase):
    def test_an_export_of_the_registry_records_what_and_how_many(self):
        self.login(self.alice)
        response = self.client.get(reverse("transfer:export"))
        self.assertEqual(response.status_code, 200)
        entry = AuditEntry.objects.filter(action=Action.EXPORT).latest("seq")
        self.assertEqual(entry.actor, self.alice)
        self.assertEqual(entry.changes, {"rows": [None, 2]})
        self.assertIn("xlsx", entry.target_repr)
