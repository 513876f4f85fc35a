"""Deadline, colour and escalation rules for problems: pure functions of plain values.

- Deadlines count working days (lib/workdays) from the day a step starts.
- Colours are those of the 督办单: red = the resolution deadline has passed without a reply;
  yellow = behind, i.e. a step's own deadline (assign, sign for, review) has passed; blue = the
  resolution is due within `due_soon_days` working days; none = on track.
- Escalation levels climb with the working days a problem is late: with steps [1, 3, 5, 10] it
  reaches level 1 one working day late and level 4 ten working days late.
Every result carries the sentence that explains it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongjian.lib.workdays import NO_OVERRIDES, Overrides, add_workdays, workdays_between

RED, YELLOW, BLUE, NONE = "red", "yellow", "blue", ""
COLOURS = [RED, YELLOW, BLUE]
# Statuses whose clock is the department's resolution deadline.
WORKING = ("assigned", "signed", "in_progress")


@dataclass(frozen=True)
class Policy:
    triage_days: int = 2
    sign_days: int = 1
    resolve_days: int = 10
    review_days: int = 3
    due_soon_days: int = 3
    escalation_steps: tuple[int, ...] = (1, 3, 5, 10)

    @classmethod
    def from_model(cls, policy) -> Policy:
        return cls(
            triage_days=policy.triage_days,
            sign_days=policy.sign_days,
            resolve_days=policy.resolve_days,
            review_days=policy.review_days,
            due_soon_days=policy.due_soon_days,
            escalation_steps=tuple(policy.steps),
        )


@dataclass(frozen=True)
class AssignmentDeadlines:
    sign_due: datetime.date
    resolve_due: datetime.date


def triage_deadline(raised: datetime.date, policy: Policy, overrides: Overrides = NO_OVERRIDES):
    return add_workdays(raised, policy.triage_days, overrides)


def assignment_deadlines(
    assigned: datetime.date, policy: Policy, overrides: Overrides = NO_OVERRIDES
) -> AssignmentDeadlines:
    """Sign for it within sign_days and resolve it within resolve_days of the assignment."""
    return AssignmentDeadlines(
        sign_due=add_workdays(assigned, policy.sign_days, overrides),
        resolve_due=add_workdays(assigned, policy.resolve_days, overrides),
    )


def review_deadline(replied: datetime.date, policy: Policy, overrides: Overrides = NO_OVERRIDES):
    return add_workdays(replied, policy.review_days, overrides)


@dataclass(frozen=True)
class Judgement:
    colour: str
    explanation: str
    working_days_late: int = 0


def judge(
    *,
    status: str,
    today: datetime.date,
    triage_due: datetime.date | None = None,
    sign_due: datetime.date | None = None,
    resolve_due: datetime.date | None = None,
    review_due: datetime.date | None = None,
    policy: Policy = Policy(),
    overrides: Overrides = NO_OVERRIDES,
) -> Judgement:
    """The problem's colour on `today`, and why."""
    if status == "closed":
        return Judgement(NONE, _("Closed."))
    if status in WORKING and resolve_due and today > resolve_due:
        late = workdays_between(resolve_due, today, overrides)
        return Judgement(
            RED,
            _("Overdue: the deadline was %(due)s, %(days)d working day(s) ago.")
            % {"due": resolve_due.isoformat(), "days": late},
            late,
        )
    behind = {
        "reported": (triage_due, _("not assigned by %(due)s")),
        "assigned": (sign_due, _("not signed for by %(due)s")),
        "replied": (review_due, _("reply not reviewed by %(due)s")),
    }.get(status)
    if behind and behind[0] and today > behind[0]:
        return Judgement(
            YELLOW, _("Behind: %(what)s.") % {"what": behind[1] % {"due": behind[0].isoformat()}}
        )
    if status in WORKING and resolve_due:
        left = workdays_between(today, resolve_due, overrides)
        if left <= policy.due_soon_days:
            return Judgement(
                BLUE,
                _("Due soon: %(days)d working day(s) left, deadline %(due)s.")
                % {"days": left, "due": resolve_due.isoformat()},
            )
        return Judgement(
            NONE,
            _("On track: %(days)d working days left, deadline %(due)s.")
            % {"days": left, "due": resolve_due.isoformat()},
        )
    return Judgement(NONE, _("On track."))


def due_soon_limit(today: datetime.date, policy: Policy, overrides: Overrides = NO_OVERRIDES):
    """The last deadline that counts as due soon on `today` (for filtering in the database):
    the day before the working day after the last one in the window, so a deadline on the
    weekend that follows still counts, as it does in judge()."""
    return add_workdays(today, policy.due_soon_days + 1, overrides) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class EscalationTarget:
    level: int
    explanation: str


def escalation_target(working_days_late: int, steps: tuple[int, ...]) -> EscalationTarget:
    """The level a problem this late should be at: the number of steps it has passed."""
    level = sum(1 for step in steps if working_days_late >= step)
    if level == 0:
        return EscalationTarget(0, _("Not late enough to escalate."))
    return EscalationTarget(
        level,
        _("%(days)d working day(s) past the deadline reaches level %(level)d (from %(step)d).")
        % {"days": working_days_late, "level": level, "step": steps[level - 1]},
    )


def extension_error(
    *, today: datetime.date, current_due: datetime.date, requested_due: datetime.date
) -> str | None:
    """Why an extension may not be asked for, or None. It must be asked before the deadline
    passes (on the day itself is still in time) and must move the deadline later."""
    if today > current_due:
        return _("The deadline %(due)s has passed; an extension must be asked for before it.") % {
            "due": current_due.isoformat()
        }
    if requested_due <= current_due:
        return _("The new deadline must be after the current one (%(due)s).") % {
            "due": current_due.isoformat()
        }
    return None


def steps_for(
    *,
    capacities: set[str],
    status: str,
    rated: bool,
    colour: str,
    extension_pending: bool,
    notice_open: bool = False,
) -> list[str]:
    """The steps a person in `capacities` may take on a problem in `status`, in page order.
    The services re-check the state when the step is taken."""
    office = "office" in capacities
    lead = "lead" in capacities
    steps = []
    if office and status in ("reported", "assigned"):
        steps.append("assign")
    if lead and status == "assigned":
        steps.append("sign")
    if lead and status == "signed":
        steps.append("start")
    if lead and status in ("signed", "in_progress"):
        steps.append("reply")
    if lead and status in WORKING and not extension_pending:
        steps.append("extend")
    if office and extension_pending:
        steps.append("decide_extension")
    if office and status == "replied":
        steps += ["close", "return"]
    if "raiser" in capacities and status == "closed" and not rated:
        steps.append("rate")
    if office and status != "closed":
        steps.append("escalate")
    if office and colour == RED:
        steps.append("notice")
    if lead and notice_open:
        steps.append("reply_notice")
    if capacities - {"raiser"} or status != "closed":
        steps.append("comment")
    return steps
