import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongjian.audit.archive import ArchiveError, archive_old_entries


class Command(BaseCommand):
    help = (
        "Move audit entries older than AUDIT_RETENTION_DAYS into verifiable compressed files "
        "under AUDIT_ARCHIVE_DIR (idempotent; safe to run twice at once; schedule it daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=20_000, help="entries per file (default 20000)"
        )

    def handle(self, batch, **options):
        older_than = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
        directory = settings.AUDIT_ARCHIVE_DIR
        try:
            archives = archive_old_entries(
                older_than=older_than, directory=directory, batch=max(batch, 1)
            )
        except ArchiveError as error:
            raise CommandError(str(error)) from error
        for archive in archives:
            self.stdout.write(
                f"Archived {archive.count} entries (no. {archive.first_seq}–{archive.last_seq}) "
                f"to {directory / archive.file_name}"
            )
        if not archives:
            self.stdout.write(
                f"No entries older than {settings.AUDIT_RETENTION_DAYS} days to archive."
            )
