"""Redirect targets that come from the request (`next=`) must stay on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, default: str, *, field: str = "next") -> str:
    """The `next` URL from POST or GET if it points into this site, else `default`.

    Absolute URLs to other hosts, scheme-relative `//evil.example`, `javascript:` and the like
    are refused, so a crafted link cannot bounce a signed-in user elsewhere. So is anything that
    is not a path from the site's root: our pages send `request.get_full_path()`, and
    redirect() would take a bare word such as `x` for a view name (NoReverseMatch, a 500).
    """
    candidate = request.POST.get(field) or request.GET.get(field) or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
