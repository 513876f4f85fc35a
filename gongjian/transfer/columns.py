"""The registry's Excel layout: one column per header, shared by export and import.

Headers are Chinese because the sheets travel between offices that read them as-is; the
import matches them after folding full-width brackets and spaces, so `总投资(万元)` and
`总投资（万元）` are the same column.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongjian.projects.models import Level, Project


class Kind:
    TEXT = "text"  # free text
    CODE = "code"  # digits that Excel may have turned into a number (region, GB/T 4754 class)
    DECIMAL = "decimal"  # amounts in 万元, areas in 亩, coordinates
    DATE = "date"
    BOOL = "bool"  # 是 / 否
    CHOICE = "choice"  # a fixed list with Chinese labels (CHOICE_LABELS)
    LOOKUP = "lookup"  # a name resolved to a row of another table (see importer.Lookups)
    INTEGER = "integer"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # ProjectForm field, or listing_* for the annual-list columns
    kind: str
    width: int = 12


# Stable Chinese labels for choice columns, independent of the UI language.
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "investment_source": {
        Project.InvestmentSource.DOMESTIC: "内资",
        Project.InvestmentSource.FOREIGN: "外资",
        Project.InvestmentSource.HMT: "港澳台",
    },
    "stats_status": {
        Project.StatsStatus.REGISTERED: "是",
        Project.StatsStatus.NOT_REGISTERED: "否",
    },
    "listing_level": {
        Level.PROVINCE: "省重点",
        Level.CITY: "市重点",
        Level.COUNTY: "县重点",
    },
}
TRUE_WORDS = {"是", "√", "✓", "Y", "YES", "TRUE", "1"}
FALSE_WORDS = {"否", "", "N", "NO", "FALSE", "0", "×"}

ID_HEADER = "系统编号"
COLUMNS: list[Column] = [
    # 系统编号 matches projects that have no national code yet (谋划储备 projects rarely do).
    Column(ID_HEADER, "id", Kind.INTEGER, 9),
    Column("项目名称", "name", Kind.TEXT, 36),
    Column("项目代码", "code", Kind.TEXT, 26),
    Column("项目单位", "owner_name", Kind.TEXT, 28),
    Column("统一社会信用代码", "owner_uscc", Kind.TEXT, 22),
    Column("主导产业", "industry", Kind.LOOKUP),
    Column("国民经济行业代码", "industry_class", Kind.CODE),
    Column("行政区划代码", "region", Kind.LOOKUP),
    Column("所在园区", "park", Kind.LOOKUP, 16),
    Column("建设地址", "address", Kind.TEXT, 30),
    Column("经度", "longitude", Kind.DECIMAL),
    Column("纬度", "latitude", Kind.DECIMAL),
    Column("责任单位", "responsible_unit", Kind.LOOKUP, 16),
    Column("包保领导", "leader", Kind.LOOKUP),
    Column("建设性质", "construction_type", Kind.LOOKUP),
    Column("项目类别", "category", Kind.LOOKUP),
    Column("资金来源", "investment_source", Kind.CHOICE),
    Column("世界500强", "is_fortune500", Kind.BOOL, 9),
    Column("上市公司", "is_listed_company", Kind.BOOL, 9),
    Column("专精特新", "is_specialised", Kind.BOOL, 9),
    Column("总投资（万元）", "total_investment", Kind.DECIMAL, 14),
    Column("计划开工", "planned_start", Kind.DATE),
    Column("计划竣工", "planned_end", Kind.DATE),
    Column("用地面积（亩）", "land_area", Kind.DECIMAL),
    Column("预计年产值（万元）", "expected_output", Kind.DECIMAL, 14),
    Column("预计年税收（万元）", "expected_tax", Kind.DECIMAL, 14),
    Column("书记项目", "is_secretary_project", Kind.BOOL, 9),
    Column("高新技术", "is_high_tech", Kind.BOOL, 9),
    Column("制造业", "is_manufacturing", Kind.BOOL, 9),
    Column("民生", "is_livelihood", Kind.BOOL, 9),
    Column("项目阶段", "stage", Kind.LOOKUP),
    Column("是否纳统", "stats_status", Kind.CHOICE, 9),
    Column("统计代码", "stats_code", Kind.TEXT, 16),
    # One year's key-project listing; blank 年度 leaves the project's listings alone.
    Column("年度", "listing_year", Kind.INTEGER, 8),
    Column("重点级别", "listing_level", Kind.CHOICE, 10),
    Column("年度计划投资（万元）", "listing_planned_investment", Kind.DECIMAL, 16),
]
BY_HEADER = {c.header: c for c in COLUMNS}
BY_FIELD = {c.field: c for c in COLUMNS}
# Without these a new project cannot be created, so a file lacking them is refused outright.
REQUIRED_HEADERS = [
    "项目名称",
    "主导产业",
    "行政区划代码",
    "责任单位",
    "建设性质",
    "项目类别",
    "项目阶段",
    "总投资（万元）",
]
LISTING_FIELDS = ["listing_year", "listing_level", "listing_planned_investment"]

_HEADER_FOLD = str.maketrans({"(": "（", ")": "）", " ": None, "\u3000": None, "\n": None})


def fold_header(text: object) -> str:
    return str(text or "").strip().translate(_HEADER_FOLD)
