from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from gongjian.audit.models import AuditEntry
from gongjian.projects.forms import EDIT_FIELDS
from gongjian.projects.models import Project
from gongjian.test import BaseTestCase


def form_data(project: Project, **changes) -> dict:
    data = {}
    for name in EDIT_FIELDS:
        value = getattr(project, name)
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data["version"] = project.version
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class ProjectEditTestCase(BaseTestCase):
    def url(self, project=None):
        return reverse("projects:edit", args=[(project or self.project_a).pk])

    def test_it_saves_and_audits_a_change(self):
        self.login(self.ursula)
        response = self.client.post(self.url(), form_data(self.project_a, address="东湖路1号"))
        self.assertRedirects(response, reverse("projects:detail", args=[self.project_a.pk]))
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.address, "东湖路1号")
        self.assertEqual(self.project_a.version, 2)
        entry = AuditEntry.objects.get(project_id=self.project_a.pk, action="update")
        self.assertEqual(entry.actor, self.ursula)
        self.assertEqual(entry.changes, {"address": ["", "东湖路1号"]})
        page = self.client.get(reverse("projects:detail", args=[self.project_a.pk]))
        self.assertContains(page, "东湖路1号")
        self.assertContains(page, "ursula".title())
        # The history names the field as people read it, not as the code does.
        self.assertContains(page, "Address: <del>∅</del> → <ins>东湖路1号</ins>", html=False)

    def test_it_refuses_to_overwrite_a_newer_version(self):
        self.login(self.ursula)
        stale = form_data(self.project_a, address="我的地址")
        self.client.force_login(self.alice)
        self.client.post(self.url(), form_data(self.project_a, address="别人的地址"))
        self.login(self.ursula)
        response = self.client.post(self.url(), stale)
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Someone else saved this project", status_code=409)
        self.assertContains(response, "别人的地址", status_code=409)
        self.assertContains(response, 'value="我的地址"', status_code=409)  # nothing typed is lost
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.address, "别人的地址")
        # Saving again from the conflict page keeps the user's version on purpose.
        retry = dict(stale, version=self.project_a.version)
        self.assertEqual(self.client.post(self.url(), retry).status_code, 302)
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.address, "我的地址")

    def test_it_names_the_field_with_a_bad_code(self):
        self.login(self.alice)
        response = self.client.post(
            self.url(), form_data(self.project_a, code="2024-12-1", owner_uscc="91110000600037341X")
        )
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("must look like", form.errors["code"][0])
        self.assertIn("check character", form.errors["owner_uscc"][0])
        self.assertFalse(AuditEntry.objects.filter(project_id=self.project_a.pk).exists())

    def test_it_rejects_a_duplicate_project_code(self):
        self.login(self.alice)
        response = self.client.post(self.url(), form_data(self.project_a, code=self.project_b.code))
        self.assertIn("already has this project code", str(response.context["form"].errors))

    def test_it_does_not_let_a_unit_move_a_project_out_of_its_scope(self):
        self.login(self.ursula)
        response = self.client.post(
            self.url(), form_data(self.project_a, responsible_unit=self.town_b.pk)
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("responsible_unit", response.context["form"].errors)

    def test_it_ignores_baseline_fields_in_the_edit_form(self):
        self.login(self.alice)
        self.client.post(self.url(), form_data(self.project_a, total_investment="1"))
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.total_investment, Decimal("120000"))


class ProjectCreateTestCase(BaseTestCase):
    def test_it_creates_a_project_with_its_original_baseline_and_milestones(self):
        self.login(self.ursula)
        data = form_data(
            self.project_a,
            name="东湖数据中心",
            code="2501-379901-89-01-000001",
            total_investment="88000",
            planned_start="2026-03-01",
            planned_end="2027-12-31",
        )
        data.pop("version")
        response = self.client.post(reverse("projects:create"), data)
        project = Project.objects.get(name="东湖数据中心")
        self.assertRedirects(response, reverse("projects:detail", args=[project.pk]))
        self.assertEqual(project.original_total_investment, Decimal("88000"))
        self.assertEqual(str(project.original_start), "2026-03-01")
        self.assertEqual(project.milestones.count(), 12)
        entry = AuditEntry.objects.get(target_type="projects.Project", target_id=project.pk)
        self.assertEqual(entry.action, "create")
        self.assertEqual(entry.changes["name"], [None, "东湖数据中心"])

    def test_it_rejects_completion_before_start(self):
        self.login(self.alice)
        data = form_data(
            self.project_a,
            name="X",
            code="",
            total_investment="1",
            planned_start="2026-03-01",
            planned_end="2025-12-31",
        )
        response = self.client.post(reverse("projects:create"), data)
        self.assertIn("planned_end", response.context["form"].errors)


class RebaselineTestCase(BaseTestCase):
    def test_it_logs_a_new_baseline_and_keeps_the_original(self):
        self.login(self.alice)
        url = reverse("projects:rebaseline", args=[self.project_a.pk])
        response = self.client.post(
            url,
            {
                "total_investment": "150000",
                "planned_start": "2026-01-01",
                "planned_end": "2028-06-30",
                "reason": "增加二期厂房",
                "approved_by": "市发改委",
                "approved_on": "2026-10-08",
            },
        )
        self.assertRedirects(response, reverse("projects:detail", args=[self.project_a.pk]))
        self.project_a.refresh_from_db()
        self.assertEqual(self.project_a.total_investment, Decimal("150000"))
        self.assertEqual(self.project_a.original_total_investment, Decimal("120000"))
        record = self.project_a.rebaselines.get()
        self.assertEqual(
            (record.old_total_investment, record.approved_by), (Decimal("120000"), "市发改委")
        )
        entry = AuditEntry.objects.get(project_id=self.project_a.pk, action="update")
        self.assertEqual(entry.changes["total_investment"], ["120000", "150000"])
        self.assertIn("增加二期厂房", entry.note)
        page = self.client.get(reverse("projects:detail", args=[self.project_a.pk]))
        self.assertContains(page, "增加二期厂房")

    def test_it_requires_a_reason_and_a_change(self):
        self.login(self.alice)
        url = reverse("projects:rebaseline", args=[self.project_a.pk])
        response = self.client.post(
            url, {"total_investment": "120000", "approved_by": "x", "approved_on": "2026-10-08"}
        )
        form = response.context["form"]
        self.assertIn("reason", form.errors)
        self.assertIn("Nothing changed", str(form.non_field_errors()))
        self.assertFalse(self.project_a.rebaselines.exists())


class ChildEditTestCase(BaseTestCase):
    def test_it_adds_a_listing_and_audits_it(self):
        self.login(self.ursula)
        url = reverse("projects:listing-create", args=[self.project_a.pk])
        response = self.client.post(
            url, {"year": 2026, "level": "city", "planned_investment": "30000"}
        )
        self.assertRedirects(response, reverse("projects:detail", args=[self.project_a.pk]))
        self.assertEqual(self.project_a.listings.get().planned_investment, Decimal("30000"))
        self.assertTrue(
            AuditEntry.objects.filter(
                target_type="projects.AnnualListing", action="create"
            ).exists()
        )

    def test_it_refuses_a_second_listing_for_the_same_year(self):
        self.login(self.ursula)
        url = reverse("projects:listing-create", args=[self.project_a.pk])
        self.client.post(url, {"year": 2026, "level": "city", "planned_investment": "30000"})
        response = self.client.post(
            url, {"year": 2026, "level": "province", "planned_investment": "1"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.project_a.listings.count(), 1)

    def test_it_records_a_milestone_date(self):
        self.login(self.ursula)
        milestone = self.project_a.milestones.create(kind_id=1)
        url = reverse("projects:milestone-edit", args=[self.project_a.pk, milestone.pk])
        self.client.post(
            url,
            {
                "planned_date": "2026-02-01",
                "actual_date": "2026-02-10",
                "owner_unit": self.dept.pk,
                "owner_person": "李工",
            },
        )
        milestone.refresh_from_db()
        self.assertEqual(str(milestone.actual_date), "2026-02-10")
        entry = AuditEntry.objects.get(target_type="projects.Milestone", action="update")
        self.assertEqual(entry.changes["actual_date"], [None, "2026-02-10"])


class ProjectFormLayoutTestCase(BaseTestCase):
    def test_every_field_appears_in_exactly_one_section(self):
        from gongjian.projects.forms import BASELINE_FIELDS, EDIT_FIELDS, FIELDSETS

        laid_out = [name for _title, names in FIELDSETS for name in names]
        self.assertCountEqual(laid_out, EDIT_FIELDS + BASELINE_FIELDS)
