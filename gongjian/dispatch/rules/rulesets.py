"""RuleSet: a named list of light rules with their thresholds, kept as data (Campaign.rule_set
JSON) and validated here, plus the presets taken from real cities (cn-platforms §1.7).

Config data looks like:
    {"name": "…", "scheme": "red_yellow_green", "description": "…",
     "rules": [{"kind": "gap_to_schedule",
                "params": {"yellow_points": 10, "red_points": 30, "variant": "month_linear"}}]}
Thresholds are required. `variant` (month_linear), `behind_colour` (yellow) and
`min_total_investment` (500 万元) have defaults. Validation errors are ValueErrors whose text
starts with the path of the wrong field, e.g. "rules[1].params.red_points: must not be negative".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import NamedTuple

from django.utils.translation import gettext_lazy

from gongjian.dispatch.rules.colours import RED, YELLOW, Colour, Scheme
from gongjian.dispatch.rules.facts import Finding
from gongjian.dispatch.rules.kinds import (
    gap_to_schedule,
    missing_filing,
    plan_curve,
    ratio_to_schedule,
    start_slip,
    stats_registration,
)
from gongjian.dispatch.rules.schedule import ScheduleVariant

# --- the rule kinds and their parameters ------------------------------------------------------

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "number" (Decimal ≥ 0), "count" (int ≥ minimum), "variant" or "colour"
    default: object = REQUIRED
    minimum: int = 0


@dataclass(frozen=True)
class RuleKind:
    check: Callable[..., Finding | None]
    params: tuple[Param, ...]
    lower_higher: tuple[str, str]  # params[lower] must be less than params[higher]


_VARIANT = Param("variant", "variant", ScheduleVariant.MONTH_LINEAR)

KINDS: dict[str, RuleKind] = {
    "gap_to_schedule": RuleKind(
        gap_to_schedule,
        (Param("yellow_points", "number"), Param("red_points", "number"), _VARIANT),
        ("yellow_points", "red_points"),
    ),
    "ratio_to_schedule": RuleKind(
        ratio_to_schedule,
        (Param("red_ratio", "number"), Param("yellow_ratio", "number"), _VARIANT),
        ("red_ratio", "yellow_ratio"),
    ),
    "plan_curve": RuleKind(
        plan_curve,
        (
            Param("behind_ratio", "number"),
            Param("ahead_ratio", "number"),
            Param("behind_colour", "colour", YELLOW),
        ),
        ("behind_ratio", "ahead_ratio"),
    ),
    "start_slip": RuleKind(
        start_slip,
        (Param("yellow_months", "count", minimum=1), Param("red_months", "count", minimum=1)),
        ("yellow_months", "red_months"),
    ),
    "stats_registration": RuleKind(
        stats_registration,
        (
            Param("yellow_months", "count"),
            Param("red_months", "count"),
            Param("min_total_investment", "number", default=500),
        ),
        ("yellow_months", "red_months"),
    ),
    "missing_filing": RuleKind(
        missing_filing,
        (Param("yellow_periods", "count", minimum=1), Param("red_periods", "count", minimum=1)),
        ("yellow_periods", "red_periods"),
    ),
}

_TOP_FIELDS = ("name", "scheme", "description", "rules")
_RULE_FIELDS = ("kind", "params")


class RuleConfig(NamedTuple):
    kind: str
    params: Mapping[str, object]  # read-only: presets are shared by every campaign


@dataclass(frozen=True)
class RuleSet:
    name: str
    scheme: Scheme
    rules: tuple[RuleConfig, ...]
    description: str = ""

    @classmethod
    def from_dict(cls, data) -> RuleSet:
        if not isinstance(data, Mapping):
            raise ValueError(f"rule set: must be a mapping, got {type(data).__name__}")
        _reject_unknown("", data, _TOP_FIELDS)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("name: is missing")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise ValueError("description: must be text")
        rules = data.get("rules")
        if not isinstance(rules, list | tuple) or not rules:
            raise ValueError("rules: must be a non-empty list")
        return cls(
            name=name.strip(),
            scheme=_clean_scheme(data.get("scheme")),
            rules=tuple(_clean_rule(f"rules[{i}]", rule) for i, rule in enumerate(rules)),
            description=description,
        )

    def to_dict(self) -> dict:
        """JSON-safe and exact: Decimal thresholds as strings, never floats."""
        return {
            "name": self.name,
            "scheme": str(self.scheme),
            "description": str(self.description),
            "rules": [
                {"kind": kind, "params": {key: _json(value) for key, value in params.items()}}
                for kind, params in self.rules
            ],
        }


def _json(value):
    return str(value) if isinstance(value, Decimal | str) else value


def _reject_unknown(path: str, data: Mapping, known) -> None:
    for key in data:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            raise ValueError(f"{where}: unknown field (known: {', '.join(known)})")


def _clean_scheme(value) -> Scheme:
    if value is None:
        raise ValueError("scheme: is missing")
    if value not in Scheme.values:
        raise ValueError(f"scheme: unknown scheme {value!r} (known: {', '.join(Scheme.values)})")
    return Scheme(value)


def _clean_rule(path: str, rule) -> RuleConfig:
    if not isinstance(rule, Mapping):
        raise ValueError(f"{path}: must be a mapping with kind and params")
    _reject_unknown(path, rule, _RULE_FIELDS)
    kind = rule.get("kind")
    if kind is None:
        raise ValueError(f"{path}.kind: is missing")
    if kind not in KINDS:
        raise ValueError(f"{path}.kind: unknown rule kind {kind!r} (known: {', '.join(KINDS)})")
    params = rule.get("params", {})
    if not isinstance(params, Mapping):
        raise ValueError(f"{path}.params: must be a mapping")
    spec = KINDS[kind]
    known = tuple(param.name for param in spec.params)
    for key in params:
        if key not in known:
            raise ValueError(f"{path}.params.{key}: unknown parameter (known: {', '.join(known)})")
    cleaned = {p.name: _clean_param(f"{path}.params.{p.name}", p, params) for p in spec.params}
    lower, higher = spec.lower_higher
    if cleaned[lower] >= cleaned[higher]:
        raise ValueError(
            f"{path}.params.{lower}: must be less than {higher} "
            f"({cleaned[lower]} >= {cleaned[higher]})"
        )
    return RuleConfig(kind, MappingProxyType(cleaned))


def _clean_param(path: str, param: Param, params: Mapping):
    value = params.get(param.name, param.default)
    if value is REQUIRED or value is None:
        raise ValueError(f"{path}: is missing")
    if param.type == "variant":
        if value not in ScheduleVariant.values:
            known = ", ".join(ScheduleVariant.values)
            raise ValueError(f"{path}: unknown variant {value!r} (known: {known})")
        return ScheduleVariant(value)
    if param.type == "colour":
        if value not in (RED, YELLOW):
            raise ValueError(f"{path}: must be red or yellow, got {value!r}")
        return Colour(value)
    number = _clean_number(path, value)
    if param.type == "number":
        return number
    if number != number.to_integral_value():
        raise ValueError(f"{path}: must be a whole number, got {value!r}")
    if number < param.minimum:
        raise ValueError(f"{path}: must be at least {param.minimum}, got {value!r}")
    return int(number)


def _clean_number(path: str, value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{path}: must be a number, got {value!r}")
    try:
        # A float from JSON goes through its shortest repr, which is what was typed (0.6).
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{path}: must be a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{path}: must be a finite number, got {value!r}")
    if number < 0:
        raise ValueError(f"{path}: must not be negative, got {value!r}")
    return number


# --- presets -----------------------------------------------------------------------------------

_YINCHUAN_RULES = [
    ("gap_to_schedule", {"yellow_points": 10, "red_points": 30, "variant": "month_linear"}),
    ("start_slip", {"yellow_months": 1, "red_months": 3}),
    ("stats_registration", {"yellow_months": 1, "red_months": 2, "min_total_investment": 500}),
    ("missing_filing", {"yellow_periods": 1, "red_periods": 2}),
]


def _preset(name: str, scheme: str, description, rules) -> RuleSet:
    data = {"name": name, "scheme": scheme, "rules": [{"kind": k, "params": p} for k, p in rules]}
    # The description stays lazy so it shows in the reader's language.
    return dataclasses.replace(RuleSet.from_dict(data), description=description)


PRESETS: dict[str, RuleSet] = {
    preset.name: preset
    for preset in (
        _preset(
            "yinchuan_gap",
            Scheme.RED_YELLOW_GREEN,
            gettext_lazy(
                "Yinchuan (银川, 2025): yellow from 10 to 30 points behind the time schedule, "
                "red beyond 30; lights for late starts, statistical registration (纳统) and "
                "missing reports; green is best."
            ),
            _YINCHUAN_RULES,
        ),
        _preset(
            "wuhan_ratio",
            Scheme.RED_YELLOW_GREEN,
            gettext_lazy(
                "Wuhan (武汉, 市重大项目管理办法): red below 60 percent of the time schedule, "
                "yellow below 80 percent; lights for missing reports."
            ),
            [
                ("ratio_to_schedule", {"red_ratio": "0.6", "yellow_ratio": "0.8"}),
                ("missing_filing", {"yellow_periods": 1, "red_periods": 2}),
            ],
        ),
        _preset(
            "nanning_plan_curve",
            Scheme.RED_YELLOW_GREEN,
            gettext_lazy(
                "Nanning (南宁, 2018): behind (yellow) below 95 percent of the cumulative monthly "
                "plan, ahead above 105 percent."
            ),
            [("plan_curve", {"behind_ratio": "0.95", "ahead_ratio": "1.05"})],
        ),
        _preset(
            "default",
            Scheme.RED_YELLOW_BLUE,
            gettext_lazy(
                "Default: the Yinchuan (银川) rules, with blue as the best colour as in the "
                "public 亮屏 campaigns (蓝牌激励, 枣庄)."
            ),
            _YINCHUAN_RULES,
        ),
    )
}


def resolve_rule_set(preset: str, data: Mapping | None = None) -> RuleSet:
    """The campaign's own rule set when it has one (data), else the named preset."""
    if data:
        return RuleSet.from_dict(data)
    if preset not in PRESETS:
        raise ValueError(f"rule_preset: unknown preset {preset!r} (known: {', '.join(PRESETS)})")
    return PRESETS[preset]


# Rules that compare the completed share with the time schedule, and the variants that give a
# 序时进度 for any sum of projects (plan_curve needs each project's own monthly plan).
SCHEDULE_KINDS = ("gap_to_schedule", "ratio_to_schedule")
SUMMABLE_VARIANTS = (ScheduleVariant.MONTH_LINEAR, ScheduleVariant.DAY_LINEAR)


def schedule_variant(rule_set: RuleSet) -> str:
    """The 序时进度 variant that pages show beside a rule set's lights: that of its first rule
    comparing with the time schedule, so the figure printed next to a light is the one it was
    judged against; month_linear when there is none, or when it is plan_curve."""
    for kind, params in rule_set.rules:
        if kind in SCHEDULE_KINDS:
            variant = params.get("variant", ScheduleVariant.MONTH_LINEAR)
            if variant in SUMMABLE_VARIANTS:
                return str(variant)
            break
    return str(ScheduleVariant.MONTH_LINEAR)
