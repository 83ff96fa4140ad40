"""The client's address, read only as far as the proxies we run in front of the site vouch for."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str:
    """The address in its canonical form, or "" when it is not an IP address at all."""
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """Who sent the request, for rate limits, login lockouts and read counting.

    With TRUSTED_PROXY_COUNT = 0 (no proxy) it is REMOTE_ADDR alone: X-Forwarded-For is whatever
    the client chose to write. Behind N proxies, each appends the address it received the
    request from, so the Nth entry from the right is the one the outermost proxy (ours) saw;
    everything left of it came from the client and is ignored. A header with fewer entries
    than that was not written by all our proxies, so it is not believed either.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote
