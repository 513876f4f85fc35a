"""Security events into the trail (等保2.0): sign-ins, sign-outs, failed sign-ins and lockouts,
and every change of rights however it is made (/admin/, a command, the shell): groups and
permissions, role grants, and the superuser/staff/active/administrator flags of an account.

Connected by AuditConfig.ready(). The actor of a rights change is the signed-in user of the
request (audit/middleware.py) or "system" (a command, the shell).
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_event, current_actor

User = get_user_model()
Action = AuditEntry.Action

# Account flags whose change is a change of rights.
RIGHTS_FLAGS = ("is_superuser", "is_staff", "is_active", "admin_role")


def _ip(request) -> str:
    if request is None:
        return ""
    try:
        return get_client_ip_address(request) or ""
    except Exception:  # noqa: BLE001 - an odd header must not stop a sign-in
        return request.META.get("REMOTE_ADDR", "")


def _ip_note(request, *extra: str) -> str:
    ip = _ip(request)
    return "; ".join([*extra, *([f"IP {ip}"] if ip else [])])


# Sign-in and sign-out --------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_event(actor=user, action=Action.LOGIN, target=user, note=_ip_note(request))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is None:  # signing out without a session
        return
    timeout = getattr(request, "logout_reason", "") == "timeout"
    audit_event(
        actor=user,
        action=Action.LOGOUT,
        target=user,
        note=_ip_note(request, *(["timeout"] if timeout else [])),
    )


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    user = User.objects.filter(username=username).first() if username else None
    audit_event(
        actor=None,
        actor_name=username or "?",
        action=Action.LOGIN_FAILED,
        target=user,
        target_repr=username,
        note=_ip_note(request, *(["while locked out"] if _already_locked(request) else [])),
    )


def _already_locked(request) -> bool:
    """Was the account locked before this attempt? django-axes' receiver (connected before
    ours) has counted the attempt by now: beyond the limit, the lock had already begun."""
    if request is None or not getattr(request, "axes_locked_out", False):
        return False
    failures = getattr(request, "axes_failures_since_start", None)
    limit = settings.AXES_FAILURE_LIMIT
    return failures is None or (isinstance(limit, int) and failures > limit)


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def audit_lockout(sender, request, username, ip_address=None, **kwargs):
    # axes sends this again at every attempt during a lockout; those are LOGIN_FAILED entries
    # ("while locked out"), so only the moment of locking is recorded here.
    if _already_locked(request):
        return
    user = User.objects.filter(username=username).first() if username else None
    audit_event(
        actor=None,
        actor_name=username or "?",
        action=Action.LOCKOUT,
        target=user,
        target_repr=username or "",
        note=_ip_note(request),
    )


# Groups and permissions ------------------------------------------------------------------


def _names(instance, field: str) -> list[str]:
    related = getattr(instance, field).all()
    if related.model is Permission:
        # "app.codename": the same in every language (a permission's str is translated).
        related = related.select_related("content_type")
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in related)
    return sorted(str(item) for item in related)


_M2M_FIELDS = {
    User.groups.through: ("groups", "user_set"),
    User.user_permissions.through: ("user_permissions", "user_set"),
    Group.permissions.through: ("permissions", "group_set"),
}


def _audit_m2m(sender, instance, action, reverse, **kwargs):
    forward, backward = _M2M_FIELDS[sender]
    field = backward if reverse else forward
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance.__dict__.setdefault("_audit_m2m_before", {})[field] = _names(instance, field)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    before = instance.__dict__.get("_audit_m2m_before", {}).pop(field, None)
    after = _names(instance, field)
    if before is None or before == after:
        return
    audit_event(
        actor=current_actor(),
        action=Action.PERMISSION,
        target=instance,
        changes={field: [before, after]},
    )


for _through in _M2M_FIELDS:
    m2m_changed.connect(_audit_m2m, sender=_through, dispatch_uid=f"audit_m2m_{_through}")


# Account flags ---------------------------------------------------------------------------


@receiver(pre_save, sender=User, dispatch_uid="audit_flags_before")
def remember_flags(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(RIGHTS_FLAGS):
        return  # e.g. last_login at every sign-in: no query
    instance._audit_flags_before = User.objects.filter(pk=instance.pk).values(*RIGHTS_FLAGS).first()


@receiver(post_save, sender=User, dispatch_uid="audit_flags_saved")
def audit_flags(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        # A new account's defaults are no grant; a superuser or an administrator is.
        before = {"is_superuser": False, "is_staff": False, "is_active": True, "admin_role": ""}
    else:
        before = instance.__dict__.pop("_audit_flags_before", None)
        if before is None:
            return
    changes = {
        flag: [before[flag], getattr(instance, flag)]
        for flag in RIGHTS_FLAGS
        if before[flag] != getattr(instance, flag)
    }
    if changes:
        audit_event(
            actor=current_actor(), action=Action.PERMISSION, target=instance, changes=changes
        )
