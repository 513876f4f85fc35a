"""Scoring methods (考核评分) as pure functions of plain values. Each returns the points with
the inputs, the formula and the sentence that explains them, so every score can show its
breakdown next to it. Real schemes: cn-platforms.md §1.11 (taowenge 2020 综合奖, 高安 2021
功效系数法), §1.12 (济宁 2015 rank voting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


def dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def rounded(value: Decimal, places: Decimal = PLACES) -> Decimal:
    # + 0 turns a negative zero (0 × −3) into 0.00.
    return dec(value).quantize(places, rounding=ROUND_HALF_UP) + 0


def plain(value) -> str:
    """Decimal('31.00') -> '31', Decimal('24.90') -> '24.9'."""
    text = format(dec(value).normalize(), "f")
    return text


@dataclass(frozen=True)
class Score:
    points: Decimal
    formula: str
    explanation: str
    inputs: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "points": str(self.points),
            "formula": self.formula,
            "explanation": self.explanation,
            "inputs": {k: str(v) if isinstance(v, Decimal) else v for k, v in self.inputs.items()},
        }


# --- ratio to plan with bands and a cap -------------------------------------------------------


def ratio_to_plan(value, target, params: dict) -> Score:
    """Full points at 100% of the target; `below` points per percentage point short; above
    100%, `bands` of [from %, to % or None, points per point]; the adjustment capped at ±cap.

    e.g. {"full": 25, "below": "0.1", "bands": [[100, 130, "0.2"], [130, null, "0.1"]],
    "cap": 10}: 99% → 24.9, 100% → 25, 130% → 31, 150% → 33.
    """
    full, cap = dec(params["full"]), dec(params["cap"])
    value, target = dec(value), dec(target)
    if target <= 0:
        return Score(
            Decimal(0),
            _("no target"),
            _("No target is set, so the item scores 0."),
            {"value": value, "target": target},
        )
    ratio = value / target * HUNDRED  # percent of the plan
    if ratio < HUNDRED:
        adjustment = -(HUNDRED - ratio) * dec(params["below"])
        parts = [f"-({plain(rounded(HUNDRED - ratio))} × {plain(params['below'])})"]
    else:
        adjustment = Decimal(0)
        parts = []
        for start, end, per_point in params.get("bands", []):
            start = dec(start)
            top = ratio if end is None else min(ratio, dec(end))
            if top > start:
                adjustment += (top - start) * dec(per_point)
                parts.append(f"+({plain(rounded(top - start))} × {plain(per_point)})")
    capped = max(-cap, min(cap, adjustment))
    points = rounded(full + capped)
    formula = f"{plain(full)} " + " ".join(parts) if parts else plain(full)
    explanation = _("%(ratio)s%% of the plan: %(full)s points %(adjustment)s") % {
        "ratio": plain(rounded(ratio)),
        "full": plain(full),
        "adjustment": _("with %(sign)s%(points)s")
        % {
            "sign": "+" if capped >= 0 else "−",
            "points": plain(rounded(abs(capped))),
        },
    }
    if capped != adjustment:
        explanation += _(" (capped at ±%(cap)s)") % {"cap": plain(cap)}
        formula += f" → ±{plain(cap)}"
    return Score(
        points, formula, explanation, {"value": value, "target": target, "ratio": rounded(ratio)}
    )


# --- rank bands -------------------------------------------------------------------------------


def competition_ranks(values: dict, *, higher_is_better: bool = True) -> dict:
    """Rank with ties sharing a place and the next place skipped (1, 2, 2, 4): the ranking
    bulletins print."""
    ordered = sorted(values.values(), reverse=higher_is_better)
    first_place = {}
    for index, value in enumerate(ordered, start=1):
        first_place.setdefault(value, index)
    return {key: first_place[value] for key, value in values.items()}


def rank_bands(rank: int, bands: list) -> Score:
    """Points by rank band, e.g. [[1, 3, 7], [4, 6, 5], [7, 10, 3]]: 1st–3rd 7 points…"""
    for first, last, points in bands:
        if first <= rank <= last:
            return Score(
                rounded(dec(points)),
                f"rank {rank} ∈ [{first}, {last}]",
                _("Ranked %(rank)d (places %(first)d–%(last)d): %(points)s points")
                % {"rank": rank, "first": first, "last": last, "points": plain(points)},
                {"rank": rank},
            )
    return Score(
        Decimal("0.00"),
        f"rank {rank}",
        _("Ranked %(rank)d: outside the scoring places") % {"rank": rank},
        {"rank": rank},
    )


# --- counts -----------------------------------------------------------------------------------


def count_points(count: int, params: dict) -> Score:
    """`per` points for each counted item, capped at `cap` (a deduction when `per` < 0, e.g.
    −3 per project not started on time; the cap then bounds how much is deducted)."""
    per = dec(params["per"])
    raw = per * count
    cap = params.get("cap")
    points = raw
    if cap is not None:
        cap = dec(cap)
        points = max(-cap, min(cap, raw))
    formula = f"{count} × {plain(per)}" + (f" → ≤ {plain(cap)}" if cap is not None else "")
    explanation = _("%(count)d × %(per)s = %(raw)s points") % {
        "count": count,
        "per": plain(per),
        "raw": plain(rounded(raw)),
    }
    if points != raw:
        explanation += _(" (capped at %(cap)s)") % {"cap": plain(cap)}
    return Score(rounded(points), formula, explanation, {"count": count})


# --- 功效系数法 (efficacy coefficient) -------------------------------------------------------


def efficacy(value, low, high, params: dict | None = None) -> Score:
    """(value − min) ÷ (max − min) × 40 + 60 (高安 2021). When every unit has the same value
    there is no spread to score: everyone gets the top (base + span = 100), none is worse."""
    params = params or {}
    base, span = dec(params.get("base", 60)), dec(params.get("span", 40))
    value, low, high = dec(value), dec(low), dec(high)
    if high == low:
        return Score(
            rounded(base + span),
            f"max = min → {plain(base + span)}",
            _("Every unit has the same value, %(value)s: all score %(points)s")
            % {"value": plain(rounded(value)), "points": plain(base + span)},
            {"value": value, "min": low, "max": high},
        )
    points = (value - low) / (high - low) * span + base
    return Score(
        rounded(points),
        f"({plain(rounded(value))} − {plain(rounded(low))}) ÷ ({plain(rounded(high))} − "
        f"{plain(rounded(low))}) × {plain(span)} + {plain(base)}",
        _("%(value)s between the lowest %(low)s and the highest %(high)s: %(points)s points")
        % {
            "value": plain(rounded(value)),
            "low": plain(rounded(low)),
            "high": plain(rounded(high)),
            "points": plain(rounded(points)),
        },
        {"value": value, "min": low, "max": high},
    )


# --- rank voting (济宁 2015) ------------------------------------------------------------------


def place_weights(places: int, top: int = 100, step: int = 3) -> list[int]:
    """Weights of places 1…n: 100, 97, 94, … (13 units: down to 64)."""
    return [top - step * index for index in range(places)]


def rank_vote_score(place_counts: dict[int, int], weights: list[int]) -> Score:
    """Σ (votes for place p × weight of p) ÷ total votes; `place_counts` maps place → votes."""
    votes = sum(place_counts.values())
    if votes == 0:
        return Score(Decimal("0.00"), "0 votes", _("No votes."), {"votes": 0})
    total = sum(count * weights[place - 1] for place, count in place_counts.items())
    points = rounded(Decimal(total) / votes)
    terms = " + ".join(
        f"{count}×{weights[place - 1]}" for place, count in sorted(place_counts.items()) if count
    )
    return Score(
        points,
        f"({terms}) ÷ {votes}",
        ngettext(
            "%(votes)d vote, weighted by place: %(points)s",
            "%(votes)d votes, weighted by place: %(points)s",
            votes,
        )
        % {"votes": votes, "points": plain(points)},
        {"votes": votes, "places": dict(sorted(place_counts.items()))},
    )
