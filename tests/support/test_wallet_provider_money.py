"""The wallet after money moved at the provider: what disputes hold and why, what is owed,
payouts switched off; in the same number of queries with or without them."""

from __future__ import annotations

import pytest

from support import services
from support.models import Tip
from tests.support import stripe_shapes as shapes
from tests.support.conftest import deliver, stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stripe(stripe_http):
    """Stripe on (its HTTP client stubbed): disputes come by webhook."""


def paid(creator, reader, intent: str, amount: int) -> Tip:
    tip = Tip.objects.create(
        creator=creator,
        supporter=reader,
        amount=amount,
        currency="usd",
        gateway="stripe",
        gateway_reference=f"cs_{intent}",
    )
    return services.tip_paid(tip=tip, payment_reference=intent)


def dispute(
    client,
    intent: str,
    amount: int,
    *,
    dispute_id: str,
    status="needs_response",
    reason="fraudulent",
):
    obj = shapes.dispute(
        dispute_id, payment_intent=intent, amount=amount, status=status, reason=reason
    )
    type_ = "charge.dispute.created" if status == "needs_response" else "charge.dispute.closed"
    assert deliver(client, stripe_event(type_, obj)).status_code == 200


def test_a_held_dispute_shows_the_amount_and_the_reason(client, connected, bob):
    paid(connected, bob, "pi_1", 500)
    paid(connected, bob, "pi_2", 1_000)
    dispute(client, "pi_1", 500, dispute_id="dp_1", reason="product_not_received")
    client.force_login(connected)
    html = client.get("/wallet/").content.decode()
    assert "$4.65 held</strong> while 1 dispute is open" in html
    assert "Held for disputes" in html
    assert "$5.00 tip from Bob Reader" in html
    assert "The reader says they did not receive what they paid for" in html
    assert "Held: the reader disputes a tip from Bob Reader" in html  # the history's row
    assert "You owe" not in html


def test_a_lost_dispute_after_a_payout_shows_what_is_owed(client, connected, bob, sam, stripe_http):
    paid(connected, bob, "pi_1", 500)
    stripe_http.respond("POST", "/v1/transfers", {"id": "tr_1", "object": "transfer"})
    services.payout_approve(
        payout=services.payout_request(creator=connected, amount=465), actor=sam
    )
    dispute(client, "pi_1", 500, dispute_id="dp_1", status="lost")
    client.force_login(connected)
    html = client.get("/wallet/").content.decode()
    assert "You owe $4.65</strong>" in html and "next income" in html
    assert "<dd>−$4.65</dd>" in html  # the balance tile
    assert "Refunds and lost disputes</dt><dd>$5.00</dd>" in html
    assert "Held for disputes" not in html
    assert "Lost dispute over a tip from Bob Reader" in html


def test_payouts_switched_off_say_why(client, connected, stripe_http):
    off = shapes.account(
        "acct_alice", payouts_enabled=False, disabled_reason="requirements.past_due"
    )
    deliver(client, stripe_event("account.updated", off))
    client.force_login(connected)
    html = client.get("/wallet/").content.decode()
    assert "Stripe switched payouts off: details Stripe asked for are overdue" in html


@pytest.mark.parametrize("disputes", [0, 1, 6])
def test_the_wallet_takes_the_same_queries_however_many_disputes(
    client, connected, bob, disputes, django_assert_num_queries
):
    for n in range(6):
        paid(connected, bob, f"pi_{n}", 500)
    for n in range(disputes):
        dispute(client, f"pi_{n}", 500, dispute_id=f"dp_{n}")
    client.force_login(connected)
    client.get("/wallet/")  # warm the session and the per-process caches
    # The user (the session is in the cache); the wallet's sums, pledges and open payout
    # requests (3); the months (1); the history's count and page (2); the support settings,
    # for the payout notice and for the page (2); the open disputes with their payments (1);
    # the pledges and tips of the supporters' table (2).
    with django_assert_num_queries(12):
        response = client.get("/wallet/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr><td>") >= disputes
