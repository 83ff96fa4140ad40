"""The search page: one form, ranked results with the reader's words marked, both databases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from search.query import MAX_QUERY_LENGTH
from search.results import search_stories


def search(request: HttpRequest) -> HttpResponse:
    # Whitespace is tidied for display only; the parser ignores it anyway.
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page = search_stories(query, page_number=request.GET.get("page")) if query else None
    return render(request, "search/search.html", {"query": query, "page": page})
