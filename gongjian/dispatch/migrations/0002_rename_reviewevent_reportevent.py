# The report's history was called ReviewEvent, like assessment's 观摩 events; it is ReportEvent.
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="ReviewEvent", new_name="ReportEvent"),
    ]
