"""The battle maps, the project map and 四多四少 take as many queries for forty projects as for
four: each page reads its rows in a fixed number of queries, however long the list."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongjian.projects.models import AnnualListing, Milestone, MilestoneKind
from gongjian.test import BaseTestCase


class PageQueryCountTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.kinds = list(MilestoneKind.objects.filter(is_active=True)[:4])
        cls.first = cls.add_projects(4)

    @classmethod
    def add_projects(cls, count: int) -> list:
        projects = []
        for index in range(count):
            project = cls.make_project(
                name=f"查询计数项目{len(projects)}-{index}",
                latitude=Decimal("36.4"),
                longitude=Decimal("117.1"),
                total_investment=Decimal(20000 * (index + 1)),
            )
            for year in (2025, 2026):
                AnnualListing.objects.create(
                    project=project, year=year, level="city", planned_investment=Decimal("1000")
                )
            for offset, kind in enumerate(cls.kinds):
                Milestone.objects.create(
                    project=project,
                    kind=kind,
                    baseline_date=datetime.date(2026, 3, 1),
                    planned_date=datetime.date(2026, 3 + offset, 1),
                    actual_date=datetime.date(2026, 4, 1) if offset % 2 else None,
                )
            projects.append(project)
        return projects

    def count(self, url: str, **params) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, url)
        return len(queries)

    def test_query_counts_do_not_grow_with_the_projects(self):
        self.client.force_login(self.alice)
        pages = {
            "unit battle map": (reverse("maps:unit-battle", args=[self.town_a.pk]), {}),
            "project battle map": (reverse("maps:battle", args=[self.first[0].pk]), {}),
            "map data": (reverse("maps:map-data"), {}),
            "map page": (reverse("maps:map"), {}),
            "四多四少": (reverse("maps:structure"), {"year": 2026, "month": 9}),
        }
        for url, params in pages.values():  # fill the cached lists (lib/cached_lists.py) first
            self.client.get(url, params)
        before = {name: self.count(url, **params) for name, (url, params) in pages.items()}
        latest = self.add_projects(36)[-1]
        unit_board = self.client.get(pages["unit battle map"][0])
        self.assertContains(unit_board, latest.name)
        points = self.client.get(pages["map data"][0]).json()["projects"]
        self.assertEqual(len(points), 40)
        for name, (url, params) in pages.items():
            with self.subTest(name):
                self.assertEqual(self.count(url, **params), before[name])
                self.assertLessEqual(before[name], 12)
