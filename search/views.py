"""The search page, and the header box's type-ahead suggestions (JSON), on both databases."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.client_ip import client_ip
from core.pagecache import current_versions, depends_on, get_versioned, set_versioned
from core.ratelimit import RateLimited, take
from search import suggest
from search.query import MAX_QUERY_LENGTH
from search.results import search_stories

# What suggestions show: which stories are public and their titles ("listing"); names and
# tags ("site"). Any change to either is a new answer (core/pagecache.py).
SUGGEST_SHOWS = ("listing", "site")


def search(request: HttpRequest) -> HttpResponse:
    # Whitespace is tidied for display only; the parser ignores it anyway.
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page = search_stories(query, page_number=request.GET.get("page")) if query else None
    return render(request, "search/search.html", {"query": query, "page": page})


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
        stored = get_versioned(key)
        if stored is not None:
            found = stored[0]
        else:
            versions = current_versions(SUGGEST_SHOWS) if settings.PAGE_CACHE_SECONDS else {}
            found = suggest.as_json(suggest.lookup(prefix))
            set_versioned(request, key, found, versions)
    depends_on(request, *SUGGEST_SHOWS)
    return JsonResponse({"query": query, "suggestions": found or []})
