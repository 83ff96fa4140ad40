"""Support fixtures: alice takes support, bob pays, sam refunds and pays out; Stripe stubbed
at the HTTP client and webhooks signed with a test secret by the stripe package itself."""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from creators.models import User
from support.gateways import Charged, OfflineGateway
from support.services import support_settings_update

WEBHOOK_SECRET = "whsec_byline_tests_only"
SECRET_KEY = "sk_test_byline_tests_only"

_ids = itertools.count(1)


@pytest.fixture
def alice(alice: User) -> User:
    alice.email = "alice@example.com"
    alice.save()
    return alice


@pytest.fixture
def bob(bob: User) -> User:
    bob.email = "bob@example.com"
    bob.save()
    return bob


@pytest.fixture
def sam(sam: User) -> User:
    sam.user_permissions.add(
        *Permission.objects.filter(codename__in=["refund_payment", "decide_payout"])
    )
    return User.objects.get(pk=sam.pk)  # a fresh object: permissions are cached


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    # Personas are made with passwords; the fast hasher keeps these tests about money.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Whatever the developer's environment says, tests start offline at the default fee.
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.PLATFORM_FEE_BASIS_POINTS = 700
    settings.SUPPORT_CURRENCY = "usd"


@pytest.fixture
def accepting(alice: User) -> User:
    """Alice takes tips and pledges."""
    support_settings_update(creator=alice, accepts_support=True)
    return alice


class DecliningGateway(OfflineGateway):
    """Offline, except that every renewal is declined."""

    def charge_renewal(self, *, pledge):
        return Charged(ok=False, failure_message="Your card was declined.")


# --- Stripe, stubbed at the HTTP client ---------------------------------------------------


@dataclass
class StripeRequest:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]


class StubStripeHTTP(stripe.HTTPClient):
    """Answers Stripe API calls from canned JSON and records what was asked.

    Everything above the HTTP client (the stripe package's encoding, headers, error
    handling) runs for real. An unexpected call fails the test with a KeyError.
    """

    name = "byline-test-stub"

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[tuple[str, str], tuple[int, dict]] = {}
        self.requests: list[StripeRequest] = []

    def respond(self, method: str, path: str, body: dict, status: int = 200) -> None:
        self.routes[(method.upper(), path)] = (status, body)

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        raw = post_data if method.upper() == "POST" else parts.query
        if isinstance(raw, bytes):
            raw = raw.decode()
        params = dict(parse_qsl(raw or "", keep_blank_values=True))
        self.requests.append(StripeRequest(method.upper(), parts.path, dict(headers), params))
        status, body = self.routes[(method.upper(), parts.path)]
        return json.dumps(body), status, {"Request-Id": f"req_{next(_ids)}"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self) -> None:
        pass

    def calls(self, method: str, path: str) -> list[StripeRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]


@pytest.fixture
def stripe_http(settings, monkeypatch) -> StubStripeHTTP:
    """Stripe switched on, its HTTP client replaced by a stub (no network, no retries)."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PAYMENTS_GATEWAY = "stripe"
    stub = StubStripeHTTP()
    monkeypatch.setattr(stripe, "default_http_client", stub)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    return stub


@pytest.fixture
def connected(accepting: User) -> User:
    """Alice takes support and her Stripe account can receive payouts."""
    accepting.support_settings.stripe_account_id = "acct_alice"
    accepting.support_settings.payouts_enabled = True
    accepting.support_settings.save()
    return accepting


def stripe_event(
    type_: str, obj: dict, *, event_id: str | None = None, account: str | None = None
) -> dict:
    """An Event as Stripe sends it; `account` for Connect events about a connected account."""
    event = {
        "id": event_id or f"evt_test_{next(_ids)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
        "data": {"object": obj},
    }
    if account is not None:
        event["account"] = account
    return event


def signed(body: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, made by the stripe package's own signing helper."""
    return stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)


WEBHOOK_URL = "/support/stripe/webhook/"


def deliver(client, event: dict, **signing: Any):
    assert reverse("support:stripe_webhook") == WEBHOOK_URL
    body = json.dumps(event)
    return client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(body, **signing),
    )


# --- real threads against one database -------------------------------------------------


@pytest.fixture
def threads_share_the_database(transactional_db, tmp_path):
    """Let threads, each on its own connection, work on the test database at once.

    PostgreSQL needs nothing: its row locks are what the services rely on. SQLite's test
    database lives in memory with a shared cache, whose table locks fail at once ("database
    table is locked") instead of waiting, unlike the site's file database. So for SQLite the
    test runs on a file copy with the site's own options (WAL, IMMEDIATE transactions, busy
    timeout), and the in-memory database is put back afterwards.
    Request it before any fixture that writes rows.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    settings_dict = connection.settings_dict
    in_memory_name = settings_dict["NAME"]
    connection.ensure_connection()
    in_memory = connection.connection  # holding it keeps the in-memory database alive
    path = tmp_path / "threads.sqlite3"
    copy = sqlite3.connect(path)
    in_memory.backup(copy)
    copy.close()
    connection.connection = None
    settings_dict["NAME"] = str(path)  # every thread's new connection reads this dict
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = in_memory_name
        connection.connection = in_memory


def run_in_threads(work: Callable[[int], object], n: int) -> list[object]:
    """Run work(0) … work(n-1) in n threads released at the same moment; their results.

    Each thread closes its own database connection when done, as a request would.
    """
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results
