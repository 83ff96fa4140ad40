"""Login lockouts: the backend that asks django-axes first, and the page a locked-out login gets."""

from __future__ import annotations

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from core.ratelimit import rate_limited_page


class LockoutBackend(AxesStandaloneBackend):
    """axes' lockout check, for logins that come with a request.

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
        return super().authenticate(request, username=username, password=password, **kwargs)


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


def lockout_message(seconds: int) -> str:
    minutes = max(math.ceil(seconds / 60), 1)
    wait = "a minute" if minutes == 1 else f"{minutes} minutes"
    return (
        f"Too many failed attempts to log in to this account from your network. For its "
        f"safety, please wait {wait} before trying again, or reset your password."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with the username kept and the lockout
    in place of the usual error, answered 429; any other login view gets the site's 429 page."""
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
