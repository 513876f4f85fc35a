"""`manage.py seed_demo`: the demo city, its projects and logins, re-runs and bulk generation."""

from __future__ import annotations

import random
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import TestCase
from django.utils import timezone

from gongjian.accounts.models import Region, Role, RoleGrant, Unit, User
from gongjian.audit.models import AuditEntry
from gongjian.demo import city as demo
from gongjian.demo import names as demo_names
from gongjian.lib.codes import is_valid_project_code, is_valid_uscc, region_code_error
from gongjian.lib.search import search_text_for
from gongjian.projects.access import visible_projects
from gongjian.projects.models import (
    AnnualListing,
    Category,
    ConstructionType,
    Milestone,
    MilestoneKind,
    Project,
    Rebaseline,
    Stage,
)
from gongjian.test import password_login
from gongjian.test.demo import DemoCityTestCase

LEADING_INDUSTRIES = {"chemical", "machinery", "lithium", "pharma", "digital"}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


class SeedDemoTestCase(DemoCityTestCase):
    """The demo city as seed_demo builds it on an empty database (gongjian/test/demo.py)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.output = cls.demo_output
        cls.city = Unit.objects.get(name="青川市人民政府", parent=None)

    def counts(self) -> dict[str, int]:
        models = (Region, Unit, User, RoleGrant, Project, AnnualListing, Milestone, Rebaseline,
                  AuditEntry)  # fmt: skip
        return {model.__name__: model.objects.count() for model in models}

    def test_it_builds_counties_towns_parks_departments_and_enterprises(self):
        counties = Unit.objects.filter(kind=Unit.Kind.GOVERNMENT, parent=self.city)
        self.assertEqual(
            sorted(counties.values_list("region__code", flat=True)), ["379901", "379902", "379903"]
        )
        towns = Unit.objects.filter(kind=Unit.Kind.TOWN)
        self.assertEqual(towns.count(), 12)
        self.assertEqual({t.parent for t in towns}, set(counties))
        self.assertEqual(Unit.objects.filter(kind=Unit.Kind.PARK).count(), 4)
        departments = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, parent=self.city)
        self.assertGreaterEqual(departments.count(), 10)
        self.assertTrue(departments.filter(name="市自然资源局").exists())
        enterprises = Unit.objects.filter(kind=Unit.Kind.ENTERPRISE)
        self.assertGreaterEqual(enterprises.count(), 40)
        self.assertFalse(enterprises.exclude(parent=None).exists())
        self.assertTrue(all(is_valid_uscc(e.uscc) for e in enterprises))
        self.assertTrue(all(region_code_error(r.code) is None for r in Region.objects.all()))

    def test_projects_spread_over_the_leading_industries_and_default_lists(self):
        projects = Project.objects.all()
        self.assertEqual(projects.count(), demo.DEMO_PROJECTS)
        per_industry = dict(
            projects.values_list("industry__code").annotate(n=Count("id")).order_by()
        )
        for industry in LEADING_INDUSTRIES:
            self.assertGreaterEqual(per_industry.get(industry, 0), 30, industry)
        for field, model in (("stage", Stage), ("category", Category),
                             ("construction_type", ConstructionType)):  # fmt: skip
            used = set(projects.values_list(f"{field}__code", flat=True))
            self.assertEqual(used, set(model.objects.values_list("code", flat=True)), model)
        kinds = set(projects.values_list("responsible_unit__kind", flat=True))
        self.assertEqual(kinds, {Unit.Kind.TOWN, Unit.Kind.PARK})
        totals = [float(t) for t in projects.values_list("total_investment", flat=True)]
        self.assertTrue(all(5_000 <= t <= 500_000 for t in totals))
        self.assertTrue(any(t >= 100_000 for t in totals))

    def test_every_project_has_valid_codes_milestones_and_a_listing(self):
        codes = list(Project.objects.values_list("code", flat=True))
        self.assertEqual(len(set(codes)), len(codes))
        self.assertEqual([c for c in codes if not is_valid_project_code(c)], [])
        self.assertTrue(any(c[:4] <= "2020" for c in codes), "some old-form (year) codes")
        usccs = set(Project.objects.values_list("owner_uscc", flat=True))
        self.assertTrue(all(is_valid_uscc(u) for u in usccs))
        enterprise_usccs = Unit.objects.filter(kind=Unit.Kind.ENTERPRISE).values_list(
            "uscc", flat=True
        )
        self.assertLessEqual(usccs, set(enterprise_usccs))
        kinds = MilestoneKind.objects.filter(is_active=True).count()
        counted = Project.objects.annotate(
            milestones_n=Count("milestones", distinct=True),
            listings_n=Count("listings", distinct=True),
        )
        self.assertFalse(counted.filter(~Q(milestones_n=kinds) | Q(listings_n=0)).exists())

    def test_listing_levels_are_mostly_county_and_city(self):
        levels = list(AnnualListing.objects.values_list("level", flat=True))
        share = {level: levels.count(level) / len(levels) for level in set(levels)}
        self.assertTrue(0.04 <= share["province"] <= 0.2, share)
        self.assertTrue(0.25 <= share["city"] <= 0.45, share)
        this_year = timezone.localdate().year
        self.assertEqual(
            set(AnnualListing.objects.values_list("year", flat=True)), {this_year - 1, this_year}
        )

    def test_milestones_are_reached_in_the_past_only(self):
        today = timezone.localdate()
        self.assertFalse(Milestone.objects.filter(actual_date__gt=today).exists())
        started = Milestone.objects.filter(kind__code="start", project__stage__is_started=True)
        self.assertFalse(started.filter(actual_date=None).exists())
        not_started = Milestone.objects.filter(project__stage__code__in=["planning", "signed"])
        self.assertFalse(not_started.exclude(actual_date=None).exists())
        self.assertFalse(Milestone.objects.filter(owner_unit=None).exists())

    def test_rebaselined_projects_keep_their_original_baseline(self):
        self.assertEqual(Rebaseline.objects.count(), demo.DEMO_REBASELINES)
        for record in Rebaseline.objects.select_related("project"):
            project = record.project
            self.assertEqual(project.original_total_investment, record.old_total_investment)
            self.assertEqual(project.total_investment, record.new_total_investment)
            self.assertEqual(project.original_start, record.old_start)
            self.assertTrue(record.reason and record.approved_by)
        unchanged = Project.objects.exclude(rebaselines__isnull=False)
        self.assertFalse(
            unchanged.exclude(
                original_total_investment=F("total_investment"),
                original_start=F("planned_start"),
                original_end=F("planned_end"),
            ).exists()
        )

    def test_each_persona_has_its_role_and_logs_in_with_the_demo_password(self):
        busiest_town = self.busiest(
            Project.objects.filter(responsible_unit__kind=Unit.Kind.TOWN), "responsible_unit"
        )
        owner_uscc = self.busiest(Project.objects.all(), "owner_uscc")
        expected = {
            "office": (Role.OFFICE, self.city),
            "leader": (Role.LEADER, self.city),
            "unit": (Role.UNIT, Unit.objects.get(pk=busiest_town)),
            "dept": (Role.DEPARTMENT, Unit.objects.get(name="市自然资源局")),
            "enterprise": (Role.ENTERPRISE, Unit.objects.get(uscc=owner_uscc)),
            "judge": (Role.JUDGE, self.city),
        }
        for username, (role, unit) in expected.items():
            user = User.objects.get(username=username)
            self.assertTrue(user.display_name)
            self.assertTrue(RoleGrant.objects.filter(user=user, role=role, unit=unit).exists())
            response = password_login(self.client, username, demo.DEMO_PASSWORD)
            self.assertEqual(response.status_code, 302, username)
            self.assertIn(username, self.output)

    def test_the_three_administrators_replace_a_superuser(self):
        self.assertFalse(User.objects.filter(is_superuser=True).exists())
        for username, role in (("sysadmin", "system"), ("secadmin", "security"),
                               ("auditor", "audit")):  # fmt: skip
            with self.subTest(username):
                admin = User.objects.get(username=username)
                self.assertEqual(admin.admin_role, role)
                self.assertFalse(admin.grants.exists())
                printed = [line.split()[:2] for line in self.output.splitlines()]
                self.assertIn([username, role], printed)
                response = password_login(self.client, username, demo.DEMO_PASSWORD)
                self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
                self.assertEqual(self.client.get("/admin/").status_code, 200)
                self.client.logout()

    def busiest(self, projects, field: str):
        counts = projects.values_list(field).annotate(n=Count("id")).order_by("-n")
        return counts[0][0]

    def test_leaders_are_responsible_for_projects(self):
        leaders = User.objects.filter(grants__role=Role.LEADER)
        self.assertGreaterEqual(leaders.count(), 4)
        self.assertTrue(Project.objects.filter(leader__username="leader").exists())
        self.assertFalse(Project.objects.exclude(leader__in=leaders).exists())

    def test_unit_and_enterprise_logins_see_their_own_projects(self):
        unit_user = User.objects.get(username="unit")
        town = unit_user.grants.get().unit
        own = Project.objects.filter(responsible_unit__path__startswith=town.path)
        self.assertGreater(own.count(), 10)
        self.assertEqual(set(visible_projects(unit_user)), set(own))
        enterprise_user = User.objects.get(username="enterprise")
        owned = Project.objects.filter(owner_uscc=enterprise_user.grants.get().unit.uscc)
        self.assertGreater(owned.count(), 5)
        self.assertEqual(set(visible_projects(enterprise_user)), set(owned))

    def test_running_again_changes_nothing(self):
        before = self.counts()
        output = seed()
        self.assertEqual(self.counts(), before)
        self.assertIn("already exists", output)
        self.assertIn("office", output)

    def test_projects_option_adds_that_many_searchable_projects(self):
        last_pk = Project.objects.order_by("-pk").values_list("pk", flat=True)[0]
        output = seed(projects=500)
        self.assertIn("Added 500 projects", output)
        added = Project.objects.filter(pk__gt=last_pk)
        self.assertEqual(added.count(), 500)
        codes = list(Project.objects.values_list("code", flat=True))
        self.assertEqual(len(set(codes)), len(codes))
        for project in added:
            self.assertTrue(is_valid_project_code(project.code), project.code)
            expected = search_text_for(project.name, project.code, project.owner_name)
            self.assertEqual(project.search_text, expected)
        new_materials = added.filter(name__contains="新材料")
        self.assertTrue(new_materials.exists())
        self.assertLessEqual(set(new_materials), set(added.filter(search_text__contains="xcl")))
        listed = AnnualListing.objects.filter(project__in=added, year=timezone.localdate().year)
        self.assertTrue(350 <= listed.count() < 500, listed.count())
        self.assertFalse(Milestone.objects.filter(project__in=added).exists())
        # What the benchmark searches for finds something.
        bench = Project.objects.filter(
            stage__code="construction", industry__code="lithium", is_manufacturing=True,
            search_text__contains="xcl",
        )  # fmt: skip
        self.assertTrue(bench.exists())


# The year of reports, the problems and the assessments that seed_demo adds after the city are
# most of its time (tens of seconds on PostgreSQL), and the same with or without --projects: the
# shared demo city's tests check them (gongjian/test/demo.py). Here they are only counted.
SEED_COMMAND = "gongjian.demo.management.commands.seed_demo"


class SeedDemoProjectsOnlyTestCase(TestCase):
    builds_demo_city = True  # in parallel runs, on the worker of the shared one (conftest.py)

    @mock.patch(f"{SEED_COMMAND}.seed_assessment")
    @mock.patch(f"{SEED_COMMAND}.seed_problems")
    @mock.patch(f"{SEED_COMMAND}.seed_dispatch")
    def test_projects_option_creates_the_demo_city_first(self, *seeders):
        output = seed(projects=20)
        self.assertIn("Created the demo city", output)
        self.assertEqual(Project.objects.count(), demo.DEMO_PROJECTS + 20)
        self.assertTrue(User.objects.filter(username="office").exists())
        for seeder in seeders:  # after the city and its projects, as without --projects
            seeder.assert_called_once_with(timezone.localdate())


class DemoNamesTestCase(TestCase):
    def test_name_vocabulary_fits_the_pinyin_cache(self):
        # Bulk generation is fast only while every name's pinyin stays cached (4,096 entries).
        names = sum(
            max(1, len(template.sizes)) * len(demo_names.PHASES)
            for spec in demo_names.ENTERPRISES
            for template in demo_names.templates_for(spec.brand, spec.industry)
        )
        self.assertLess(names, 4096)

    def test_generated_codes_are_valid(self):
        rng = random.Random(1)
        for _ in range(200):
            self.assertTrue(is_valid_uscc(demo_names.enterprise_uscc(rng, "379901")))
        taken: set[str] = set()
        today = timezone.localdate()
        for _ in range(200):
            issued = demo_names.code_issued(rng, today, today)
            self.assertLessEqual(issued, today)
            code = demo_names.project_code(rng, taken, issued, "379902", "26")
            self.assertTrue(is_valid_project_code(code), code)
        self.assertEqual(len(taken), 200)
