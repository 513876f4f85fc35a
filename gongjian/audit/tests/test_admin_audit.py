"""Writes made in /admin/ are audited like every other write."""

from __future__ import annotations

from django.urls import reverse

from gongjian.accounts.models import RoleGrant, User
from gongjian.audit.models import AuditEntry
from gongjian.projects.models import Stage
from gongjian.test import BaseTestCase


class AdminAuditTestCase(BaseTestCase):
    def setUp(self):
        self.root = User.objects.create_superuser("root", password="password")
        self.client.force_login(self.root)

    def test_renaming_a_stage_is_audited(self):
        stage = Stage.objects.get(code="construction")
        url = reverse("admin:projects_stage_change", args=[stage.pk])
        data = {
            "code": stage.code,
            "name": "施工中",
            "order": stage.order,
            "is_active": "on",
            "oc4ids_status": stage.oc4ids_status,
            "is_started": "on",
        }
        self.assertEqual(self.client.post(url, data).status_code, 302)
        entry = AuditEntry.objects.get(target_type="projects.Stage", target_id=stage.pk)
        self.assertEqual((entry.actor, entry.action), (self.root, "update"))
        self.assertEqual(entry.changes, {"name": ["在建", "施工中"]})

    def test_a_role_grant_added_inline_is_audited_without_the_password(self):
        url = reverse("admin:accounts_user_change", args=[self.oscar.pk])
        page = self.client.get(url)
        form = page.context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields if name != "password"}
        data.update(
            {
                "last_login_0": "",
                "last_login_1": "",
                "date_joined_0": "2026-01-01",
                "date_joined_1": "00:00:00",
                "is_active": "on",
                "grants-TOTAL_FORMS": "1",
                "grants-INITIAL_FORMS": "0",
                "grants-0-role": "leader",
                "grants-0-unit": self.city.pk,
            }
        )
        for key in ("is_staff", "is_superuser", "groups", "user_permissions"):
            data.pop(key, None)
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["adminform"].form.errors,
        )
        grant = RoleGrant.objects.get(user=self.oscar)
        created = AuditEntry.objects.get(target_type="accounts.RoleGrant", target_id=grant.pk)
        self.assertEqual(created.action, "create")
        self.assertFalse(AuditEntry.objects.filter(changes__has_key="password").exists())

    def test_the_trail_cannot_be_edited_in_admin(self):
        entry = AuditEntry.objects.create(
            action="update", target_type="x", target_id=1, target_repr="x"
        )
        url = reverse("admin:audit_auditentry_change", args=[entry.pk])
        self.assertNotContains(self.client.get(url), 'name="_save"')
