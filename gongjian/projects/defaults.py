"""The lists a new deployment starts with. Offices rename, reorder or add to them freely;
`code` stays stable so imports and rule sets can refer to it."""

# (code, name, OC4IDS projectStatus, counts as started)
STAGES = [
    ("planning", "谋划储备", "identification", False),
    ("signed", "签约", "identification", False),
    ("preliminary", "前期", "preparation", False),
    ("new_start", "新开工", "implementation", True),
    ("construction", "在建", "implementation", True),
    ("in_production", "竣工投产", "completion", True),
    ("full_production", "达产", "completed", True),
]
CATEGORIES = [
    ("industry", "产业"),
    ("infrastructure", "基础设施"),
    ("livelihood", "民生"),
    ("ecology", "生态"),
    ("services", "现代服务业"),
    ("other", "其他"),
]
INDUSTRIES = [
    ("chemical", "化工"),
    ("machinery", "机械"),
    ("lithium", "锂电"),
    ("pharma", "医药"),
    ("digital", "数字经济"),
    ("new_energy", "光伏新能源"),
    ("materials", "新材料"),
    ("other", "其他"),
]
CONSTRUCTION_TYPES = [
    ("new", "新建"),
    ("expansion", "扩建"),
    ("renovation", "技改"),
    ("relocation", "迁建"),
    ("rebuild", "改建"),
]
# (code, name, phase)
MILESTONE_KINDS = [
    ("approval", "立项/备案", "preparation"),
    ("land_pre", "用地预审", "preparation"),
    ("land_supply", "土地供应", "preparation"),
    ("planning_permit", "规划许可", "preparation"),
    ("eia", "环评", "preparation"),
    ("energy", "能评", "preparation"),
    ("construction_permit", "施工许可", "preparation"),
    ("start", "开工", "construction"),
    ("topping_out", "主体封顶", "construction"),
    ("equipment", "设备安装", "construction"),
    ("completion", "竣工", "construction"),
    ("production", "投产", "construction"),
]


def load_defaults(apps) -> None:
    """Create the default lists if they are missing (safe to run again)."""
    Stage = apps.get_model("projects", "Stage")
    for order, (code, name, status, started) in enumerate(STAGES, start=1):
        Stage.objects.get_or_create(
            code=code,
            defaults={"name": name, "order": order, "oc4ids_status": status, "is_started": started},
        )
    for model_name, rows in (
        ("Category", CATEGORIES),
        ("Industry", INDUSTRIES),
        ("ConstructionType", CONSTRUCTION_TYPES),
    ):
        model = apps.get_model("projects", model_name)
        for order, (code, name) in enumerate(rows, start=1):
            model.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    MilestoneKind = apps.get_model("projects", "MilestoneKind")
    for order, (code, name, phase) in enumerate(MILESTONE_KINDS, start=1):
        MilestoneKind.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "phase": phase}
        )
