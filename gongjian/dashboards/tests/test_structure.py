"""四多四少: the comparison and its sentences (pure), and the page from the registry."""

from __future__ import annotations

from decimal import Decimal

from django.test import SimpleTestCase
from django.urls import reverse

from gongjian.dashboards.structure import Figure, compare, sentences
from gongjian.projects.models import AnnualListing
from gongjian.test import BaseTestCase


class SentenceTests(SimpleTestCase):
    def test_more_and_less(self):
        now = [
            Figure("over_1b", "10亿元以上", 8, Decimal(900000)),
            Figure("livelihood", "民生", 3, Decimal(30000)),
            Figure("foreign", "外资", 2, Decimal(10000)),
        ]
        before = [
            Figure("over_1b", "10亿元以上", 5, Decimal(600000)),
            Figure("livelihood", "民生", 6, Decimal(50000)),
            Figure("foreign", "外资", 2, Decimal(10000)),
        ]
        changes = compare(now, 40, before, 50)
        big = changes[0]
        self.assertEqual(
            (big.count_change, big.share, big.previous_share), (3, Decimal("20.0"), Decimal("10.0"))
        )
        lines = sentences(changes, Decimal(250000), Decimal(200000))
        self.assertIn("10亿元以上 projects 3 more (8, 20.0% of all)", lines[0])
        self.assertIn("民生 projects 3 fewer (3, 7.5% of all)", lines[1])
        self.assertNotIn("外资", " ".join(lines))  # unchanged: neither more nor less
        self.assertIn("25.00", lines[2])
        self.assertIn("5.00", lines[2])
        self.assertIn("more", lines[2])

    def test_nothing_changed(self):
        same = [Figure("foreign", "外资", 2, Decimal(10000))]
        self.assertEqual(len(sentences(compare(same, 2, same, 2), Decimal(0), Decimal(0))), 1)


class StructurePageTests(BaseTestCase):
    def test_counts_by_band_against_last_year(self):
        AnnualListing.objects.create(
            project=self.project_a, year=2026, level="city", planned_investment=1
        )
        AnnualListing.objects.create(
            project=self.project_b, year=2026, level="city", planned_investment=1
        )
        AnnualListing.objects.create(
            project=self.project_b, year=2025, level="city", planned_investment=1
        )
        self.client.force_login(self.leo)
        response = self.client.get(reverse("maps:structure"), {"year": 2026, "month": 9})
        changes = {c.key: c for c in response.context["changes"]}
        # project_a 120,000万 (≥10亿), project_b 52,000万 (5–10亿); last year only b.
        self.assertEqual((changes["over_1b"].count, changes["over_1b"].previous_count), (1, 0))
        self.assertEqual((changes["500m_1b"].count, changes["500m_1b"].previous_count), (1, 1))
        self.assertContains(response, "1 more")
        for user in (self.ursula, self.dora, self.erin):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("maps:structure")).status_code, 403)
