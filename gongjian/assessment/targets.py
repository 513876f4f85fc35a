"""Progress of each unit against its targets: the value so far, the share of the target, the
time schedule (序时进度) and the gap, and a light from the dispatch rule machinery, so a
unit's target is judged exactly like a project's annual plan (docs/dispatch.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gongjian.assessment import measures
from gongjian.assessment.models import Target
from gongjian.dispatch.models import Light
from gongjian.dispatch.rules.facts import ProjectFacts
from gongjian.dispatch.rules.lights import evaluate
from gongjian.dispatch.rules.rulesets import resolve_rule_set
from gongjian.dispatch.rules.schedule import completion_share, expected_share, gap_points, percent

RULE_PRESET = "default"


@dataclass
class TargetRow:
    target: Target
    value: Decimal
    share: Decimal  # percent of the target
    schedule: Decimal  # percent of the year elapsed (序时)
    gap: Decimal  # percentage points, negative = behind
    colour: str
    explanation: str
    clear_hint: str

    @property
    def colour_label(self) -> str:
        return str(Light.Colour(self.colour).label)


def progress(year: int, month: int, *, facts=None, preset: str = RULE_PRESET) -> list[TargetRow]:
    """Every target of `year` with its unit's value through `month`. Sum and count indicators
    only: a share or a rate has no schedule to be ahead of or behind."""
    targets = list(
        Target.objects.filter(year=year, indicator__measure__in=["sum", "count"])
        .select_related("unit", "indicator")
        .order_by("indicator__code", "unit__path")
    )
    if not targets:
        return []
    facts = facts or measures.load_facts(year, month)
    rule_set = resolve_rule_set(preset)
    end = facts.end
    expected = expected_share(year=year, through_month=month)  # month-linear, the default
    values = {}
    rows = []
    for target in targets:
        if target.indicator_id not in values:
            unit_ids = [t.unit_id for t in targets if t.indicator_id == target.indicator_id]
            values[target.indicator_id] = measures.values_for(target.indicator, facts, unit_ids)
        value = values[target.indicator_id].get(target.unit_id) or Decimal(0)
        light = evaluate(
            ProjectFacts(
                as_of=end,
                year=year,
                period_month=month,
                annual_plan=target.value,
                completed_ytd=value,
                has_started=True,
                stats_registered=True,
            ),
            rule_set,
        )
        actual = completion_share(value, target.value) or 0
        rows.append(
            TargetRow(
                target=target,
                value=value,
                share=percent(actual),
                schedule=percent(expected),
                gap=gap_points(actual, expected),
                colour=str(light.colour),
                explanation=str(light.explanation),
                clear_hint=str(light.clear_hint),
            )
        )
    return rows
