"""What the report page says when the report changed while someone was typing in it (HTTP 409):
who did what and when, and the saved values beside the typed ones. Nothing is saved; the typed
values stay in the form."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.services import plain_value
from gongjian.dispatch.forms import ReportForm
from gongjian.dispatch.models import Report, ReportEvent
from gongjian.dispatch.services import REPORT_FIELDS

Action = ReportEvent.Action


def _who(user) -> str:
    if user is None:
        return _("someone")
    return user.display_name or user.username


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def what_happened(current: Report | None) -> str:
    """One sentence: the last thing done to the report, by whom and when."""
    if current is None:
        return _("This report is no longer current.")
    last = current.events.select_related("actor").order_by("-at", "-id").first()
    if current.status == Report.Status.DRAFT or last is None:
        action, who, when = "save", current.filed_by, current.updated_at
    else:
        action, who, when = last.action, last.actor, last.at
        if action == Action.APPROVE and current.status == Report.Status.ACCEPTED:
            action = "accept"
    sentences = {
        "save": _("%(who)s saved this report at %(when)s while you were editing it."),
        Action.SUBMIT: _(
            "%(who)s submitted this report for review at %(when)s while you were editing it."
        ),
        "accept": _("%(who)s accepted this report at %(when)s while you were editing it."),
        Action.APPROVE: _(
            "%(who)s approved this report at %(when)s and passed it to the next level while "
            "you were editing it."
        ),
        Action.RETURN: _("%(who)s returned this report at %(when)s while you were editing it."),
        Action.CORRECT: _(
            "%(who)s started a correction of this report at %(when)s while you were editing it."
        ),
    }
    return sentences[action] % {"who": _who(who), "when": _when(when)}


def _typed(form: ReportForm, name: str):
    """What the user typed in `name`, cleaned where it is valid (a stage's name, not its id)."""
    cleaned = getattr(form, "cleaned_data", {})
    return cleaned[name] if name in cleaned else form[name].value()


def _shown(value) -> str:
    value = plain_value(value)
    return "" if value is None else str(value)


def conflict(form: ReportForm, current: Report | None, *, editable: bool) -> dict:
    """The page's explanation: what happened, whether the report can still be saved over, and
    each field whose saved value differs from the typed one. `current` must not be the form's
    instance, which validating fills with the typed values."""
    form.is_valid()  # for cleaned values; the errors of a form that cannot be saved are moot
    rows = []
    for name in REPORT_FIELDS:
        if name not in form.fields:
            continue
        theirs = _shown(getattr(current, name)) if current is not None else ""
        yours = _shown(_typed(form, name))
        if theirs != yours:
            rows.append({"label": form.fields[name].label, "theirs": theirs, "yours": yours})
    status = current.get_status_display() if current is not None else ""
    return {
        "headline": what_happened(current),
        "status": status,
        "rows": rows,
        "editable": editable,
    }
