"""Numbered pages of a list: a malformed or out-of-range ``?page=`` falls back to a valid page."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    """The requested page of ``queryset``; hostile page numbers give the nearest valid page."""
    size = per_page or settings.STORIES_PER_PAGE
    return Paginator(queryset, size).get_page(request.GET.get("page"))
