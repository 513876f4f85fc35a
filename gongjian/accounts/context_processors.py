from django.conf import settings

from gongjian.accounts.access import scope_for


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "scope": scope_for(request.user) if hasattr(request, "user") else None,
    }
