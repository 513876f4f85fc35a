"""Automatic escalation (`manage.py escalate_problems`): every open problem past its resolution
deadline climbs to the level its lateness reaches (rules.escalation_target); never down.

Safe to run twice at once: a run claims the problems it moves with one conditional UPDATE per
level (`escalation_level < target`, stamped with the run's token), then logs, audits and
announces only the rows carrying its token, so a problem is escalated, and told, once.
Everyone concerned gets one digest per run rather than one notice per problem: a city's first
run can move thousands, and the group robots accept only about twenty messages a minute.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import Role, RoleGrant
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_bulk
from gongjian.inbox.services import notify
from gongjian.inbox.webhooks import broadcast
from gongjian.lib.bulk import insert_rows
from gongjian.lib.workdays import workdays_between
from gongjian.problems import rules
from gongjian.problems.models import Action, Problem, ProblemEvent, ProblemPolicy
from gongjian.problems.services import calendar

CHUNK = 2000
DIGEST_LINES = 20


@dataclass
class EscalationRun:
    token: str
    moved: dict[int, int] = field(default_factory=dict)  # level -> problems moved there

    @property
    def total(self) -> int:
        return sum(self.moved.values())


def escalate_overdue(*, today: datetime.date | None = None) -> EscalationRun:
    today = today or timezone.localdate()
    policy, overrides = calendar()
    names = ProblemPolicy.current()
    run = EscalationRun(token=uuid.uuid4().hex)
    working = Problem.objects.filter(status__in=rules.WORKING, resolve_due__lt=today)
    # Lateness depends only on the deadline, so work per distinct deadline, not per problem.
    by_level = defaultdict(list)
    # order_by(): the model's ordering would put the id into the DISTINCT.
    for due in working.order_by().values_list("resolve_due", flat=True).distinct():
        target = rules.escalation_target(
            workdays_between(due, today, overrides), policy.escalation_steps
        )
        if target.level:
            by_level[target.level].append(due)
    now = timezone.now()
    for level, dues in sorted(by_level.items()):
        candidates = list(
            working.filter(resolve_due__in=dues, escalation_level__lt=level).values_list(
                "pk", "escalation_level"
            )
        )
        for start in range(0, len(candidates), CHUNK):
            chunk = dict(candidates[start : start + CHUNK])
            with transaction.atomic():
                Problem.objects.filter(
                    pk__in=list(chunk),
                    status__in=rules.WORKING,
                    escalation_level__lt=level,
                ).update(escalation_level=level, escalated_at=now, escalation_run=run.token)
                mine = list(
                    Problem.objects.filter(pk__in=list(chunk), escalation_run=run.token)
                    .filter(escalation_level=level)
                    .values("pk", "number", "title", "project_id", "lead_department_id")
                )
                _record(mine, chunk, level, names.level_name(level), today)
            run.moved[level] = run.moved.get(level, 0) + len(mine)
            if mine:
                transaction.on_commit(lambda rows=mine, lv=level: _announce(rows, lv, names))
    return run


def _record(rows: list[dict], before: dict[int, int], level: int, name: str, today) -> None:
    note = _("Escalated automatically to level %(level)d (%(name)s) on %(date)s.") % {
        "level": level,
        "name": name,
        "date": today.isoformat(),
    }
    insert_rows(
        ProblemEvent,
        [
            {
                "problem_id": row["pk"],
                "actor_id": None,
                "action": Action.ESCALATED,
                "from_status": "",
                "to_status": "",
                "level": level,
                "note": note,
            }
            for row in rows
        ],
    )
    audit_bulk(
        [
            {
                "actor": None,
                "action": AuditEntry.Action.UPDATE,
                "instance": _Audited(row),
                "changes": {"escalation_level": [before.get(row["pk"]), level]},
                "note": "escalate_problems",
            }
            for row in rows
        ]
    )


class _Audited:
    """What audit_bulk reads of a problem (label, pk, text, project), without building a model
    instance for each of thousands of rows."""

    _meta = Problem._meta

    def __init__(self, row: dict):
        self.pk = row["pk"]
        self.project_id = row["project_id"]
        self.text = f"{row['number']} {row['title']}"

    def __str__(self) -> str:
        return self.text


def _announce(rows: list[dict], level: int, names) -> None:
    """One digest per person concerned: the lead departments' staff, every office and leader."""
    by_department = defaultdict(list)
    for row in rows:
        by_department[row["lead_department_id"]].append(row)
    title = _("%(count)d problem(s) escalated to level %(level)d (%(name)s)")
    url = settings.SITE_URL + reverse("problems:list") + f"?level={level}"
    token = rows[0]["pk"]  # with the level, names this digest uniquely

    def lines(items):
        shown = [f"{row['number']} {row['title']}" for row in items[:DIGEST_LINES]]
        if len(items) > DIGEST_LINES:
            shown.append(_("… and %(n)d more") % {"n": len(items) - DIGEST_LINES})
        return "\n".join(shown)

    grants = RoleGrant.objects.select_related("user")
    for grant in grants.filter(role=Role.DEPARTMENT, unit_id__in=list(by_department)):
        items = by_department[grant.unit_id]
        values = {"count": len(items), "level": level, "name": names.level_name(level)}
        notify(
            user=grant.user,
            key=f"escalation:{level}:{token}:{grant.unit_id}",
            title=title % values,
            body=lines(items),
            url=url,
        )
    values = {"count": len(rows), "level": level, "name": names.level_name(level)}
    for grant in grants.filter(role__in=[Role.OFFICE, Role.LEADER]):
        notify(
            user=grant.user,
            key=f"escalation:{level}:{token}:all",
            title=title % values,
            body=lines(rows),
            url=url,
        )
    broadcast(
        key=f"escalation:{level}:{token}",
        title=title % values,
        text=lines(rows),
        url=url,
        topic="problems",
    )
