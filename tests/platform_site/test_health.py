"""/healthz: 200 when the database and the cache answer, 503 naming the one that does not; for
anyone, never cached, GET and HEAD only."""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.django_db

HEALTHY = {"status": "ok", "database": "ok", "cache": "ok"}


def unused_port() -> int:
    # The kernel hands out a free port; closed again at once, nothing listens on it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthy_for_an_anonymous_probe_in_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == HEALTHY
    assert "no-store" in response["Cache-Control"]


def test_503_naming_the_cache_when_redis_does_not_answer(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{unused_port()}/5",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}
    assert "no-store" in response["Cache-Control"]


def test_head_answers_and_other_methods_are_refused(client):
    assert client.head("/healthz").status_code == 200
    # POST without a CSRF token is a 405, not a 403: the check is no form.
    assert client.post("/healthz").status_code == 405
    assert client.put("/healthz").status_code == 405
