"""GET /healthz for load balancers and uptime probes: do the database and the cache answer?

Cheap on purpose (one query, one cache write and read), as probes come every few seconds.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:
        # One line, not a traceback: a probe every few seconds would flood the log.
        logger.warning("Health check: the database did not answer: %r", error)
        return False


def _cache() -> bool:
    # A key of its own per probe: two probes at once must not read each other's value.
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception as error:
        logger.warning("Health check: the cache did not answer: %r", error)
        return False


@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok", ...} when both answer; 503 naming the one that failed otherwise."""
    checks = {"database": _database(), "cache": _cache()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"}
    body.update({name: "ok" if ok else "error" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)


# Included from platform_site/urls.py at /healthz.
urlpatterns = [path("", healthz, name="healthz")]
