"""Requests no page can answer, refused before any view sees them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

NULL_MESSAGE = (
    "The address holds a null character (%00), which no page here accepts. Check the link, or "
    "start again from the home page."
)


class RejectNullCharactersMiddleware:
    """A 400 for a query string carrying a null character.

    Query-string values reach filters and searches as they are, and PostgreSQL refuses a
    string holding one (a 500 where SQLite would just find nothing); no page has a use for
    it. Posted forms need no such guard: Django's form fields refuse it with a message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("QUERY_STRING", "")
        if "%00" in raw or "\x00" in raw or "\x00" in request.path:
            return render(request, "bad_request.html", {"message": NULL_MESSAGE}, status=400)
        return self.get_response(request)
