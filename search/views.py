"""The search page, and the header box's type-ahead suggestions (JSON), on both databases."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from core.client_ip import client_ip
from core.pagecache import depends_on, kept
from core.ratelimit import RateLimited, take
from search import suggest
from search.query import MAX_QUERY_LENGTH
from search.results import requested_page, search_stories

# What search results and suggestions show: which stories are public and their cards and
# titles ("listing"), and writers' names and the tags ("site"). A write to any of them bumps
# its stamp (core/pagecache.py), and what was kept under the old one is not used again.
SHOWS = ("site", "listing")


def search(request: HttpRequest) -> HttpResponse:
    # Whitespace is tidied for display only; the parser ignores it anyway.
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    # Anonymous readers' whole pages are kept too (core.pagecache's middleware).
    depends_on(request, *SHOWS)
    results = _results(request, query, requested_page(request.GET.get("page"))) if query else ""
    return render(request, "search/search.html", {"query": query, "results": results})


def _results(request: HttpRequest, query: str, number: int) -> str:
    """The rendered results of a query's page, kept for every reader, signed in or not, until
    a story, a tag or a name they show changes (core.pagecache's stamps): a popular query, or
    the next page of one, costs no search while nothing it shows has changed."""
    key = "search:" + hashlib.blake2s(f"{number}\n{query}".encode(), digest_size=16).hexdigest()

    def build() -> str:
        page = search_stories(query, page_number=number)
        return str(render_to_string("search/_results.html", {"query": query, "page": page}))

    return mark_safe(kept(request, key, SHOWS, build))


@require_GET
def suggest_view(request: HttpRequest) -> JsonResponse:
    """GET /search/suggest/?q=...: {"query", "suggestions": [{kind, label, url, detail}]}.

    The same for every reader, so it never opens the session: a signed-in reader's request
    costs what an anonymous one's does. Answers are kept per folded prefix while nothing they
    show changes (for everyone), and the page cache keeps anonymous readers' whole responses.
    Counted per address (RATE_LIMITS["suggest"]); over it, a 429 that says why.
    """
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    try:
        take("suggest", address=client_ip(request))
    except RateLimited as error:
        response = JsonResponse({"query": query, "error": error.messages[0]}, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    prefix = suggest.normalise(query)[: suggest.TERM_LENGTH].rstrip()
    found = None
    if len(prefix) >= suggest.MIN_LENGTH:
        key = "suggest:" + hashlib.blake2s(prefix.encode(), digest_size=16).hexdigest()
        found = kept(request, key, SHOWS, lambda: suggest.as_json(suggest.lookup(prefix)))
    depends_on(request, *SHOWS)
    return JsonResponse({"query": query, "suggestions": found or []})
