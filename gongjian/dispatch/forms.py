"""The progress report form: what a unit types, checked so that nonsense never reaches review."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.dispatch.figures import earlier_totals
from gongjian.dispatch.models import Report
from gongjian.dispatch.services import report_revision
from gongjian.projects.models import Project, Stage


class ReportForm(forms.ModelForm):
    """One project's report for one period. `project` and `period` give the checks their
    context: the total investment, what was reported before, whether the project has started.
    `seen` carries the report's revision as the form was opened (services.report_revision), so
    a save over a report that changed meanwhile is refused instead of overwriting it."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Report
        fields = ["amount", "progress", "new_stage", "stage_changed_on", "problems", "note"]
        widgets = {
            "stage_changed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "progress": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args, project: Project, period, fields_shown=None, earlier_total=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.project, self.period = project, period
        # Completed investment before this period, since the start (figures.earlier_totals).
        self.earlier_total = earlier_total
        if fields_shown is not None:
            # The batch grid edits only some fields; the others keep the report's values.
            for name in list(self.fields):
                if name not in fields_shown:
                    del self.fields[name]
        if "seen" in self.fields:
            self.fields["seen"].initial = report_revision(
                self.instance if self.instance.pk else None
            )
        self.milestone_fields: list[str] = []
        if fields_shown is None:
            self._add_milestone_fields()
        if "new_stage" in self.fields:
            self.fields["new_stage"].queryset = Stage.objects.filter(is_active=True)
            self.fields["new_stage"].required = False
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _add_milestone_fields(self) -> None:
        """A date field for each milestone not yet met: "met on" in this period."""
        met = (self.instance.milestones_met or {}) if self.instance.pk else {}
        self.milestone_fields = []
        open_milestones = self.project.milestones.filter(actual_date__isnull=True).select_related(
            "kind"
        )
        for milestone in open_milestones:
            self.milestone_fields.append(f"milestone_{milestone.pk}")
            self.fields[f"milestone_{milestone.pk}"] = forms.DateField(
                label=_("%(milestone)s met on") % {"milestone": milestone.kind.name},
                required=False,
                initial=met.get(str(milestone.pk)),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount < 0:
            raise ValidationError(_("The amount cannot be negative."))
        if amount > self.project.total_investment:
            raise ValidationError(
                _(
                    "%(amount)s 万元 in one period is more than the project's total investment "
                    "(%(total)s 万元); check the unit (万元, not 元)."
                )
                % {"amount": amount, "total": self.project.total_investment}
            )
        return amount

    def clean_stage_changed_on(self):
        value = self.cleaned_data.get("stage_changed_on")
        if value and value > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return value

    def clean(self):
        data = super().clean()
        met = {}
        for name in self.milestone_fields:
            value = data.get(name)
            if value and value > timezone.localdate():
                self.add_error(name, _("This date is in the future."))
            elif value:
                met[name.removeprefix("milestone_")] = value.isoformat()
        if self.milestone_fields:  # the batch grid has none and keeps the report's own
            data["milestones_met"] = met
        stage, changed_on, amount = (
            data.get("new_stage"),
            data.get("stage_changed_on"),
            data.get("amount"),
        )
        if stage and stage != self.project.stage and not changed_on:
            self.add_error("stage_changed_on", _("Give the date the stage changed."))
        started = (stage or self.project.stage).is_started
        if amount and not started:
            self.add_error(
                "amount",
                _(
                    "The project has not started: report its start (new stage "
                    "and date) or an amount of 0."
                ),
            )
        if amount is not None and not data.get("note"):
            earlier = self.earlier_total
            if earlier is None:
                totals = earlier_totals(self.period, [self.project.pk])
                earlier = totals.total.get(self.project.pk, Decimal(0))
            if earlier + amount > self.project.total_investment:
                self.add_error(
                    "note" if "note" in self.fields else "amount",
                    _(
                        "The cumulative total (%(sum)s 万元) exceeds the total "
                        "investment; explain why in the note."
                    )
                    % {"sum": earlier + amount},
                )
        return data
