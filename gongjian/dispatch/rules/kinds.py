"""The six light rule kinds. Each is `check(facts, params, *, best) -> Finding | None`:
None when the project passes, otherwise a Finding with its colour, numbers and clear hint.

`params` are validated by RuleSet.from_dict against KINDS (rulesets.py): Decimal thresholds,
int counts. `best` is the scheme's best colour, named in "complete … more to turn blue".

Boundaries (cn-platforms §1.7; each is tested on both sides):
- gap_to_schedule (银川): behind by yellow_points..red_points inclusive = yellow, by more than
  red_points = red. Exactly 10 and exactly 30 points behind are yellow.
- ratio_to_schedule (武汉 "低于时序进度60%/80%"): 低于 is "strictly below", so exactly 60% of
  the time schedule is yellow, not red, and exactly 80% passes.
- plan_curve (南宁 "<95 滞后, 95–105 正常, >105 超前"): exactly 95% and 105% are normal.
- start_slip (银川 "计划当月开工…未开工 = 黄; 连续3个月应开未开 = 红"): counts the months, from
  the planned start month on, that have ended without a start. Planned in April: the April
  report (as of 30 April) is month 1 = yellow; 31 May month 2 = yellow; 30 June month 3 = red.
- stats_registration (银川 "开工后1个月未入库 = 黄, 超2个月 = 红"): yellow once as_of is after
  the day one month after the start, red once it is after the day two months after it.
- missing_filing: yellow from 1 missed period in a row, red from 2.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from gongjian.dispatch.rules.colours import BLUE, RED, YELLOW, Colour, colour_name
from gongjian.dispatch.rules.facts import Finding, ProjectFacts
from gongjian.dispatch.rules.i18n import gettext as _
from gongjian.dispatch.rules.i18n import ngettext
from gongjian.dispatch.rules.schedule import (
    ScheduleVariant,
    add_months,
    completion_share,
    cumulative_plan,
    describe_gap,
    exact,
    expected_share,
    gap_fraction,
    gap_points,
    last_ended_month,
    month_index,
    percent,
    round_half_up,
    round_up_cents,
    share_decimal,
)


def _plain(value) -> str:
    """A threshold without noise: Decimal('10') -> '10', Decimal('0.60') -> '0.6'."""
    return format(Decimal(value).normalize(), "f")


def _pct(ratio) -> str:
    return _plain(round_half_up(exact(ratio) * 100, 4))


def _not_judged(rule: str, message: str, **numbers) -> Finding:
    return Finding(rule=rule, colour=None, message=message, numbers=numbers, judged=False)


def _with_rule(fact: str, rule: str) -> str:
    return _("%(fact)s (%(rule)s)") % {"fact": fact, "rule": rule}


def _clear_by_amount(amount, target: Colour) -> str:
    return _("complete %(amount)s 万元 more to turn %(colour)s") % {
        "amount": amount,
        "colour": colour_name(target),
    }


def _shares(facts: ProjectFacts, rule: str, variant: str) -> tuple[Fraction, Fraction] | Finding:
    """(actual share of the annual plan, expected share), or a not-judged Finding."""
    actual = completion_share(facts.completed_ytd, facts.annual_plan)
    if actual is None:
        return _not_judged(rule, _("no annual plan, progress not judged"))
    if variant == ScheduleVariant.DAY_LINEAR:
        # Days count up to as_of; month variants count whole months of the report.
        return actual, expected_share(variant, year=facts.year, as_of=facts.as_of)
    if variant == ScheduleVariant.PLAN_CURVE and not facts.has_monthly_plan:
        return _not_judged(rule, _("no monthly plan, progress not judged"))
    expected = expected_share(
        variant, year=facts.year, through_month=facts.through_month, monthly_plan=facts.monthly_plan
    )
    return actual, expected


def _amount_to_reach(facts: ProjectFacts, share: Fraction, *, strictly_above: bool = False):
    """万元 still to complete for completed_ytd ÷ annual_plan to reach `share`."""
    return round_up_cents(
        exact(facts.annual_plan) * share - exact(facts.completed_ytd), strictly_above=strictly_above
    )


def _share_numbers(facts: ProjectFacts, actual: Fraction, expected: Fraction, variant) -> dict:
    return {
        "variant": str(variant),
        "completed_ytd": facts.completed_ytd,
        "annual_plan": facts.annual_plan,
        "actual_share": share_decimal(actual),
        "expected_share": share_decimal(expected),
        "gap_points": gap_points(actual, expected),
    }


# --- a. gap to the time schedule (银川) --------------------------------------------------------


def gap_to_schedule(facts: ProjectFacts, params, *, best: Colour = BLUE) -> Finding | None:
    rule, variant = "gap_to_schedule", params["variant"]
    shares = _shares(facts, rule, variant)
    if isinstance(shares, Finding):
        return shares
    actual, expected = shares
    behind = -gap_fraction(actual, expected)
    yellow, red = exact(params["yellow_points"]), exact(params["red_points"])
    if behind > red:  # to turn yellow it may be red_points behind, no more
        colour, target, amount = RED, YELLOW, _amount_to_reach(facts, expected - red / 100)
    elif behind >= yellow:  # to leave yellow it must be less than yellow_points behind
        limit = expected - yellow / 100
        colour, target, amount = YELLOW, best, _amount_to_reach(facts, limit, strictly_above=True)
    else:
        return None
    fact = _("%(actual)s%% of the annual plan completed, %(gap)s of %(expected)s%%") % {
        "actual": percent(actual),
        "gap": describe_gap(gap_points(actual, expected)),
        "expected": percent(expected),
    }
    thresholds = _("yellow from %(yellow)s to %(red)s points behind, red beyond %(red)s") % {
        "yellow": _plain(params["yellow_points"]),
        "red": _plain(params["red_points"]),
    }
    numbers = _share_numbers(facts, actual, expected, variant) | {
        "yellow_points": params["yellow_points"],
        "red_points": params["red_points"],
        "amount_to_clear": amount,
        "clears_to": str(target),
    }
    return Finding(
        rule, colour, _with_rule(fact, thresholds), numbers, _clear_by_amount(amount, target)
    )


# --- b. ratio to the time schedule (武汉) ------------------------------------------------------


def ratio_to_schedule(facts: ProjectFacts, params, *, best: Colour = BLUE) -> Finding | None:
    rule, variant = "ratio_to_schedule", params["variant"]
    shares = _shares(facts, rule, variant)
    if isinstance(shares, Finding):
        return shares
    actual, expected = shares
    if expected == 0:
        return _not_judged(rule, _("no progress is due yet, progress not judged"))
    ratio = actual / expected
    red, yellow = exact(params["red_ratio"]), exact(params["yellow_ratio"])
    if ratio < red:  # 低于: exactly red_ratio is no longer red
        colour, target, amount = RED, YELLOW, _amount_to_reach(facts, expected * red)
    elif ratio < yellow:
        colour, target, amount = YELLOW, best, _amount_to_reach(facts, expected * yellow)
    else:
        return None
    fact = _(
        "%(actual)s%% of the annual plan completed is %(ratio)s%% of the time schedule "
        "of %(expected)s%%"
    ) % {"actual": percent(actual), "ratio": percent(ratio), "expected": percent(expected)}
    thresholds = _("red below %(red)s%% of the time schedule, yellow below %(yellow)s%%") % {
        "red": _pct(red),
        "yellow": _pct(yellow),
    }
    numbers = _share_numbers(facts, actual, expected, variant) | {
        "ratio": share_decimal(ratio),
        "red_ratio": params["red_ratio"],
        "yellow_ratio": params["yellow_ratio"],
        "amount_to_clear": amount,
        "clears_to": str(target),
    }
    return Finding(
        rule, colour, _with_rule(fact, thresholds), numbers, _clear_by_amount(amount, target)
    )


# --- c. actual against the cumulative monthly plan (南宁) --------------------------------------


def plan_curve(facts: ProjectFacts, params, *, best: Colour = BLUE) -> Finding | None:
    rule = "plan_curve"
    if not facts.has_monthly_plan:
        return _not_judged(rule, _("no monthly plan, progress not judged"))
    month = facts.through_month
    planned = cumulative_plan(facts.monthly_plan, month)
    if planned == 0:
        return _not_judged(
            rule, _("nothing planned up to month %(month)s, progress not judged") % {"month": month}
        )
    rate = exact(facts.completed_ytd) / planned
    behind, ahead = exact(params["behind_ratio"]), exact(params["ahead_ratio"])
    if behind <= rate <= ahead:
        return None
    numbers = {
        "completed_ytd": facts.completed_ytd,
        "cumulative_plan": round_half_up(planned, 2),
        "through_month": month,
        "plan_rate": share_decimal(rate),
        "behind_ratio": params["behind_ratio"],
        "ahead_ratio": params["ahead_ratio"],
        "plan_status": "ahead" if rate > ahead else "behind",
    }
    message = _plan_curve_message(numbers, rate, behind, ahead)
    if rate > ahead:  # 超前 is worth saying but must not change the light
        return Finding(rule, None, message, numbers)
    amount = round_up_cents(planned * behind - exact(facts.completed_ytd))
    numbers |= {"amount_to_clear": amount, "clears_to": str(best)}
    colour = Colour(params["behind_colour"])
    return Finding(rule, colour, message, numbers, _clear_by_amount(amount, best))


def _plan_curve_message(numbers: dict, rate: Fraction, behind: Fraction, ahead: Fraction) -> str:
    fact = _(
        "%(done)s 万元 completed is %(rate)s%% of the %(planned)s 万元 planned "
        "up to month %(month)s"
    ) % {
        "done": numbers["completed_ytd"],
        "rate": percent(rate),
        "planned": numbers["cumulative_plan"],
        "month": numbers["through_month"],
    }
    if numbers["plan_status"] == "ahead":
        fact = _("ahead of plan: %(fact)s") % {"fact": fact}
    else:
        fact = _("behind plan: %(fact)s") % {"fact": fact}
    thresholds = _("behind below %(behind)s%% of the cumulative plan, ahead above %(ahead)s%%") % {
        "behind": _pct(behind),
        "ahead": _pct(ahead),
    }
    return _with_rule(fact, thresholds)


# --- d. planned start passed without a start (银川) --------------------------------------------


def start_slip(facts: ProjectFacts, params, *, best: Colour = BLUE) -> Finding | None:
    if facts.started or facts.planned_start is None:
        return None
    # Months from the planned start month on that have ended without a start; the planned
    # month itself is month 1 once it is over.
    slipped = last_ended_month(facts.as_of) - month_index(facts.planned_start) + 1
    yellow, red = params["yellow_months"], params["red_months"]
    if slipped < yellow:
        return None
    fact = ngettext(
        "planned to start in %(month)s, not started after %(count)s month",
        "planned to start in %(month)s, not started after %(count)s months",
        slipped,
    ) % {"month": facts.planned_start.strftime("%Y-%m"), "count": slipped}
    thresholds = _("yellow from month %(yellow)s of a slip, red from month %(red)s") % {
        "yellow": yellow,
        "red": red,
    }
    numbers = {
        "planned_start": facts.planned_start,
        "months_slipped": slipped,
        "yellow_months": yellow,
        "red_months": red,
    }
    colour = RED if slipped >= red else YELLOW
    return Finding(
        "start_slip", colour, _with_rule(fact, thresholds), numbers, _("start the project")
    )


# --- e. started but not registered with statistics, 纳统 (银川) --------------------------------


def stats_registration(facts: ProjectFacts, params, *, best: Colour = BLUE) -> Finding | None:
    rule = "stats_registration"
    if not facts.started or facts.registered:
        return None
    # Only projects of 500万元 or more are registered (国家统计局 报表制度, §1.10).
    floor = params["min_total_investment"]
    if facts.total_investment is not None and facts.total_investment < floor:
        return None
    if facts.actual_start is None:
        return _not_judged(rule, _("start date unknown, statistical registration not judged"))
    yellow, red = params["yellow_months"], params["red_months"]
    if facts.as_of > add_months(facts.actual_start, red):
        colour = RED
    elif facts.as_of > add_months(facts.actual_start, yellow):
        colour = YELLOW
    else:
        return None
    fact = _("started on %(date)s and not registered with statistics (纳统) by %(as_of)s") % {
        "date": facts.actual_start.isoformat(),
        "as_of": facts.as_of.isoformat(),
    }
    thresholds = _(
        "yellow after the %(yellow)s-month mark from the start, red after the %(red)s-month mark"
    ) % {"yellow": yellow, "red": red}
    numbers = {
        "actual_start": facts.actual_start,
        "days_since_start": (facts.as_of - facts.actual_start).days,
        "yellow_months": yellow,
        "red_months": red,
    }
    hint = _("register it with statistics")
    return Finding(rule, colour, _with_rule(fact, thresholds), numbers, hint)


# --- f. the period's report is missing ---------------------------------------------------------


def missing_filing(facts: ProjectFacts, params, *, best: Colour = BLUE) -> Finding | None:
    missed = facts.missed_periods_in_a_row
    yellow, red = params["yellow_periods"], params["red_periods"]
    if missed < yellow:
        return None
    fact = ngettext(
        "the report for this period is missing",
        "%(count)s reports in a row are missing",
        missed,
    ) % {"count": missed}
    thresholds = _("yellow from %(yellow)s missed in a row, red from %(red)s") % {
        "yellow": yellow,
        "red": red,
    }
    numbers = {"missed_periods_in_a_row": missed, "yellow_periods": yellow, "red_periods": red}
    hint = ngettext("file the missing report", "file the missing reports", missed)
    colour = RED if missed >= red else YELLOW
    return Finding("missing_filing", colour, _with_rule(fact, thresholds), numbers, hint)
