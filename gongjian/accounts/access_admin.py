"""Who may do what in /admin/: the three administrators of 三员分立 (等保2.0 level 3).

The business roles' access lives in access.py; this module only decides administration.
"""

from __future__ import annotations

from gongjian.accounts.models import AdminRole

# Administration (三员分立, 等保2.0) -------------------------------------------------------------
# /admin/ is for the three administrators (User.admin_role) and, to set them up, superusers.
# None of the three can do another's work:
# - system: units, regions, the configurable lists and every other configuration model, and
#   user accounts' basic fields (never their rights);
# - security: role grants, groups and permissions, the administrator roles, unlocking accounts
#   (django-axes' attempts), resetting second factors and passwords; it may look units and
#   regions up to grant roles over them;
# - audit: reads and exports the audit trail and its archives, and nothing else.
# Nobody, a superuser included, changes or deletes an audit entry (audit/admin.py, and the
# database's triggers on PostgreSQL).

ADMIN_ACTIONS = ("view", "add", "change", "delete")
# Models by label_lower; a model not named here is configuration, the system administrator's.
SECURITY_MODELS = {
    "accounts.rolegrant": ADMIN_ACTIONS,
    "auth.group": ADMIN_ACTIONS,
    "auth.permission": ("view",),
    "axes.accessattempt": ("view", "delete"),  # deleting the attempts unlocks the account
    "axes.accesslog": ("view",),
    "axes.accessfailurelog": ("view",),
    "otp_totp.totpdevice": ("view", "delete"),  # deleting the device resets the factor
}
AUDIT_MODELS = {"audit.auditentry": ("view",), "audit.auditarchive": ("view",)}
# Looked up, never changed, by the security administrator (the units of a role grant).
SECURITY_LOOKUPS = {"accounts.unit": ("view",), "accounts.region": ("view",)}
USER_MODEL = "accounts.user"
# Each administrator's part of a user account in /admin/.
USER_ACCOUNT_FIELDS = (
    "username", "display_name", "first_name", "last_name", "email", "phone", "is_active",
)  # fmt: skip
USER_RIGHTS_FIELDS = ("admin_role", "groups", "user_permissions", "must_change_password")


def admin_permission(role: str, model: str, action: str) -> bool:
    """May an administrator of `role` do `action` (view/add/change/delete) on `model`
    (label_lower) in /admin/? Accounts' objects are refined by may_edit_account and friends."""
    if role == AdminRole.AUDIT:
        return action in AUDIT_MODELS.get(model, ())
    if role == AdminRole.SECURITY:
        if model == USER_MODEL:
            return action in ("view", "change")
        return action in SECURITY_MODELS.get(model, SECURITY_LOOKUPS.get(model, ()))
    if role == AdminRole.SYSTEM:
        return model not in SECURITY_MODELS and model not in AUDIT_MODELS
    return False


def may_enter_admin(user) -> bool:
    administrators = (AdminRole.SYSTEM, AdminRole.SECURITY, AdminRole.AUDIT)
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.admin_role in administrators)
    )


def may_administer(user, model: str, action: str) -> bool:
    """The admin layer's one question: may `user` do `action` on `model` (label_lower)?
    Superusers may everything but change the trail (its admin refuses that to everyone)."""
    if not may_enter_admin(user):
        return False
    if user.is_superuser:
        return True
    return admin_permission(user.admin_role, model, action)


def may_open_admin_model(user, model: str) -> bool:
    return any(may_administer(user, model, action) for action in ADMIN_ACTIONS)


def _is_administrator(account) -> bool:
    return account.is_superuser or bool(account.admin_role)


def may_edit_account(user, account) -> bool:
    """The basic fields of `account` (USER_ACCOUNT_FIELDS): the system administrator's, except
    for the administrators' own accounts (or one could lock the auditor out)."""
    if user.is_superuser:
        return True
    return user.admin_role == AdminRole.SYSTEM and not _is_administrator(account)


def may_delete_account(user, account) -> bool:
    return may_edit_account(user, account) and account.pk != user.pk


def may_change_rights(user, account) -> bool:
    """Grants, groups, permissions and the administrator role of `account`: the security
    administrator's, never their own (no one raises their own rights) nor a superuser's."""
    if user.is_superuser:
        return True
    return (
        user.admin_role == AdminRole.SECURITY and account.pk != user.pk and not account.is_superuser
    )


def may_reset_password(user, account) -> bool:
    """Setting another person's password (they must choose their own at the next sign-in)."""
    return may_change_rights(user, account) and account.pk != user.pk
