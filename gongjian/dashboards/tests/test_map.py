"""The project map: the fictional demo boundary (pure) and the map data per role."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from gongjian.dashboards.geo import _hull, fictional_boundary, write_demo_boundary
from gongjian.lib.figures_format import wan
from gongjian.test import BaseTestCase


class BoundaryTests(SimpleTestCase):
    def test_hull_drops_inner_points(self):
        square = [(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)]
        self.assertEqual(sorted(_hull(square)), [(0, 0), (0, 1), (1, 0), (1, 1)])

    def test_one_closed_polygon_per_area_containing_its_points(self):
        geojson = fictional_boundary(
            {"东湖区": [(117.0, 36.5), (117.1, 36.5), (117.05, 36.6)], "西山县": [(116.8, 36.3)]}
        )
        names = [f["properties"]["name"] for f in geojson["features"]]
        self.assertEqual(names, ["东湖区", "西山县"])
        for feature in geojson["features"]:
            ring = feature["geometry"]["coordinates"][0]
            self.assertEqual(ring[0], ring[-1])  # closed
            self.assertGreaterEqual(len(ring), 4)
        ring = geojson["features"][0]["geometry"]["coordinates"][0]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        self.assertLess(min(xs), 117.0)  # widened beyond the outermost project
        self.assertGreater(max(ys), 36.6)


class MapDataTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for project, lat, lng in (
            (cls.project_a, "36.5", "117.0"),
            (cls.project_b, "36.3", "116.8"),
        ):
            project.latitude, project.longitude = Decimal(lat), Decimal(lng)
            project.save()

    def test_boundary_and_scoped_points(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "geo" / "boundary.json"
            with override_settings(GEO_BOUNDARY_FILE=str(path)):
                self.assertEqual(write_demo_boundary(), path)
                self.assertIsNone(write_demo_boundary())  # a boundary exists: left alone
                self.client.force_login(self.ursula)
                data = self.client.get(reverse("maps:map-data")).json()
        self.assertEqual(data["boundary"]["type"], "FeatureCollection")
        self.assertEqual([p["name"] for p in data["projects"]], [self.project_a.name])
        self.assertEqual(data["projects"][0]["value"][:2], [117.0, 36.5])
        # The tooltip prints the amount as every page does (lib/figures_format.py).
        self.assertEqual(data["projects"][0]["text"], wan(self.project_a.total_investment).text)
        self.assertIn(",", data["projects"][0]["text"])

    def test_without_a_boundary_and_access(self):
        with override_settings(GEO_BOUNDARY_FILE="/nonexistent/boundary.json"):
            self.client.force_login(self.alice)
            data = self.client.get(reverse("maps:map-data")).json()
            self.assertIsNone(data["boundary"])
            self.assertEqual(len(data["projects"]), 2)
            self.client.force_login(self.judy)
            self.assertEqual(self.client.get(reverse("maps:map-data")).status_code, 403)
            self.assertEqual(self.client.get(reverse("maps:map")).status_code, 403)
