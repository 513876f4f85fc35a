"""A query parameter the page cannot use is the client's mistake: a 400 page, not a 500."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongjian.lib.params import BadParameter


class BadParameterMiddleware:
    """Views parse parameters with gongjian.lib.params and let BadParameter propagate; this
    answers it with templates/400.html, which shows the message naming the parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        return render(request, "400.html", {"exception_message": str(exception)}, status=400)
