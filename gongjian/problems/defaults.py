"""The problem categories a new deployment starts with; the office may rename, reorder or add.
From the categories real platforms file problems under (cn-platforms.md §1.9)."""

from __future__ import annotations

CATEGORIES = [
    ("land", "用地"),
    ("planning", "规划"),
    ("environment", "环评/能评"),
    ("construction_permit", "施工许可"),
    ("demolition", "征拆"),
    ("funding", "资金"),
    ("utilities", "水电气"),
    ("labour", "用工"),
    ("approval", "审批"),
    ("other", "其他"),
]


def load_categories(apps) -> None:
    """Create the default categories if they are missing (safe to run again)."""
    ProblemCategory = apps.get_model("problems", "ProblemCategory")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        ProblemCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
