# A report's year-to-date and since-start figures and its shares were stored when it was saved
# and went stale when an earlier period was accepted later; they are derived when read now
# (dispatch/figures.py), from the accepted reports.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0003_report_state_field_labels'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='report',
            name='share_of_annual_plan',
        ),
        migrations.RemoveField(
            model_name='report',
            name='share_of_total',
        ),
        migrations.RemoveField(
            model_name='report',
            name='since_start_amount',
        ),
        migrations.RemoveField(
            model_name='report',
            name='ytd_amount',
        ),
    ]
