from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongjian.projects.models import AnnualListing, Industry, Stage
from gongjian.test import BaseTestCase


class ProjectListTestCase(BaseTestCase):
    url = reverse("projects:list")

    def names(self, response) -> list[str]:
        return [p.name for p in response.context["page"].object_list]

    def get(self, user=None, **params):
        self.login(user or self.alice)
        return self.client.get(self.url, params)

    def test_it_lists_projects_by_investment(self):
        response = self.get()
        self.assertEqual(self.names(response), [self.project_a.name, self.project_b.name])
        self.assertContains(response, "120,000")

    def test_it_finds_by_pinyin_initials(self):
        self.assertEqual(self.names(self.get(q="cqca")), [self.project_a.name])

    def test_it_finds_by_full_pinyin_name_code_and_owner(self):
        self.assertEqual(self.names(self.get(q="chongqingchangan")), [self.project_a.name])
        self.assertEqual(self.names(self.get(q="2020-379901")), [self.project_b.name])
        self.assertEqual(self.names(self.get(q="西山能源")), [self.project_b.name])
        self.assertEqual(self.names(self.get(q="锂电池")), [self.project_b.name])

    def test_it_requires_every_search_word(self):
        self.assertEqual(self.names(self.get(q="重庆 零部件")), [self.project_a.name])
        self.assertEqual(self.names(self.get(q="重庆 隔膜")), [])

    def test_it_filters_by_stage_industry_unit_and_leader(self):
        other_stage = Stage.objects.get(code="preliminary")
        self.make_project(
            name="前期项目",
            stage=other_stage,
            responsible_unit=self.town_b,
            industry=Industry.objects.get(code="pharma"),
        )
        self.assertEqual(self.names(self.get(stage=other_stage.pk)), ["前期项目"])
        self.assertEqual(
            self.names(self.get(industry=Industry.objects.get(code="pharma").pk)), ["前期项目"]
        )
        self.assertEqual(self.names(self.get(unit=self.town_a.pk)), [self.project_a.name])
        self.assertEqual(self.names(self.get(leader=self.leo.pk)), [self.project_a.name])

    def test_it_filters_by_level_and_year(self):
        AnnualListing.objects.create(
            project=self.project_a, year=2026, level="province", planned_investment=Decimal("30000")
        )
        AnnualListing.objects.create(
            project=self.project_b, year=2026, level="city", planned_investment=Decimal("8000")
        )
        AnnualListing.objects.create(
            project=self.project_b, year=2025, level="province", planned_investment=Decimal("5000")
        )
        self.assertEqual(self.names(self.get(year=2026, level="province")), [self.project_a.name])
        self.assertEqual(self.names(self.get(year=2025, level="province")), [self.project_b.name])
        self.assertEqual(self.names(self.get(year=2025)), [self.project_b.name])
        response = self.get(year=2026)
        self.assertContains(response, "30,000")

    def test_it_filters_by_flags(self):
        self.project_b.is_secretary_project = True
        self.project_b.investment_source = "foreign"
        self.project_b.save()
        self.assertEqual(self.names(self.get(flag="is_secretary_project")), [self.project_b.name])
        self.assertEqual(
            self.names(self.get(flag=["is_secretary_project", "foreign"])), [self.project_b.name]
        )
        self.assertEqual(self.names(self.get(flag="is_high_tech")), [])

    def test_it_sorts(self):
        self.assertEqual(
            self.names(self.get(sort="-investment")), [self.project_b.name, self.project_a.name]
        )
        self.assertEqual(
            self.names(self.get(sort="name")), sorted([self.project_a.name, self.project_b.name])
        )

    def test_it_paginates_25_rows(self):
        for i in range(30):
            self.make_project(name=f"批量项目{i:02d}", total_investment=Decimal(1000 + i))
        first = self.get()
        self.assertEqual(len(self.names(first)), 25)
        self.assertEqual(first.context["page"].paginator.count, 32)
        self.assertEqual(len(self.names(self.get(page=2))), 7)

    def test_it_returns_only_the_rows_to_htmx(self):
        self.login(self.alice)
        response = self.client.get(
            self.url, {"q": "cqca"}, headers={"HX-Request": "true", "HX-Target": "project-rows"}
        )
        self.assertContains(response, self.project_a.name)
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, 'id="filters"')

    def test_it_shows_a_unit_only_its_projects(self):
        self.assertEqual(self.names(self.get(self.ursula)), [self.project_a.name])

    def test_it_treats_bad_filter_values_as_no_match(self):
        response = self.get(stage="not-a-number")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.names(response), [])

    def test_its_query_count_does_not_grow_with_rows(self):
        type(self.project_a).objects.filter(pk=self.project_a.pk).update(is_manufacturing=True)
        self.login(self.alice)
        self.client.get(self.url)  # warm caches (session, content types)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(
                    self.url, {"q": "项目", "stage": self.stage.pk, "flag": "is_manufacturing"}
                )
            return len(ctx.captured_queries)

        few = count_queries()
        for i in range(25):
            self.make_project(name=f"制造项目{i}", is_manufacturing=True, leader=self.leo)
        AnnualListing.objects.bulk_create(
            [
                AnnualListing(project=p, year=2026, level="city", planned_investment=1)
                for p in type(self.project_a).objects.all()
            ]
        )
        many = count_queries()
        self.assertEqual(few, many)
        self.assertLessEqual(many, 12)

    def test_the_unit_filter_offers_only_units_in_scope(self):
        self.login(self.ursula)
        response = self.client.get(self.url)
        unit_field = response.context["filters"]["unit"]
        labels = [label for _value, label in unit_field.field.choices]
        self.assertIn("东湖街道", labels)
        self.assertNotIn("西山镇", labels)
