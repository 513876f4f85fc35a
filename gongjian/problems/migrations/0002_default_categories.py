from django.db import migrations

from gongjian.problems.defaults import load_categories


def forwards(apps, schema_editor):
    load_categories(apps)


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
