"""Links: absolute URLs for emails and feeds, and the one check of a ``next`` a request carries."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def absolute(path: str) -> str:
    """``path`` on this site, as a full URL under SITE_URL (for emails, feeds, exports)."""
    return settings.SITE_URL.rstrip("/") + path


def safe_next(request: HttpRequest) -> str:
    """The ``next`` the request carries if it points into this site, else ""."""
    target = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
