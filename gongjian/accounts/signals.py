"""At sign-in, start the session's clocks and note whether it needs a second-factor check, so
later requests pay no query for either (accounts/middleware.py reads them). On any change to
units, users or grants, drop the cached lists (accounts/lists.py)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gongjian.accounts import lists, security
from gongjian.accounts.middleware import LOGIN_AT, SEEN_AT
from gongjian.accounts.models import RoleGrant, Unit, User


@receiver(user_logged_in)
def start_session_clocks(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    security.second_factor_required(user, request.session)


# The cached organisation and leaders (accounts/lists.py) are dropped on every change, and once
# more when the change commits: a request that read the list between the write and the commit
# would otherwise put the old rows back for LIFETIME seconds.


def _forget_now_and_on_commit(forget) -> None:
    forget()
    transaction.on_commit(forget)


@receiver([post_save, post_delete], sender=Unit)
def forget_units(sender, **kwargs):
    _forget_now_and_on_commit(lists.forget_units)


@receiver([post_save, post_delete], sender=User)
@receiver([post_save, post_delete], sender=RoleGrant)
def forget_people(sender, **kwargs):
    _forget_now_and_on_commit(lists.forget_people)
