"""At sign-in, start the session's clocks and note whether it needs a second-factor check, so
later requests pay no query for either (accounts/middleware.py reads them)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from gongjian.accounts import security
from gongjian.accounts.middleware import LOGIN_AT, SEEN_AT


@receiver(user_logged_in)
def start_session_clocks(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    security.second_factor_required(user, request.session)
