"""Sign-in, sign-out, the user's own account page, password change and the second factor."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts import security
from gongjian.accounts.access import scope_for
from gongjian.accounts.forms import LoginForm, TokenForm
from gongjian.accounts.models import Role
from gongjian.accounts.passwords import password_expires_on
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_event
from gongjian.lib.urls import safe_next_url

WRONG_CODE = gettext_lazy("The code is wrong or has expired. Try the current one.")
TOO_MANY_CODES = gettext_lazy("Too many wrong codes. Wait a minute, then try the current code.")


def home_url(user) -> str:
    """Where a user starts: the page their role works on."""
    roles = scope_for(user).roles
    if scope_for(user).can_see_registry:
        return reverse("projects:list")
    if Role.JUDGE in roles:
        return reverse("assessment:review-events")
    if user.admin_role or user.is_superuser:
        return reverse("admin:index")
    return reverse("accounts:account")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(home_url(request.user))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next_url(request, home_url(request.user)))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    remaining = None
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            auth_login(request, user)
            return redirect(safe_next_url(request, home_url(user)))
        remaining = _attempts_left(request)
    ctx = {"form": form, "next": safe_next_url(request, ""), "remaining": remaining}
    return render(request, "accounts/login.html", ctx)


def _attempts_left(request: HttpRequest) -> int | None:
    """How many more wrong passwords lock the account, to warn before it happens."""
    username = request.POST.get("username", "")
    if not username:
        return None
    failures = AxesProxyHandler.get_failures(request, {"username": username})
    return max(settings.AXES_FAILURE_LIMIT - failures, 0)


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE)."""
    ctx = {
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked_out.html", ctx, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "csrf_failure.html", status=403)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    changed_at = user.password_changed_at or user.date_joined
    ctx = {
        "roles": [g for g in user.grants.select_related("unit").order_by("role", "unit__path")],
        "password_changed_at": changed_at,
        "password_expires_on": password_expires_on(changed_at, settings.PASSWORD_MAX_AGE_DAYS),
        "has_second_factor": security.has_second_factor(user),
        "second_factor_required": security.second_factor_required_by_role(user),
    }
    return render(request, "accounts/account.html", ctx)


@sensitive_post_parameters()
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        audit_event(actor=user, action=AuditEntry.Action.PASSWORD, target=user, note="self")
        messages.success(request, _("Your password was changed."))
        return redirect(home_url(user))
    ctx = {
        "form": form,
        "reason": security.password_change_reason_for(request.user, timezone.now()),
        "min_length": settings.PASSWORD_MIN_LENGTH,
        "min_classes": settings.PASSWORD_MIN_CLASSES,
    }
    return render(request, "accounts/password_change.html", ctx)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the user's authenticator app."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(safe_next_url(request, home_url(request.user)))
        form.add_error("token", WRONG_CODE if allowed else TOO_MANY_CODES)
        audit_event(
            actor=request.user,
            action=AuditEntry.Action.LOGIN_FAILED,
            target=request.user,
            note="second factor",
        )
    ctx = {"form": form, "next": safe_next_url(request, "")}
    return render(request, "accounts/otp_verify.html", ctx)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Turn on the second factor: scan the code into an authenticator app, enter a code."""
    user = request.user
    if security.has_second_factor(user) and not user.is_verified():
        # Replacing a factor needs the current one first; a stolen password must not do it.
        return redirect("accounts:otp-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", TOO_MANY_CODES)
        elif device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_event(
                actor=user, action=AuditEntry.Action.SECOND_FACTOR, target=user, note="enabled"
            )
            messages.success(request, _("The second factor is on. Sign-ins now ask for a code."))
            return redirect(safe_next_url(request, home_url(user)))
        else:
            form.add_error("token", WRONG_CODE)
    ctx = {
        "form": form,
        "qr_svg": security.qr_data_uri(device.config_url),
        "secret": security.readable_secret(device),
        "next": safe_next_url(request, ""),
        "required": security.second_factor_required_by_role(user),
    }
    return render(request, "accounts/otp_setup.html", ctx)


@require_POST
@login_required
def otp_disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off: only for a verified session, and never where it is required."""
    user = request.user
    if security.second_factor_required_by_role(user):
        messages.error(request, _("Your role requires a second factor; it cannot be turned off."))
    elif user.is_verified():
        TOTPDevice.objects.filter(user=user).delete()
        request.session.pop(security.NO_SECOND_FACTOR, None)
        audit_event(
            actor=user, action=AuditEntry.Action.SECOND_FACTOR, target=user, note="disabled"
        )
        messages.success(request, _("The second factor is off."))
    return redirect("accounts:account")
