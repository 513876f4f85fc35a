"""What every signed-in request must pass: the session's clocks, then the account's duties.

- session_timeout_middleware ends a session idle for SESSION_IDLE_MINUTES or older than
  SESSION_MAX_HOURS, whatever the cookie says (the server decides, so a copied cookie dies too);
- account_policy_middleware sends a user whose password expired (or was set by an administrator)
  to the password page, and one who needs a second factor to the code page, before anything else.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gongjian.accounts import security

LOGIN_AT = "gj_login_at"
SEEN_AT = "gj_seen_at"
# Writing the session on every request would cost a database write per page; a minute's
# granularity is plenty for a 30-minute idle timeout.
SEEN_GRANULARITY_SECONDS = 60


def _redirect(request, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        # htmx would swap the login page into a fragment; make it load the page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _login_url(request) -> str:
    next_url = request.get_full_path() if request.method == "GET" else ""
    url = reverse(settings.LOGIN_URL)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def session_timeout_middleware(get_response):
    idle_limit = settings.SESSION_IDLE_MINUTES * 60
    age_limit = settings.SESSION_MAX_HOURS * 3600

    def middleware(request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            reason = ""
            if idle_limit and now - seen_at > idle_limit:
                reason = _(
                    "You were signed out after %(minutes)d minutes without activity. "
                    "Please sign in again."
                ) % {"minutes": settings.SESSION_IDLE_MINUTES}
            elif age_limit and now - login_at > age_limit:
                reason = _(
                    "You were signed out because a session lasts at most %(hours)d hours. "
                    "Please sign in again."
                ) % {"hours": settings.SESSION_MAX_HOURS}
            if reason:
                request.logout_reason = "timeout"
                logout(request)
                messages.warning(request, reason)
                return _redirect(request, _login_url(request))
            if now - seen_at >= SEEN_GRANULARITY_SECONDS or SEEN_AT not in session:
                session[SEEN_AT] = now
        return get_response(request)

    return middleware


def account_policy_middleware(get_response):
    def middleware(request):
        user = request.user
        if not user.is_authenticated or security.is_exempt_path(request.path_info):
            return get_response(request)
        reason = security.password_change_reason_for(user, timezone.now())
        if reason:
            messages.warning(request, reason, fail_silently=True)
            return _redirect(request, reverse("accounts:password-change"))
        if user.is_verified():
            return get_response(request)
        if security.second_factor_required(user, request.session):
            if security.has_second_factor(user):
                return _redirect(request, _with_next(reverse("accounts:otp-verify"), request))
            return _redirect(request, _with_next(reverse("accounts:otp-setup"), request))
        return get_response(request)

    return middleware


def _with_next(url: str, request) -> str:
    if request.method != "GET" or request.headers.get("HX-Request"):
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"
