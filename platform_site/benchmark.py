"""What bench/site_benchmark.py needs inside the server, on only when BYLINE_BENCHMARK is set:
the floor view it compares every page with, and each request's query count as a header."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections
from django.http import HttpRequest, HttpResponse

QUERY_HEADER = "X-Byline-Queries"


def floor(request: HttpRequest) -> HttpResponse:
    """The fastest page the stack can serve: the same middleware, no template, no query."""
    return HttpResponse(b"floor\n", content_type="text/plain")


class QueryCountMiddleware:
    """First in the stack, so the queries of every other middleware (sessions, users) count."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connections[alias].execute_wrapper(counted) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[QUERY_HEADER] = str(count)
        return response
