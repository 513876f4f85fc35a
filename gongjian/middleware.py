"""Project-wide middleware."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def language_middleware(get_response):
    """The interface language: the one the user chose (language cookie), else LANGUAGE_CODE.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: office PCs often
    run English-language browsers, and the platform's default language is Simplified Chinese.
    """
    available = {code for code, _name in settings.LANGUAGES}

    def middleware(request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware
