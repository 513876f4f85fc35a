"""Makes the signed-in user the actor of entries written while a request is served without a
user passed along: rights changed through signals, an administrator's password reset."""

from __future__ import annotations

from gongjian.audit.services import acting_as


def audit_actor_middleware(get_response):
    def middleware(request):
        # Resolved only when an entry is written: most requests write none.
        with acting_as(lambda: getattr(request, "user", None)):
            return get_response(request)

    return middleware
