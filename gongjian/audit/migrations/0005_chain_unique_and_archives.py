import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_existing_entries")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-at", "-id"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.CreateModel(
            name="AuditArchive",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file_name", models.CharField(max_length=200, unique=True, verbose_name="file")),
                ("first_seq", models.BigIntegerField(verbose_name="first entry no.")),
                ("last_seq", models.BigIntegerField(unique=True, verbose_name="last entry no.")),
                ("first_id", models.BigIntegerField(verbose_name="first entry id")),
                ("last_id", models.BigIntegerField(verbose_name="last entry id")),
                ("count", models.IntegerField(verbose_name="entries")),
                ("prev_hash", models.CharField(max_length=64)),
                ("last_hash", models.CharField(max_length=64, verbose_name="last hash")),
                ("file_sha256", models.CharField(max_length=64, verbose_name="file SHA-256")),
                ("older_than", models.DateTimeField(verbose_name="entries older than")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="archived at")),
            ],
            options={
                "verbose_name": "audit archive",
                "verbose_name_plural": "audit archives",
                "ordering": ["first_seq"],
            },
        ),
    ]
