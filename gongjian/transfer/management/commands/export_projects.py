from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.models import User
from gongjian.audit.services import audit_export
from gongjian.projects import access as project_access
from gongjian.projects.models import Project
from gongjian.transfer.exporter import export_projects


class Command(BaseCommand):
    help = "Write the project registry to an .xlsx file that import_projects reads back."

    # Django's system checks take a fifth of a second at every start; this command runs from
    # scripts and benchmarks, and `manage.py check` remains for deployments.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("out", help="the .xlsx file to write")
        parser.add_argument(
            "--year", type=int, help="whose annual list fills 年度/重点级别 (default: this year)"
        )
        parser.add_argument(
            "--user", help="export only what this user may see (default: everything)"
        )

    def handle(self, out, year=None, user=None, **options):
        projects = Project.objects.all()
        account = None
        if user:
            try:
                account = User.objects.get(username=user)
            except User.DoesNotExist as error:
                raise CommandError(f"No user {user!r}") from error
            projects = project_access.visible_projects(account)
        count = export_projects(projects.order_by("id"), out, year=year)
        audit_export(actor=account, what=str(out)[-200:], rows=count, note="command")
        self.stdout.write(f"Wrote {count} projects to {out}")
