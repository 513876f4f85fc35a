"""Problem pages: the list, raising (full form and the enterprise's whistle), the enterprise's
own list, the problem with its timeline and steps, attachments and the 督办单."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongjian.accounts import access
from gongjian.accounts.models import Role, RoleGrant
from gongjian.audit.services import audit_export
from gongjian.lib.params import id_param, page_param
from gongjian.problems import access as problem_access
from gongjian.problems import forms, rules, services
from gongjian.problems.models import ExtensionRequest, Source, Status, SupervisionNotice
from gongjian.problems.selectors import colour_q, judge_problem, with_judgements

PAGE_SIZE = 25


def _require_problems(request) -> None:
    if not problem_access.can_use_problems(request.user):
        raise PermissionDenied("Your role has no access to problems")


def _is_enterprise_only(user) -> bool:
    return access.scope_for(user).roles == {Role.ENTERPRISE}


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    _require_problems(request)
    if _is_enterprise_only(request.user):
        return redirect("problems:mine")
    today = timezone.localdate()
    policy, overrides = services.calendar()
    filters = forms.ProblemFilterForm(request.GET)
    qs = filters.apply(
        problem_access.visible_problems(request.user).for_list(),
        colour_q=lambda colour: colour_q(colour, today, policy, overrides),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(page_param(request.GET))
    page.object_list = with_judgements(page.object_list, today, policy, overrides)
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "filters": filters,
        "page": page,
        "query_without_page": params.urlencode(),
        "can_raise": problem_access.can_raise_problems(request.user),
        "can_see_stats": bool(
            access.scope_for(request.user).roles
            & {Role.OFFICE, Role.LEADER, Role.DEPARTMENT, Role.UNIT}
        ),
    }
    template = "problems/list.html"
    if request.htmx and request.htmx.target == "problem-rows":
        template += "#rows"
    return render(request, template, ctx)


def _raising_unit(user, role: str):
    grant = RoleGrant.objects.filter(user=user, role=role).select_related("unit").first()
    return grant.unit if grant else None


@login_required
def new(request: HttpRequest) -> HttpResponse:
    scope = access.scope_for(request.user)
    if not problem_access.can_raise_problems(request.user):
        raise PermissionDenied("Your role cannot raise problems")
    if _is_enterprise_only(request.user):
        return redirect("problems:whistle")
    office = scope.is_office
    sources = [Source.MEETING, Source.LEADER, Source.UNIT] if office else []
    if Role.LEADER in scope.roles:
        sources.append(Source.LEADER)
    if Role.UNIT in scope.roles:
        sources.append(Source.UNIT)
    role = next(r for r in (Role.OFFICE, Role.LEADER, Role.UNIT) if r in scope.roles)
    form = forms.ProblemForm(
        request.POST or None,
        initial={"project": id_param(request.GET, "project")},
        projects=problem_access.raiseable_projects(request.user),
        can_assign=office,
        sources=sources,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.problem_raise(
                actor=request.user,
                title=data["title"],
                detail=data["detail"],
                category=data["category"],
                source=data["source"],
                project=data["project"],
                raising_unit=_raising_unit(request.user, role),
                lead_department=data.get("lead_department"),
                co_departments=data.get("co_departments") or [],
            )
        except services.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Problem %(number)s raised.") % {"number": problem.number})
            return redirect("problems:detail", pk=problem.pk)
    return render(request, "problems/new.html", {"form": form})


@login_required
def whistle(request: HttpRequest) -> HttpResponse:
    """企业吹哨: an enterprise raises a problem on one of its own projects."""
    if Role.ENTERPRISE not in access.scope_for(request.user).roles:
        raise PermissionDenied("The whistle is for enterprises")
    form = forms.WhistleForm(
        request.POST or None, projects=problem_access.raiseable_projects(request.user)
    )
    if request.method == "POST" and form.is_valid():
        title, detail = form.title_and_detail()
        problem = services.problem_raise(
            actor=request.user,
            title=title,
            detail=detail,
            category=form.cleaned_data["category"],
            source=Source.ENTERPRISE,
            project=form.cleaned_data["project"],
            raising_unit=_raising_unit(request.user, Role.ENTERPRISE),
        )
        messages.success(
            request,
            _("Your problem %(number)s has been sent to the office.") % {"number": problem.number},
        )
        return redirect("problems:mine")
    return render(request, "problems/whistle.html", {"form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The problems an enterprise (or anyone) raised, as cards for a phone."""
    _require_problems(request)
    today = timezone.localdate()
    policy, overrides = services.calendar()
    problems = (
        problem_access.visible_problems(request.user)
        .filter(raising_unit__in=access.own_units(request.user, Role.ENTERPRISE, Role.UNIT))
        .for_list()[:100]
    )
    ctx = {
        "problems": with_judgements(problems, today, policy, overrides),
        "is_enterprise": Role.ENTERPRISE in access.scope_for(request.user).roles,
    }
    return render(request, "problems/mine.html", ctx)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = problem_access.get_problem_for_user(request, pk)
    return render(request, "problems/detail.html", _detail_context(problem))


def _detail_context(problem, refused: dict | None = None) -> dict:
    """The problem page; `refused` ({step: bound form}) shows a step's form as it was sent,
    with its errors, in place of the empty one."""
    today = timezone.localdate()
    policy, overrides = services.calendar()
    judgement = judge_problem(problem, today, policy, overrides)
    pending = problem.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()
    notices = list(problem.notices.all())
    steps = rules.steps_for(
        capacities=problem.capacities,
        status=problem.status,
        rated=bool(problem.rating),
        colour=judgement.colour,
        extension_pending=pending is not None,
        notice_open=any(n.replied_at is None for n in notices),
    )
    policy_row = services.ProblemPolicy.current()
    ctx = {
        "problem": problem,
        "judgement": judgement,
        "steps": steps,
        "events": problem.events.select_related("actor"),
        "attachments": problem.attachments.all(),
        "extensions": problem.extensions.select_related("requested_by", "decided_by"),
        "pending": pending,
        "notices": notices,
        "co_departments": problem.co_departments.all(),
        "level_name": policy_row.level_name(problem.escalation_level),
        "forms": {**_step_forms(steps, policy_row, problem), **(refused or {})},
        "progress": Status.choices,
        "progress_index": Status.values.index(problem.status),
    }
    return ctx


def _levels(policy_row, problem) -> list[tuple[int, str]]:
    count = max(len(policy_row.steps), len(policy_row.level_names), 4)
    return [
        (level, f"{level} · {policy_row.level_name(level)}")
        for level in range(problem.escalation_level + 1, count + 1)
    ]


def _step_forms(steps, policy_row, problem, data=None) -> dict:
    built = {}
    for step in steps:
        form_class = STEP_FORMS.get(step)
        if form_class is forms.EscalateForm:
            built[step] = forms.EscalateForm(data, levels=_levels(policy_row, problem))
        elif form_class is forms.AssignForm:
            # Reassigning starts from the current choice.
            initial = {"lead_department": problem.lead_department_id}
            if problem.pk and problem.lead_department_id:
                initial["co_departments"] = list(
                    problem.co_departments.values_list("pk", flat=True)
                )
            built[step] = forms.AssignForm(data, initial=initial)
        elif form_class is forms.TextForm:
            form = forms.TextForm(data)
            label, required = TEXT_LABELS[step]
            form.fields["text"].label = label
            form.fields["text"].required = required
            built[step] = form
        elif form_class is not None:
            built[step] = form_class(data)
    return built


STEP_FORMS = {
    "assign": forms.AssignForm,
    "start": forms.TextForm,
    "reply": forms.TextForm,
    "return": forms.TextForm,
    "close": forms.TextForm,
    "comment": forms.TextForm,
    "rate": forms.RateForm,
    "extend": forms.ExtensionForm,
    "decide_extension": forms.DecideExtensionForm,
    "escalate": forms.EscalateForm,
    "notice": forms.NoticeForm,
    "reply_notice": forms.TextForm,
    "attach": forms.AttachmentForm,
}
# The text of each text step: its label, and whether it must be given.
TEXT_LABELS = {
    "start": (gettext_lazy("Note"), False),
    "reply": (gettext_lazy("Result"), True),
    "return": (gettext_lazy("Reason for returning it"), True),
    "close": (gettext_lazy("Note"), False),
    "comment": (gettext_lazy("Comment"), True),
    "reply_notice": (gettext_lazy("Reply"), True),
}


@login_required
@require_POST
def step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one step of the workflow. Who may take it is decided by rules.steps_for from the
    user's capacities on the problem; the service checks the state."""
    problem = problem_access.get_problem_for_user(request, pk)
    today = timezone.localdate()
    policy, overrides = services.calendar()
    judgement = judge_problem(problem, today, policy, overrides)
    pending = problem.extensions.filter(decision=ExtensionRequest.Decision.PENDING).first()
    notice = problem.notices.filter(replied_at__isnull=True).first()
    allowed = rules.steps_for(
        capacities=problem.capacities,
        status=problem.status,
        rated=bool(problem.rating),
        colour=judgement.colour,
        extension_pending=pending is not None,
        notice_open=notice is not None,
    )
    if step == "attach" and problem.capacities - {"leader"}:
        allowed.append("attach")
    if step not in allowed:
        raise PermissionDenied("This step is not open to you on this problem")
    policy_row = services.ProblemPolicy.current()
    if step == "attach":
        form = forms.AttachmentForm(request.POST, request.FILES)
    else:
        # Signing for it asks nothing: an empty form.
        form = _step_forms([step], policy_row, problem, request.POST).get(step) or forms.forms.Form(
            request.POST
        )
    if not form.is_valid() and step != "attach":
        # The page again with the form as typed and its errors (a comment over its limit is
        # kept, with the limit named), not a redirect that would drop the text.
        return render(request, "problems/detail.html", _detail_context(problem, {step: form}))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("problems:detail", pk=problem.pk)
    try:
        done = _take(step, request.user, problem, form.cleaned_data, pending, notice, policy_row)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("problems:detail", pk=problem.pk)


def _take(step, user, problem, data, pending, notice, policy_row) -> str:
    text = (data.get("text") or "").strip()
    if step == "assign":
        services.problem_assign(
            actor=user,
            problem=problem,
            lead_department=data["lead_department"],
            co_departments=data["co_departments"],
            note=data["note"],
        )
        return _("Assigned to %(unit)s.") % {"unit": data["lead_department"]}
    if step == "sign":
        services.problem_sign(actor=user, problem=problem)
        return _("Signed for.")
    if step == "start":
        services.problem_start(actor=user, problem=problem, note=text)
        return _("Work started.")
    if step == "reply":
        services.problem_reply(actor=user, problem=problem, text=text)
        return _("Reply sent for review.")
    if step == "return":
        services.problem_return(actor=user, problem=problem, reason=text)
        return _("Returned to the department.")
    if step == "close":
        services.problem_close(actor=user, problem=problem, note=text)
        return _("Closed (销号).")
    if step == "comment":
        services.problem_comment(actor=user, problem=problem, text=text)
        return _("Comment added.")
    if step == "rate":
        reopened = services.problem_rate(
            actor=user, problem=problem, rating=data["rating"], note=data["note"]
        )
        return _("Thank you; the problem is reopened.") if reopened else _("Thank you.")
    if step == "extend":
        services.extension_ask(
            actor=user, problem=problem, reason=data["reason"], requested_due=data["requested_due"]
        )
        return _("Extension asked for.")
    if step == "decide_extension":
        approve = data["decision"] == "approve"
        services.extension_decide(actor=user, request=pending, approve=approve, note=data["note"])
        return _("Extension approved.") if approve else _("Extension refused.")
    if step == "escalate":
        moved = services.problem_escalate(
            actor=user,
            problem=problem,
            level=data["level"],
            reason=data["reason"],
            max_level=max(len(policy_row.steps), len(policy_row.level_names), 4),
        )
        return _("Escalated.") if moved else _("It is at that level already.")
    if step == "notice":
        issued = services.notice_issue(
            actor=user,
            problem=problem,
            requirement=data["requirement"],
            reply_due=data["reply_due"],
        )
        return _("Supervision notice %(number)s issued.") % {"number": issued.number}
    if step == "reply_notice":
        services.notice_reply(actor=user, notice=notice, text=text)
        return _("Reply to the supervision notice recorded.")
    if step == "attach":
        services.attachment_add(actor=user, problem=problem, upload=data["file"])
        return _("File attached.")
    raise PermissionDenied("Unknown step")


@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    problem = problem_access.get_problem_for_user(request, pk)
    stored = get_object_or_404(problem.attachments, pk=attachment_pk)
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)


def _notice_for_user(request, notice_pk):
    notice = get_object_or_404(SupervisionNotice, pk=notice_pk)
    problem = problem_access.get_problem_for_user(request, notice.problem_id)
    if problem.capacities <= {"raiser"}:  # the 督办单 is between the office and the department
        raise PermissionDenied("Supervision notices are for the office and departments")
    return notice, problem


def _notice_context(notice, problem) -> dict:
    return {
        "notice": notice,
        "problem": problem,
        "co_departments": problem.co_departments.all(),
        "level_name": services.ProblemPolicy.current().level_name(problem.escalation_level),
    }


@login_required
def notice(request: HttpRequest, notice_pk: int) -> HttpResponse:
    """The 督办单 as a printable page."""
    notice, problem = _notice_for_user(request, notice_pk)
    return render(request, "problems/notice.html", _notice_context(notice, problem))


@login_required
def notice_pdf(request: HttpRequest, notice_pk: int) -> HttpResponse:
    """The same 督办单 as a PDF (WeasyPrint, Noto CJK fonts)."""
    from django.template.loader import render_to_string
    from weasyprint import CSS, HTML

    notice, problem = _notice_for_user(request, notice_pk)
    html = render_to_string(
        "problems/notice.html", {**_notice_context(notice, problem), "for_pdf": True}, request
    )
    # The page's style sheet, read from disk: the browser page links it, and the CSP allows no
    # inline <style>.
    style = CSS(filename=finders.find("css/notice.css"))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=[style])
    audit_export(actor=request.user, what=f"notice-{notice.year}-{notice.sequence}.pdf", rows=1)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="notice-{notice.year}-{notice.sequence}.pdf"'
    )
    return response
