# The desk and the bulletin page read a period's lights and filed reports from indexes alone
# (issue 13): a colour's lights with their projects, the counts by unit with the project for the
# late filers, previous colour then colour for the recovered, a period's filed reports.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_security_fields'),
        ('dispatch', '0004_derive_year_to_date'),
        ('projects', '0005_search_trigram'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='light',
            name='dispatch_li_period__0f8d62_idx',
        ),
        migrations.RemoveIndex(
            model_name='light',
            name='dispatch_li_period__d1e762_idx',
        ),
        migrations.RemoveIndex(
            model_name='light',
            name='dispatch_li_period__54c5b2_idx',
        ),
        migrations.RemoveIndex(
            model_name='report',
            name='dispatch_re_period__9221ff_idx',
        ),
        migrations.AddIndex(
            model_name='light',
            index=models.Index(fields=['period', 'colour', 'previous_colour', 'project'], name='light_desk_colour'),
        ),
        migrations.AddIndex(
            model_name='light',
            index=models.Index(fields=['period', 'responsible_unit', 'colour', 'project'], name='light_desk_unit'),
        ),
        migrations.AddIndex(
            model_name='light',
            index=models.Index(fields=['period', 'previous_colour', 'colour'], name='light_desk_changes'),
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(fields=['period', 'status', 'is_current', 'project'], name='report_period_status'),
        ),
    ]
