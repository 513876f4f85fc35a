"""What things are called in the demo city 青川市 (fictional province 山海省): the name tables,
and the pure functions that make project names and valid national codes from them.

Every place, organisation and person here is invented. Region codes only have to pass
`region_code_error` (a real province prefix, made-up digits after it), so 3799xx is used:
no real city has that code.
"""

from __future__ import annotations

import datetime
import random
from typing import NamedTuple

from gongjian.accounts.models import AdminRole, Role
from gongjian.lib.codes import _gb11714_check, _uscc_check, is_valid_uscc

PROVINCE_CODE, PROVINCE_NAME = "370000", "山海省"
CITY_CODE, CITY_NAME = "379900", "青川市"
CITY_GOVERNMENT = "青川市人民政府"


class CountySpec(NamedTuple):
    code: str
    name: str
    government: str
    towns: tuple[str, ...]
    centre: tuple[float, float]


COUNTIES = (
    CountySpec(
        "379901",
        "东湖区",
        "东湖区人民政府",
        ("东湖街道", "湖滨街道", "金山街道", "柳泉镇"),
        (36.52, 117.03),
    ),
    CountySpec(
        "379902",
        "西山县",
        "西山县人民政府",
        ("西山镇", "石门镇", "桃园镇", "龙泉街道"),
        (36.41, 116.80),
    ),
    CountySpec(
        "379903",
        "青河县",
        "青河县人民政府",
        ("青河街道", "白沙镇", "黄岭镇", "河口镇"),
        (36.64, 117.24),
    ),
)
# Weighted up when projects are placed, so the `unit` demo login has the richest list.
SHOWCASE_TOWN = "东湖街道"


class ParkSpec(NamedTuple):
    name: str
    short_name: str
    county_code: str
    city_level: bool  # a city-level park sits under the city government, others under a county
    focus: tuple[str, ...]  # industry codes that cluster in this park


PARKS = (
    ParkSpec("青川高新技术产业开发区", "青川高新区", "379901", True, ("digital", "pharma")),
    ParkSpec("青川锂电新能源产业园", "锂电产业园", "379901", False, ("lithium", "new_energy")),
    ParkSpec("西山经济开发区", "西山经开区", "379902", False, ("machinery",)),
    ParkSpec("青河化工产业园", "青河化工园", "379903", False, ("chemical", "materials")),
)

DEPARTMENTS = (
    "市发展改革委",
    "市自然资源局",
    "市生态环境局",
    "市住房城乡建设局",
    "市工业和信息化局",
    "市商务局",
    "市应急管理局",
    "市市场监管局",
    "市税务局",
    "市水利局",
    "市统计局",
    "市行政审批服务局",
)
# Which department answers for each default milestone (前期手续 go to the approving office).
MILESTONE_OWNERS = {
    "approval": "市发展改革委",
    "land_pre": "市自然资源局",
    "land_supply": "市自然资源局",
    "planning_permit": "市自然资源局",
    "eia": "市生态环境局",
    "energy": "市发展改革委",
    "construction_permit": "市住房城乡建设局",
    "start": "市住房城乡建设局",
    "topping_out": "市住房城乡建设局",
    "equipment": "市工业和信息化局",
    "completion": "市住房城乡建设局",
    "production": "市工业和信息化局",
}
DEFAULT_OWNER = "市发展改革委"


class EnterpriseSpec(NamedTuple):
    name: str
    brand: str  # how project names start: place + trade name
    industry: str  # Industry.code
    region_code: str  # where it is registered (positions 3-8 of its USCC)


# Within an industry the first enterprise owns the most projects (weights fall off as 1/rank).
ENTERPRISES = (
    EnterpriseSpec("青川锂源新能源科技有限公司", "青川锂源", "lithium", "379901"),
    EnterpriseSpec("山海瑞禾锂业有限公司", "山海瑞禾", "lithium", "379901"),
    EnterpriseSpec("青川嘉和电池有限公司", "青川嘉和", "lithium", "379901"),
    EnterpriseSpec("东湖博远锂电科技有限公司", "东湖博远", "lithium", "379901"),
    EnterpriseSpec("青川锦程储能科技有限公司", "青川锦程", "lithium", "379902"),
    EnterpriseSpec("山海鑫源锂电材料有限公司", "山海鑫源", "lithium", "379903"),
    EnterpriseSpec("西山腾越动力电池有限公司", "西山腾越", "lithium", "379902"),
    EnterpriseSpec("青川聚能新材料有限公司", "青川聚能", "lithium", "379901"),
    EnterpriseSpec("青川华泰化工有限公司", "青川华泰", "chemical", "379903"),
    EnterpriseSpec("山海恒信化学有限公司", "山海恒信", "chemical", "379903"),
    EnterpriseSpec("青河润丰精细化工有限公司", "青河润丰", "chemical", "379903"),
    EnterpriseSpec("青川鼎盛石化有限公司", "青川鼎盛", "chemical", "379903"),
    EnterpriseSpec("西山泓源化学有限公司", "西山泓源", "chemical", "379902"),
    EnterpriseSpec("青川宏泽化工有限公司", "青川宏泽", "chemical", "379901"),
    EnterpriseSpec("青川恒川重工有限公司", "青川恒川", "machinery", "379902"),
    EnterpriseSpec("山海精工数控机床有限公司", "山海精工", "machinery", "379902"),
    EnterpriseSpec("西山金鼎机械有限公司", "西山金鼎", "machinery", "379902"),
    EnterpriseSpec("青川远航农业装备有限公司", "青川远航", "machinery", "379902"),
    EnterpriseSpec("青川华锐智能装备有限公司", "青川华锐", "machinery", "379901"),
    EnterpriseSpec("山海宏图传动科技有限公司", "山海宏图", "machinery", "379903"),
    EnterpriseSpec("青川昊天汽车零部件有限公司", "青川昊天", "machinery", "379902"),
    EnterpriseSpec("青川康瑞制药有限公司", "青川康瑞", "pharma", "379901"),
    EnterpriseSpec("山海济安生物科技有限公司", "山海济安", "pharma", "379901"),
    EnterpriseSpec("青河本草中药饮片有限公司", "青河本草", "pharma", "379903"),
    EnterpriseSpec("青川康泽医疗器械有限公司", "青川康泽", "pharma", "379901"),
    EnterpriseSpec("青川华康生物医药有限公司", "青川华康", "pharma", "379901"),
    EnterpriseSpec("东湖博济药业有限公司", "东湖博济", "pharma", "379901"),
    EnterpriseSpec("山海益安医药有限公司", "山海益安", "pharma", "379902"),
    EnterpriseSpec("青川云川数据科技有限公司", "青川云川", "digital", "379901"),
    EnterpriseSpec("山海智汇信息技术有限公司", "山海智汇", "digital", "379901"),
    EnterpriseSpec("青川数联网络科技有限公司", "青川数联", "digital", "379901"),
    EnterpriseSpec("青川星河算力科技有限公司", "青川星河", "digital", "379901"),
    EnterpriseSpec("东湖云谷数字产业有限公司", "东湖云谷", "digital", "379901"),
    EnterpriseSpec("青川启芯微电子有限公司", "青川启芯", "digital", "379901"),
    EnterpriseSpec("山海灵犀软件有限公司", "山海灵犀", "digital", "379902"),
    EnterpriseSpec("青川晨阳光伏科技有限公司", "青川晨阳", "new_energy", "379902"),
    EnterpriseSpec("西山风华新能源有限公司", "西山风华", "new_energy", "379902"),
    EnterpriseSpec("青河光辉电力有限公司", "青河光辉", "new_energy", "379903"),
    EnterpriseSpec("青川碳谷新材料有限公司", "青川碳谷", "materials", "379903"),
    EnterpriseSpec("山海金诺新材料科技有限公司", "山海金诺", "materials", "379901"),
    EnterpriseSpec("青川城市建设投资集团有限公司", "青川城投", "other", "379900"),
    EnterpriseSpec("青川水务集团有限公司", "青川水务", "other", "379900"),
    EnterpriseSpec("青川文化旅游发展集团有限公司", "青川文旅", "other", "379900"),
    EnterpriseSpec("青川现代物流有限公司", "青川物流", "other", "379901"),
)


class Template(NamedTuple):
    """A project name after the owner's brand; {n} is filled from `sizes`."""

    pattern: str
    sizes: tuple[int, ...]
    industry_class: str  # GB/T 4754-2017 class; its first two digits go into the project code
    category: str = "industry"  # Category.code
    manufacturing: bool = True


# Keyed by industry code, or by brand where one company has its own kind of project.
# Names are drawn only from these tables, so the whole vocabulary stays well under the 4,096
# names that `pinyin_keys` caches: bulk generation then computes each name's pinyin only once.
TEMPLATES = {
    "lithium": (
        Template("年产{n}万吨电池级碳酸锂项目", (2, 3, 5), "2613"),
        Template("年产{n}GWh动力电池项目", (5, 10, 20), "3841"),
        Template("年产{n}万吨磷酸铁锂正极新材料项目", (5, 10), "3985"),
        Template("锂电池隔膜新材料项目", (), "2921"),
        Template("年产{n}万吨锂电池电解液项目", (3, 5), "2669"),
        Template("储能电池系统集成项目", (), "3841"),
        Template("锂电新材料产业园项目", (), "3985"),
        Template("废旧锂电池回收利用项目", (), "4210"),
    ),
    "chemical": (
        Template("年产{n}万吨高端聚烯烃项目", (20, 30, 50), "2651"),
        Template("{n}万吨/年环氧丙烷项目", (10, 20, 30), "2614"),
        Template("化工新材料一体化项目", (), "2659"),
        Template("精细化工中间体技改项目", (), "2662"),
        Template("年产{n}万吨可降解塑料项目", (6, 10), "2651"),
        Template("氢能综合利用项目", (), "2619"),
        Template("危险废物综合处置中心项目", (), "7724", "ecology", False),
        Template("年产{n}万吨特种尼龙新材料项目", (3, 5), "2651"),
    ),
    "machinery": (
        Template("高端数控机床生产基地项目", (), "3421"),
        Template("智能农机装备产业园项目", (), "3572"),
        Template("年产{n}万台新能源汽车驱动电机项目", (10, 30, 50), "3812"),
        Template("工程机械关键零部件项目", (), "3514"),
        Template("智能制造产业园项目", (), "3499"),
        Template("年产{n}万套汽车零部件项目", (20, 50, 100), "3670"),
        Template("工业机器人生产线项目", (), "3491"),
        Template("企业技术研发中心项目", (), "7320", "other", False),
    ),
    "pharma": (
        Template("原料药绿色生产基地项目", (), "2710"),
        Template("生物医药产业园项目", (), "2761"),
        Template("年产{n}亿支注射剂项目", (1, 2, 5), "2720"),
        Template("中药饮片智能化生产线项目", (), "2730"),
        Template("高端医疗器械研发生产项目", (), "3581"),
        Template("医用高分子新材料项目", (), "3589"),
        Template("疫苗生产基地项目", (), "2762"),
        Template("创新药物研发中心项目", (), "7340", "other", False),
    ),
    "digital": (
        Template("大数据中心项目", (), "6450", "infrastructure", False),
        Template("智能算力中心项目", (), "6450", "infrastructure", False),
        Template("工业互联网平台项目", (), "6431", "services", False),
        Template("数字经济产业园项目", (), "6513", "services", False),
        Template("集成电路封装测试项目", (), "3973"),
        Template("年产{n}万片功率半导体项目", (12, 24, 36), "3972"),
        Template("智慧城市运营中心项目", (), "6531", "services", False),
    ),
    "new_energy": (
        Template("{n}MW分布式光伏发电项目", (20, 50, 100), "4416", "infrastructure", False),
        Template("光伏组件生产线项目", (), "3825"),
        Template("风光储一体化项目", (), "4415", "infrastructure", False),
    ),
    "materials": (
        Template("碳纤维新材料项目", (), "3091"),
        Template("高性能新材料产业园项目", (), "3985"),
        Template("年产{n}万吨特种合金新材料项目", (1, 2, 5), "3240"),
    ),
    # The state-owned groups of industry "other" each build their own kind of project.
    "青川城投": (
        Template("城市道路提升改造工程", (), "4813", "infrastructure", False),
        Template("老旧小区改造项目", (), "4710", "livelihood", False),
        Template("保障性租赁住房项目", (), "4710", "livelihood", False),
    ),
    "青川水务": (
        Template("城区污水处理厂提标改造项目", (), "4620", "ecology", False),
        Template("供水管网改造工程", (), "4610", "infrastructure", False),
    ),
    "青川文旅": (
        Template("文旅综合体项目", (), "7850", "services", False),
        Template("青川湖景区提升工程", (), "7850", "services", False),
        Template("青川湖湿地生态修复项目", (), "7715", "ecology", False),
    ),
    "青川物流": (
        Template("冷链物流园项目", (), "5990", "services", False),
        Template("智慧物流园项目", (), "5990", "services", False),
    ),
}
PHASES = ("", "（二期）", "（三期）")

ROADS = ("工业大道", "创业路", "科技路", "滨河路", "兴业路", "泰和路", "长青路", "环湖东路")

REBASELINE_REASONS = (
    "土地指标调整，开工时间顺延",
    "设备选型升级，总投资相应增加",
    "环评批复晚于预期，工期顺延",
    "市场需求变化，建设内容分期实施",
    "规划条件调整，建设方案优化",
    "原材料价格上涨，投资概算调增",
)
REBASELINE_APPROVERS = ("市重点项目建设推进指挥部", "市政府常务会议", "市发展改革委")

# How generated projects are spread over the default lists (relative weights, by code).
INDUSTRY_WEIGHTS = {
    "chemical": 19,
    "machinery": 19,
    "lithium": 19,
    "pharma": 16,
    "digital": 17,
    "new_energy": 3,
    "materials": 3,
    "other": 4,
}
STAGE_WEIGHTS = {
    "planning": 8,
    "signed": 8,
    "preliminary": 15,
    "new_start": 20,
    "construction": 32,
    "in_production": 12,
    "full_production": 5,
}
CONSTRUCTION_TYPE_WEIGHTS = {
    "new": 60,
    "expansion": 15,
    "renovation": 15,
    "relocation": 5,
    "rebuild": 5,
}
SOURCE_WEIGHTS = {"domestic": 90, "foreign": 6, "hmt": 4}


class Persona(NamedTuple):
    username: str
    role: str  # a Role, or an AdminRole for the three administrators
    display_name: str
    unit: str  # a unit name, or one of the BUSIEST_* markers resolved once projects exist


BUSIEST_TOWN = "<the town with most projects>"
BUSIEST_ENTERPRISE = "<the enterprise owning most projects>"
# The first is the `leader` login; all of them are 包保领导 of generated projects, the city
# leaders of big ones, the county heads of most others in their county.
LEADERS = (
    Persona("leader", Role.LEADER, "李国栋（市长）", CITY_GOVERNMENT),
    Persona("leader2", Role.LEADER, "周海涛（副市长）", CITY_GOVERNMENT),
    Persona("leader_dh", Role.LEADER, "孙立强（东湖区区长）", "东湖区人民政府"),
    Persona("leader_xs", Role.LEADER, "吴振华（西山县县长）", "西山县人民政府"),
    Persona("leader_qh", Role.LEADER, "郑卫东（青河县县长）", "青河县人民政府"),
)
# One login per role, in the order the command prints them.
PERSONAS = (
    Persona("office", Role.OFFICE, "张敏（市项目办）", CITY_GOVERNMENT),
    LEADERS[0],
    Persona("unit", Role.UNIT, "王晓峰（街道项目专员）", BUSIEST_TOWN),
    Persona("dept", Role.DEPARTMENT, "刘静（市自然资源局）", "市自然资源局"),
    Persona("enterprise", Role.ENTERPRISE, "陈立新（企业联络员）", BUSIEST_ENTERPRISE),
    Persona("judge", Role.JUDGE, "赵文华（评委）", CITY_GOVERNMENT),
    *LEADERS[1:],
)
# The three administrators of 三员分立 (等保2.0), each with their own part of /admin/ and no
# project registry: configuration and accounts; rights; the audit trail.
ADMINS = (
    Persona("sysadmin", AdminRole.SYSTEM, "系统管理员", "/admin/"),
    Persona("secadmin", AdminRole.SECURITY, "安全管理员", "/admin/"),
    Persona("auditor", AdminRole.AUDIT, "审计管理员", "/admin/"),
)


# --- names and codes -------------------------------------------------------------------


def project_name(rng: random.Random, brand: str, industry: str, used: set[str] | None):
    """(name, Template): the brand plus a template of its industry. Unique when `used` is given:
    a name already taken becomes the same company's next phase (二期, 三期)."""
    for _ in range(100):
        template = rng.choice(templates_for(brand, industry))
        base = brand + template.pattern.format(n=rng.choice(template.sizes or (0,)))
        if used is None:
            return base + rng.choice(PHASES), template
        for phase in PHASES:
            if base + phase not in used:
                used.add(base + phase)
                return base + phase, template
    raise RuntimeError(f"no unused project name left for {brand}")


def templates_for(brand: str, industry: str) -> tuple[Template, ...]:
    return TEMPLATES.get(brand) or TEMPLATES[industry]


def enterprise_uscc(rng: random.Random, region_code: str) -> str:
    """A USCC that passes both checks: 91 (an enterprise registered by the market regulator),
    the region, an organisation code with its GB 11714 check, then the GB 32100 check."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = f"91{region_code}{body}{_gb11714_check(body)}"
    code = first17 + _uscc_check(first17)
    assert is_valid_uscc(code), code
    return code


def code_issued(rng: random.Random, start: datetime.date, today: datetime.date) -> datetime.date:
    """When a project code was issued: months before the start and never after today. A few
    were approved years ago and still carry an old-form (year-only) code."""
    if rng.random() < 0.08:
        return datetime.date(rng.randint(2016, 2020), rng.randint(1, 12), 1)
    issued = start - datetime.timedelta(days=rng.randint(90, 400))
    return issued if issued <= today else today - datetime.timedelta(days=rng.randint(0, 180))


def project_code(rng, taken: set[str], issued: datetime.date, region: str, division: str) -> str:
    """A 投资项目代码 not in `taken` (which it joins): issue year (old form, until 2020) or YYMM,
    region, GB/T 4754 division, approval type (01 审批, 02 核准, 03 备案), serial."""
    first = str(issued.year) if issued.year <= 2020 else f"{issued:%y%m}"
    approval = rng.choice(("01", "02", "03", "03", "03"))
    while True:
        code = f"{first}-{region}-{division}-{approval}-{rng.randrange(1, 1_000_000):06d}"
        if code not in taken:
            taken.add(code)
            return code
