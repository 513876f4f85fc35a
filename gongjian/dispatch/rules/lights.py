"""亮灯: a project's light for a period, from its facts and a rule set.

    light = evaluate(facts, PRESETS["yinchuan_gap"])
    light.colour, light.explanation, light.clear_hint, light.findings

The light is the worst colour any rule gives (red > yellow > the scheme's best colour), or
the best colour when none fires. A rule that cannot judge (no annual plan, no monthly plan)
leaves a finding with colour None that says so, so a missing plan never passes for green.

The rule kinds live in kinds.py, the colours in colours.py, the facts in facts.py and the
rule sets and presets in rulesets.py; this module puts them together and re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import capfirst

from gongjian.dispatch.rules.colours import (
    BLUE,
    GREEN,
    RED,
    SEVERITY,
    YELLOW,
    Colour,
    Scheme,
    best_colour,
    colour_name,
    worst_colour,
)
from gongjian.dispatch.rules.facts import Finding, ProjectFacts
from gongjian.dispatch.rules.i18n import gettext as _
from gongjian.dispatch.rules.rulesets import KINDS, PRESETS, RuleConfig, RuleSet, resolve_rule_set

__all__ = [
    "BLUE",
    "GREEN",
    "KINDS",
    "PRESETS",
    "RED",
    "SEVERITY",
    "YELLOW",
    "Colour",
    "Finding",
    "Light",
    "ProjectFacts",
    "RuleConfig",
    "RuleSet",
    "Scheme",
    "best_colour",
    "colour_name",
    "evaluate",
    "resolve_rule_set",
]


@dataclass(frozen=True)
class Light:
    colour: Colour
    findings: list[Finding] = field(default_factory=list)  # in the rule set's order
    explanation: str = ""
    clear_hint: str = ""  # what clears the deciding findings; empty at the best colour
    scheme: Scheme = Scheme.RED_YELLOW_BLUE

    @property
    def not_judged(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.judged]

    def to_dict(self) -> dict:
        """JSON-safe, for the Light model's fields."""
        return {
            "colour": str(self.colour),
            "findings": [finding.to_dict() for finding in self.findings],
            "explanation": str(self.explanation),
            "clear_hint": str(self.clear_hint),
        }


def evaluate(facts: ProjectFacts, rule_set: RuleSet) -> Light:
    best = best_colour(rule_set.scheme)
    findings = []
    for kind, params in rule_set.rules:
        finding = KINDS[kind].check(facts, params, best=best)
        if finding is not None:
            findings.append(finding)
    colour = worst_colour([f.colour for f in findings if f.colour], best)
    return Light(
        colour=colour,
        findings=findings,
        explanation=_explain(findings),
        clear_hint=_clear_hint(findings, colour),
        scheme=rule_set.scheme,
    )


def _explain(findings: list[Finding]) -> str:
    if not findings:
        return _("Every rule passes")
    return capfirst(_("; ").join(str(finding.message) for finding in findings))


def _clear_hint(findings: list[Finding], colour: Colour) -> str:
    """The hints of every finding with the light's colour: with two red findings, clearing
    one alone does not change the light, so both are named."""
    hints = []
    for finding in findings:
        if finding.colour == colour and finding.clear_hint and finding.clear_hint not in hints:
            hints.append(finding.clear_hint)
    return capfirst(_("; ").join(hints)) if hints else ""
