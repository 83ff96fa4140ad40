"""One small rate limiter for actions people could repeat to spam: fixed windows in the cache.

Limits live in settings.RATE_LIMITS: for each scope ("comment", "tip", ...) the rates for one
signed-in account ("user"), for one client address ("address") and for one email address an
action is aimed at ("email"), e.g. {"user": ["5/m"]}. An action is counted against every
window that applies and refused when any is full.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.client_ip import client_ip

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")

# What the refusal says someone was doing: "You’re {doing} faster than we allow".
DOING = {
    "comment": "commenting",
    "insight": "saving insights",
    "report": "reporting comments",
    "tip": "sending tips",
    "pledge": "starting pledges",
    "signup": "creating accounts",
    "read": "counting reads",
    "password_reset": "asking for password resets",
    "upload": "uploading images",
    "note": "sending notes",
    # issue 16, reactions: likes and saves
    "like": "liking stories",
    "save": "saving stories",
    "import": "importing stories",
    # issue 19: the header search box's suggestions
    "suggest": "asking for suggestions",
}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate:
    """A rate as written in settings: "10/m" is ten a minute, "3/10m" three in ten minutes."""
    match = RATE.match(text)
    if not match or int(match.group(1)) < 1 or match.group(2) == "0":
        raise ImproperlyConfigured(
            f"A rate limit must look like 10/m, 100/h or 3/10m (s, m, h or d); got {text!r}"
        )
    limit, multiple, unit = match.groups()
    return Rate(limit=int(limit), seconds=int(multiple or 1) * PERIODS[unit])


def _wait_words(seconds: int) -> str:
    if seconds <= 60:
        return "a minute"
    if seconds < 60 * 60:
        return f"{math.ceil(seconds / 60)} minutes"
    hours = math.ceil(seconds / 3600)
    return "an hour" if hours == 1 else f"{hours} hours"


class RateLimited(ValidationError):
    """Over a limit. A ValidationError, so a form shows it next to what was typed."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = retry_after
        doing = DOING.get(scope, "doing this")
        super().__init__(
            f"You’re {doing} faster than we allow; please try again in {_wait_words(retry_after)}.",
            code="rate_limited",
        )


def clock() -> float:
    """The time the windows are counted in; tests move it instead of sleeping."""
    return time.time()


def address_key(address: str) -> str:
    """The part of an address that names one client: an IPv6 host is given a whole /64, and
    a limit per single IPv6 address would be no limit at all."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 host it names
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) + "/64"
    return str(ip)


def email_key(email: str) -> str:
    """One email address however it is typed, hashed: the cache need not hold the address."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]


def _window_key(key: str, rate: Rate, now: float) -> tuple[str, int]:
    window = int(now // rate.seconds)
    return f"ratelimit:{key}:{rate.seconds}:{window}", window


def _wait(rate: Rate, window: int, now: float) -> int:
    return max(int((window + 1) * rate.seconds - now), 1)


def _take_slot(key: str, rate: Rate, now: float) -> int:
    """Count one hit in the current window of `rate`; seconds to wait if it was over, else 0.

    `add` then `incr` is atomic on every cache Django ships (and on Redis across servers), so
    two requests at once cannot both take the last slot. A refused hit is counted too; that
    only matters while the window is already full.
    """
    full_key, window = _window_key(key, rate, now)
    # The key outlives its window by a little, so a slow request can't revive it at zero.
    cache.add(full_key, 0, timeout=rate.seconds + 5)
    try:
        count = cache.incr(full_key)
    except ValueError:  # evicted or expired between add and incr
        cache.add(full_key, 1, timeout=rate.seconds + 5)
        count = 1
    if count > rate.limit:
        return _wait(rate, window, now)
    return 0


def _full_for(key: str, rate: Rate, now: float) -> int:
    """Seconds until the current window of `rate` has room, 0 if it has now; counts nothing."""
    full_key, window = _window_key(key, rate, now)
    if (cache.get(full_key) or 0) >= rate.limit:
        return _wait(rate, window, now)
    return 0


def _rates(scope: str, kind: str) -> list[Rate]:
    try:
        rates = settings.RATE_LIMITS[scope]
    except KeyError:
        raise ImproperlyConfigured(f"RATE_LIMITS has no scope {scope!r}") from None
    return [parse_rate(rate) for rate in rates.get(kind, ())]


def _windows(
    scope: str, user_id: int | None, address: str | None, email: str | None, per: object = None
) -> list[tuple[str, Rate]]:
    """Every (counter, rate) that applies to this account, address and target email; `per`
    keeps separate counters for each thing acted on."""
    prefix = scope if per is None else f"{scope}:{per}"
    windows = []
    if user_id is not None:
        windows += [(f"{prefix}:user:{user_id}", rate) for rate in _rates(scope, "user")]
    if address:
        key = f"{prefix}:address:{address_key(address)}"
        windows += [(key, rate) for rate in _rates(scope, "address")]
    if email:
        windows += [(f"{prefix}:email:{email_key(email)}", rate) for rate in _rates(scope, "email")]
    return windows


def take(
    scope: str,
    *,
    user_id: int | None = None,
    address: str | None = None,
    email: str | None = None,
    per: object = None,
) -> None:
    """Count one `scope` action by this account and this address (or aimed at this email);
    raise RateLimited if over.

    `per` counts separately for each thing acted on (the story read, say) instead of for all
    of them. Every window is counted even after one is found full, so the answer says how
    long until all of them allow it again.
    """
    now = clock()
    windows = _windows(scope, user_id, address, email, per)
    wait = max((_take_slot(key, rate, now) for key, rate in windows), default=0)
    if wait:
        raise RateLimited(scope, wait)


def check(
    scope: str,
    *,
    user_id: int | None = None,
    address: str | None = None,
    email: str | None = None,
) -> None:
    """Raise RateLimited if a window of `scope` is already full, counting nothing.

    For limits on what only afterwards turns out to count (a failed login): `check` before,
    `take` once it happened.
    """
    now = clock()
    windows = _windows(scope, user_id, address, email)
    wait = max((_full_for(key, rate, now) for key, rate in windows), default=0)
    if wait:
        raise RateLimited(scope, wait)


def take_for_request(request: HttpRequest, scope: str) -> None:
    """`take` for whoever sent the request: their account if signed in, and their address."""
    user = getattr(request, "user", None)
    take(
        scope,
        user_id=user.pk if user is not None and user.is_authenticated else None,
        address=client_ip(request),
    )


def rate_limited_page(
    request: HttpRequest, *, message: str, retry_after: int, back_url: str = ""
) -> HttpResponse:
    """A 429 page in the site's own layout saying what was refused and when to try again."""
    response = render(request, "429.html", {"message": message, "back_url": back_url}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def refused(request: HttpRequest, error: RateLimited, *, back_url: str = "") -> HttpResponse:
    """The 429 page for a RateLimited, for endpoints with no form to show it on."""
    return rate_limited_page(
        request, message=error.messages[0], retry_after=error.retry_after, back_url=back_url
    )
