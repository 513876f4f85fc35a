from django.db import migrations

from gongjian.projects.defaults import load_defaults


def forwards(apps, schema_editor):
    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
