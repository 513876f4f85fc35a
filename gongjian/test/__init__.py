"""Test fixtures, in one place: the shared personas here, the bigger cities beside them.

- gongjian.test (this module): Personas and BaseTestCase, a small city with one persona per
  role and two projects, which every database test builds on;
- gongjian.test.city: CityTestCase, the cockpit's city (a county, six projects, reports in
  every state, lights and snapshots for February and March 2026);
- gongjian.test.fuzz_city: FuzzCity, the cockpit's city plus one of everything a page can show;
- gongjian.test.dispatch, gongjian.test.bulletin, gongjian.test.transfer: the dispatch,
  bulletin and import fixtures their apps' tests share;
- gongjian.test.demo: the demo city of `seed_demo`, built once per test run for the tests that
  only read it (DemoCityTestCase);
- gongjian.test.browser: BrowserTestCase, a live server driven by chromium.

The personas of BaseTestCase:

- alice  项目办 (office) of the city
- leo    领导 (leader) of the city, 包保领导 of project_a
- ursula 责任单位 (unit filer) of 东湖街道, responsible for project_a
- boris  责任单位 of 西山镇, responsible for project_b
- dora   职能部门 (department) 市自然资源局
- erin   企业 (enterprise) 青川新材料有限公司, owner of project_a
- judy   评委 (judge)
- oscar  logged in, no role at all
"""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from gongjian.accounts.models import Region, Role, RoleGrant, Unit, User
from gongjian.projects.models import Category, ConstructionType, Industry, Project, Stage

ENTERPRISE_USCC = "91110000600037341L"
OTHER_USCC = "914403001922038216"


def password_login(client, username: str, password: str):
    """Sign in through the login page, as a person does (the login throttle needs a request,
    so the test client's login() cannot be used)."""
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


class Personas:
    """The shared city, personas and projects; mixed into database test cases."""

    @classmethod
    def create_personas(cls) -> None:
        cls.province = Region.objects.create(code="370000", name="山海省", level="province")
        cls.city_region = Region.objects.create(
            code="379900", name="青川市", level="city", parent=cls.province
        )
        cls.county_region = Region.objects.create(
            code="379901", name="青川市东湖区", level="county", parent=cls.city_region
        )
        cls.city = Unit.objects.create(
            name="青川市人民政府", kind=Unit.Kind.GOVERNMENT, region=cls.city_region
        )
        cls.town_a = Unit.objects.create(
            name="东湖街道", kind=Unit.Kind.TOWN, parent=cls.city, region=cls.county_region
        )
        cls.town_b = Unit.objects.create(
            name="西山镇", kind=Unit.Kind.TOWN, parent=cls.city, region=cls.county_region
        )
        cls.park = Unit.objects.create(name="青川高新区", kind=Unit.Kind.PARK, parent=cls.city)
        cls.dept = Unit.objects.create(
            name="市自然资源局", kind=Unit.Kind.DEPARTMENT, parent=cls.city
        )
        cls.enterprise = Unit.objects.create(
            name="青川新材料有限公司", kind=Unit.Kind.ENTERPRISE, uscc=ENTERPRISE_USCC
        )

        cls.alice = cls.make_user("alice", Role.OFFICE, cls.city)
        cls.leo = cls.make_user("leo", Role.LEADER, cls.city)
        cls.ursula = cls.make_user("ursula", Role.UNIT, cls.town_a)
        cls.boris = cls.make_user("boris", Role.UNIT, cls.town_b)
        cls.dora = cls.make_user("dora", Role.DEPARTMENT, cls.dept)
        cls.erin = cls.make_user("erin", Role.ENTERPRISE, cls.enterprise)
        cls.judy = cls.make_user("judy", Role.JUDGE, cls.city)
        cls.oscar = User.objects.create_user("oscar", password="password")

        cls.stage = Stage.objects.get(code="construction")
        cls.industry = Industry.objects.get(code="materials")
        cls.category = Category.objects.get(code="industry")
        cls.construction_type = ConstructionType.objects.get(code="new")
        cls.project_a = cls.make_project(
            name="重庆长安新能源汽车零部件项目",
            code="2411-379901-89-01-637015",
            responsible_unit=cls.town_a,
            owner_name="青川新材料有限公司",
            owner_uscc=ENTERPRISE_USCC,
            leader=cls.leo,
        )
        cls.project_b = cls.make_project(
            name="西山锂电池隔膜项目",
            code="2020-379901-38-03-016343",
            responsible_unit=cls.town_b,
            owner_name="西山能源有限公司",
            owner_uscc=OTHER_USCC,
            total_investment=Decimal("52000"),
        )

    @classmethod
    def make_user(cls, username: str, role: str, unit: Unit) -> User:
        user = User.objects.create_user(
            username, password="password", display_name=username.title()
        )
        RoleGrant.objects.create(user=user, role=role, unit=unit)
        return user

    @classmethod
    def make_project(cls, **fields) -> Project:
        values = {
            "industry": cls.industry,
            "region": cls.county_region,
            "stage": cls.stage,
            "category": cls.category,
            "construction_type": cls.construction_type,
            "total_investment": Decimal("120000"),
            "responsible_unit": cls.town_a,
        }
        values.update(fields)
        values.setdefault("original_total_investment", values["total_investment"])
        return Project.objects.create(**values)

    def login(self, user: User) -> None:
        self.client.force_login(user)

    def password_login(self, username: str, password: str):
        return password_login(self.client, username, password)


class BaseTestCase(Personas, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.create_personas()
