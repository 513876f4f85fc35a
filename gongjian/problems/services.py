"""Writes of the problems workflow. Views check who may act (accounts.access); these functions
check the state. Each step claims the problem with a conditional UPDATE on its status, so of two
people acting at once only the first moves it; each step is logged as a ProblemEvent, audited
with before/after values, and announced to the people who act next.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.services import audit_created, audit_updated, snapshot
from gongjian.lib.images import PhotoRejected, clean_photo
from gongjian.lib.workdays import workdays_between
from gongjian.problems import announce, rules
from gongjian.problems.models import (
    Action,
    Attachment,
    ExtensionRequest,
    Problem,
    ProblemEvent,
    ProblemPolicy,
    Rating,
    Source,
    Status,
    SupervisionNotice,
    WorkdayOverride,
)

STEP_FIELDS = [
    "status",
    "lead_department",
    "triage_due",
    "sign_due",
    "resolve_due",
    "review_due",
    "escalation_level",
    "reply",
    "return_count",
    "reopen_count",
    "rating",
    "rating_note",
    "closed_at",
]


class WorkflowError(Exception):
    """The problem is not in a state that allows this step, or the input is not acceptable.
    The message is shown to the user as is."""


def calendar() -> tuple[rules.Policy, dict]:
    return rules.Policy.from_model(ProblemPolicy.current()), WorkdayOverride.as_mapping()


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _move(problem, *, actor, action, from_statuses, note="", level=None, **changes) -> None:
    """Apply `changes` only if the problem is still in `from_statuses`; log, audit, announce."""
    before = snapshot(problem, STEP_FIELDS)
    claimed = Problem.objects.filter(pk=problem.pk, status__in=from_statuses).update(**changes)
    if not claimed:
        problem.refresh_from_db()
        raise WorkflowError(
            _("This problem is now “%(status)s”; reload the page.")
            % {"status": problem.get_status_display()}
        )
    from_status = problem.status
    for name, value in changes.items():
        setattr(problem, name, value)
    event = ProblemEvent.objects.create(
        problem=problem,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=problem.status,
        level=level,
        note=note,
    )
    audit_updated(actor=actor, instance=problem, before=before, note=str(action))
    announce.event(problem, event)


def _log(problem, *, actor, action, note="", level=None) -> ProblemEvent:
    event = ProblemEvent.objects.create(
        problem=problem,
        actor=actor,
        action=action,
        from_status=problem.status,
        to_status=problem.status,
        level=level,
        note=note,
    )
    announce.event(problem, event)
    return event


def _required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("%(what)s is required.") % {"what": what})
    return text


@transaction.atomic
def problem_raise(
    *,
    actor,
    title: str,
    category,
    source: str,
    detail: str = "",
    project=None,
    raising_unit=None,
    lead_department=None,
    co_departments=(),
    today: datetime.date | None = None,
) -> Problem:
    """Record a new problem. With a lead department (the office raising it at a meeting) it is
    assigned at once; otherwise it waits for the office to assign it."""
    today = _today(today)
    policy, overrides = calendar()
    title = _required(title, _("Title"))
    if len(title) > 150:
        raise WorkflowError(_("The title must be at most 150 characters."))
    if source not in Source.values:
        raise WorkflowError(_("Unknown source."))
    problem = Problem.objects.create(
        project=project,
        title=title,
        detail=detail.strip(),
        category=category,
        source=source,
        raised_by=actor,
        raising_unit=raising_unit,
        triage_due=rules.triage_deadline(today, policy, overrides),
    )
    audit_created(actor=actor, instance=problem)
    _log(problem, actor=actor, action=Action.RAISED)
    if lead_department is not None:
        problem_assign(
            actor=actor,
            problem=problem,
            lead_department=lead_department,
            co_departments=co_departments,
            today=today,
        )
    return problem


@transaction.atomic
def problem_assign(
    *, actor, problem, lead_department, co_departments=(), note="", today=None
) -> None:
    """交办: give the problem to a lead department; the sign and resolve clocks start now.
    A problem not yet signed for may be reassigned, which restarts them."""
    if lead_department is None:
        raise WorkflowError(_("Choose the lead department."))
    today = _today(today)
    policy, overrides = calendar()
    due = rules.assignment_deadlines(today, policy, overrides)
    _move(
        problem,
        actor=actor,
        action=Action.ASSIGNED,
        from_statuses=[Status.REPORTED, Status.ASSIGNED],
        note=note,
        status=Status.ASSIGNED,
        lead_department=lead_department,
        assigned_at=timezone.now(),
        sign_due=due.sign_due,
        resolve_due=due.resolve_due,
        original_resolve_due=due.resolve_due,
    )
    problem.co_departments.set([d for d in co_departments if d.pk != lead_department.pk])


@transaction.atomic
def problem_sign(*, actor, problem) -> None:
    _move(
        problem,
        actor=actor,
        action=Action.SIGNED,
        from_statuses=[Status.ASSIGNED],
        status=Status.SIGNED,
        signed_at=timezone.now(),
    )


@transaction.atomic
def problem_start(*, actor, problem, note="") -> None:
    _move(
        problem,
        actor=actor,
        action=Action.STARTED,
        from_statuses=[Status.SIGNED],
        note=note,
        status=Status.IN_PROGRESS,
    )


@transaction.atomic
def problem_reply(*, actor, problem, text: str, today=None) -> None:
    """已反馈: the department reports the result; the office has review_days to check it."""
    text = _required(text, _("The reply"))
    policy, overrides = calendar()
    _move(
        problem,
        actor=actor,
        action=Action.REPLIED,
        from_statuses=[Status.SIGNED, Status.IN_PROGRESS],
        note=text,
        status=Status.REPLIED,
        reply=text,
        replied_at=timezone.now(),
        review_due=rules.review_deadline(_today(today), policy, overrides),
    )


@transaction.atomic
def problem_return(*, actor, problem, reason: str) -> None:
    """退回 at review: back to the department, with the reason; its deadline does not move."""
    reason = _required(reason, _("The reason for returning it"))
    _move(
        problem,
        actor=actor,
        action=Action.RETURNED,
        from_statuses=[Status.REPLIED],
        note=reason,
        status=Status.IN_PROGRESS,
        return_count=problem.return_count + 1,
        review_due=None,
    )


@transaction.atomic
def problem_close(*, actor, problem, note="", today=None) -> None:
    """审核 passed, 销号: closed; the raiser is asked for a rating."""
    _policy, overrides = calendar()
    assigned = timezone.localdate(problem.assigned_at) if problem.assigned_at else None
    today = _today(today)
    _move(
        problem,
        actor=actor,
        action=Action.CLOSED,
        from_statuses=[Status.REPLIED],
        note=note,
        status=Status.CLOSED,
        closed_at=timezone.now(),
        review_due=None,
        days_to_resolve=max(0, workdays_between(assigned, today, overrides)) if assigned else None,
    )


@transaction.atomic
def problem_rate(*, actor, problem, rating: str, note: str = "", today=None) -> bool:
    """The raiser rates a closed problem. 不满意 (with its reason) reopens it once, with a new
    resolution deadline; returns whether it was reopened."""
    if rating not in Rating.values:
        raise WorkflowError(_("Choose a rating."))
    if problem.status != Status.CLOSED or problem.rating:
        raise WorkflowError(_("This problem is not waiting for a rating."))
    if rating == Rating.UNSATISFIED:
        note = _required(note, _("The reason for being unsatisfied"))
    reopen = rating == Rating.UNSATISFIED and problem.reopen_count == 0
    before = snapshot(problem, STEP_FIELDS)
    claimed = Problem.objects.filter(pk=problem.pk, status=Status.CLOSED, rating="").update(
        rating=rating, rating_note=note[:300], rated_at=timezone.now()
    )
    if not claimed:
        raise WorkflowError(_("This problem has been rated already."))
    problem.rating, problem.rating_note = rating, note[:300]
    audit_updated(actor=actor, instance=problem, before=before, note="rated")
    _log(problem, actor=actor, action=Action.RATED, note=f"{problem.get_rating_display()} {note}")
    if reopen:
        policy, overrides = calendar()
        due = rules.assignment_deadlines(_today(today), policy, overrides)
        _move(
            problem,
            actor=actor,
            action=Action.REOPENED,
            from_statuses=[Status.CLOSED],
            note=note,
            status=Status.IN_PROGRESS,
            reopen_count=1,
            closed_at=None,
            days_to_resolve=None,
            rating="",
            resolve_due=due.resolve_due,
            escalation_level=0,
        )
    return reopen


def problem_comment(*, actor, problem, text: str) -> ProblemEvent:
    return _log(problem, actor=actor, action=Action.COMMENTED, note=_required(text, _("Comment")))


@transaction.atomic
def extension_ask(*, actor, problem, reason: str, requested_due, today=None) -> ExtensionRequest:
    """A department asks to move its resolution deadline; only before the deadline passes."""
    reason = _required(reason, _("The reason"))
    if problem.status not in rules.WORKING or problem.resolve_due is None:
        raise WorkflowError(_("Only a problem being worked on can have its deadline extended."))
    error = rules.extension_error(
        today=_today(today), current_due=problem.resolve_due, requested_due=requested_due
    )
    if error:
        raise WorkflowError(error)
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                problem=problem,
                requested_by=actor,
                reason=reason,
                current_due=problem.resolve_due,
                requested_due=requested_due,
            )
    except IntegrityError:
        raise WorkflowError(_("An extension request is already waiting for a decision.")) from None
    audit_created(actor=actor, instance=request)
    _log(
        problem,
        actor=actor,
        action=Action.EXTENSION_ASKED,
        note=_("to %(date)s: %(reason)s") % {"date": requested_due.isoformat(), "reason": reason},
    )
    return request


@transaction.atomic
def extension_decide(*, actor, request: ExtensionRequest, approve: bool, note: str = "") -> None:
    if not approve:
        note = _required(note, _("The reason for refusing"))
    before = snapshot(request)
    decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    claimed = ExtensionRequest.objects.filter(
        pk=request.pk, decision=ExtensionRequest.Decision.PENDING
    ).update(decision=decision, decided_by=actor, decided_at=timezone.now(), decision_note=note)
    if not claimed:
        raise WorkflowError(_("This request has been decided already."))
    request.refresh_from_db()
    audit_updated(actor=actor, instance=request, before=before)
    problem = request.problem
    if approve:
        problem_before = snapshot(problem, STEP_FIELDS)
        # An approved extension also takes the problem back below any escalation it reached.
        Problem.objects.filter(pk=problem.pk).update(
            resolve_due=request.requested_due, escalation_level=0
        )
        problem.resolve_due, problem.escalation_level = request.requested_due, 0
        audit_updated(actor=actor, instance=problem, before=problem_before, note="extension")
    _log(
        problem,
        actor=actor,
        action=Action.EXTENSION_APPROVED if approve else Action.EXTENSION_REFUSED,
        note=note or request.requested_due.isoformat(),
    )


def problem_escalate(*, actor, problem, level: int, reason: str, max_level: int) -> bool:
    """Move the problem up to `level` if it is below it (one conditional UPDATE, so two runs at
    once escalate it once). Returns whether this call moved it."""
    if not 0 < level <= max_level:
        raise WorkflowError(_("Choose a level from 1 to %(max)d.") % {"max": max_level})
    if problem.status == Status.CLOSED:
        raise WorkflowError(_("A closed problem cannot be escalated."))
    with transaction.atomic():
        before = snapshot(problem, STEP_FIELDS)
        current = problem.escalation_level
        moved = Problem.objects.filter(
            pk=problem.pk, escalation_level__lt=level, escalation_level=current
        ).update(escalation_level=level, escalated_at=timezone.now())
        if not moved:
            return False
        problem.escalation_level = level
        audit_updated(actor=actor, instance=problem, before=before, note="escalated")
        _log(problem, actor=actor, action=Action.ESCALATED, level=level, note=reason)
    return True


@transaction.atomic
def notice_issue(*, actor, problem, requirement: str, reply_due, today=None) -> SupervisionNotice:
    """督办单 for a red problem, numbered within the year."""
    policy, overrides = calendar()
    today = _today(today)
    verdict = rules.judge(
        status=problem.status,
        today=today,
        resolve_due=problem.resolve_due,
        policy=policy,
        overrides=overrides,
    )
    if verdict.colour != rules.RED:
        raise WorkflowError(_("A supervision notice is issued only for an overdue (red) problem."))
    requirement = _required(requirement, _("The requirement"))
    if reply_due < today:
        raise WorkflowError(_("The reply date cannot be in the past."))
    for _attempt in range(3):  # two notices issued at once may pick the same number: retry
        last = SupervisionNotice.objects.filter(year=today.year).aggregate(n=Max("sequence"))["n"]
        try:
            with transaction.atomic():
                notice = SupervisionNotice.objects.create(
                    problem=problem,
                    year=today.year,
                    sequence=(last or 0) + 1,
                    requirement=requirement,
                    reply_due=reply_due,
                    issued_by=actor,
                )
            break
        except IntegrityError:
            continue
    else:
        raise WorkflowError(_("Could not number the notice; try again."))
    audit_created(actor=actor, instance=notice)
    _log(problem, actor=actor, action=Action.NOTICE_ISSUED, note=notice.number)
    return notice


@transaction.atomic
def notice_reply(*, actor, notice: SupervisionNotice, text: str) -> None:
    text = _required(text, _("The reply"))
    before = snapshot(notice)
    claimed = SupervisionNotice.objects.filter(pk=notice.pk, replied_at__isnull=True).update(
        reply=text, replied_by=actor, replied_at=timezone.now()
    )
    if not claimed:
        raise WorkflowError(_("This notice has been replied to already."))
    notice.refresh_from_db()
    audit_updated(actor=actor, instance=notice, before=before)
    _log(notice.problem, actor=actor, action=Action.NOTICE_REPLIED, note=text)


@transaction.atomic
def attachment_add(*, actor, problem, upload) -> Attachment:
    """Store a file against the problem. Photos are re-encoded so nothing but the picture (no
    location, no camera data) is kept; documents are stored as sent, under a neutral name."""
    from django.core.files.base import ContentFile

    name = upload.name.rsplit("/", 1)[-1][:120]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in (".jpg", ".jpeg", ".png"):
        try:
            photo = clean_photo(upload)
        except PhotoRejected as error:
            raise WorkflowError(f"{name}: {error}") from None
        content, extension = photo.content, photo.extension
    else:
        content = upload.read()
    attachment = Attachment(problem=problem, name=name, size=len(content), uploaded_by=actor)
    attachment.file.save(f"attachment{extension}", ContentFile(content), save=False)
    attachment.save()
    audit_created(actor=actor, instance=attachment)
    _log(problem, actor=actor, action=Action.ATTACHED, note=name)
    return attachment
