"""Set up 三员分立: the system, security and audit administrators, then retire the superuser
that was only needed to bootstrap the deployment."""

import secrets
import string

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongjian.accounts.models import AdminRole, User

ROLES = (AdminRole.SYSTEM, AdminRole.SECURITY, AdminRole.AUDIT)
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "#%+-=@^_")


def one_time_password(length: int = 16) -> str:
    """Random, with every character class (the password rules ask for three)."""
    alphabet = "".join(CLASSES)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in chars for c in password) for chars in CLASSES):
            return password


class Command(BaseCommand):
    help = (
        "Create the system, security and audit administrators (三员分立) with one-time "
        "passwords each must change at first sign-in; --retire-superusers then takes every "
        "superuser's rights away and deactivates it."
    )

    def add_arguments(self, parser):
        parser.add_argument("system", help="username of the system administrator")
        parser.add_argument("security", help="username of the security administrator")
        parser.add_argument("audit", help="username of the audit administrator")
        parser.add_argument(
            "--retire-superusers",
            action="store_true",
            help="afterwards, turn every superuser into an inactive account without rights",
        )

    @transaction.atomic
    def handle(self, system, security, audit, retire_superusers, **options):
        usernames = dict(zip(ROLES, (system, security, audit), strict=True))
        if len(set(usernames.values())) != 3:
            raise CommandError("三员分立 needs three different people: give three usernames.")
        for role, username in usernames.items():
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                if existing.admin_role != role:
                    raise CommandError(
                        f"{username} exists and is not the {role} administrator; "
                        "choose another username or change the account in /admin/."
                    )
                self.stdout.write(f"{username}: already the {role} administrator")
                continue
            password = one_time_password()
            user = User(username=username, admin_role=role, must_change_password=True)
            user.set_password(password)
            user.save()
            self.stdout.write(
                f"{username}: {role} administrator, one-time password {password} "
                "(to be changed at the first sign-in)"
            )
        if retire_superusers:
            for user in User.objects.filter(is_superuser=True):
                # Each change of these flags lands in the audit trail (audit/signals.py).
                user.is_superuser = user.is_staff = user.is_active = False
                user.save(update_fields=["is_superuser", "is_staff", "is_active"])
                self.stdout.write(f"{user.username}: superuser retired (inactive, no rights)")
