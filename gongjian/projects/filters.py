"""The project list's filters, sorting and search, read from the query string."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.accounts import access
from gongjian.accounts.lists import leaders, organisation_units
from gongjian.accounts.models import Unit, User
from gongjian.lib.forms import ALL, ListedModelChoiceField, select_options
from gongjian.lib.search import normalise_query
from gongjian.projects import lists
from gongjian.projects.models import AnnualListing, Industry, Level, Stage

FLAG_CHOICES = [
    ("is_secretary_project", _("Secretary's project")),
    ("is_high_tech", _("High-tech")),
    ("is_manufacturing", _("Manufacturing")),
    ("is_livelihood", _("Livelihood")),
    ("foreign", _("Foreign or HK/Macao/Taiwan funded")),
    ("registered", _("Registered in statistics")),
]
SORTS = {
    "investment": ("-total_investment", "id"),
    "-investment": ("total_investment", "id"),
    "name": ("name", "id"),
    "updated": ("-updated_at", "-id"),
    "stage": ("stage__order", "-total_investment", "id"),
}


def _year_choices() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [("", ALL)] + [(str(y), str(y)) for y in range(this_year + 1, this_year - 5, -1)]


class ProjectFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    stage = ListedModelChoiceField(
        Stage.objects.all(), load=lists.stages, required=False, label=_("Stage")
    )
    year = forms.TypedChoiceField(
        choices=_year_choices, coerce=int, empty_value=None, required=False, label=_("Year")
    )
    level = forms.ChoiceField(choices=[("", ALL)] + Level.choices, required=False, label=_("Level"))
    unit = ListedModelChoiceField(
        Unit.objects.exclude(kind=Unit.Kind.ENTERPRISE),
        load=organisation_units,
        required=False,
        label=_("Responsible unit"),
    )
    industry = ListedModelChoiceField(
        Industry.objects.all(), load=lists.industries, required=False, label=_("Industry")
    )
    leader = ListedModelChoiceField(
        User.objects.filter(grants__role="leader").distinct(),
        load=leaders,
        required=False,
        label=_("Leader"),
    )
    flag = forms.MultipleChoiceField(choices=FLAG_CHOICES, required=False, label=_("Flags"))
    sort = forms.ChoiceField(choices=[(k, k) for k in SORTS], required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Offer only the units whose projects this user can see.
            self.fields["unit"].queryset = access.visible_units(user)
            self.fields["unit"].load = lambda: access.visible_units_list(user)

    def select_fields(self) -> list[tuple[forms.BoundField, str]]:
        """The drop-downs with their <option>s, each list read once (lib/forms.py)."""
        names = ["stage", "year", "level", "unit", "industry", "leader"]
        return [
            (self[name], select_options(self[name], self.fields[name].choices)) for name in names
        ]

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year

    def apply(self, qs: QuerySet) -> QuerySet:
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        # Each word must match somewhere: name, code, owner, pinyin initials or full pinyin.
        for term in normalise_query(data["q"]).split():
            qs = qs.filter(search_text__contains=term)
        if data["stage"]:
            qs = qs.filter(stage=data["stage"])
        if data["unit"]:
            qs = qs.filter(responsible_unit__path__startswith=data["unit"].path)
        if data["industry"]:
            qs = qs.filter(industry=data["industry"])
        if data["leader"]:
            qs = qs.filter(leader=data["leader"])
        if data["year"] or data["level"]:
            listed = AnnualListing.objects.filter(
                project=OuterRef("pk"), year=self.year_or_current()
            )
            if data["level"]:
                listed = listed.filter(level=data["level"])
            qs = qs.filter(Exists(listed))
        for flag in data["flag"]:
            qs = qs.filter(_flag_q(flag))
        return qs.order_by(*SORTS.get(data["sort"] or "investment"))


def _flag_q(flag: str) -> Q:
    if flag == "foreign":
        return ~Q(investment_source="domestic")
    if flag == "registered":
        return Q(stats_status="yes")
    return Q(**{flag: True})
