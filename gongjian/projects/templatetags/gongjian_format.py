"""Number formats people in the field expect: 万元 with thousands separators, 亿元 for big sums.
The rounding and the digits are lib/figures_format.py's, as in every other output."""

from __future__ import annotations

from decimal import Decimal

from django import template

from gongjian.lib import figures_format
from gongjian.projects.models import Level

register = template.Library()


def _exact(value) -> Decimal:
    # A template may hand over a string or, from some context, a float: both as typed.
    return value if isinstance(value, Decimal | int) else Decimal(str(value))


@register.filter
def wan(value) -> str:
    """12345.6 -> "12,345.6" (the unit, 万元, is in the column header)."""
    if value is None or value == "":
        return ""
    return figures_format.wan(_exact(value)).text


@register.filter
def yi(value) -> str:
    """万元 -> 亿元 with two decimals, half up: 2139050 -> "213.91"."""
    if value is None or value == "":
        return ""
    return figures_format.yi(_exact(value)).text


@register.filter
def level_label(value) -> str:
    """An annual listing's level code ("city") as people read it (市重点)."""
    return Level(value).label if value in Level.values else "–"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def sort_link(context, key: str) -> str:
    """The query string that sorts by `key`, flipping direction if already sorted by it."""
    current = context.get("sort") or "investment"
    if key == "investment":
        target = "-investment" if current == "investment" else "investment"
    else:
        target = key
    base = context.get("query_without_sort", "")
    return f"?{base}&sort={target}" if base else f"?sort={target}"
