"""One view, a constant answer: no template, no query, no middleware in front of it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

BODY = b"floor\n"


def floor(request: HttpRequest) -> HttpResponse:
    # A length, so gunicorn need not chunk the answer; Byline's CommonMiddleware sets one too.
    return HttpResponse(BODY, content_type="text/plain", headers={"Content-Length": len(BODY)})


urlpatterns = [path("", floor)]
