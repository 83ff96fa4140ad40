"""core.fetch: remote images come from public addresses only, within time and size limits."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.fetch import FetchBudget, FetchRefused, address_allowed, fetch
from tests.conftest import png_bytes

IMAGE = png_bytes((20, 10))


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/image.png":
            self._send(200, IMAGE, "image/png")
        elif self.path.startswith("/hop/"):
            hops = int(self.path.rsplit("/", 1)[1])
            target = "/image.png" if hops == 0 else f"/hop/{hops - 1}"
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/big":
            self._send(200, b"x" * 5000, "application/octet-stream")
        else:
            self._send(404, b"no", "text/plain")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allow_private(settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = True


def test_an_image_is_fetched_from_a_real_server_when_private_addresses_are_allowed(
    server, allow_private
):
    assert fetch(f"{server}/image.png", max_bytes=10_000) == IMAGE


def test_redirects_are_followed_up_to_three(server, allow_private):
    # /hop/N answers N + 1 redirects.
    assert fetch(f"{server}/hop/2", max_bytes=10_000) == IMAGE
    with pytest.raises(FetchRefused, match="more than 3 redirects"):
        fetch(f"{server}/hop/3", max_bytes=10_000)


def test_a_body_over_the_byte_limit_is_refused(server, allow_private):
    with pytest.raises(FetchRefused, match="too large"):
        fetch(f"{server}/big", max_bytes=4000)


def test_an_error_status_is_refused(server, allow_private):
    with pytest.raises(FetchRefused, match="answered 404"):
        fetch(f"{server}/missing", max_bytes=4000)


def test_the_local_server_is_refused_by_default(server):
    with pytest.raises(FetchRefused, match="private or local"):
        fetch(f"{server}/image.png", max_bytes=10_000)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
    ],
)
def test_private_and_local_addresses_are_refused(url):
    with pytest.raises(FetchRefused, match="private or local"):
        fetch(url, max_bytes=10_000)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.png", "gopher://x/"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch(url, max_bytes=10_000)


def test_a_redirect_to_a_private_address_is_refused_even_from_an_allowed_server(
    server, settings, monkeypatch
):
    # The first hop is allowed (127.0.0.1, as if it were public); the redirect's target is
    # checked again, with the real rule.
    from core import fetch as fetch_module

    real = fetch_module.address_allowed
    monkeypatch.setattr(
        fetch_module, "address_allowed", lambda address: address == "127.0.0.1" or real(address)
    )
    with pytest.raises(FetchRefused, match="169.254.169.254 is a private or local address"):
        fetch(f"{server}/to-metadata", max_bytes=10_000)


def test_public_addresses_are_allowed_and_private_ones_not():
    assert address_allowed("93.184.215.14")
    assert address_allowed("2606:4700::1111")
    assert not address_allowed("100.64.0.1")  # carrier-grade NAT: not global
    assert not address_allowed("fd00::1")
    assert not address_allowed("not an address")


def test_a_budget_stops_after_its_count_and_its_bytes(server, allow_private):
    budget = FetchBudget(count=2, total_bytes=10_000, max_bytes=10_000)
    budget.fetch(f"{server}/image.png")
    budget.fetch(f"{server}/image.png")
    with pytest.raises(FetchRefused, match="as many remote images"):
        budget.fetch(f"{server}/image.png")
    small = FetchBudget(count=10, total_bytes=len(IMAGE) + 10, max_bytes=10_000)
    small.fetch(f"{server}/image.png")
    with pytest.raises(FetchRefused, match="too large"):
        small.fetch(f"{server}/image.png")


def test_a_budget_stops_when_its_time_is_spent(server, allow_private):
    budget = FetchBudget(count=10, total_bytes=10_000, max_bytes=10_000, seconds=60)
    assert budget.fetch(f"{server}/image.png") == IMAGE
    budget.started -= 61  # as if a minute of fetches had gone by
    with pytest.raises(FetchRefused, match="as long fetching images as it may"):
        budget.fetch(f"{server}/image.png")
