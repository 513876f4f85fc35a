"""Problem demo data for seed_demo: a few hundred problems over the last three months, in every
status and colour, with their history (assignment, sign-off, replies, returns, ratings,
extensions, escalations, 督办单), and a bulk mode (`seed_demo --problems N`) for benchmarks.

The history is simulated day by day with the same deadline rules as the workflow (rules.py), so
what the pages show is what the workflow would have produced.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from gongjian.accounts.models import Role, RoleGrant, Unit, User
from gongjian.lib.bulk import insert_rows
from gongjian.lib.search import search_text_for
from gongjian.lib.workdays import add_workdays, workdays_between
from gongjian.problems import rules
from gongjian.problems.escalation import escalate_overdue
from gongjian.problems.models import (
    Action,
    ExtensionRequest,
    Problem,
    ProblemCategory,
    ProblemEvent,
    Rating,
    Source,
    Status,
    SupervisionNotice,
)
from gongjian.problems.services import calendar
from gongjian.projects.models import Project

DEMO_PROBLEMS = 300
# Which department leads on each category (the office may pick another when assigning).
LEADS = {
    "land": "市自然资源局",
    "planning": "市自然资源局",
    "environment": "市生态环境局",
    "construction_permit": "市住房城乡建设局",
    "demolition": "市住房城乡建设局",
    "funding": "市发展改革委",
    "utilities": "市工业和信息化局",
    "labour": "市商务局",
    "approval": "市行政审批服务局",
    "other": "市发展改革委",
}
TITLES = {
    "land": ["用地指标未落实", "土地组卷报批滞后", "建设用地规划许可未办结"],
    "planning": ["规划条件调整未批复", "工程规划许可证办理缓慢"],
    "environment": ["环评批复未下达", "能评审查排队时间长"],
    "construction_permit": ["施工许可证迟迟未办结", "施工图审查意见反复"],
    "demolition": ["征地拆迁有2户未签约", "杆线迁改未完成"],
    "funding": ["专项债资金未拨付", "配套资金不到位"],
    "utilities": ["电力增容未批复", "供水管网未接入", "天然气管道未通"],
    "labour": ["技术工人招聘困难", "用工缺口约200人"],
    "approval": ["消防审验排期过长", "竣工联合验收未组织"],
    "other": ["周边道路未打通影响施工", "施工扰民投诉需协调"],
}
SOURCES = [(Source.ENTERPRISE, 5), (Source.UNIT, 3), (Source.MEETING, 2), (Source.LEADER, 1)]
REPLIES = [
    "已协调解决，相关手续已办结",
    "已召开专题会议，明确责任分工并落实",
    "已完成审批，文件已送达企业",
]
RETURNS = ["反馈内容不具体，请补充办理结果和佐证材料", "企业反映问题仍未解决，请核实"]


@dataclass
class History:
    """One problem's simulated fields and events."""

    fields: dict
    # (day, action, from status, to status, actor, note)
    events: list[tuple] = field(default_factory=list)
    extension: dict | None = None


def seed_problems(today: datetime.date, count: int = DEMO_PROBLEMS) -> int:
    """The demo problems, once; returns how many were added (0 when there are some already)."""
    if Problem.objects.exists():
        return 0
    context = _context()
    if context is None:
        return 0
    rng = random.Random(today.toordinal())
    policy, overrides = calendar()
    with transaction.atomic():
        histories = [_simulate(rng, context, today, policy, overrides) for _ in range(count)]
        _store(histories, context)
    escalate_overdue(today=today)
    _issue_notices(rng, context, today, policy, overrides)
    return count


def _context() -> dict | None:
    projects = list(
        Project.objects.filter(stage__is_started=True)
        .select_related("responsible_unit")
        .order_by("id")[:400]
    )
    if not projects:
        return None
    departments = {u.name: u for u in Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)}
    enterprises = {u.uscc: u for u in Unit.objects.filter(kind=Unit.Kind.ENTERPRISE)}
    users = {}
    for grant in RoleGrant.objects.select_related("user"):
        users.setdefault((grant.role, grant.unit_id), grant.user)
    office = User.objects.filter(username="office").first()
    return {
        "projects": projects,
        "departments": departments,
        "enterprises": enterprises,
        "users": users,
        "office": office,
        "categories": {c.code: c for c in ProblemCategory.objects.all()},
    }


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _simulate(rng, context, today, policy, overrides) -> History:
    project = rng.choice(context["projects"])
    code = rng.choice(list(context["categories"]))
    source = rng.choices([s for s, _ in SOURCES], [w for _, w in SOURCES])[0]
    raised = today - datetime.timedelta(days=int(rng.triangular(0, 80, 8)))
    enterprise = context["enterprises"].get(project.owner_uscc)
    if source == Source.ENTERPRISE and enterprise is not None:
        raising_unit = enterprise
    else:
        source = Source.UNIT if source == Source.ENTERPRISE else source
        raising_unit = project.responsible_unit
    raiser = context["users"].get(
        (Role.ENTERPRISE if source == Source.ENTERPRISE else Role.UNIT, raising_unit.pk),
        context["office"],
    )
    lead = context["departments"].get(LEADS[code]) or next(iter(context["departments"].values()))
    dept_user = context["users"].get((Role.DEPARTMENT, lead.pk))
    office = context["office"]
    history = History(
        fields={
            "project": project,
            "title": rng.choice(TITLES[code]),
            "detail": f"{project.name}：{rng.choice(TITLES[code])}，影响项目按期推进，请协调解决。",
            "category": context["categories"][code],
            "source": source,
            "raised_by": raiser,
            "raising_unit": raising_unit,
            "status": Status.REPORTED,
            "created_at": _at(raised, 9),
            "triage_due": rules.triage_deadline(raised, policy, overrides),
        }
    )
    history.events.append((raised, Action.RAISED, "", Status.REPORTED, raiser, ""))
    f = history.fields

    def step(day, action, to, actor, note=""):
        history.events.append((day, action, f["status"], to, actor, note))
        f["status"] = to

    assigned = add_workdays(raised, rng.choice([0, 1, 1, 2, 3, 4]), overrides)
    if assigned > today:
        return history
    due = rules.assignment_deadlines(assigned, policy, overrides)
    f.update(
        lead_department=lead,
        assigned_at=_at(assigned, 10),
        sign_due=due.sign_due,
        resolve_due=due.resolve_due,
        original_resolve_due=due.resolve_due,
    )
    step(assigned, Action.ASSIGNED, Status.ASSIGNED, office)
    signed = add_workdays(assigned, rng.choice([0, 1, 1, 1, 2, 4, 6]), overrides)
    if signed > today:
        return history
    f["signed_at"] = _at(signed, 11)
    step(signed, Action.SIGNED, Status.SIGNED, dept_user)
    if rng.random() < 0.8:
        step(signed, Action.STARTED, Status.IN_PROGRESS, dept_user, "已组织现场踏勘")
    if rng.random() < 0.1 and signed < due.resolve_due:
        wanted = add_workdays(due.resolve_due, 5, overrides)
        approved = rng.random() < 0.7
        history.extension = {
            "requested_due": wanted,
            "current_due": due.resolve_due,
            "decision": "approved" if approved else "refused",
        }
        history.events.append(
            (signed, Action.EXTENSION_ASKED, f["status"], f["status"], dept_user, "等待上级批复")
        )
        decided = Action.EXTENSION_APPROVED if approved else Action.EXTENSION_REFUSED
        history.events.append((signed, decided, f["status"], f["status"], office, ""))
        if approved:
            f["resolve_due"] = wanted
    replied = add_workdays(signed, int(rng.triangular(3, 30, 12)), overrides)
    returns = 0
    while True:
        if replied > today:
            return history
        f.update(reply=rng.choice(REPLIES), replied_at=_at(replied, 15))
        f["review_due"] = rules.review_deadline(replied, policy, overrides)
        step(replied, Action.REPLIED, Status.REPLIED, dept_user, f["reply"])
        reviewed = add_workdays(replied, rng.choice([0, 1, 1, 2, 4]), overrides)
        if reviewed > today:
            return history
        if returns == 0 and rng.random() < 0.15:
            returns += 1
            f["return_count"] = returns
            step(reviewed, Action.RETURNED, Status.IN_PROGRESS, office, rng.choice(RETURNS))
            replied = add_workdays(reviewed, rng.choice([2, 3, 5]), overrides)
            continue
        break
    f.update(
        closed_at=_at(reviewed, 16),
        review_due=None,
        days_to_resolve=max(0, _workdays(assigned, reviewed, overrides)),
    )
    step(reviewed, Action.CLOSED, Status.CLOSED, office)
    rated = reviewed + datetime.timedelta(days=rng.choice([0, 1, 2, 5]))
    if rated <= today and rng.random() < 0.85:
        rating = rng.choices(list(Rating), [0.7, 0.2, 0.1])[0]
        note = "问题依然存在" if rating == Rating.UNSATISFIED else ""
        f.update(rating=rating, rating_note=note, rated_at=_at(rated, 18))
        history.events.append((rated, Action.RATED, Status.CLOSED, Status.CLOSED, raiser, note))
    return history


def _workdays(start, end, overrides) -> int:
    return workdays_between(start, end, overrides)


def _store(histories: list[History], context) -> None:
    events = []
    for history in histories:
        problem = Problem.objects.create(**history.fields)
        for day, action, before, after, actor, note in history.events:
            events.append(
                ProblemEvent(
                    problem=problem,
                    actor=actor,
                    action=action,
                    from_status=before,
                    to_status=after,
                    note=note,
                    at=_at(day, 12),
                )
            )
        if history.extension:
            ExtensionRequest.objects.create(
                problem=problem,
                requested_by=history.fields["raised_by"],
                reason="等待上级批复",
                decided_by=context["office"],
                decided_at=timezone.now(),
                **history.extension,
            )
    ProblemEvent.objects.bulk_create(events, batch_size=500)


def _issue_notices(rng, context, today, policy, overrides) -> None:
    """督办单 for some of the red problems, a few of them answered."""
    red = Problem.objects.filter(status__in=rules.WORKING, resolve_due__lt=today).order_by("id")
    for sequence, problem in enumerate(red[:12], start=1):
        notice = SupervisionNotice.objects.create(
            problem=problem,
            year=today.year,
            sequence=sequence,
            requirement="该问题已超期，请于3个工作日内办结并书面反馈办理情况。",
            reply_due=add_workdays(today, 3, overrides),
            issued_by=context["office"],
        )
        ProblemEvent.objects.create(
            problem=problem,
            actor=context["office"],
            action=Action.NOTICE_ISSUED,
            note=notice.number,
        )
        if rng.random() < 0.4:
            notice.reply = "已成立专班，预计本周内办结。"
            notice.replied_at = timezone.now()
            notice.replied_by = context["users"].get((Role.DEPARTMENT, problem.lead_department_id))
            notice.save()


def add_bulk_problems(count: int, today: datetime.date) -> int:
    """`seed_demo --problems N`: N generated problems in every status, inserted in bulk (no
    history, no notices): the scale the benchmarks measure."""
    context = _context()
    if context is None or count <= 0:
        return 0
    rng = random.Random(count)
    policy, overrides = calendar()
    departments = list(context["departments"].values())
    categories = list(context["categories"].values())
    projects = context["projects"] + list(
        Project.objects.order_by("-id").only("pk", "responsible_unit_id")[:5000]
    )
    start = Problem.objects.count()
    statuses = [
        (Status.REPORTED, 3),
        (Status.ASSIGNED, 5),
        (Status.SIGNED, 5),
        (Status.IN_PROGRESS, 20),
        (Status.REPLIED, 7),
        (Status.CLOSED, 60),
    ]
    rows = []
    for index in range(count):
        raised = today - datetime.timedelta(days=rng.randrange(0, 400))
        status = rng.choices([s for s, _ in statuses], [w for _, w in statuses])[0]
        category = rng.choice(categories)
        title = rng.choice(TITLES[category.code])
        number = f"WT{raised:%Y}-B{start + index + 1:07d}"
        project = rng.choice(projects)
        row = {
            "number": number,
            "project_id": project.pk,
            "title": title,
            "category_id": category.pk,
            "source": rng.choice(Source.values),
            "raising_unit_id": project.responsible_unit_id,
            "status": status,
            "created_at": _at(raised, 9),
            "triage_due": raised + datetime.timedelta(days=3),
            "search_text": search_text_for(title, number, ""),
        }
        if status != Status.REPORTED:
            assigned = raised + datetime.timedelta(days=1)
            due = assigned + datetime.timedelta(days=14)
            row.update(
                lead_department_id=rng.choice(departments).pk,
                assigned_at=_at(assigned, 10),
                sign_due=assigned + datetime.timedelta(days=1),
                resolve_due=due,
                original_resolve_due=due,
            )
            if status not in (Status.ASSIGNED,):
                row["signed_at"] = _at(
                    assigned + datetime.timedelta(days=rng.choice([0, 1, 3])), 11
                )
            if status in (Status.REPLIED, Status.CLOSED):
                replied = assigned + datetime.timedelta(days=rng.randrange(3, 25))
                row.update(replied_at=_at(replied, 15), reply=rng.choice(REPLIES))
                row["review_due"] = replied + datetime.timedelta(days=4)
            if status == Status.CLOSED:
                row.update(
                    closed_at=_at(replied + datetime.timedelta(days=1), 16),
                    review_due=None,
                    days_to_resolve=(replied - assigned).days * 5 // 7 + 1,
                    rating=rng.choices(["", *Rating.values], [15, 60, 17, 8])[0],
                )
        rows.append(row)
    insert_rows(Problem, rows)
    return count
