"""A trigram index for the list's search box (PostgreSQL only; gongjian/lib/trigram.py)."""

from django.db import migrations

from gongjian.lib.trigram import create_trigram_index, drop_index


def create(apps, schema_editor):
    create_trigram_index(schema_editor, "project_search_trgm", "projects_project", "search_text")


def drop(apps, schema_editor):
    drop_index(schema_editor, "project_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_project_biggest_first")]

    operations = [migrations.RunPython(create, drop)]
