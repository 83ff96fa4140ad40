"""Values every page's base template needs: the site's name, the year, social links."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CURRENT_YEAR": timezone.now().year,
        "SOCIAL_LINKS": [(name, url) for name, url in settings.SOCIAL_LINKS.items() if url],
    }
