"""The owner is required from now on (0002 filled it in)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("assessment", "0002_owner"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scheme",
            name="owner",
            field=models.ForeignKey(
                help_text=(
                    "The government whose office computes and publishes these scores; every "
                    "unit ranked must be under it."
                ),
                limit_choices_to={"kind": "government"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.unit",
                verbose_name="run by",
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="owner",
            field=models.ForeignKey(
                help_text=(
                    "The government whose office runs this event; every unit reviewed must be "
                    "under it."
                ),
                limit_choices_to={"kind": "government"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.unit",
                verbose_name="run by",
            ),
        ),
    ]
