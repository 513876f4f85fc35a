"""Forms of the problem pages: the list's filters, raising a problem (full and the enterprise's
three-field whistle), and one small form per workflow step."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import Unit
from gongjian.lib.forms import ALL, ListedModelChoiceField, select_options
from gongjian.lib.params import ascii_int
from gongjian.lib.search import normalise_query
from gongjian.problems import rules
from gongjian.problems.models import Problem, ProblemCategory, Rating, Source, Status

COLOUR_CHOICES = [
    ("", "---------"),
    (rules.RED, _("Red: overdue")),
    (rules.YELLOW, _("Yellow: behind")),
    (rules.BLUE, _("Blue: due soon")),
]
ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
# More projects than this and the form asks for the project code instead of offering a list.
PROJECT_SELECT_LIMIT = 300


class Styled:
    """Bootstrap classes on every widget, so templates render fields as they are. Forms that
    add fields in their own __init__ call style() again at its end."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"


def departments():
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)


class ProblemFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    status = forms.ChoiceField(
        choices=[("", ALL), ("open", _("All open"))] + Status.choices,
        required=False,
        label=_("Status"),
    )
    colour = forms.ChoiceField(choices=COLOUR_CHOICES, required=False, label=_("Colour"))
    category = ListedModelChoiceField(
        ProblemCategory.objects.all(), required=False, label=_("Category")
    )
    department = ListedModelChoiceField(departments(), required=False, label=_("Lead department"))
    source = forms.ChoiceField(
        choices=[("", ALL)] + Source.choices, required=False, label=_("Raised by")
    )
    level = forms.TypedChoiceField(
        choices=[("", ALL)] + [(str(n), str(n)) for n in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Escalation level"),
    )

    def select_fields(self) -> list:
        names = ["status", "colour", "category", "department", "source", "level"]
        return [
            (self[name], select_options(self[name], self.fields[name].choices)) for name in names
        ]

    def apply(self, qs, *, colour_q):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        for term in normalise_query(data["q"]).split():
            qs = qs.filter(search_text__contains=term)
        if data["status"] == "open":
            qs = qs.open()
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["colour"]:
            qs = qs.filter(colour_q(data["colour"]))
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["department"]:
            qs = qs.filter(lead_department=data["department"])
        if data["source"]:
            qs = qs.filter(source=data["source"])
        if data["level"]:
            qs = qs.filter(escalation_level=data["level"])
        return qs


class ProjectChoiceMixin:
    """A project field: a list when the user has few projects, else the 项目代码 typed in."""

    def setup_project(self, projects, *, required: bool) -> None:
        self.projects = projects
        if projects.count() <= PROJECT_SELECT_LIMIT:
            self.fields["project"] = forms.ModelChoiceField(
                projects.order_by("name"), required=required, label=_("Project")
            )
        else:
            self.fields["project"] = forms.CharField(
                required=required,
                label=_("Project code"),
                help_text=_("The project's 项目代码, or its system number."),
            )

    def clean_project(self):
        value = self.cleaned_data.get("project")
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        match = self.projects.filter(code=value).first()
        pk = ascii_int(value)  # not str.isdigit(): '²' passes it and then fails int()
        if match is None and pk is not None:
            match = self.projects.filter(pk=pk).first()
        if match is None:
            raise forms.ValidationError(_("No project of yours has this code."))
        return match


class ProblemForm(Styled, ProjectChoiceMixin, forms.ModelForm):
    """Raising a problem from the office, a leader or a unit."""

    source = forms.ChoiceField(choices=Source.choices, label=_("Raised by"))
    lead_department = forms.ModelChoiceField(
        departments(),
        required=False,
        label=_("Lead department"),
        help_text=_("The office may assign it at once; otherwise it waits to be assigned."),
    )
    co_departments = forms.ModelMultipleChoiceField(
        departments(), required=False, label=_("Co-departments")
    )

    class Meta:
        model = Problem
        fields = ["title", "detail", "category"]
        widgets = {"detail": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, projects, can_assign: bool, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_project(projects, required=False)
        self.fields["category"].queryset = ProblemCategory.objects.filter(is_active=True)
        self.fields["source"].choices = [c for c in Source.choices if c[0] in sources]
        if not can_assign:
            del self.fields["lead_department"]
            del self.fields["co_departments"]
        self.style()


class WhistleForm(Styled, ProjectChoiceMixin, forms.Form):
    """企业吹哨: three fields, from a phone."""

    category = forms.ModelChoiceField(ProblemCategory.objects.none(), label=_("What is it about"))
    text = forms.CharField(
        label=_("What is blocking your project"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_project(projects, required=True)
        self.fields["category"].queryset = ProblemCategory.objects.filter(is_active=True)
        self.order_fields(["project", "category", "text"])
        self.style()

    def title_and_detail(self) -> tuple[str, str]:
        """The first line is the title (cut at 150 characters); everything is the detail."""
        text = self.cleaned_data["text"].strip()
        first = text.splitlines()[0].strip()
        return (first[:149] + "…" if len(first) > 150 else first), text


class AssignForm(Styled, forms.Form):
    lead_department = forms.ModelChoiceField(departments(), label=_("Lead department"))
    co_departments = forms.ModelMultipleChoiceField(
        departments(), required=False, label=_("Co-departments")
    )
    note = forms.CharField(required=False, label=_("Instructions"), max_length=500)


class TextForm(Styled, forms.Form):
    """reply, return (reason), comment, start (note)."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class RateForm(Styled, forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect, label=_("Rating"))
    note = forms.CharField(
        required=False,
        max_length=300,
        label=_("Why"),
        help_text=_("Required when unsatisfied: the problem is then reopened once."),
    )

    def clean(self):
        data = super().clean()
        if data.get("rating") == Rating.UNSATISFIED and not data.get("note", "").strip():
            self.add_error("note", _("Say why you are unsatisfied."))
        return data


class ExtensionForm(Styled, forms.Form):
    requested_due = forms.DateField(label=_("New deadline"))
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class DecideExtensionForm(Styled, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Grant the extension")), ("refuse", _("Refuse the extension"))],
        label=_("Decision"),
    )
    note = forms.CharField(required=False, max_length=300, label=_("Note"))


class EscalateForm(Styled, forms.Form):
    level = forms.TypedChoiceField(coerce=int, label=_("Level"))
    reason = forms.CharField(max_length=500, label=_("Reason"))

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels
        self.style()


class NoticeForm(Styled, forms.Form):
    requirement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("Requirement")
    )
    reply_due = forms.DateField(label=_("Reply by"))


class AttachmentForm(Styled, forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not any(name.endswith(ext) for ext in ATTACHMENT_TYPES):
            raise forms.ValidationError(
                _("Attach a PDF, JPEG, PNG, Word or Excel file (not %(name)s).")
                % {"name": upload.name}
            )
        limit = getattr(settings, "PROBLEM_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}
            )
        return upload
