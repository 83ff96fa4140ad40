"""Posts over the size limits: a 413 that says the limit instead of Django's bare 400 page.

Django refuses a body with more form data than DATA_UPLOAD_MAX_MEMORY_SIZE, or more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS, as a SuspiciousOperation, which ends in the 400 handler; files
have no limit of their own there, so `RequestSizeLimitHandler` (first in
FILE_UPLOAD_HANDLERS) refuses a multipart body over BYLINE_REQUEST_MAX_BYTES before a byte of
it is read. `bad_request` (the root URLconf's handler400) turns all of these into a 413: JSON
for the editor's scripts, and otherwise the page the form was on, shown again with the error.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadhandler import FileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

logger = logging.getLogger(__name__)


class RequestTooLarge(RequestDataTooBig):
    """A whole request, files included, over BYLINE_REQUEST_MAX_BYTES."""


def max_request_bytes() -> int:
    return settings.BYLINE_REQUEST_MAX_BYTES


class RequestSizeLimitHandler(FileUploadHandler):
    """Refuses a multipart body by its declared length, before any of it is read or stored.

    Without it Django streams an upload of any size to a temporary file, and only then does
    the image module find it too large. It handles no file itself: the next handlers do.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        if content_length > max_request_bytes():
            raise RequestTooLarge(
                f"Upload of {content_length} bytes exceeds BYLINE_REQUEST_MAX_BYTES."
            )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


LIMIT_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def limit_message(error: Exception) -> str:
    """What the sender is told: which limit, and that nothing was saved."""
    if isinstance(error, RequestTooLarge):
        limit = (
            f"at most {filesizeformat(max_request_bytes())} in one post, images included "
            f"(each image up to {filesizeformat(settings.BYLINE_IMAGE_MAX_BYTES)})"
        )
    elif isinstance(error, RequestDataTooBig):
        limit = (
            f"at most {filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} of text "
            "in one post, not counting images"
        )
    elif isinstance(error, TooManyFilesSent):
        limit = f"at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files in one post"
    else:
        limit = f"at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields in one post"
    return f"That was too large to send: we accept {limit}. Nothing was saved."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a 413 for a post over a size limit, Django's own 400 page for the rest."""
    if isinstance(exception, LIMIT_ERRORS):
        return too_large(request, exception)
    return defaults.bad_request(request, exception)


def too_large(request: HttpRequest, error: Exception) -> HttpResponse:
    message = limit_message(error)
    if _wants_json(request):
        # The editor's autosave reads `errors`, its image upload `error`.
        response: HttpResponse = JsonResponse(
            {"saved": False, "error": message, "errors": {"__all__": [message]}}, status=413
        )
    else:
        response = _form_page_again(request, message) or _page(request, message)
    add_never_cache_headers(response)
    return response


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept or request.content_type == "application/json"


def _form_page_again(request: HttpRequest, message: str) -> HttpResponse | None:
    """The page the form was posted from, as a GET would show it, with the error on top.

    What was typed never arrived, so the form shows what was saved before. Only a plain page
    (200) is used; a view that answers GET otherwise (405, a redirect) gets the 413 page.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    # The body is not read again: the view sees an empty post, and a GET.
    request._post, request._files = QueryDict(), MultiValueDict()
    request.method = "GET"
    messages.error(request, message, fail_silently=True)
    try:
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
    except (Http404, PermissionDenied):
        response = None  # not theirs, or not there: the plain 413 page says enough
    except Exception:
        logger.warning("Could not show %s again after a post too large", request.path)
        response = None
    finally:
        request.method = "POST"
    if response is None or response.status_code != 200 or response.streaming:
        return None
    response.status_code = 413
    return response


def _page(request: HttpRequest, message: str) -> HttpResponse:
    # The message queued for the form page is the one this page shows, through base.html.
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    context = {"message": message, "back_url": referer if safe else ""}
    return render(request, "413.html", context, status=413)
