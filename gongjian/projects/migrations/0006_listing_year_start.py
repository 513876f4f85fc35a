# The bulletin page counts a year's planned starts from this index alone (issue 13).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0005_search_trigram'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='annuallisting',
            index=models.Index(fields=['year', 'planned_start'], name='listing_year_start'),
        ),
    ]
