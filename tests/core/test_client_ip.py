"""core.client_ip: X-Forwarded-For counts only as far as our own proxies wrote it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.client_ip import client_ip
from tests.platform_site.test_settings import setting


def request_from(remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_proxies_only_the_connection_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.7")) == "203.0.113.7"
    # A forged header changes nothing: it is the client's own writing.
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_ip(request_from("203.0.113.7", "198.51.100.1, 10.0.0.1")) == "203.0.113.7"


def test_behind_one_proxy_the_right_most_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The load balancer (REMOTE_ADDR) appended what it saw; the rest was the client's to write.
    assert client_ip(request_from("10.0.0.2", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.2", " 1.2.3.4 ,203.0.113.7 ")) == "203.0.113.7"


def test_behind_two_proxies_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # CDN → load balancer → app: the CDN wrote the client, the balancer wrote the CDN.
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.1.1.1")) == "203.0.113.7"


def test_a_header_shorter_than_the_proxy_chain_is_not_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # Reached past the outer proxy, or a proxy that did not append: fall back to the connection.
    assert client_ip(request_from("10.0.0.2", "203.0.113.7")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2", " , ")) == "10.0.0.2"


def test_what_is_not_an_address_is_not_used(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", "<script>, unknown")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2", "2001:DB8::1")) == "2001:db8::1"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("not-an-ip")) == ""


@pytest.mark.parametrize("raw", ["-1", "two"])
def test_the_proxy_count_is_checked_when_the_site_starts(raw):
    from tests.platform_site.test_settings import run_python

    result = run_python(
        "import django; django.setup()", DJANGO_DEBUG="true", TRUSTED_PROXY_COUNT=raw
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_no_proxy_is_trusted_unless_configured():
    assert setting("settings.TRUSTED_PROXY_COUNT", DJANGO_DEBUG="true") == "0"
