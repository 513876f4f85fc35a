"""Who hears about each step of a problem: in-app inbox and email for the people who act next,
and the group robots (企业微信/钉钉 webhooks) for the steps a whole work group should see.

Sent after the transaction commits, so a step that fails sends nothing; a failed send never
undoes or blocks the step (the inbox keeps the notice, the webhook outbox retries).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.models import Role, RoleGrant
from gongjian.inbox.services import notify
from gongjian.inbox.webhooks import broadcast
from gongjian.problems.models import Action

log = logging.getLogger(__name__)

# Who to tell, per action: the lead (and co-) departments, the office, leaders, the raiser.
AUDIENCE = {
    Action.RAISED: {"office"},
    Action.ASSIGNED: {"departments"},
    Action.SIGNED: {"raiser"},
    Action.REPLIED: {"office"},
    Action.RETURNED: {"lead"},
    Action.CLOSED: {"raiser"},
    Action.REOPENED: {"lead", "office"},
    Action.EXTENSION_ASKED: {"office"},
    Action.EXTENSION_APPROVED: {"lead"},
    Action.EXTENSION_REFUSED: {"lead"},
    Action.ESCALATED: {"lead", "office", "leaders"},
    Action.NOTICE_ISSUED: {"lead"},
    Action.NOTICE_REPLIED: {"office"},
}
GROUP_ROBOT_ACTIONS = {
    Action.ASSIGNED,
    Action.ESCALATED,
    Action.NOTICE_ISSUED,
    Action.REOPENED,
}


def event(problem, event) -> None:
    audience = AUDIENCE.get(event.action)
    if not audience and event.action not in GROUP_ROBOT_ACTIONS:
        return
    transaction.on_commit(lambda: _send(problem, event, audience or set()))


def _send(problem, event, audience: set[str]) -> None:
    title = _("%(number)s %(action)s: %(title)s") % {
        "number": problem.number,
        "action": event.get_action_display(),
        "title": problem.title,
    }
    body = event.note or ""
    if event.level:
        body = _("Level %(level)d. %(note)s") % {"level": event.level, "note": body}
    url = settings.SITE_URL + reverse("problems:detail", args=[problem.pk])
    try:
        for user in recipients(problem, audience, exclude=event.actor_id):
            notify(
                user=user,
                key=f"problem:{problem.pk}:event:{event.pk}",
                title=title[:200],
                body=body,
                url=url,
            )
        if event.action in GROUP_ROBOT_ACTIONS:
            broadcast(
                key=f"problem:{problem.pk}:event:{event.pk}",
                title=title,
                text=body or problem.title,
                url=url,
                topic="problems",
            )
    except Exception:  # a notice must never break the workflow; the step is done already
        log.exception("could not announce %s on problem %s", event.action, problem.pk)


def recipients(problem, audience: set[str], exclude=None) -> list:
    """The users to tell, without the one who acted."""
    users = {}
    grants = RoleGrant.objects.select_related("user", "unit")
    if "lead" in audience or "departments" in audience:
        departments = [problem.lead_department_id]
        if "departments" in audience:
            departments += list(problem.co_departments.values_list("pk", flat=True))
        for grant in grants.filter(role=Role.DEPARTMENT, unit_id__in=departments):
            users[grant.user_id] = grant.user
    home = _home_path(problem)
    for role, key in ((Role.OFFICE, "office"), (Role.LEADER, "leaders")):
        if key in audience:
            for grant in grants.filter(role=role):
                if home.startswith(grant.unit.path):
                    users[grant.user_id] = grant.user
    if "raiser" in audience and problem.raised_by_id:
        users[problem.raised_by_id] = problem.raised_by
    users.pop(exclude, None)
    return [user for user in users.values() if user.is_active]


def _home_path(problem) -> str:
    """The unit a problem belongs to, for finding its office and leaders."""
    for unit in (
        problem.project.responsible_unit if problem.project_id else None,
        problem.lead_department,
        problem.raising_unit,
    ):
        if unit is not None:
            return unit.path
    return ""
