"""At sign-in, start the session's clocks and note whether it needs a second-factor check, so
later requests pay no query for either (accounts/middleware.py reads them). On any change to
units, users or grants, drop the cached lists (accounts/lists.py). Every change of a user's role
grants goes into the audit trail as a permission event (the audit app's own receivers cover the
account flags and the admin's groups and permissions)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from gongjian.accounts import lists, security
from gongjian.accounts.middleware import LOGIN_AT, SEEN_AT
from gongjian.accounts.models import RoleGrant, Unit, User
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_event, current_actor


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


# Role grants -----------------------------------------------------------------------------


def _grants_of(user_id: int) -> list[str]:
    grants = RoleGrant.objects.filter(user_id=user_id).select_related("user", "unit")
    return sorted(str(grant) for grant in grants)


@receiver(pre_save, sender=RoleGrant, dispatch_uid="audit_grant_before")
def remember_grants(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._audit_grants_before = _grants_of(instance.user_id)


@receiver(post_save, sender=RoleGrant, dispatch_uid="audit_grant_saved")
def audit_grant_saved(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_audit_grants_before", None)
    if raw or before is None:
        return
    del instance._audit_grants_before
    _audit_grants(instance.user, before, _grants_of(instance.user_id))


@receiver(post_delete, sender=RoleGrant, dispatch_uid="audit_grant_deleted")
def audit_grant_deleted(sender, instance, **kwargs):
    after = _grants_of(instance.user_id)
    before = sorted([*after, str(instance)])
    user = User.objects.filter(pk=instance.user_id).first()
    _audit_grants(user, before, after, user_id=instance.user_id)


def _audit_grants(user, before: list[str], after: list[str], user_id: int | None = None) -> None:
    if before == after:
        return
    changes = {"grants": [before, after]}
    if user is None:  # the account itself is being deleted
        audit_event(
            actor=current_actor(),
            action=AuditEntry.Action.PERMISSION,
            target_repr=f"user {user_id}",
            changes=changes,
        )
        return
    audit_event(
        actor=current_actor(), action=AuditEntry.Action.PERMISSION, target=user, changes=changes
    )
