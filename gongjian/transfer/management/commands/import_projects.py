from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.models import User
from gongjian.projects import access as project_access
from gongjian.transfer.importer import import_projects


class Command(BaseCommand):
    help = (
        "Import projects from .xlsx: rows with a known 项目代码 update that project, others create "
        "one. Nothing is written if any row is wrong (exit status 1)."
    )

    # Django's system checks take a fifth of a second at every start; this command runs from
    # scripts and benchmarks, and `manage.py check` remains for deployments.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file, laid out as export_projects writes it")
        parser.add_argument(
            "--user",
            required=True,
            help="import as this user: their permissions apply and the audit names them",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, file, user, dry_run=False, **options):
        try:
            actor = User.objects.get(username=user)
        except User.DoesNotExist as error:
            raise CommandError(f"No user {user!r}") from error
        if not project_access.can_import_projects(actor):
            raise CommandError(f"{user} may not import projects")
        report = import_projects(file, user=actor, dry_run=dry_run, parallel=True)
        if report.file_error:
            raise CommandError(report.file_error)
        for error in report.errors:
            self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
        if report.error_count:
            more = report.error_count - len(report.errors)
            if more:
                self.stderr.write(f"… and {more} more errors")
            raise CommandError(
                f"{report.error_count} errors in {report.rows} rows; nothing was written."
            )
        verb = "would create" if dry_run else "created"
        update_verb = "would update" if dry_run else "updated"
        self.stdout.write(
            f"{report.rows} rows: {verb} {report.created}, {update_verb} {report.updated}, "
            f"unchanged {report.unchanged}."
        )
