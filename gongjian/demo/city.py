"""The demo city 青川市 behind `manage.py seed_demo`: counties, towns, parks, departments,
enterprises, ~250 projects with listings and milestones, and one login per role.

Everything comes from a fixed seed, so every deployment shows the same demo. `seed_demo` is the
entry point; the builders below take a `random.Random` and return unsaved rows, so the city is
written with a few bulk inserts. `--projects N` (benchmarks) reuses the same project builder.
Names, codes and the tables behind them are in names.py.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongjian.accounts.models import Region, RoleGrant, Unit, User
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_bulk, creation_changes
from gongjian.demo import names
from gongjian.lib.bulk import insert_quickly
from gongjian.lib.search import search_text_for
from gongjian.projects.models import (
    AnnualListing,
    Category,
    ConstructionType,
    Industry,
    Level,
    Milestone,
    MilestoneKind,
    Project,
    Rebaseline,
    Stage,
)

DEMO_PASSWORD = "Gongjian@2026"
DEMO_SEED = 379900
DEMO_PROJECTS = 250
DEMO_REBASELINES = 15
BATCH_SIZE = 5000
AUDIT_NOTE = "演示数据"
NOT_YET_WORKING = ("planning", "signed")  # no procedure has been filed at these stages
DAY = timedelta(days=1)


class Login(NamedTuple):
    username: str
    role: str
    unit: str
    password: str = DEMO_PASSWORD


class SeedReport(NamedTuple):
    created_city: bool
    added_projects: int
    added_seconds: float
    logins: list[Login]


class Weighted:
    """A weighted choice whose cumulative weights are summed once: it runs for every project."""

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


class Site(NamedTuple):
    """Where a project is built: a town or a park, with its county and a point to scatter round."""

    unit: Unit
    park: Unit | None
    address_prefix: str
    centre: tuple[float, float]
    county_leader: User | None


class Owner(NamedTuple):
    unit: Unit
    brand: str
    industry: str


@dataclass(frozen=True)
class City:
    """The demo city as stored, with the default lists by code, ready to generate projects."""

    sites: Weighted
    focus_sites: dict[str, list[Site]]  # industry code → the park specialised in it
    industries: Weighted
    owners: dict[str, Weighted]  # industry code → its enterprises
    departments: dict[str, Unit]
    city_leaders: list[User]
    lists: dict[type, dict]  # Stage, Industry, … → {code: row}
    milestone_kinds: list[MilestoneKind]


LIST_MODELS = (Stage, Industry, Category, ConstructionType)
STAGES = Weighted(names.STAGE_WEIGHTS)
CONSTRUCTION_TYPES = Weighted(names.CONSTRUCTION_TYPE_WEIGHTS)
SOURCES = Weighted(names.SOURCE_WEIGHTS)


def seed_demo(*, extra_projects: int = 0) -> SeedReport:
    """Create the demo city unless it exists, then add `extra_projects` generated projects."""
    today = timezone.localdate()
    with transaction.atomic():
        created = not Unit.objects.filter(name=names.CITY_GOVERNMENT, parent=None).exists()
        if created:
            build_demo_city(today)
        started = time.perf_counter()
        if extra_projects:
            add_generated_projects(load_city(), extra_projects, today)
        seconds = time.perf_counter() - started
    return SeedReport(created, extra_projects, seconds, demo_logins())


def create_organisation() -> None:
    province = region(names.PROVINCE_CODE, names.PROVINCE_NAME, "province", None)
    city_region = region(names.CITY_CODE, names.CITY_NAME, "city", province)
    regions = {names.CITY_CODE: city_region}
    city = add_unit(names.CITY_GOVERNMENT, Unit.Kind.GOVERNMENT, None, city_region, names.CITY_NAME)
    governments = {}
    for county in names.COUNTIES:
        regions[county.code] = here = region(county.code, county.name, "county", city_region)
        government = add_unit(county.government, Unit.Kind.GOVERNMENT, city, here, county.name)
        governments[county.code] = government
        for town in county.towns:
            add_unit(town, Unit.Kind.TOWN, government, here)
    for park in names.PARKS:
        parent = city if park.city_level else governments[park.county_code]
        add_unit(park.name, Unit.Kind.PARK, parent, regions[park.county_code], park.short_name)
    for department in names.DEPARTMENTS:
        add_unit(department, Unit.Kind.DEPARTMENT, city, city_region)
    rng, taken = random.Random(DEMO_SEED), set(Unit.objects.values_list("uscc", flat=True))
    for spec in names.ENTERPRISES:
        uscc = names.enterprise_uscc(rng, spec.region_code)
        while uscc in taken:
            uscc = names.enterprise_uscc(rng, spec.region_code)
        taken.add(uscc)
        # Top-level: an enterprise belongs to no government's hierarchy.
        add_unit(spec.name, Unit.Kind.ENTERPRISE, None, regions[spec.region_code], spec.brand, uscc)


def region(code: str, name: str, level: str, parent: Region | None) -> Region:
    found, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return found


def add_unit(name, kind, parent, region, short_name="", uscc="") -> Unit:
    return Unit.objects.create(
        name=name, kind=kind, parent=parent, region=region, short_name=short_name, uscc=uscc
    )


def create_logins(personas, units: dict[str, Unit], password_hash: str) -> None:
    """Create each login with its grant (an administrator with their administrator role
    instead); an existing username is left exactly as it is."""
    admin_roles = {persona.username: persona.role for persona in names.ADMINS}
    for persona in personas:
        admin_role = admin_roles.get(persona.username, "")
        user, created = User.objects.get_or_create(
            username=persona.username,
            defaults={"display_name": persona.display_name, "password": password_hash,
                      "admin_role": admin_role},
        )  # fmt: skip
        if created and not admin_role:
            RoleGrant.objects.create(user=user, role=persona.role, unit=units[persona.unit])


def demo_logins() -> list[Login]:
    usernames = [p.username for p in names.PERSONAS]
    grants = RoleGrant.objects.filter(user__username__in=usernames).select_related("user", "unit")
    grants = sorted(grants, key=lambda g: (usernames.index(g.user.username), g.pk))
    logins = [Login(g.user.username, g.role, g.unit.name) for g in grants]
    admins = {p.username: p for p in names.ADMINS}
    present = User.objects.filter(
        username__in=admins, admin_role__in=[p.role for p in names.ADMINS]
    ).values_list("username", flat=True)
    for username in sorted(present, key=list(admins).index):
        persona = admins[username]
        logins.append(Login(persona.username, persona.role, persona.unit))
    return logins


def load_city() -> City:
    government = Unit.objects.get(name=names.CITY_GOVERNMENT, parent=None)
    units = {u.name: u for u in Unit.objects.subtree(government)}
    leader_names = [p.username for p in names.LEADERS]
    users = {u.username: u for u in User.objects.filter(username__in=leader_names)}
    leaders_at: dict[str, list[User]] = {}  # unit name → its leaders
    for persona in names.LEADERS:
        if persona.username in users:
            leaders_at.setdefault(persona.unit, []).append(users[persona.username])
    site_weights = {}
    for county in names.COUNTIES:
        places = [units[t] for t in county.towns]
        places += [units[p.name] for p in names.PARKS if p.county_code == county.code]
        for index, unit in enumerate(places):
            # Spread a county's towns and parks on a small circle round its centre.
            angle = 2 * math.pi * index / len(places)
            lat, lng = county.centre
            centre = (lat + 0.06 * math.sin(angle), lng + 0.07 * math.cos(angle))
            park = unit if unit.kind == Unit.Kind.PARK else None
            prefix = f"{names.CITY_NAME}{county.name}{unit.short_name or unit.name}"
            site = Site(unit, park, prefix, centre, leaders_at.get(county.government, [None])[0])
            site_weights[site] = 1.5 if park else 4.0 if unit.name == names.SHOWCASE_TOWN else 1.0
    focus_sites = {}
    for site in site_weights:
        for park in names.PARKS:
            for industry in park.focus if park.name == site.unit.name else ():
                focus_sites.setdefault(industry, []).append(site)
    owners = load_owners()
    return City(
        sites=Weighted(site_weights),
        focus_sites=focus_sites,
        industries=Weighted({k: w for k, w in names.INDUSTRY_WEIGHTS.items() if k in owners}),
        owners=owners,
        departments={n: units[n] for n in names.DEPARTMENTS if n in units},
        city_leaders=leaders_at.get(names.CITY_GOVERNMENT, []),
        lists={model: {row.code: row for row in model.objects.all()} for model in LIST_MODELS},
        milestone_kinds=list(MilestoneKind.objects.filter(is_active=True)),
    )


def load_owners() -> dict[str, Weighted]:
    """Enterprises by industry; within one the first listed owns most (weights 1, 1/2, 1/3…)."""
    specs = {spec.name: spec for spec in names.ENTERPRISES}
    units = Unit.objects.filter(kind=Unit.Kind.ENTERPRISE, name__in=specs)
    by_industry: dict[str, dict[Owner, float]] = {}
    for unit in sorted(units, key=lambda u: list(specs).index(u.name)):
        spec = specs[unit.name]
        ranked = by_industry.setdefault(spec.industry, {})
        ranked[Owner(unit, spec.brand, spec.industry)] = 1 / (len(ranked) + 1)
    return {industry: Weighted(ranked) for industry, ranked in by_industry.items()}


def new_project(rng, city: City, today: date, taken: set[str], used: set[str] | None = None):
    """An unsaved, fully filled Project; its code is unique, and its name too if `used` is given."""
    owner: Owner = city.owners[city.industries.pick(rng)].pick(rng)
    name, template = names.project_name(rng, owner.brand, owner.industry, used)
    site = pick_site(rng, city, owner.industry)
    region = site.unit.region
    stage = STAGES.pick(rng)
    start, end = planned_dates(rng, stage, today)
    total = total_investment(rng)
    issued = names.code_issued(rng, start, today)
    code = names.project_code(rng, taken, issued, region.code, template.industry_class[:2])
    output = total * (rng.uniform(0.8, 2.5) if template.manufacturing else rng.uniform(0.1, 0.6))
    registered = stage not in (*NOT_YET_WORKING, "preliminary") and rng.random() < 0.9
    stats_code = f"{region.code}{start:%Y}{rng.randrange(100_000):05d}" if registered else ""
    land_per_mu = rng.uniform(150, 600 if template.manufacturing else 1500)  # 万元 per 亩
    return Project(
        name=name, code=code, owner_name=owner.unit.name, owner_uscc=owner.unit.uscc,
        industry=city.lists[Industry][owner.industry], industry_class=template.industry_class,
        region=region, park=site.park, responsible_unit=site.unit,
        address=f"{site.address_prefix}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号",
        latitude=decimal(site.centre[0] + rng.uniform(-0.02, 0.02), 6),
        longitude=decimal(site.centre[1] + rng.uniform(-0.02, 0.02), 6),
        leader=pick_leader(rng, city, site, total),
        construction_type=city.lists[ConstructionType][CONSTRUCTION_TYPES.pick(rng)],
        category=city.lists[Category][template.category], investment_source=SOURCES.pick(rng),
        total_investment=decimal(total), original_total_investment=decimal(total),
        land_area=decimal(total / land_per_mu), expected_output=decimal(output),
        expected_tax=decimal(output * rng.uniform(0.04, 0.1)),
        is_fortune500=rng.random() < 0.03, is_listed_company=rng.random() < 0.15,
        is_specialised=total < 50_000 and rng.random() < 0.2,
        is_secretary_project=rng.random() < (0.4 if total >= 100_000 else 0.03),
        is_high_tech=rng.random() < (0.5 if owner.industry in ("lithium", "pharma") else 0.1),
        is_manufacturing=template.manufacturing, is_livelihood=template.category == "livelihood",
        stage=city.lists[Stage][stage], stats_status="yes" if registered else "no",
        stats_code=stats_code, planned_start=start, planned_end=end,
        original_start=start, original_end=end,
        # Bulk inserts skip save(), which would otherwise fill this in.
        search_text=search_text_for(name, code, owner.unit.name),
    )  # fmt: skip


def decimal(value: float, places: int = 2) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def pick_site(rng: random.Random, city: City, industry: str) -> Site:
    # A third of an industry's projects cluster in the park that specialises in it.
    focus = city.focus_sites.get(industry)
    if focus and rng.random() < 0.35:
        return rng.choice(focus)
    return city.sites.pick(rng)


def pick_leader(rng: random.Random, city: City, site: Site, total: float) -> User | None:
    # Big projects get a city leader as 包保领导; most others their county's head.
    if city.city_leaders and (total >= 100_000 or not site.county_leader or rng.random() < 0.3):
        return rng.choice(city.city_leaders)
    return site.county_leader


def total_investment(rng: random.Random) -> float:
    """万元, skewed like a real list: mostly 1-5 亿, a long tail up to 50 亿."""
    low, high = rng.choices(
        [(5_000, 10_000), (10_000, 50_000), (50_000, 100_000), (100_000, 500_000)],
        weights=[20, 50, 20, 10],
    )[0]
    return round(math.exp(rng.uniform(math.log(low), math.log(high))), -2)


def planned_dates(rng: random.Random, stage: str, today: date) -> tuple[date, date]:
    """(planned start, planned completion) consistent with the stage as of `today`."""
    if stage in ("in_production", "full_production"):
        ago = rng.randint(30, 360) if stage == "in_production" else rng.randint(200, 1100)
        end = today - DAY * ago
        return end - DAY * rng.randint(360, 1000), end
    if stage == "construction":
        start = today - DAY * rng.randint(90, 900)
        return start, max(start + DAY * rng.randint(360, 1100), today + DAY * rng.randint(60, 600))
    # Not started yet: the earlier the stage, the further off the start.
    offsets = {"new_start": (-180, -5), "planning": (180, 540), "signed": (90, 360)}
    start = today + DAY * rng.randint(*offsets.get(stage, (20, 240)))
    return start, start + DAY * rng.randint(360, 1100)


def listings_for(rng: random.Random, project: Project, years: list[int]) -> list[AnnualListing]:
    """The project's key-list declarations for the years it is being prepared or built."""
    total = float(project.total_investment)
    level = pick_level(rng, total)
    start, end = project.planned_start, project.planned_end
    rows = []
    for year in [year for year in years if start.year - 1 <= year <= end.year] or years[:1]:
        # Little is spent in the year before ground-breaking.
        share = rng.uniform(0.15, 0.45) if start.year <= year else rng.uniform(0.03, 0.1)
        rows.append(AnnualListing(
            project=project, year=year, level=level, planned_investment=decimal(total * share),
            planned_start=start, planned_completion=end,
        ))  # fmt: skip
    return rows


def pick_level(rng: random.Random, total: float) -> str:
    # About 10% provincial and 35% city key projects; the provincial ones are the big ones.
    if rng.random() < (0.45 if total >= 100_000 else 0.06):
        return Level.PROVINCE
    return Level.CITY if rng.random() < 0.38 else Level.COUNTY


def milestones_for(rng: random.Random, project: Project, city: City, today: date) -> list:
    """Every active milestone with a planned date; the ones already reached have an actual date.

    前期手续 are spaced out before the planned start, construction nodes spread from start to
    completion. Before ground-breaking some past procedures are still open (they show as late).
    """
    start, end = project.planned_start, project.planned_end
    preparation = [k for k in city.milestone_kinds if k.phase == MilestoneKind.Phase.PREPARATION]
    construction = [k for k in city.milestone_kinds if k not in preparation]
    step = DAY * rng.randint(20, 45)
    planned = {kind: start - step * (len(preparation) - i) for i, kind in enumerate(preparation)}
    span = (end - start).days
    for i, kind in enumerate(construction):
        planned[kind] = start + DAY * (span * i // max(len(construction) - 1, 1))
    working = project.stage.code not in NOT_YET_WORKING
    rows = []
    for kind in city.milestone_kinds:
        when = planned[kind]
        done = working and when <= today and (project.stage.is_started or rng.random() < 0.75)
        actual = min(when + DAY * rng.randint(-15, 20), today) if done else None
        owner = city.departments.get(names.MILESTONE_OWNERS.get(kind.code, names.DEFAULT_OWNER))
        # Every third kind was first planned six weeks earlier: the battle map's ghost.
        # (No random draw here, so the rest of the demo stays as it was.)
        baseline = when - DAY * 42 if kind.order % 3 == 0 else when
        rows.append(Milestone(
            project=project, kind=kind, planned_date=when, baseline_date=baseline,
            actual_date=actual, owner_unit=owner,
        ))  # fmt: skip
    return rows


def rebaseline(rng: random.Random, project: Project, today: date) -> Rebaseline:
    """Make `project` re-baselined: its original plan was cheaper and earlier.

    Returns the unsaved record; `recorded_by` is filled in once the office login exists.
    """
    new_total = float(project.total_investment)
    project.original_total_investment = decimal(new_total * rng.uniform(0.7, 0.95))
    project.original_start = project.planned_start - DAY * rng.randint(60, 240)
    project.original_end = project.planned_end - DAY * rng.randint(60, 300)
    project.version = 2
    return Rebaseline(
        project=project, reason=rng.choice(names.REBASELINE_REASONS),
        old_total_investment=project.original_total_investment,
        new_total_investment=project.total_investment,
        old_start=project.original_start, new_start=project.planned_start,
        old_end=project.original_end, new_end=project.planned_end,
        approved_by=rng.choice(names.REBASELINE_APPROVERS),
        approved_on=min(project.original_start, today) - DAY * rng.randint(10, 60),
    )  # fmt: skip


def build_demo_city(today: date) -> None:
    create_organisation()
    # Hash once: the default hasher is slow on purpose, and every login shares the password.
    password_hash = make_password(DEMO_PASSWORD)
    government = Unit.objects.get(name=names.CITY_GOVERNMENT, parent=None)
    units = {u.name: u for u in Unit.objects.subtree(government)}
    create_logins(names.LEADERS, units, password_hash)  # projects need their 包保领导
    city = load_city()
    rng = random.Random(DEMO_SEED)
    taken = set(Project.objects.exclude(code="").values_list("code", flat=True))
    used_names: set[str] = set()
    projects = [new_project(rng, city, today, taken, used_names) for _ in range(DEMO_PROJECTS)]
    started = [p for p in projects if p.stage.is_started and p.stage.code != "full_production"]
    changed = rng.sample(started, min(DEMO_REBASELINES, len(started)))
    rebaselines = [rebaseline(rng, project, today) for project in changed]
    Project.objects.bulk_create(projects)
    years = [today.year - 1, today.year]
    AnnualListing.objects.bulk_create([r for p in projects for r in listings_for(rng, p, years)])
    Milestone.objects.bulk_create(
        [r for p in projects for r in milestones_for(rng, p, city, today)]
    )
    towns = [p.responsible_unit for p in projects if p.responsible_unit.kind == Unit.Kind.TOWN]
    units[names.BUSIEST_TOWN] = most_common(towns)
    owner_uscc = most_common(p.owner_uscc for p in projects)
    units[names.BUSIEST_ENTERPRISE] = Unit.objects.get(uscc=owner_uscc)
    create_logins([*names.PERSONAS, *names.ADMINS], units, password_hash)
    office = User.objects.get(username="office")
    for record in rebaselines:
        record.recorded_by = office
    Rebaseline.objects.bulk_create(rebaselines)
    audit_bulk([audit_created_entry(p) for p in projects])


def most_common(items):
    """The item seen most often; on a tie the first seen, so the result is deterministic."""
    return Counter(items).most_common(1)[0][0]


def audit_created_entry(project: Project) -> dict:
    changes = creation_changes(project)
    entry = {"actor": None, "action": AuditEntry.Action.CREATE, "note": AUDIT_NOTE}
    return {**entry, "instance": project, "changes": changes}


def add_generated_projects(city: City, count: int, today: date) -> None:
    """Add `count` projects in batches; most get a listing for this year, none get milestones.

    The seed depends on how many projects exist, so a second run adds different projects.
    """
    rng = random.Random(DEMO_SEED + Project.objects.count())
    taken = set(Project.objects.exclude(code="").values_list("code", flat=True))
    for offset in range(0, count, BATCH_SIZE):
        size = min(BATCH_SIZE, count - offset)
        batch = [new_project(rng, city, today, taken) for _ in range(size)]
        last_pk = Project.objects.aggregate(last=Max("pk"))["last"] or 0
        insert_quickly(Project, batch)
        # Every generated project has a unique code, which finds the primary keys just assigned.
        pks = dict(Project.objects.filter(pk__gt=last_pk).values_list("code", "pk"))
        for project in batch:
            project.pk = pks[project.code]
        listed = [p for p in batch if rng.random() < 0.85]
        insert_quickly(
            AnnualListing, [r for p in listed for r in listings_for(rng, p, [today.year])]
        )
