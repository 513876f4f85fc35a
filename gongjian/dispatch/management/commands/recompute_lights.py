from django.core.management.base import BaseCommand

from gongjian.dispatch.lighting import recompute_lights


class Command(BaseCommand):
    help = (
        "Recompute the lights of every listed project for the latest ended period of each active "
        "campaign (--all-periods: every ended period). Idempotent; safe to run twice at once."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--all-periods", action="store_true", help="rebuild the light history")

    def handle(self, *args, all_periods=False, **options):
        self.stdout.write(f"{recompute_lights(all_periods=all_periods)} lights written")
