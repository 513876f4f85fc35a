from django.core.management.base import BaseCommand

from gongjian.inbox.services import retry_emails
from gongjian.inbox.webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Send the group-robot webhook messages that are due (new ones whose send after the "
        "commit failed, and retries), and retry the notice emails that failed. Run it every "
        "minute; safe to run twice at once."
    )

    def handle(self, *args, **options):
        counts = deliver_due()
        self.stdout.write(
            f"{counts.sent} sent, {counts.failed} failed for good, {counts.retrying} to retry"
        )
        emails = retry_emails()
        if emails:
            self.stdout.write(f"{emails} email(s) sent again")
