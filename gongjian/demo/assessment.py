"""Assessment demo data for seed_demo: the demo city's unit groups, indicators, targets and three
schemes (月度考核, 年度考核, 季度评比), and one quarter of scores: the monthly scheme computed and
published for each month of the last complete quarter, that quarter's 观摩 (nominations checked
against the rules, judges, sealed ballots), and the quarter's roll-up left as a draft so the
office can publish it in the demo.

The schemes copy real ones: the 2020 综合奖 评分表 (ratio to plan, rank bands, +1 per new
start, −3 per late start), 高安 2021 (功效系数法), 禹州 2018 (quarter = 3 months × 30% +
观摩 × 10%) and 济宁 2015 (rank voting); see cn-platforms.md §1.11–1.12.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from gongjian.accounts.models import Role, RoleGrant, Unit, User
from gongjian.assessment import measures, review, services
from gongjian.assessment.models import (
    Indicator,
    Judge,
    ManualScore,
    Nomination,
    ReviewEvent,
    ReviewGroup,
    Scheme,
    SchemeItem,
    Target,
    UnitGroup,
    UnitScore,
)
from gongjian.demo import names
from gongjian.dispatch.models import Report
from gongjian.projects.models import Milestone, MilestoneKind, Project

DEMO_SEED = 2018
MAJOR = {"levels": ["province", "city"]}
# code, name, measure, params, unit of measure, higher is better
INDICATORS = (
    ("major_investment", "省市重大项目年度完成投资", "sum",
     {"of": "completed_ytd", "where": MAJOR}, "万元", True),
    ("signed_investment", "新签约亿元以上项目总投资", "sum",
     {"of": "total_investment", "where": {"created_in_year": True, "min_total_investment": 10000}},
     "万元", True),
    ("new_starts", "新开工项目数", "count", {"of": "starts"}, "个", True),
    ("late_starts", "未按期开工项目数", "count", {"of": "late_starts"}, "个", False),
    ("park_share", "园区项目数量占比", "share",
     {"of": "projects", "part": {"flags": ["in_park"]}}, "%", True),
    ("manufacturing_share", "制造业投资占比", "share",
     {"of": "completed_ytd", "part": {"flags": ["is_manufacturing"]}}, "%", True),
    ("problems_on_time", "问题按期办结率", "rate", {"of": "problems_on_time"}, "%", True),
    ("filing_on_time", "按期填报率", "rate", {"of": "filing_on_time"}, "%", True),
)  # fmt: skip
# 2020 综合奖: 25 points at 100% of the plan, −0.1 per point short, +0.2 per point to 130%,
# +0.1 above, the adjustment capped at ±10.
PLAN_ITEM = {
    "full": 25,
    "below": "0.1",
    "bands": [[100, 130, "0.2"], [130, None, "0.1"]],
    "cap": 10,
}
# name, method, indicator code (None for manual), params, weight
MONTHLY_ITEMS = (
    ("重大项目投资完成", "ratio_to_plan", "major_investment", PLAN_ITEM, "1"),
    ("投资完成排名", "rank_bands", "major_investment",
     {"bands": [[1, 3, 7], [4, 6, 5], [7, 10, 3]]}, "1"),
    ("新开工项目", "count", "new_starts", {"per": 1, "cap": 10}, "1"),
    ("未按期开工", "count", "late_starts", {"per": -3}, "1"),
    # 功效系数法 gives 60–100; weighted 0.1 it moves a total by at most 4 points.
    ("制造业投资占比", "efficacy", "manufacturing_share", {"base": 60, "span": 40}, "0.1"),
    ("工作作风", "manual", None, {}, "1"),
)  # fmt: skip
YEARLY_ITEMS = (
    ("重大项目年度投资完成", "ratio_to_plan", "major_investment", PLAN_ITEM, "1"),
    ("新签约亿元以上项目", "ratio_to_plan", "signed_investment",
     {"full": 15, "below": "0.1", "bands": [[100, None, "0.1"]], "cap": 5}, "1"),
    ("年度投资完成量排名", "rank_bands", "major_investment",
     {"bands": [[1, 1, 5], [2, 2, 3], [3, 3, 1]]}, "1"),
    ("新开工项目", "count", "new_starts", {"per": 1, "cap": 10}, "1"),
    ("未按期开工", "count", "late_starts", {"per": -3}, "1"),
    ("园区项目数量占比", "efficacy", "park_share", {}, "0.05"),
    ("制造业投资占比", "efficacy", "manufacturing_share", {}, "0.05"),
    ("问题按期办结率", "efficacy", "problems_on_time", {}, "0.05"),
    ("按期填报率", "efficacy", "filing_on_time", {}, "0.05"),
)  # fmt: skip
# (group: county = 县区组, town = 镇街组; unit index in it; month of the quarter 0–2; points;
# reason)
MANUAL_SCORES = (
    ("county", 0, 0, "2", "主动上门服务企业，协调解决重点项目用地问题，获市主要领导批示肯定"),
    ("county", 2, 1, "-1", "月度调度会无故缺席一次，被市项目办通报"),
    ("town", 0, 2, "1.5", "形象进度照片上传及时完整，问题清单更新到位"),
)
ELIGIBILITY = {"min_completed_share": "0.3333", "not_shown_years": 3, "procedures_complete": True}
# username, display name, the county government they come from (None: the city's)
JUDGES = (
    ("judge_dh", "何建军（东湖区委书记）", names.COUNTIES[0].government),
    ("judge_xs", "马晓光（西山县委书记）", names.COUNTIES[1].government),
    ("judge_qh", "罗志刚（青河县委书记）", names.COUNTIES[2].government),
    ("judge_rd", "唐秀英（市人大代表）", None),
    ("judge_zx", "韩明（市政协委员）", None),
)
EXISTING_JUDGE = "judge"  # the judge persona of demo/names.py, a city-level judge
QUARTERS = "一二三四"
DAY = datetime.timedelta(days=1)


def last_quarter(today: datetime.date) -> tuple[int, int]:
    """(year, quarter) of the last quarter that ended before `today`."""
    quarter = (today.month - 1) // 3 + 1
    return (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)


def seed_assessment(today: datetime.date) -> str:
    """The demo's schemes and a quarter of scores, once; returns what was added ("" when a scheme
    exists already or there is no demo city)."""
    if Scheme.objects.exists():
        return ""
    city = Unit.objects.filter(name=names.CITY_GOVERNMENT, parent=None).first()
    office = User.objects.filter(username="office").first()
    if city is None or office is None:
        return ""
    year, quarter = last_quarter(today)
    months = [3 * quarter - 2, 3 * quarter - 1, 3 * quarter]
    rng = random.Random(DEMO_SEED)
    with transaction.atomic():
        units = _units(city)
        groups = _groups(units)
        indicators = _indicators()
        facts = measures.load_facts(year, months[-1])
        _targets(rng, indicators, units, facts, months[-1], {year, today.year})
        # The city runs all three (its office alone computes and publishes them); the county
        # offices of the dispatch demo read the published months like everyone else.
        monthly = _scheme(
            "月度考核", Scheme.Cadence.MONTHLY, MONTHLY_ITEMS, indicators, groups, city
        )
        _scheme("年度考核", Scheme.Cadence.YEARLY, YEARLY_ITEMS, indicators, groups, city)
        quarterly = _scheme(
            "季度评比", Scheme.Cadence.QUARTERLY, (), indicators, groups, city,
            rollup={"months": "0.3", "review": "0.1"},
        )  # fmt: skip
        periods = [f"{year}-{month:02d}" for month in months]
        _manual_scores(monthly, units, periods, office)
        runs = []
        for period in periods:
            run = services.score_run_compute(monthly, period, actor=office)
            services.score_run_publish(run=run, actor=office)
            runs.append(run)
        event = _review_event(rng, city, units, year, quarter, runs, office)
        services.score_run_compute(quarterly, event.period, actor=office)
    return (
        f"{len(indicators)} indicators, 3 schemes, {len(runs)} published months, "
        f"观摩 {event.period} ({Judge.objects.filter(event=event).count()} judges), "
        f"{event.period} roll-up (draft)"
    )


def _units(city: Unit) -> dict[str, list[Unit]]:
    """The county-level governments under the city, their towns and streets, and the parks."""
    counties = list(Unit.objects.filter(parent=city, kind=Unit.Kind.GOVERNMENT))
    return {
        "county": counties,
        "town": list(Unit.objects.filter(parent__in=counties, kind=Unit.Kind.TOWN)),
        "park": list(Unit.objects.subtree(city).filter(kind=Unit.Kind.PARK)),
    }


def _groups(units: dict[str, list[Unit]]) -> list[UnitGroup]:
    groups = []
    for order, (key, name) in enumerate(
        (("county", "县区组"), ("town", "镇街组"), ("park", "园区组")), start=1
    ):
        if not units[key]:
            continue
        group = UnitGroup.objects.create(name=name, order=order)
        group.units.set(units[key])
        groups.append(group)
    return groups


def _indicators() -> dict[str, Indicator]:
    made = {}
    for code, name, measure, params, label, higher in INDICATORS:
        indicator = Indicator(
            code=code, name=name, measure=measure, params=params, unit_label=label,
            higher_is_better=higher,
        )  # fmt: skip
        indicator.full_clean()
        indicator.save()
        made[code] = indicator
    return made


def _targets(rng, indicators, units, facts, last_month: int, years: set[int]) -> None:
    """Targets for the sum indicators, from each unit's own figures.

    ratio_to_plan compares the year to date with the target as it stands (there is no 序时
    pro-rating), so the investment target is set at the quarter's 序时 share of the unit's
    annual plans for its major projects, spread ×0.6–1.0; signed investment is not
    cumulative, so its target is the year's figure ÷ 0.7–1.3. Either way the demo quarter's
    ratios spread round 70–130%.
    """
    everyone = [u.pk for members in units.values() for u in members]
    plan = Indicator(measure="sum", params={"of": "annual_plan", "where": MAJOR})
    plans = measures.values_for(plan, facts, everyone)
    signed = measures.values_for(indicators["signed_investment"], facts, everyone)
    elapsed = Decimal(last_month) / 12
    rows = []
    for pk in everyone:
        major = plans[pk] * elapsed * Decimal(str(rng.uniform(0.6, 1.0)))
        new = signed[pk] / Decimal(str(rng.uniform(0.7, 1.3)))
        for code, value in (("major_investment", major), ("signed_investment", new)):
            value = value.quantize(Decimal(100))
            if value > 0:
                rows += [
                    Target(unit_id=pk, indicator=indicators[code], year=year, value=value)
                    for year in sorted(years)
                ]
    Target.objects.bulk_create(rows)


def _scheme(name, cadence, items, indicators, groups, owner, rollup=None) -> Scheme:
    scheme = Scheme.objects.create(name=name, cadence=cadence, rollup=rollup or {}, owner=owner)
    scheme.groups.set(groups)
    SchemeItem.objects.bulk_create(
        SchemeItem(
            scheme=scheme,
            name=item_name,
            method=method,
            indicator=indicators[code] if code else None,
            params=params,
            weight=Decimal(weight),
            order=order,
        )
        for order, (item_name, method, code, params, weight) in enumerate(items, start=1)
    )
    return scheme


def _manual_scores(scheme: Scheme, units, periods: list[str], office: User) -> None:
    item = scheme.items.get(method=SchemeItem.Method.MANUAL)
    for key, index, month, points, reason in MANUAL_SCORES:
        if index < len(units[key]):
            ManualScore.objects.create(
                item=item,
                unit=units[key][index],
                period=periods[month],
                points=Decimal(points),
                reason=reason,
                entered_by=office,
            )


# --- the quarter's 观摩 ---------------------------------------------------------------------------


def _review_event(rng, city, units, year, quarter, runs, office) -> ReviewEvent:
    """Held near the quarter's end; county and town groups; nominations; judges vote a ranking
    that follows the quarter's monthly scores with some personal judgement; then sealed."""
    quarter_end = datetime.date(year + quarter // 4, 3 * quarter % 12 + 1, 1) - DAY
    event = ReviewEvent.objects.create(
        name=f"{year}年第{QUARTERS[quarter - 1]}季度重点项目现场观摩",
        period=f"{year}-Q{quarter}",
        held_on=quarter_end - 6 * DAY,
        method=ReviewEvent.Method.RANK,
        eligibility=ELIGIBILITY,
        exclude_own_unit=True,
        owner=city,
    )
    groups = []
    for key, name in (("county", "县区组"), ("town", "镇街组")):
        if len(units[key]) > 1:
            group = ReviewGroup.objects.create(event=event, name=name)
            group.units.set(units[key])
            groups.append((group, units[key]))
    _nominate(rng, event, units, quarter_end)
    judges = _judges(event, city, units["county"], office)
    review.event_open(event=event, actor=office)
    form = _quarter_form(runs)
    for judge in judges:
        for group, members in groups:
            # Each judge ranks by what they saw on the tour: the quarter's form, give or take.
            ranked = sorted(
                (u for u in members if u.pk != judge.unit_id),
                key=lambda u: -(form.get(u.pk, 0) + rng.gauss(0, 4)),
            )
            review.ballot_cast(judge=judge, group=group, ranking=[u.pk for u in ranked])
    review.event_close(event=event, actor=office)
    return event


def _quarter_form(runs) -> dict[int, float]:
    """Each unit's mean monthly total over the quarter's runs."""
    totals = (
        UnitScore.objects.filter(run__in=runs)
        .order_by()
        .values_list("unit_id")
        .annotate(total=Sum("total"))
    )
    return {pk: float(total) / len(runs) for pk, total in totals}


def _nominate(rng, event: ReviewEvent, units, quarter_end: datetime.date) -> None:
    """Each county puts forward its most advanced project and another, and its best town one
    project; every nomination is checked against the event's rules."""
    year = quarter_end.year
    completed = dict(
        Report.objects.filter(
            status=Report.Status.ACCEPTED, is_current=True, period__end__lte=quarter_end
        )
        .order_by()
        .values_list("project_id")
        .annotate(total=Sum("amount"))
    )
    open_procedures = set(
        Milestone.objects.filter(
            kind__phase=MilestoneKind.Phase.PREPARATION, actual_date__isnull=True
        ).values_list("project_id", flat=True)
    )
    taken: set[int] = set()

    def candidates(unit: Unit) -> list[Project]:
        projects = Project.objects.filter(
            responsible_unit__path__startswith=unit.path,
            stage__is_started=True,
            listings__year=year,
        ).order_by("id")
        found = [p for p in projects if p.pk not in taken]
        return sorted(found, key=lambda p: -completed.get(p.pk, 0) / (p.total_investment or 1))

    def nominate(unit: Unit, project: Project) -> None:
        taken.add(project.pk)
        findings = review.check_eligibility(
            event.eligibility,
            total=project.total_investment,
            completed=completed.get(project.pk, Decimal(0)),
            shown_years=list(
                Nomination.objects.filter(project=project).values_list(
                    "event__held_on__year", flat=True
                )
            ),
            year=year,
            procedures_complete=project.pk not in open_procedures,
        )
        Nomination.objects.create(
            event=event,
            unit=unit,
            project=project,
            eligible=all(f.ok for f in findings),
            findings=[dataclasses.asdict(f) for f in findings],
        )

    for county in units["county"]:
        found = candidates(county)
        if found:
            nominate(county, found[0])
        if len(found) > 1:
            nominate(county, rng.choice(found[1:]))
        towns = [t for t in units["town"] if t.parent_id == county.pk]
        best = max(
            towns, key=lambda t: sum(completed.get(p.pk, 0) for p in candidates(t)), default=None
        )
        found = candidates(best) if best else []
        if found:
            nominate(best, found[0])


def _judges(event: ReviewEvent, city: Unit, counties: list[Unit], office: User) -> list[Judge]:
    """The judge persona, three county secretaries (who do not rank their own county) and two
    representatives (两代表一委员), with the demo password."""
    by_name = {u.name: u for u in counties}
    judges = []
    persona = User.objects.filter(username=EXISTING_JUDGE).first()
    if persona is not None:
        judges.append(Judge.objects.create(event=event, user=persona, unit=city))
    for username, display_name, county in JUDGES:
        seat = by_name.get(county) if county else None
        if county and seat is None:
            continue
        user, _created = User.objects.get_or_create(
            username=username, defaults={"display_name": display_name, "password": office.password}
        )
        RoleGrant.objects.get_or_create(user=user, role=Role.JUDGE, unit=seat or city)
        judges.append(Judge.objects.create(event=event, user=user, unit=seat or city))
    return judges
