"""Project-wide middleware, and the upload handler that goes with the request size limit."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

# Set on the request by UploadLimitHandler when it stops an upload.
UPLOAD_STOPPED = "_gongjian_upload_stopped"


def chosen_language(request: HttpRequest) -> str:
    """The language the user chose (language cookie), else LANGUAGE_CODE."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    available = {code for code, _name in settings.LANGUAGES}
    return language if language in available else settings.LANGUAGE_CODE


def language_middleware(get_response):
    """The interface language: the one the user chose (language cookie), else LANGUAGE_CODE.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: office PCs often
    run English-language browsers, and the platform's default language is Simplified Chinese.
    """

    def middleware(request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def request_size_middleware(get_response):
    """Refuse a request whose body is larger than MAX_REQUEST_BYTES with 413, before anything
    reads the body: Django would otherwise spool any upload to disk before a form could look
    at its size. Placed right after SecurityMiddleware, so no other middleware reads it first.

    A body longer than its Content-Length is stopped by UploadLimitHandler while it is parsed;
    the 400 that Django answers then is turned into the same 413 here.
    """

    def middleware(request):
        limit = settings.MAX_REQUEST_BYTES
        if declared_length(request) > limit:
            return too_large(request, limit)
        response = get_response(request)
        if getattr(request, UPLOAD_STOPPED, False):
            return too_large(request, limit)
        return response

    return middleware


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # Django reads no body at all then
        return 0


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    # The language middleware has not run yet when the body is refused up front.
    with translation.override(chosen_language(request)):
        return render(request, "413.html", {"limit_mb": f"{limit / 2**20:.0f}"}, status=413)


class UploadTooLarge(RequestDataTooBig):
    """Django answers it with 400 and reads nothing more of the body."""


class UploadLimitHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts the bytes of every file in the request and stops
    at MAX_REQUEST_BYTES, before the handlers after it keep the chunk in memory or on disk. The
    middleware refuses a declared length over the limit; this holds when the declared length
    understates the body (under ASGI the parser reads the body to its end)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        return None  # parsing goes on with the next handlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_REQUEST_BYTES:
            if self.request is not None:
                setattr(self.request, UPLOAD_STOPPED, True)
                for handler in self.request.upload_handlers:
                    if hasattr(handler, "file"):  # the temporary file deletes itself on close
                        handler.file.close()
            raise UploadTooLarge("The upload is larger than MAX_REQUEST_BYTES.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
