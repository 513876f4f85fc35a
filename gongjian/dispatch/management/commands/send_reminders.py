from django.core.management.base import BaseCommand

from gongjian.dispatch.reminders import send_reminders


class Command(BaseCommand):
    help = "Send due-soon and overdue filing notices (inbox and email). Safe to run twice at once."

    def handle(self, *args, **options):
        self.stdout.write(f"sent {send_reminders()} notices")
