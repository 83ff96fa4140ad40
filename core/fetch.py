"""Fetching a URL someone else named (an image in an imported archive) without reaching inside.

Hand-written on purpose: the PyPI libraries for this were either unmaintained (advocate, last
release 2020, built on an old requests) or months old with one author (drawbridge, ssrfguard),
and what is needed is small. The rules:

- only http and https, on any port;
- the host is resolved here, and every address it resolves to must be public: loopback,
  private, link-local (169.254.169.254, the cloud metadata address), multicast, reserved and
  unspecified addresses are refused, IPv4 inside IPv6 (::ffff:10.0.0.1) as the IPv4 address;
- the connection goes to the address that was checked, never to the name again, so a DNS
  answer that changes between the check and the connection (rebinding) changes nothing; TLS
  still checks the certificate against the name;
- at most MAX_REDIRECTS redirects, each new address checked the same way;
- one deadline for the whole fetch, redirects included, and a byte limit counted as it reads.

`FetchBudget` caps how many fetches and how many bytes one piece of work (an import) may use.
`settings.IMPORT_FETCH_ALLOW_PRIVATE` lets the tests fetch from a server on 127.0.0.1; it is
off by default and must stay off in production.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10.0
CHUNK = 64 * 1024
USER_AGENT = "Byline-Import/1.0"


class FetchRefused(Exception):
    """The URL was not fetched; the message says why, in words fit for a report."""


def address_allowed(address: str) -> bool:
    """True if ``address`` is one a fetch may connect to: a public unicast address."""
    if getattr(settings, "IMPORT_FETCH_ALLOW_PRIVATE", False):
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int, deadline: float) -> str:
    """The one address to connect to; refused unless every address the name has is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchRefused(f"the host {host} could not be found") from None
    if time.monotonic() > deadline:
        raise FetchRefused("it took too long")
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchRefused(f"the host {host} could not be found")
    # All, not any: a name that answers with a public and a private address is refused, so
    # which one a connection would pick never matters.
    if not all(address_allowed(address) for address in addresses):
        raise FetchRefused(f"{host} is a private or local address")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the name, though we connected to the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(url: str, *, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The body of ``url`` (after at most MAX_REDIRECTS redirects), or FetchRefused."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise FetchRefused("only http and https addresses are fetched")
        host = parts.hostname
        if not host:
            raise FetchRefused("the address has no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchRefused("the address has a bad port") from None
        address = _resolve(host, port, deadline)
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = kind(host, port, address=address, timeout=_left(deadline))
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308}:
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused(f"the server answered {response.status} with no address")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(f"the server answered {response.status}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchRefused("it is too large")
            return _read(response, connection, max_bytes, deadline)
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, TimeoutError | socket.timeout):
                raise FetchRefused("it took too long") from None
            raise FetchRefused("the server could not be reached") from None
        finally:
            connection.close()
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused("it took too long")
    return left


def _read(
    response: http.client.HTTPResponse,
    connection: http.client.HTTPConnection,
    max_bytes: int,
    deadline: float,
) -> bytes:
    chunks, size = [], 0
    while True:
        if connection.sock is not None:
            connection.sock.settimeout(_left(deadline))
        chunk = response.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused("it is too large")
        chunks.append(chunk)


@dataclass
class FetchBudget:
    """What one piece of work may still fetch: a number of URLs, a number of bytes, and
    (if given) a number of seconds from the budget's making, so a job of many slow fetches
    still ends well inside a worker's time limit."""

    count: int
    total_bytes: int
    max_bytes: int
    seconds: float | None = None
    started: float = field(default_factory=time.monotonic)

    def fetch(self, url: str) -> bytes:
        timeout = TIMEOUT_SECONDS
        if self.seconds is not None:
            left = self.started + self.seconds - time.monotonic()
            if left <= 0:
                raise FetchRefused("this import spent as long fetching images as it may")
            timeout = min(timeout, left)
        if self.count <= 0:
            raise FetchRefused("this import fetched as many remote images as it may")
        if self.total_bytes <= 0:
            raise FetchRefused("this import fetched as many bytes of images as it may")
        self.count -= 1
        data = fetch(url, max_bytes=min(self.max_bytes, self.total_bytes), timeout=timeout)
        self.total_bytes -= len(data)
        return data
