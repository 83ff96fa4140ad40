"""Login lockouts: the backend that asks django-axes first, and the page a locked-out login gets.

Two limits, both holding across every process: django-axes locks one username from one address
after a few wrong passwords (its records are in the database), and the project's rate limiter
caps failed logins from one address across all usernames (RATE_LIMITS["failed_login"], in the
cache every process shares), so one password sprayed over many usernames meets a wall too.
"""

from __future__ import annotations

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from core import ratelimit
from core.client_ip import client_ip
from core.ratelimit import rate_limited_page

SCOPE = "failed_login"


class LockoutBackend(AxesStandaloneBackend):
    """The address's failed-login limit, then axes' lockout check, for logins that come with a
    request; the password itself is left to the next backend.

    Every login form passes its request. Code that authenticates without one (the shell, a
    management command, the test client's `login`) has no client to lock out, and axes would
    raise instead of answering, so it is left to the next backend.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        # Marked so the failure axes is about to report is not counted as a guess: nothing
        # was checked.
        request.login_guard_refused = True
        try:
            ratelimit.check(SCOPE, address=client_ip(request))
        except ratelimit.RateLimited as error:
            _lock_out_address(request, error.retry_after)
            raise AxesBackendPermissionDenied("Too many failed logins from this address") from None
        # Raises AxesBackendPermissionDenied while the username is locked out from here.
        super().authenticate(request, username=username, password=password, **kwargs)
        request.login_guard_refused = False
        return None


def _lock_out_address(request: HttpRequest, seconds: int) -> None:
    # axes' middleware turns a request marked locked out into lockout_response below.
    request.axes_locked_out = True
    request.login_guard_address_wait = seconds


def failed_login(address: str) -> int:
    """Count one failed login from `address`; the seconds it must now wait, or 0 if it may
    try again."""
    try:
        ratelimit.take(SCOPE, address=address)
        ratelimit.check(SCOPE, address=address)
    except ratelimit.RateLimited as error:
        return error.retry_after
    return 0


def count_failure(
    sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """user_login_failed: every wrong password or unknown username counts against the address
    it came from; the failure that fills the address's window already gets the lockout page."""
    if request is None or getattr(request, "login_guard_refused", True):
        return  # the shell, or a try that was refused before any password was checked
    wait = failed_login(client_ip(request))
    if wait:
        _lock_out_address(request, wait)


def _seconds_left(request: HttpRequest, credentials: dict | None) -> int:
    """Until this username may try again from this address."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    last = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=getattr(request, "axes_ip_address", None),
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return int(cool_off.total_seconds())
    return max(int((last + cool_off - timezone.now()).total_seconds()), 1)


def _wait_words(seconds: int) -> str:
    minutes = max(math.ceil(seconds / 60), 1)
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def lockout_message(seconds: int) -> str:
    return (
        f"Too many failed attempts to log in to this account from your network. For its "
        f"safety, please wait {_wait_words(seconds)} before trying again, or reset your password."
    )


def address_lockout_message(seconds: int) -> str:
    # No "reset your password" here: a new password would meet the same wall.
    return (
        f"Too many failed attempts to log in from your network, to any account. To keep "
        f"accounts safe, please wait {_wait_words(seconds)} before trying again."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with the username kept and the lockout
    in place of the usual error, answered 429; any other login view gets the site's 429 page."""
    address_wait = getattr(request, "login_guard_address_wait", None)
    if address_wait:
        seconds, message = address_wait, address_lockout_message(address_wait)
    else:
        seconds = _seconds_left(request, credentials)
        message = lockout_message(seconds)
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if isinstance(original_response, TemplateResponse) and form is not None and form.is_bound:
        # The form said "wrong password"; the truth now is that nothing was checked.
        form.errors.pop(NON_FIELD_ERRORS, None)
        form.add_error(None, ValidationError(message, code="locked_out"))
        response = TemplateResponse(request, original_response.template_name, context, status=429)
        response.render()
    else:
        response = rate_limited_page(request, message=message, retry_after=seconds)
    response["Retry-After"] = str(seconds)
    return response
