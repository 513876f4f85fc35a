"""The project registry (项目库): projects, their configurable lists, annual listings,
milestones and baselines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import Region, Unit
from gongjian.lib.search import search_text_for


class ConfigurableItem(models.Model):
    """A row of an office-editable list (stages, categories…). `code` is stable for imports;
    `name` is what people read and may be renamed."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(ConfigurableItem):
    class Oc4idsStatus(models.TextChoices):
        # The OC4IDS projectStatus codelist.
        IDENTIFICATION = "identification", "identification"
        PREPARATION = "preparation", "preparation"
        IMPLEMENTATION = "implementation", "implementation"
        COMPLETION = "completion", "completion"
        COMPLETED = "completed", "completed"
        CANCELLED = "cancelled", "cancelled"

    oc4ids_status = models.CharField(
        _("OC4IDS status"), max_length=16, choices=Oc4idsStatus.choices
    )
    is_started = models.BooleanField(
        _("counts as started"),
        default=False,
        help_text=_("Projects at this stage have broken ground."),
    )

    class Meta(ConfigurableItem.Meta):
        verbose_name = _("stage")


class Category(ConfigurableItem):
    class Meta(ConfigurableItem.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Industry(ConfigurableItem):
    """A local leading-industry tag (化工, 机械, 锂电…), distinct from the GB/T 4754 class."""

    class Meta(ConfigurableItem.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class ConstructionType(ConfigurableItem):
    class Meta(ConfigurableItem.Meta):
        verbose_name = _("construction type")


class MilestoneKind(ConfigurableItem):
    """A milestone template: the 前期手续 and construction nodes every project is tracked on."""

    class Phase(models.TextChoices):
        PREPARATION = "preparation", _("Preliminary procedures")
        CONSTRUCTION = "construction", _("Construction")

    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices)

    class Meta(ConfigurableItem.Meta):
        verbose_name = _("milestone kind")


# The columns a row of the project list shows (projects/templates/projects/project_list.html).
LIST_FIELDS = (
    "name",
    "code",
    "is_secretary_project",
    "total_investment",
    "updated_at",
    "stage__name",
    "industry__name",
    "responsible_unit__name",
    "leader__username",
    "leader__display_name",
)


class ProjectQuerySet(models.QuerySet):
    def listed(self, year: int) -> ProjectQuerySet:
        """The projects on `year`'s key-project list (one listing a year, so no duplicates):
        those every campaign, light, cockpit figure, bulletin and score of the year covers."""
        return self.filter(listings__year=year)

    def for_list(self, year: int) -> ProjectQuerySet:
        """Everything one row of the project list shows, and nothing more, in one query whatever
        the page size. The year's listing is one LEFT JOIN (a project has at most one listing a
        year), and only the shown columns are read: the busiest page plans and builds less."""
        return (
            self.annotate(
                this_year=models.FilteredRelation(
                    "listings", condition=models.Q(listings__year=year)
                )
            )
            .select_related("stage", "industry", "responsible_unit", "leader")
            .annotate(
                year_level=models.F("this_year__level"),
                year_plan=models.F("this_year__planned_investment"),
            )
            .only(*LIST_FIELDS)
        )

    def for_export(self) -> ProjectQuerySet:
        return self.select_related(
            "stage",
            "industry",
            "responsible_unit",
            "leader",
            "region",
            "park",
            "category",
            "construction_type",
        )


class Project(models.Model):
    class InvestmentSource(models.TextChoices):
        DOMESTIC = "domestic", _("Domestic")
        FOREIGN = "foreign", _("Foreign")
        HMT = "hmt", _("Hong Kong, Macao, Taiwan")

    class StatsStatus(models.TextChoices):
        NOT_REGISTERED = "no", _("Not registered")
        REGISTERED = "yes", _("Registered")

    name = models.CharField(_("project name"), max_length=120)
    code = models.CharField(_("project code"), max_length=24, blank=True, default="")
    owner_name = models.CharField(_("owner enterprise"), max_length=100, blank=True)
    owner_uscc = models.CharField(_("owner USCC"), max_length=18, blank=True, db_index=True)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, verbose_name=_("industry"))
    industry_class = models.CharField(_("GB/T 4754 class"), max_length=4, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    park = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_projects",
        limit_choices_to={"kind": Unit.Kind.PARK},
        verbose_name=_("park"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="projects", verbose_name=_("responsible unit")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("responsible leader"),
    )
    construction_type = models.ForeignKey(
        ConstructionType, on_delete=models.PROTECT, verbose_name=_("construction type")
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    investment_source = models.CharField(
        _("investment source"),
        max_length=8,
        choices=InvestmentSource.choices,
        default=InvestmentSource.DOMESTIC,
    )
    is_fortune500 = models.BooleanField(_("Fortune 500 investor"), default=False)
    is_listed_company = models.BooleanField(_("listed company"), default=False)
    is_specialised = models.BooleanField(_("specialised SME (专精特新)"), default=False)
    # Amounts are 万元 (10,000 yuan) throughout, as every bulletin and form states them.
    total_investment = models.DecimalField(
        _("total investment (万元)"), max_digits=14, decimal_places=2
    )
    land_area = models.DecimalField(
        _("land area (亩)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    expected_output = models.DecimalField(
        _("expected annual output (万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_tax = models.DecimalField(
        _("expected annual tax (万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_secretary_project = models.BooleanField(_("secretary's project"), default=False)
    is_high_tech = models.BooleanField(_("high-tech"), default=False)
    is_manufacturing = models.BooleanField(_("manufacturing"), default=False)
    is_livelihood = models.BooleanField(_("livelihood"), default=False)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, verbose_name=_("stage"))
    stats_status = models.CharField(
        _("statistics registration"),
        max_length=3,
        choices=StatsStatus.choices,
        default=StatsStatus.NOT_REGISTERED,
    )
    stats_code = models.CharField(_("statistics code"), max_length=30, blank=True)
    # The latest approved baseline; the original one is kept beside it and every change is
    # logged as a Rebaseline.
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    original_total_investment = models.DecimalField(
        _("original total investment (万元)"), max_digits=14, decimal_places=2
    )
    original_start = models.DateField(_("original start"), null=True, blank=True)
    original_end = models.DateField(_("original completion"), null=True, blank=True)

    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-total_investment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="project_code_unique",
                violation_error_message=_("Another project already has this project code."),
            ),
            models.CheckConstraint(
                condition=Q(total_investment__gte=0), name="project_investment_nonneg"
            ),
            models.CheckConstraint(condition=Q(land_area__gte=0), name="project_land_nonneg"),
        ]
        indexes = [
            models.Index(fields=["responsible_unit", "stage"]),
            models.Index(fields=["industry", "stage"]),
            # Lists shown biggest first (the cockpit's, the red list) walk this index and stop
            # at the page's end instead of sorting every match.
            models.Index(fields=["-total_investment", "id"], name="project_biggest_first"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_text()
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        self.search_text = search_text_for(self.name, self.code, self.owner_name)


class Level(models.TextChoices):
    PROVINCE = "province", _("Provincial key")
    CITY = "city", _("City key")
    COUNTY = "county", _("County key")


class AnnualListing(models.Model):
    """A project's declaration on one year's key-project list, at one level."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="listings")
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    planned_investment = models.DecimalField(
        _("annual planned investment (万元)"), max_digits=14, decimal_places=2
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="listing_one_per_year"),
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0), name="listing_plan_nonneg"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "level", "project"]),
            # The bulletin page counts a year's planned starts from this index alone.
            models.Index(fields=["year", "planned_start"], name="listing_year_start"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    kind = models.ForeignKey(MilestoneKind, on_delete=models.PROTECT, verbose_name=_("milestone"))
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    # The first planned date, kept when the plan moves: the battle map draws it as a ghost.
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True, editable=False)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    owner_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
        verbose_name=_("owner unit"),
    )
    owner_person = models.CharField(_("owner person"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="milestone_one_per_kind"),
        ]

    def __str__(self) -> str:
        return str(self.kind)

    def save(self, *args, **kwargs) -> None:
        if self.baseline_date is None:
            self.baseline_date = self.planned_date
        super().save(*args, **kwargs)


class Rebaseline(models.Model):
    """One approved change of the cost or schedule baseline, kept forever."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rebaselines")
    old_total_investment = models.DecimalField(max_digits=14, decimal_places=2)
    new_total_investment = models.DecimalField(max_digits=14, decimal_places=2)
    old_start = models.DateField(null=True, blank=True)
    new_start = models.DateField(null=True, blank=True)
    old_end = models.DateField(null=True, blank=True)
    new_end = models.DateField(null=True, blank=True)
    reason = models.TextField(_("reason"))
    approved_by = models.CharField(_("approved by"), max_length=60)
    approved_on = models.DateField(_("approval date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} {self.approved_on:%Y-%m-%d}"
