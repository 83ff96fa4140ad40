"""The search page: one form, ranked results with the reader's words marked, both databases."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.pagecache import current_versions, depends_on, get_versioned, set_versioned
from search.query import MAX_QUERY_LENGTH
from search.results import requested_page, search_stories

# What a search's results show: which stories are public and their cards ("listing"), and
# writers' names and the tags ("site"). A write to any of them bumps its stamp.
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
    found = get_versioned(key)
    if found is not None:
        return mark_safe(found[0])
    # Read before the search, so a change committed during it bumps past what is kept.
    versions = current_versions(SHOWS)
    page = search_stories(query, page_number=number)
    html = render_to_string("search/_results.html", {"query": query, "page": page})
    set_versioned(request, key, str(html), versions)
    return html
