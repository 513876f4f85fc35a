"""三员分立 in /admin/: the system, security and audit administrators each reach their own work
only; nobody changes or deletes the audit trail."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts import access_admin
from gongjian.accounts.models import AdminRole, Role, RoleGrant, User
from gongjian.audit.models import AuditArchive, AuditEntry
from gongjian.test import BaseTestCase

# The specification, written out here rather than read from access.py: whose work each model
# is. Every other registered model is configuration, the system administrator's.
SECURITY_MODELS = {
    "accounts.rolegrant",
    "auth.group",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
}
AUDIT_MODELS = {"audit.auditentry", "audit.auditarchive"}
LOOKED_UP_BY_SECURITY = {"accounts.unit", "accounts.region"}
SHARED = {"accounts.user"}  # basic fields: system; rights: security (tested on their own)


def owner(label: str) -> str:
    if label in SECURITY_MODELS:
        return AdminRole.SECURITY
    if label in AUDIT_MODELS:
        return AdminRole.AUDIT
    return AdminRole.SYSTEM


def may_list(role: str, label: str) -> bool:
    return owner(label) == role or (role == AdminRole.SECURITY and label in LOOKED_UP_BY_SECURITY)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


class AdminRolesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sysadmin = cls.make_admin("sysadmin", AdminRole.SYSTEM)
        cls.secadmin = cls.make_admin("secadmin", AdminRole.SECURITY)
        cls.auditor = cls.make_admin("auditor", AdminRole.AUDIT)
        cls.root = User.objects.create_superuser("root", password="password")
        # One row of each model the loop below may lack.
        Group.objects.create(name="观察员")
        AccessAttempt.objects.create(
            username="boris", ip_address="10.0.0.1", user_agent="x", failures_since_start=5,
            get_data="", post_data="", http_accept="", path_info="/accounts/login/",
        )  # fmt: skip
        TOTPDevice.objects.create(user=cls.boris, name="phone", confirmed=True)
        AuditArchive.objects.create(
            file_name="audit-x.jsonl.gz", first_seq=0, last_seq=0, first_id=0, last_id=0,
            count=0, prev_hash="0" * 64, last_hash="0" * 64, file_sha256="0" * 64,
            older_than=timezone.now(),
        )  # fmt: skip

    @classmethod
    def make_admin(cls, username: str, role: str) -> User:
        return User.objects.create_user(username, password="password", admin_role=role)

    def as_role(self, role: str) -> User:
        user = {AdminRole.SYSTEM: self.sysadmin, AdminRole.SECURITY: self.secadmin}.get(
            role, self.auditor
        )
        self.client.force_login(user)
        return user

    def test_each_role_lists_its_own_models_and_no_others(self):
        for model in admin.site._registry:
            label = model._meta.label_lower
            if label in SHARED:
                continue
            for role in (AdminRole.SYSTEM, AdminRole.SECURITY, AdminRole.AUDIT):
                with self.subTest(model=label, role=role):
                    self.as_role(role)
                    response = self.client.get(url(model, "changelist"))
                    self.assertEqual(response.status_code, 200 if may_list(role, label) else 403)

    def test_nobody_adds_changes_or_deletes_anothers_models(self):
        for model in admin.site._registry:
            label = model._meta.label_lower
            if label in SHARED:
                continue
            obj = model._default_manager.first()
            for role in (AdminRole.SYSTEM, AdminRole.SECURITY, AdminRole.AUDIT):
                if owner(label) == role:
                    continue
                with self.subTest(model=label, role=role):
                    self.as_role(role)
                    self.assertEqual(self.client.post(url(model, "add"), {}).status_code, 403)
                    if obj is None:
                        continue
                    change = url(model, "change", obj.pk)
                    self.assertEqual(self.client.post(change, {}).status_code, 403)
                    self.assertEqual(self.client.get(url(model, "delete", obj.pk)).status_code, 403)
                    self.assertEqual(
                        self.client.post(url(model, "delete", obj.pk)).status_code, 403
                    )

    def test_the_auditor_sees_only_the_trail_on_the_index(self):
        self.client.force_login(self.auditor)
        page = self.client.get(reverse("admin:index")).content.decode()
        self.assertIn(url(AuditEntry, "changelist"), page)
        for model in admin.site._registry:
            if model._meta.label_lower not in AUDIT_MODELS:
                self.assertNotIn(url(model, "changelist"), page, model)

    def test_nobody_changes_or_deletes_an_audit_entry_not_even_a_superuser(self):
        entry = AuditEntry.objects.order_by("seq").first()
        for user in (self.sysadmin, self.secadmin, self.auditor, self.root):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                change = url(AuditEntry, "change", entry.pk)
                self.assertEqual(self.client.post(change, {"note": "x"}).status_code, 403)
                self.assertEqual(
                    self.client.post(url(AuditEntry, "delete", entry.pk)).status_code, 403
                )
                changelist = url(AuditEntry, "changelist")
                action = {
                    "action": "delete_selected",
                    "_selected_action": [entry.pk],
                    "post": "yes",
                }
                self.client.post(changelist, action)
        self.assertTrue(AuditEntry.objects.filter(pk=entry.pk, note=entry.note).exists())

    def test_the_auditor_exports_a_filtered_range_and_the_export_is_audited(self):
        self.client.force_login(self.auditor)
        response = self.client.get(
            reverse("admin:audit_auditentry_export"),
            {"action__exact": "permission"},
        )
        self.assertEqual(response.status_code, 200)
        text = b"".join(response.streaming_content).decode()
        self.assertTrue(text.startswith("\ufeff"))
        lines = text.strip().splitlines()
        permission = AuditEntry.objects.filter(action="permission").count()
        self.assertEqual(len(lines), 1 + permission)
        self.assertTrue(all("Rights changed" in line for line in lines[1:]))
        export = AuditEntry.objects.filter(action="export").latest("seq")
        self.assertEqual(
            (export.actor, export.changes), (self.auditor, {"rows": [None, permission]})
        )
        self.assertIn("action__exact=permission", export.note)

    def test_the_export_link_carries_the_lists_filters(self):
        self.client.force_login(self.auditor)
        page = self.client.get(url(AuditEntry, "changelist"), {"action__exact": "login"})
        self.assertContains(page, url(AuditEntry, "changelist") + "export/?action__exact=login")

    def test_group_permissions_never_widen_an_administrators_reach(self):
        group = Group.objects.create(name="审计查看")
        group.permissions.add(Permission.objects.get(codename="view_auditentry"))
        self.sysadmin.groups.add(group)
        self.client.force_login(self.sysadmin)
        self.assertEqual(self.client.get(url(AuditEntry, "changelist")).status_code, 403)

    def test_only_administrators_enter(self):
        staff = User.objects.create_user("staff", password="password", is_staff=True)
        for user in (staff, self.alice, self.oscar):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(
                    self.client.get(reverse("admin:index"), follow=True).status_code, 403
                )
        self.client.logout()
        response = self.client.get(reverse("admin:index"), follow=True)
        self.assertEqual(
            response.redirect_chain[-1][0], reverse("accounts:login") + "?next=%2Fadmin%2F"
        )


class AccountsSplitTestCase(BaseTestCase):
    """A user account's basic fields are the system administrator's, its rights the security
    administrator's."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sysadmin = User.objects.create_user(
            "sysadmin", password="password", admin_role="system"
        )
        cls.secadmin = User.objects.create_user(
            "secadmin", password="password", admin_role="security"
        )
        cls.auditor = User.objects.create_user("auditor", password="password", admin_role="audit")

    def change_data(self, user: User, **changes) -> dict:
        """What the account's change form posts, read from the page as the browser would."""
        page = self.client.get(url(User, "change", user.pk))
        form = page.context["adminform"].form
        data = {}
        for name in form.fields:
            value = form[name].value()
            if name == "password" or value is None or value is False:
                continue
            if name in ("date_joined", "last_login"):
                continue
            data[name] = [str(v) for v in value] if isinstance(value, list) else value
        data.update({"grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0"})
        for formset in page.context["inline_admin_formsets"]:
            management = formset.formset.management_form
            data[management["TOTAL_FORMS"].html_name] = management["TOTAL_FORMS"].value()
            data[management["INITIAL_FORMS"].html_name] = management["INITIAL_FORMS"].value()
            for i, inline in enumerate(formset.formset.forms):
                for name in inline.fields:
                    value = inline[name].value()
                    if value is not None:
                        data[f"{formset.formset.prefix}-{i}-{name}"] = value
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def test_the_system_administrator_edits_basic_fields_but_not_rights(self):
        self.client.force_login(self.sysadmin)
        data = self.change_data(self.oscar, display_name="奥斯卡", admin_role="security")
        self.assertEqual(
            self.client.post(url(User, "change", self.oscar.pk), data).status_code, 302
        )
        self.oscar.refresh_from_db()
        self.assertEqual((self.oscar.display_name, self.oscar.admin_role), ("奥斯卡", ""))
        page = self.client.get(url(User, "change", self.oscar.pk))
        self.assertEqual(page.context["inline_admin_formsets"], [])  # no role grants
        self.assertNotIn("groups", page.context["adminform"].form.fields)
        self.assertEqual(
            self.client.get(
                reverse("admin:auth_user_password_change", args=[self.oscar.pk])
            ).status_code,
            403,
        )

    def test_the_system_administrator_creates_accounts_who_then_choose_their_password(self):
        self.client.force_login(self.sysadmin)
        response = self.client.post(
            url(User, "add"),
            {"username": "newbie", "usable_password": "true",
             "password1": "Qingchuan#2026x", "password2": "Qingchuan#2026x"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.get(username="newbie").must_change_password)

    def test_the_system_administrator_leaves_administrators_accounts_alone(self):
        self.client.force_login(self.sysadmin)
        for account in (self.auditor, self.secadmin):
            with self.subTest(account=account.username):
                self.assertEqual(
                    self.client.post(
                        url(User, "change", account.pk), {"is_active": ""}
                    ).status_code,
                    403,
                )
                self.assertEqual(self.client.post(url(User, "delete", account.pk)).status_code, 403)
        self.assertTrue(User.objects.get(pk=self.auditor.pk).is_active)

    def test_the_security_administrator_grants_rights_but_not_basic_fields(self):
        self.client.force_login(self.secadmin)
        group = Group.objects.create(name="观察员")
        data = self.change_data(
            self.oscar,
            display_name="改名",
            admin_role="audit",
            groups=[str(group.pk)],
            **{
                "grants-TOTAL_FORMS": "1",
                "grants-0-role": Role.LEADER,
                "grants-0-unit": self.city.pk,
            },
        )
        response = self.client.post(url(User, "change", self.oscar.pk), data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["adminform"].form.errors,
        )
        self.oscar.refresh_from_db()
        self.assertEqual(self.oscar.admin_role, "audit")
        self.assertNotEqual(self.oscar.display_name, "改名")
        self.assertEqual(list(self.oscar.groups.all()), [group])
        self.assertTrue(RoleGrant.objects.filter(user=self.oscar, role=Role.LEADER).exists())
        self.assertEqual(self.client.post(url(User, "add"), {}).status_code, 403)
        self.assertEqual(self.client.post(url(User, "delete", self.oscar.pk)).status_code, 403)

    def test_nobody_changes_their_own_rights(self):
        self.client.force_login(self.secadmin)
        response = self.client.post(url(User, "change", self.secadmin.pk), {"admin_role": "system"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(User.objects.get(pk=self.secadmin.pk).admin_role, "security")
        self.assertFalse(access_admin.may_change_rights(self.secadmin, self.secadmin))

    def test_an_administrator_cannot_also_be_a_superuser(self):
        root = User.objects.create_superuser("root", password="password")
        self.client.force_login(root)
        data = self.change_data(self.oscar, admin_role="audit", is_superuser="on")
        response = self.client.post(url(User, "change", self.oscar.pk), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("cannot be a superuser", str(response.context["adminform"].form.errors))

    def test_the_security_administrator_resets_a_password_and_the_person_must_choose_their_own(
        self,
    ):
        self.client.force_login(self.secadmin)
        response = self.client.post(
            reverse("admin:auth_user_password_change", args=[self.oscar.pk]),
            {
                "usable_password": "true",
                "password1": "Reset#Pass2026",
                "password2": "Reset#Pass2026",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.oscar.refresh_from_db()
        self.assertTrue(self.oscar.must_change_password)
        self.assertTrue(self.oscar.check_password("Reset#Pass2026"))
        entry = AuditEntry.objects.filter(action="password").latest("seq")
        self.assertEqual(
            (entry.actor, entry.target_id, entry.note),
            (self.secadmin, self.oscar.pk, "reset by administrator"),
        )
        self.assertEqual(
            self.client.get(
                reverse("admin:auth_user_password_change", args=[self.secadmin.pk])
            ).status_code,
            403,
        )

    def test_the_security_administrator_unlocks_accounts_and_resets_second_factors(self):
        attempt = AccessAttempt.objects.create(
            username="boris", ip_address="10.0.0.1", user_agent="x", failures_since_start=5,
            get_data="", post_data="", http_accept="", path_info="/accounts/login/",
        )  # fmt: skip
        device = TOTPDevice.objects.create(user=self.boris, name="phone", confirmed=True)
        self.client.force_login(self.sysadmin)
        self.assertEqual(
            self.client.post(url(AccessAttempt, "delete", attempt.pk), {"post": "yes"}).status_code,
            403,
        )
        self.assertEqual(
            self.client.post(url(TOTPDevice, "delete", device.pk), {"post": "yes"}).status_code, 403
        )
        self.client.force_login(self.secadmin)
        page = self.client.get(url(TOTPDevice, "change", device.pk))
        self.assertNotContains(page, device.key)  # the secret stays secret
        self.assertEqual(
            self.client.post(url(AccessAttempt, "delete", attempt.pk), {"post": "yes"}).status_code,
            302,
        )
        self.assertEqual(
            self.client.post(url(TOTPDevice, "delete", device.pk), {"post": "yes"}).status_code, 302
        )
        self.assertFalse(AccessAttempt.objects.exists() or TOTPDevice.objects.exists())
        actions = set(
            AuditEntry.objects.filter(
                target_type="accounts.User", target_id=self.boris.pk, actor=self.secadmin
            ).values_list("action", "note")
        )
        self.assertEqual(
            actions,
            {("lockout", "unlocked by administrator"), ("second_factor", "reset by administrator")},
        )
