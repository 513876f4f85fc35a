"""Assessment benchmarks: scoring a month for 200 units with 20 indicators over the 100,000
projects (services.score_run_compute, which loads the period's facts itself, as a real run
does), and the ranking page of that month. Called from bench/__main__.py after Django is set up
and the projects and their reports exist."""

from __future__ import annotations

import random
import statistics
import time

UNITS = 200
UNIT_NAME = "基准考核单位{:03d}"
SCHEME = "基准月度考核"
GROUP_NAME = "基准考核组{}"
BATCH_UNIT = "基准测试街道"  # bench/dispatch.py's batch filing owns this unit's 200 projects
RUNS = 3
MAJOR = {"levels": ["province", "city"]}
BANDS = {"bands": [[1, 10, 10], [11, 30, 7], [31, 50, 4]]}
PLAN = {"full": 25, "below": "0.1", "bands": [[100, 130, "0.2"], [130, None, "0.1"]], "cap": 10}
# code, name, measure, params, higher is better, scheme item method, item params, weight
INDICATORS = (
    ("b-major", "省市重大项目完成投资", "sum", {"of": "completed_ytd", "where": MAJOR}, True,
     "ratio_to_plan", PLAN, "1"),
    ("b-completed", "年度完成投资", "sum", {"of": "completed_ytd"}, True,
     "ratio_to_plan", PLAN, "1"),
    ("b-plan", "年度计划投资", "sum", {"of": "annual_plan"}, True, "rank_bands", BANDS, "1"),
    ("b-signed", "新签约亿元以上项目总投资", "sum",
     {"of": "total_investment", "where": {"created_in_year": True, "min_total_investment": 10000}},
     True, "ratio_to_plan", {**PLAN, "full": 15, "cap": 5}, "1"),
    ("b-registered", "纳统项目总投资", "sum",
     {"of": "total_investment", "where": {"flags": ["registered"]}}, True,
     "rank_bands", BANDS, "1"),
    ("b-manufacturing", "制造业完成投资", "sum",
     {"of": "completed_ytd", "where": {"flags": ["is_manufacturing"]}}, True,
     "ratio_to_plan", {**PLAN, "full": 10, "cap": 5}, "1"),
    ("b-high-tech-big", "5亿元以上高新技术项目完成投资", "sum",
     {"of": "completed_ytd", "where": {"flags": ["is_high_tech"], "min_total_investment": 50000}},
     True, "efficacy", {}, "0.05"),
    ("b-projects", "项目个数", "count", {"of": "projects"}, True, "rank_bands", BANDS, "1"),
    ("b-starts", "新开工项目", "count", {"of": "starts"}, True,
     "count", {"per": 1, "cap": 10}, "1"),
    ("b-completions", "竣工项目", "count", {"of": "completions"}, True,
     "count", {"per": 2, "cap": 10}, "1"),
    ("b-late", "未按期开工", "count", {"of": "late_starts"}, False,
     "count", {"per": -3, "cap": 15}, "1"),
    ("b-building", "在建项目", "count", {"of": "projects", "where": {"stages": ["construction"]}},
     True, "efficacy", {}, "0.05"),
    ("b-foreign", "外资及省外资金项目", "count",
     {"of": "projects", "where": {"flags": ["foreign"]}}, True, "rank_bands", BANDS, "0.5"),
    ("b-park-share", "园区项目数量占比", "share",
     {"of": "projects", "part": {"flags": ["in_park"]}}, True, "efficacy", {}, "0.1"),
    ("b-manufacturing-share", "制造业投资占比", "share",
     {"of": "completed_ytd", "part": {"flags": ["is_manufacturing"]}}, True,
     "efficacy", {}, "0.1"),
    ("b-high-tech-share", "高新技术项目投资占比", "share",
     {"of": "total_investment", "part": {"flags": ["is_high_tech"]}}, True,
     "rank_bands", BANDS, "0.5"),
    ("b-provincial-share", "省重点项目计划占比", "share",
     {"of": "annual_plan", "part": {"levels": ["province"]}}, True, "efficacy", {}, "0.05"),
    ("b-registered-share", "在建投产项目纳统率", "share",
     {"of": "projects", "where": {"stages": ["construction", "in_production"]},
      "part": {"flags": ["registered"]}}, True, "efficacy", {}, "0.05"),
    ("b-problems", "问题按期办结率", "rate", {"of": "problems_on_time"}, True,
     "efficacy", {}, "0.1"),
    ("b-filing", "按期填报率", "rate", {"of": "filing_on_time"}, True, "efficacy", {}, "0.1"),
)  # fmt: skip


def latest_period() -> str:
    """The latest month with accepted reports, as YYYY-MM."""
    from django.db.models import Max

    from gongjian.dispatch.models import Report

    end = Report.objects.filter(status=Report.Status.ACCEPTED).aggregate(last=Max("period__end"))
    return f"{end['last']:%Y-%m}"


def build() -> float | None:
    """200 assessed units under the county governments with the projects dealt out to them,
    three groups, 20 indicators, a target for every unit and sum indicator, and the scheme."""
    from django.db import transaction

    from gongjian.assessment.models import Scheme

    if Scheme.objects.filter(name=SCHEME).exists():
        return None
    started = time.perf_counter()
    with transaction.atomic():
        units = _units()
        _deal_projects(units)
        groups = _groups(units)
        indicators = _indicators()
        _targets(units, indicators)
        _scheme(indicators, groups)
    return time.perf_counter() - started


def _units() -> list:
    from gongjian.accounts.models import Unit
    from gongjian.demo import names

    city = Unit.objects.get(name=names.CITY_GOVERNMENT, parent=None)
    counties = list(Unit.objects.filter(parent=city, kind=Unit.Kind.GOVERNMENT).order_by("pk"))
    return [
        Unit.objects.create(
            name=UNIT_NAME.format(number),
            kind=Unit.Kind.TOWN,
            parent=counties[number % len(counties)],
            region=counties[number % len(counties)].region,
        )
        for number in range(1, UNITS + 1)
    ]


def _deal_projects(units: list) -> None:
    """Round-robin, one UPDATE per unit; the batch-filing unit keeps its projects."""
    from gongjian.projects.models import Project

    ids = list(
        Project.objects.exclude(responsible_unit__name=BATCH_UNIT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for index, unit in enumerate(units):
        chunk = ids[index :: len(units)]
        for start in range(0, len(chunk), 900):  # under SQLite's old 999-parameter limit
            Project.objects.filter(pk__in=chunk[start : start + 900]).update(responsible_unit=unit)


def _groups(units: list) -> list:
    """One group per county government, like 县组/区组."""
    from gongjian.assessment.models import UnitGroup

    by_parent: dict[int, list] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    groups = []
    for order, members in enumerate(by_parent.values(), start=1):
        group = UnitGroup.objects.create(name=GROUP_NAME.format(order), order=100 + order)
        group.units.set(members)
        groups.append(group)
    return groups


def _indicators() -> list:
    from gongjian.assessment.models import Indicator

    made = []
    for code, name, measure, params, higher, *_item in INDICATORS:
        indicator = Indicator(
            code=code, name=f"{name}（基准）", measure=measure, params=params,
            unit_label="万元" if measure == "sum" else "个" if measure == "count" else "%",
            higher_is_better=higher,
        )  # fmt: skip
        indicator.full_clean()
        indicator.save()
        made.append(indicator)
    return made


def _targets(units: list, indicators: list) -> None:
    """Every unit's target for every sum indicator: the year's figure ÷ 0.7–1.3."""
    from decimal import Decimal

    from gongjian.assessment import measures
    from gongjian.assessment.models import Target

    year, month = map(int, latest_period().split("-"))
    facts = measures.load_facts(year, month)
    rng = random.Random(UNITS)
    ids = [u.pk for u in units]
    rows = []
    for indicator in indicators:
        if indicator.measure != "sum":
            continue
        values = measures.values_for(indicator, facts, ids)
        for pk in ids:
            value = values[pk] / Decimal(str(rng.uniform(0.7, 1.3)))
            rows.append(
                Target(
                    unit_id=pk,
                    indicator=indicator,
                    year=year,
                    value=max(value.quantize(Decimal(100)), Decimal(100)),
                )
            )
    Target.objects.bulk_create(rows, batch_size=500)


def _scheme(indicators: list, groups: list) -> None:
    from decimal import Decimal

    from gongjian.accounts.models import Unit
    from gongjian.assessment.models import Scheme, SchemeItem
    from gongjian.demo import names

    city = Unit.objects.get(name=names.CITY_GOVERNMENT, parent=None)
    scheme = Scheme.objects.create(name=SCHEME, cadence=Scheme.Cadence.MONTHLY, owner=city)
    scheme.groups.set(groups)
    SchemeItem.objects.bulk_create(
        SchemeItem(
            scheme=scheme,
            name=indicator.name,
            indicator=indicator,
            method=method,
            params=params,
            weight=Decimal(weight),
            order=order,
        )
        for order, (indicator, (*_spec, method, params, weight)) in enumerate(
            zip(indicators, INDICATORS, strict=True), start=1
        )
    )


def _scheme_and_period():
    from gongjian.assessment.models import Scheme

    return Scheme.objects.get(name=SCHEME), latest_period()


def bench_compute() -> float:
    """services.score_run_compute for the latest month, facts included; each run replaces the
    draft."""
    from gongjian.assessment import services

    scheme, period = _scheme_and_period()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run = services.score_run_compute(scheme, period)
        times.append(time.perf_counter() - started)
        assert run.scores.count() == UNITS, run.scores.count()
    return statistics.median(times)


def bench_ranking(median_ms) -> tuple[float, int]:
    """The ranking page of the month's draft as the office (run bench_compute first)."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongjian.accounts.models import User

    scheme, period = _scheme_and_period()
    client = Client()
    client.force_login(User.objects.get(username="office"))
    params = {"scheme": scheme.pk, "period": period}

    def get():
        response = client.get("/assessment/", params)
        assert response.status_code == 200, response.status_code
        assert UNIT_NAME.format(UNITS).encode() in response.content

    get()  # warm up
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        get()
    count = len(queries.captured_queries)
    return median_ms(get, 20), count
