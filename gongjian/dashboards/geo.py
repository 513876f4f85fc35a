"""The project map: the deployment's boundary (a GeoJSON file it supplies, GEO_BOUNDARY_FILE;
no online tiles) and the projects with coordinates. For the demo, `fictional_boundary` draws a
made-up outline per county around its projects (convex hulls, widened), so nothing real is
claimed."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from gongjian.projects.models import Project

MARGIN = 0.03  # degrees added around each county's projects


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; points as (lng, lat); returns the hull counter-clockwise."""
    points = sorted(set(points))
    if len(points) < 3:
        return points

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _widened(hull: list[tuple[float, float]]) -> list[list[float]]:
    """Push every corner MARGIN away from the centre, and close the ring."""
    cx = sum(p[0] for p in hull) / len(hull)
    cy = sum(p[1] for p in hull) / len(hull)
    ring = []
    for x, y in hull:
        dx, dy = x - cx, y - cy
        length = (dx * dx + dy * dy) ** 0.5 or 1
        ring.append([round(x + dx / length * MARGIN, 5), round(y + dy / length * MARGIN, 5)])
    return ring + ring[:1]


def _box(points) -> list[list[float]]:
    x, y = points[0]
    m = MARGIN
    return [[x - m, y - m], [x + m, y - m], [x + m, y + m], [x - m, y + m], [x - m, y - m]]


def fictional_boundary(points_by_area: dict[str, list[tuple[float, float]]]) -> dict:
    """A GeoJSON FeatureCollection with one made-up polygon per area (name → [(lng, lat)])."""
    features = []
    for name, points in sorted(points_by_area.items()):
        hull = _hull(points)
        ring = _widened(hull) if len(hull) >= 3 else _box(points)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def boundary_path() -> Path:
    return Path(settings.GEO_BOUNDARY_FILE)


def write_demo_boundary() -> Path | None:
    """seed_demo: the fictional outline of the demo counties, unless a boundary exists."""
    path = boundary_path()
    if path.exists():
        return None
    points: dict[str, list[tuple[float, float]]] = {}
    rows = Project.objects.exclude(latitude=None).exclude(longitude=None).exclude(region=None)
    for name, lat, lng in rows.values_list("region__name", "latitude", "longitude")[:20000]:
        points.setdefault(name, []).append((float(lng), float(lat)))
    if not points:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fictional_boundary(points), ensure_ascii=False))
    return path
