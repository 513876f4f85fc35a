# The bulletin counts open and overdue problems per department from this index alone (issue 13).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_security_fields'),
        ('problems', '0005_search_trigram'),
        ('projects', '0005_search_trigram'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='problem',
            name='problem_dept_status',
        ),
        migrations.AddIndex(
            model_name='problem',
            index=models.Index(fields=['lead_department', 'status', 'resolve_due'], name='problem_dept_open'),
        ),
    ]
