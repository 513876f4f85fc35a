"""Schemes and review events belong to a government (`owner`), whose office alone runs them.

Existing rows go to the top-level government that covers all the units they rank (in a
one-city deployment, the city). Not to the deepest government covering them: a scheme the
city built for one county's towns stays the city's rather than passing silently to that
county's office. Changing the owner afterwards is an explicit admin edit.

The field becomes required in 0003: on PostgreSQL a table cannot be altered in the transaction
that updated its rows (deferred foreign-key checks are still pending).
"""

import django.db.models.deletion
from django.db import migrations, models

GOVERNMENT = "government"


def _root_for(unit_paths: set[str], roots: list[tuple[int, str]]) -> int:
    """The root government covering the most of `unit_paths` (all of them, normally); the
    first root government when there are no units to go by."""
    return max(roots, key=lambda root: sum(p.startswith(root[1]) for p in unit_paths))[0]


def assign_owners(apps, schema_editor):
    Unit = apps.get_model("accounts", "Unit")
    Scheme = apps.get_model("assessment", "Scheme")
    ReviewEvent = apps.get_model("assessment", "ReviewEvent")
    if not Scheme.objects.exists() and not ReviewEvent.objects.exists():
        return
    roots = list(
        Unit.objects.filter(parent__isnull=True, kind=GOVERNMENT)
        .order_by("path")
        .values_list("pk", "path")
    )
    if not roots:
        raise RuntimeError(
            "Schemes or review events exist but no top-level government unit does: create "
            "the government that runs them before migrating."
        )
    for scheme in Scheme.objects.all():
        paths = set(
            Unit.objects.filter(assessment_groups__schemes=scheme).values_list("path", flat=True)
        )
        Scheme.objects.filter(pk=scheme.pk).update(owner=_root_for(paths, roots))
    ReviewGroup = apps.get_model("assessment", "ReviewGroup")
    Nomination = apps.get_model("assessment", "Nomination")
    for event in ReviewEvent.objects.all():
        units = Unit.objects.filter(
            models.Q(pk__in=ReviewGroup.objects.filter(event=event).values("units"))
            | models.Q(pk__in=Nomination.objects.filter(event=event).values("unit"))
        )
        paths = set(units.values_list("path", flat=True))
        ReviewEvent.objects.filter(pk=event.pk).update(owner=_root_for(paths, roots))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("assessment", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="scheme",
            name="owner",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.unit",
            ),
        ),
        migrations.AddField(
            model_name="reviewevent",
            name="owner",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.unit",
            ),
        ),
        migrations.RunPython(assign_owners, migrations.RunPython.noop),
    ]
