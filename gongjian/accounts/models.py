"""Organisation: administrative regions, units in a hierarchy, users and their scoped roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.lib.codes import region_code_error, uscc_error


class Region(models.Model):
    """A GB/T 2260 administrative division (province, city or county level)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        error = region_code_error(self.code)
        if error:
            raise ValidationError({"code": error})


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """An organisation that holds roles or projects: government, department, town, park, enterprise.

    `path` is a materialised path ("0001/0004/") so a unit's whole subtree is one prefix query;
    it is maintained by save() from the parent's path.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Party committee / government")
        DEPARTMENT = "department", _("Department")
        TOWN = "town", _("Town / street")
        PARK = "park", _("Park")
        ENTERPRISE = "enterprise", _("Enterprise")

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="unit_uscc_unique_when_set"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        expected = (self.parent.path if self.parent_id else "") + f"{self.pk:06d}/"
        if self.path != expected:
            self.path = expected
            Unit.objects.filter(pk=self.pk).update(path=expected)

    def clean(self) -> None:
        if self.uscc:
            error = uscc_error(self.uscc)
            if error:
                raise ValidationError({"uscc": error})

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)


class AdminRole(models.TextChoices):
    """三员分立: the three administrators of 等保2.0, none of whom can do another's work.

    - system: units, regions, configurable lists, user accounts (not their rights);
    - security: role grants, groups and permissions, lockouts, second factors;
    - audit: reads and exports the audit trail, changes nothing.
    """

    NONE = "", _("None")
    SYSTEM = "system", _("System administrator")
    SECURITY = "security", _("Security administrator")
    AUDIT = "audit", _("Audit administrator")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    admin_role = models.CharField(
        _("administrator role"), max_length=8, choices=AdminRole.choices, default="", blank=True
    )
    # When the password was last set; null for accounts made before this was recorded, whose
    # age then counts from date_joined. Expiry is PASSWORD_MAX_AGE_DAYS after it.
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Set when an administrator creates the account or resets its password: the first thing
    # the user does is choose their own.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # A superuser holds every right at once, which 三员分立 forbids for the three
            # administrators.
            models.CheckConstraint(
                condition=Q(admin_role="") | Q(is_superuser=False),
                name="user_admin_role_not_superuser",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class Role(models.TextChoices):
    OFFICE = "office", _("Campaign office")
    LEADER = "leader", _("Leader")
    UNIT = "unit", _("Responsible unit")
    DEPARTMENT = "department", _("Functional department")
    ENTERPRISE = "enterprise", _("Enterprise")
    JUDGE = "judge", _("Judge")


class RoleGrant(models.Model):
    """A user holds a role within a unit's scope (the unit and everything under it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="grants")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="rolegrant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
