"""Money that moves at Stripe rather than through Byline (issue 20): refunds made in the
dashboard, disputes, reversed transfers, failed bank payouts and payout accounts switched off.

Events are Stripe's documented shapes (tests/support/stripe_shapes.py), signed by the stripe
package and delivered to the webhook. Every type is checked for being applied once, for
arriving before the payment it is about, and for what the wallet says afterwards.
"""

from __future__ import annotations

import pytest

from support import services
from support.models import (
    Dispute,
    LedgerEntry,
    MoneyNotice,
    PayoutRequest,
    StripeEvent,
    SupportSettings,
    Tip,
)
from support.selectors import balance_of, wallet_summary
from support.webhooks import parked_events_retry
from tests.support import stripe_shapes as shapes
from tests.support.conftest import (
    WEBHOOK_URL,
    deliver,
    run_in_threads,
    signed,
    stripe_event,
)

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind
PI = "pi_tip_1"


def checkout_completed(tip: Tip) -> dict:
    session = {
        "id": tip.gateway_reference,
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "amount_total": tip.amount,
        "currency": "usd",
        "payment_intent": PI,
        "metadata": {"tip_id": str(tip.pk)},
    }
    return stripe_event("checkout.session.completed", session)


@pytest.fixture
def pending_tip(connected, bob, stripe_http) -> Tip:
    """Bob's $5 tip to Alice, on Stripe's Checkout page: not paid yet."""
    return Tip.objects.create(
        creator=connected,
        supporter=bob,
        amount=500,
        currency="usd",
        gateway="stripe",
        gateway_reference="cs_tip_1",
    )


@pytest.fixture
def paid_tip(client, pending_tip) -> Tip:
    """The same tip, paid: a $5.00 charge and a $0.35 fee in the ledger."""
    assert deliver(client, checkout_completed(pending_tip)).json()["outcome"] == "applied"
    return Tip.objects.get(pk=pending_tip.pk)


def wallet(creator) -> dict[str, int]:
    summary = wallet_summary(creator=creator)
    return {
        "balance": summary.balance,
        "held": summary.held,
        "owed": summary.owed,
        "available": summary.available,
    }


def rows() -> list[tuple[str, int]]:
    return sorted(LedgerEntry.objects.values_list("kind", "amount"))


def outcome(client, event: dict) -> str:
    response = deliver(client, event)
    assert response.status_code == 200, response.content
    return response.json()["outcome"]


# --- refunds made in the dashboard ---------------------------------------------------------


def test_a_full_dashboard_refund_takes_back_the_net_once(client, paid_tip, connected):
    refund = shapes.refund("re_1", payment_intent=PI, amount=500)
    event = stripe_event(
        "charge.refunded", shapes.charge("ch_1", payment_intent=PI, amount=500, refunds=[refund])
    )
    assert outcome(client, event) == "applied"
    assert outcome(client, event) == "duplicate"
    # Another event about the same refund (Stripe sends refund.updated too) counts nothing.
    assert outcome(client, stripe_event("refund.updated", refund)) == "ignored"
    assert rows() == [(Kind.CHARGE, 500), (Kind.FEE, 35), (Kind.FEE_REFUND, 35), (Kind.REFUND, 500)]
    assert Tip.objects.get().status == Tip.Status.REFUNDED
    assert wallet(connected) == {"balance": 0, "held": 0, "owed": 0, "available": 0}


def test_partial_refunds_return_the_fee_in_proportion_and_add_up_to_the_whole(
    client, paid_tip, connected
):
    first = shapes.refund("re_1", payment_intent=PI, amount=200)
    second = shapes.refund("re_2", payment_intent=PI, amount=300)
    charge = shapes.charge("ch_1", payment_intent=PI, amount=500, refunds=[first])
    assert outcome(client, stripe_event("charge.refunded", charge)) == "applied"
    assert Tip.objects.get().status == Tip.Status.SUCCEEDED  # partly refunded only
    # 7% of the $2.00 refunded is 14 cents: the creator loses $1.86 of their $4.65.
    assert wallet(connected)["balance"] == 465 - 186
    both = shapes.charge("ch_1", payment_intent=PI, amount=500, refunds=[first, second])
    assert outcome(client, stripe_event("charge.refunded", both)) == "applied"
    assert sorted(
        LedgerEntry.objects.filter(kind__in=[Kind.REFUND, Kind.FEE_REFUND]).values_list(
            "kind", "amount"
        )
    ) == [(Kind.FEE_REFUND, 14), (Kind.FEE_REFUND, 21), (Kind.REFUND, 200), (Kind.REFUND, 300)]
    assert Tip.objects.get().status == Tip.Status.REFUNDED
    assert wallet(connected)["balance"] == 0


def test_a_refund_that_fails_later_gives_the_money_back_once(client, paid_tip, connected):
    pending = shapes.refund("re_1", payment_intent=PI, amount=500, status="pending")
    assert outcome(client, stripe_event("refund.created", pending)) == "applied"
    assert wallet(connected)["balance"] == 0
    failed = shapes.refund(
        "re_1",
        payment_intent=PI,
        amount=500,
        status="failed",
        failure_reason="expired_or_canceled_card",
    )
    failed_event = stripe_event("refund.updated", failed)
    assert outcome(client, failed_event) == "applied"
    assert outcome(client, failed_event) == "duplicate"
    assert outcome(client, stripe_event("refund.updated", failed)) == "ignored"
    # The refund and its failure both stay in the ledger; the fee is taken again.
    assert rows() == [
        (Kind.CHARGE, 500),
        (Kind.FEE, 35),
        (Kind.FEE, 35),
        (Kind.FEE_REFUND, 35),
        (Kind.REFUND, 500),
        (Kind.REFUND_FAILED, 500),
    ]
    assert Tip.objects.get().status == Tip.Status.SUCCEEDED
    assert wallet(connected)["balance"] == 465
    failure = LedgerEntry.objects.get(kind=Kind.REFUND_FAILED)
    assert "expired or canceled card" in failure.description


@pytest.mark.parametrize("type_", ["charge.refunded", "refund.created", "refund.updated"])
def test_a_refund_before_its_payment_is_known_waits_and_is_applied_once(
    client, pending_tip, connected, type_
):
    refund = shapes.refund("re_1", payment_intent=PI, amount=500)
    obj = refund
    if type_ == "charge.refunded":
        obj = shapes.charge("ch_1", payment_intent=PI, amount=500, refunds=[refund])
    early = stripe_event(type_, obj)
    assert outcome(client, early) == "parked"
    parked = StripeEvent.objects.get(event_id=early["id"])
    assert parked.waiting_for == PI and not LedgerEntry.objects.exists()
    # Stripe retrying the parked event changes nothing: it is already kept.
    assert outcome(client, early) == "duplicate"
    # The payment arrives; the refund is applied in the same transaction.
    assert outcome(client, checkout_completed(pending_tip)) == "applied"
    parked.refresh_from_db()
    assert parked.outcome == "applied" and parked.note.startswith("after waiting")
    assert rows() == [(Kind.CHARGE, 500), (Kind.FEE, 35), (Kind.FEE_REFUND, 35), (Kind.REFUND, 500)]
    assert parked_events_retry() == 0  # nothing is left to apply twice
    assert wallet(connected)["balance"] == 0
    assert Tip.objects.get().status == Tip.Status.REFUNDED


@pytest.mark.parametrize("listing", ["left-out", "more-than-a-page"])
def test_a_charge_without_all_its_refunds_listed_asks_stripe_for_them(
    client, paid_tip, connected, stripe_http, listing
):
    refund = shapes.refund("re_1", payment_intent=PI, amount=250)
    stripe_http.respond(
        "GET",
        "/v1/refunds",
        {"object": "list", "data": [refund], "has_more": False, "url": "/v1/refunds"},
    )
    charge = shapes.charge(
        "ch_1", payment_intent=PI, amount=500, refunds=[refund], listed=listing != "left-out"
    )
    if listing == "more-than-a-page":
        charge["refunds"]["data"], charge["refunds"]["has_more"] = [], True
    assert outcome(client, stripe_event("charge.refunded", charge)) == "applied"
    [asked] = stripe_http.calls("GET", "/v1/refunds")
    assert asked.params["charge"] == "ch_1"
    assert LedgerEntry.objects.get(kind=Kind.REFUND).amount == 250


def test_stripes_event_about_a_refund_staff_made_in_the_admin_counts_nothing_more(
    client, paid_tip, connected, sam, stripe_http
):
    stripe_http.respond(
        "POST", "/v1/refunds", shapes.refund("re_admin", payment_intent=PI, amount=500)
    )
    services.payment_refund(tip=paid_tip, actor=sam, reason="Asked by email")
    refund = shapes.refund("re_admin", payment_intent=PI, amount=500)
    charge = shapes.charge("ch_1", payment_intent=PI, amount=500, refunds=[refund])
    assert outcome(client, stripe_event("charge.refunded", charge)) == "ignored"
    assert outcome(client, stripe_event("refund.updated", refund)) == "ignored"
    assert rows() == [(Kind.CHARGE, 500), (Kind.FEE, 35), (Kind.FEE_REFUND, 35), (Kind.REFUND, 500)]


def test_a_refund_larger_than_what_is_left_is_refused_and_written_nowhere(client, paid_tip):
    refund = shapes.refund("re_big", payment_intent=PI, amount=900)
    assert outcome(client, stripe_event("refund.updated", refund)) == "ignored"
    assert "more than the 500 left" in StripeEvent.objects.latest("received_at").note
    assert rows() == [(Kind.CHARGE, 500), (Kind.FEE, 35)]


def test_staff_cannot_refund_in_full_what_stripe_already_partly_refunded(
    client, paid_tip, sam, stripe_http
):
    refund = shapes.refund("re_1", payment_intent=PI, amount=100)
    outcome(client, stripe_event("refund.updated", refund))
    with pytest.raises(Exception, match="refund the rest there"):
        services.payment_refund(tip=Tip.objects.get(), actor=sam)
    assert not stripe_http.calls("POST", "/v1/refunds")


# --- disputes ------------------------------------------------------------------------------


def test_a_dispute_holds_the_creators_share_with_its_reason_once(client, paid_tip, connected):
    opened = shapes.dispute("dp_1", payment_intent=PI, amount=500, reason="fraudulent")
    assert outcome(client, stripe_event("charge.dispute.created", opened)) == "applied"
    # funds_withdrawn reports the same dispute: still one hold.
    assert outcome(client, stripe_event("charge.dispute.funds_withdrawn", opened)) == "ignored"
    hold = LedgerEntry.objects.get(kind=Kind.HOLD)
    assert hold.amount == 465 and "did not make this payment" in hold.description
    dispute = Dispute.objects.get()
    assert (dispute.amount, dispute.held, dispute.status) == (500, 465, Dispute.Status.OPEN)
    assert wallet(connected) == {"balance": 0, "held": 465, "owed": 0, "available": 0}
    with pytest.raises(Exception, match="at most your balance"):
        services.payout_request(creator=connected, amount=100)


def test_a_won_dispute_releases_the_hold(client, paid_tip, connected):
    outcome(
        client,
        stripe_event(
            "charge.dispute.created", shapes.dispute("dp_1", payment_intent=PI, amount=500)
        ),
    )
    won = shapes.dispute("dp_1", payment_intent=PI, amount=500, status="won")
    closed = stripe_event("charge.dispute.closed", won)
    assert outcome(client, closed) == "applied"
    assert outcome(client, closed) == "duplicate"
    assert outcome(client, stripe_event("charge.dispute.funds_reinstated", won)) == "ignored"
    assert Dispute.objects.get().status == Dispute.Status.WON
    assert rows() == [
        (Kind.CHARGE, 500),
        (Kind.FEE, 35),
        (Kind.HOLD, 465),
        (Kind.HOLD_RELEASE, 465),
    ]
    assert wallet(connected) == {"balance": 465, "held": 0, "owed": 0, "available": 465}


def test_funds_reinstated_release_the_hold_as_a_win(client, paid_tip, connected):
    opened = shapes.dispute("dp_1", payment_intent=PI, amount=500, status="under_review")
    outcome(client, stripe_event("charge.dispute.created", opened))
    assert outcome(client, stripe_event("charge.dispute.funds_reinstated", opened)) == "applied"
    assert wallet(connected) == {"balance": 465, "held": 0, "owed": 0, "available": 465}


def test_a_lost_dispute_is_a_reversal_with_the_fee_returned(client, paid_tip, connected):
    outcome(
        client,
        stripe_event(
            "charge.dispute.created", shapes.dispute("dp_1", payment_intent=PI, amount=500)
        ),
    )
    lost = stripe_event(
        "charge.dispute.closed",
        shapes.dispute("dp_1", payment_intent=PI, amount=500, status="lost"),
    )
    assert outcome(client, lost) == "applied"
    assert outcome(client, lost) == "duplicate"
    assert rows() == [
        (Kind.CHARGE, 500),
        (Kind.FEE, 35),
        (Kind.FEE_REFUND, 35),
        (Kind.HOLD, 465),
        (Kind.HOLD_RELEASE, 465),
        (Kind.REVERSAL, 500),
    ]
    assert wallet(connected) == {"balance": 0, "held": 0, "owed": 0, "available": 0}
    summary = wallet_summary(creator=connected)
    assert (summary.reversals, summary.net) == (500, 0)


def test_a_dispute_closing_before_it_opened_and_before_its_payment_is_applied_once(
    client, pending_tip, connected
):
    lost = shapes.dispute("dp_1", payment_intent=PI, amount=500, status="lost")
    assert outcome(client, stripe_event("charge.dispute.closed", lost)) == "parked"
    opened = shapes.dispute("dp_1", payment_intent=PI, amount=500)
    assert outcome(client, stripe_event("charge.dispute.created", opened)) == "parked"
    assert outcome(client, checkout_completed(pending_tip)) == "applied"
    assert sorted(StripeEvent.objects.values_list("type", "outcome")) == [
        ("charge.dispute.closed", "applied"),
        ("charge.dispute.created", "ignored"),  # the closing event had opened it already
        ("checkout.session.completed", "applied"),
    ]
    assert Dispute.objects.get().status == Dispute.Status.LOST
    assert LedgerEntry.objects.filter(kind=Kind.REVERSAL).count() == 1
    assert wallet(connected) == {"balance": 0, "held": 0, "owed": 0, "available": 0}


def test_an_inquiry_closed_without_a_chargeback_keeps_the_money(client, paid_tip, connected):
    inquiry = shapes.dispute(
        "dp_1", payment_intent=PI, amount=500, status="warning_needs_response", withdrawn=False
    )
    outcome(client, stripe_event("charge.dispute.created", inquiry))
    assert wallet(connected)["held"] == 465
    closed = shapes.dispute(
        "dp_1", payment_intent=PI, amount=500, status="warning_closed", withdrawn=False
    )
    assert outcome(client, stripe_event("charge.dispute.closed", closed)) == "applied"
    assert wallet(connected) == {"balance": 465, "held": 0, "owed": 0, "available": 465}


# --- a negative wallet ------------------------------------------------------------------------


@pytest.fixture
def paid_out(client, paid_tip, connected, sam, stripe_http) -> PayoutRequest:
    """Alice's $4.65 paid out to her Stripe account (transfer tr_1)."""
    stripe_http.respond(
        "POST", "/v1/transfers", {"id": "tr_1", "object": "transfer", "amount": 465}
    )
    payout = services.payout_request(creator=connected, amount=465)
    return services.payout_approve(payout=payout, actor=sam)


def test_a_dispute_lost_after_the_payout_leaves_a_debt_taken_from_the_next_income(
    client, paid_out, connected, bob, stripe_http
):
    outcome(
        client,
        stripe_event(
            "charge.dispute.created", shapes.dispute("dp_1", payment_intent=PI, amount=500)
        ),
    )
    # The money was paid out already: the hold keeps back the next income, but nothing is
    # owed while the dispute is open.
    assert wallet(connected) == {"balance": -465, "held": 465, "owed": 0, "available": 0}
    outcome(
        client,
        stripe_event(
            "charge.dispute.closed",
            shapes.dispute("dp_1", payment_intent=PI, amount=500, status="lost"),
        ),
    )
    assert wallet(connected) == {"balance": -465, "held": 0, "owed": 465, "available": 0}
    # The payout already made is not touched: its row and its transfer stay as they were.
    assert PayoutRequest.objects.get().status == PayoutRequest.Status.PAID
    assert not stripe_http.calls("POST", "/v1/transfers/tr_1/reversals")
    # The next $10 tip ($9.30 net) pays the debt first; only the rest can be paid out.
    second = Tip.objects.create(
        creator=connected,
        supporter=bob,
        amount=1000,
        currency="usd",
        gateway="stripe",
        gateway_reference="cs_tip_2",
    )
    services.tip_paid(tip=second, payment_reference="pi_tip_2")
    assert wallet(connected) == {"balance": 465, "held": 0, "owed": 0, "available": 465}
    with pytest.raises(Exception, match="at most your balance"):
        services.payout_request(creator=connected, amount=466)


# --- transfers reversed -----------------------------------------------------------------------


def test_a_reversed_transfer_puts_the_payout_back_once(client, paid_out, connected):
    reversal = shapes.transfer_reversal("trr_1", transfer_id="tr_1", amount=465)
    event = stripe_event(
        "transfer.reversed", shapes.transfer("tr_1", amount=465, reversals=[reversal])
    )
    assert outcome(client, event) == "applied"
    assert outcome(client, event) == "duplicate"
    again = stripe_event(
        "transfer.reversed", shapes.transfer("tr_1", amount=465, reversals=[reversal])
    )
    assert outcome(client, again) == "ignored"
    returned = LedgerEntry.objects.get(kind=Kind.PAYOUT_RETURNED)
    assert (returned.amount, returned.payout_id, returned.gateway_reference) == (
        465,
        paid_out.pk,
        "tr_1",
    )
    assert wallet(connected) == {"balance": 465, "held": 0, "owed": 0, "available": 465}


def test_a_partial_reversal_without_its_list_counts_by_the_running_total(
    client, paid_out, connected
):
    partial = shapes.transfer("tr_1", amount=465, listed=False)
    partial["amount_reversed"] = 200
    assert outcome(client, stripe_event("transfer.reversed", partial)) == "applied"
    assert outcome(client, stripe_event("transfer.reversed", partial)) == "ignored"
    assert wallet(connected)["balance"] == 200


def test_a_reversal_arriving_before_its_payout_is_recorded_waits_for_it(
    client, paid_tip, connected, sam, stripe_http
):
    reversal = shapes.transfer_reversal("trr_1", transfer_id="tr_1", amount=465)
    early = stripe_event(
        "transfer.reversed", shapes.transfer("tr_1", amount=465, reversals=[reversal])
    )
    assert outcome(client, early) == "parked"
    assert parked_events_retry() == 0  # its payout is still unknown
    stripe_http.respond(
        "POST", "/v1/transfers", {"id": "tr_1", "object": "transfer", "amount": 465}
    )
    services.payout_approve(
        payout=services.payout_request(creator=connected, amount=465), actor=sam
    )
    assert parked_events_retry() == 1  # the reconciliation job runs this
    assert parked_events_retry() == 0
    assert LedgerEntry.objects.filter(kind=Kind.PAYOUT_RETURNED).count() == 1
    assert wallet(connected)["balance"] == 465


# --- payout accounts -------------------------------------------------------------------------


def test_a_failed_bank_payout_is_told_once_and_moves_nothing(client, paid_out, connected):
    failed = shapes.payout(
        "po_1",
        amount=465,
        failure_code="account_closed",
        failure_message="The bank account has been closed.",
    )
    event = stripe_event("payout.failed", failed, account="acct_alice")
    before = rows()
    assert outcome(client, event) == "applied"
    assert outcome(client, event) == "duplicate"
    assert outcome(client, stripe_event("payout.failed", failed, account="acct_alice")) == "applied"
    # The money is in Alice's own Stripe balance: Byline's ledger does not change.
    assert rows() == before
    [notice] = MoneyNotice.objects.all()
    assert (notice.kind, notice.amount, notice.reason) == (
        "payout_failed",
        465,
        "The bank account has been closed.",
    )
    unknown = stripe_event("payout.failed", failed, account="acct_someone_else")
    assert outcome(client, unknown) == "ignored"


def test_payouts_switched_off_show_in_the_wallet_and_are_told_once(client, paid_tip, connected):
    off = shapes.account(
        "acct_alice", payouts_enabled=False, disabled_reason="requirements.past_due"
    )
    event = stripe_event("account.updated", off)
    assert outcome(client, event) == "applied"
    assert outcome(client, stripe_event("account.updated", off)) == "applied"  # still off
    account = SupportSettings.objects.get(creator=connected)
    assert not account.payouts_enabled
    assert (
        account.payouts_problem
        == "Stripe switched payouts off: details Stripe asked for are overdue"
    )
    assert MoneyNotice.objects.filter(kind="payouts_disabled").count() == 1
    assert rows() == [(Kind.CHARGE, 500), (Kind.FEE, 35)]
    with pytest.raises(Exception, match="Connect your payout account"):
        services.payout_request(creator=connected, amount=100)
    on = shapes.account("acct_alice", payouts_enabled=True, disabled_reason=None)
    outcome(client, stripe_event("account.updated", on))
    assert SupportSettings.objects.get(creator=connected).payouts_problem == ""


def test_a_disconnected_account_stops_payouts_and_keeps_the_balance(client, paid_tip, connected):
    event = stripe_event(
        "account.application.deauthorized", shapes.application(), account="acct_alice"
    )
    assert outcome(client, event) == "applied"
    assert outcome(client, event) == "duplicate"
    account = SupportSettings.objects.get(creator=connected)
    assert (account.stripe_account_id, account.payouts_enabled) == ("", False)
    assert "disconnected" in account.payouts_problem
    assert balance_of(creator_id=connected.pk, currency="usd") == 465
    # A second deauthorisation of the old account finds no creator any more.
    late = stripe_event(
        "account.application.deauthorized", shapes.application(), account="acct_alice"
    )
    assert outcome(client, late) == "ignored"
    assert MoneyNotice.objects.filter(kind="account_disconnected").count() == 1


def test_connecting_again_after_a_disconnection_asks_stripe_for_a_new_account(
    client, accepting, stripe_http
):
    stripe_http.respond("POST", "/v1/accounts", {"id": "acct_first", "object": "account"})
    link = {"object": "account_link", "url": "https://connect.stripe.com/setup/e/x"}
    stripe_http.respond("POST", "/v1/account_links", link)
    services.payout_account_connect(creator=accepting, return_url="/s/", refresh_url="/s/")
    gone = stripe_event(
        "account.application.deauthorized", shapes.application(), account="acct_first"
    )
    outcome(client, gone)
    stripe_http.respond("POST", "/v1/accounts", {"id": "acct_second", "object": "account"})
    services.payout_account_connect(creator=accepting, return_url="/s/", refresh_url="/s/")
    first, second = stripe_http.calls("POST", "/v1/accounts")
    assert first.headers["Idempotency-Key"] != second.headers["Idempotency-Key"]
    assert SupportSettings.objects.get(creator=accepting).stripe_account_id == "acct_second"


def test_connect_events_about_unknown_accounts_are_ignored(client, stripe_http):
    for event in (
        stripe_event("account.application.deauthorized", shapes.application(), account="acct_x"),
        stripe_event(
            "account.updated",
            shapes.account("acct_x", payouts_enabled=False, disabled_reason="other"),
        ),
        stripe_event(
            "payout.failed", shapes.payout("po_x", amount=1, failure_code="x", failure_message="x")
        ),
    ):
        assert outcome(client, event) == "ignored"
    assert not MoneyNotice.objects.exists()


# --- signed, but not the shape Stripe sends -------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        stripe_event(
            "charge.refunded", {"id": "ch_1", "payment_intent": PI, "refunds": {"data": ["re_1"]}}
        ),
        stripe_event(
            "refund.updated",
            {"id": "re_1", "payment_intent": PI, "amount": "500", "status": "succeeded"},
        ),
        stripe_event(
            "charge.dispute.created", {"id": "dp_1", "payment_intent": PI, "amount": [500]}
        ),
        stripe_event("transfer.reversed", {"id": "tr_1", "reversals": {"data": "trr_1"}}),
        stripe_event("refund.updated", {"id": "re_1", "status": "succeeded", "amount": 1}),
    ],
    ids=[
        "refunds-of-strings",
        "amount-a-string",
        "amount-a-list",
        "reversals-a-string",
        "no-payment",
    ],
)
def test_malformed_money_events_are_refused_with_a_reason(client, paid_out, event):
    before = rows()
    response = deliver(client, event)
    assert response.status_code == 400
    assert response.json()["error"] == "malformed event" and response.json()["detail"]
    assert rows() == before
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()


# --- every dispute event: once, before its payment, and the wallet after ---------------------

# (event type, dispute status it carries) → (balance, held) once applied.
DISPUTE_EVENTS = {
    "created": ("charge.dispute.created", "needs_response", 0, 465),
    "funds_withdrawn": ("charge.dispute.funds_withdrawn", "needs_response", 0, 465),
    "funds_reinstated": ("charge.dispute.funds_reinstated", "under_review", 465, 0),
    "closed-won": ("charge.dispute.closed", "won", 465, 0),
    "closed-lost": ("charge.dispute.closed", "lost", 0, 0),
}


@pytest.mark.parametrize("case", list(DISPUTE_EVENTS))
def test_each_dispute_event_alone_is_applied_once(client, paid_tip, connected, case):
    type_, status, balance, held = DISPUTE_EVENTS[case]
    event = stripe_event(
        type_, shapes.dispute("dp_1", payment_intent=PI, amount=500, status=status)
    )
    assert outcome(client, event) == "applied"
    assert outcome(client, event) == "duplicate"
    again = stripe_event(
        type_, shapes.dispute("dp_1", payment_intent=PI, amount=500, status=status)
    )
    assert outcome(client, again) == "ignored"
    assert Dispute.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=Kind.HOLD).count() == 1
    assert wallet(connected) == {"balance": balance, "held": held, "owed": 0, "available": balance}


@pytest.mark.parametrize("case", list(DISPUTE_EVENTS))
def test_each_dispute_event_before_its_payment_waits_for_it(client, pending_tip, connected, case):
    type_, status, balance, held = DISPUTE_EVENTS[case]
    event = stripe_event(
        type_, shapes.dispute("dp_1", payment_intent=PI, amount=500, status=status)
    )
    assert outcome(client, event) == "parked"
    assert not Dispute.objects.exists()
    assert outcome(client, checkout_completed(pending_tip)) == "applied"
    assert StripeEvent.objects.get(event_id=event["id"]).outcome == "applied"
    assert wallet(connected) == {"balance": balance, "held": held, "owed": 0, "available": balance}
    assert parked_events_retry() == 0


# --- a pledge's month, refunded and disputed --------------------------------------------------


def test_a_pledge_payment_found_by_the_payment_intent_under_the_invoice_payments(
    client, connected, bob, stripe_http
):
    from datetime import UTC, datetime

    from support.models import Pledge, PledgePayment

    pledge = Pledge.objects.create(
        supporter=bob,
        creator=connected,
        amount=500,
        currency="usd",
        gateway="stripe",
        checkout_reference="cs_sub_1",
    )
    start = int(datetime(2026, 5, 1, 10, tzinfo=UTC).timestamp())
    end = int(datetime(2026, 6, 1, 10, tzinfo=UTC).timestamp())
    refund = shapes.refund("re_p", payment_intent="pi_month_1", amount=500)
    # The refund comes first (out of order), then the invoice that paid the month: since API
    # 2025-03-31 its PaymentIntent is under `payments`.
    assert outcome(client, stripe_event("refund.updated", refund)) == "parked"
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "amount_paid": 500,
        "currency": "usd",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": "sub_1",
                "metadata": {"pledge_id": str(pledge.pk)},
            },
        },
        "lines": {
            "object": "list",
            "data": [{"id": "il_1", "period": {"start": start, "end": end}}],
        },
        "payments": {
            "object": "list",
            "data": [
                {
                    "id": "inpay_1",
                    "object": "invoice_payment",
                    "payment": {"type": "payment_intent", "payment_intent": "pi_month_1"},
                    "status": "paid",
                }
            ],
        },
    }
    assert outcome(client, stripe_event("invoice.paid", invoice)) == "applied"
    payment = PledgePayment.objects.get()
    assert payment.payment_reference == "pi_month_1"
    assert payment.status == PledgePayment.Status.REFUNDED
    assert wallet(connected)["balance"] == 0
    dispute = shapes.dispute("dp_p", payment_intent="pi_month_1", amount=500)
    # A bank may dispute a payment refunded already (Stripe withdraws it all the same): held
    # like any other, so it comes out of the next income until the bank decides.
    assert outcome(client, stripe_event("charge.dispute.created", dispute)) == "applied"
    assert Dispute.objects.get().payment_words == "$5.00 pledge payment from Bob Reader (May 2026)"
    assert wallet(connected) == {"balance": -465, "held": 465, "owed": 0, "available": 0}


# --- payout accounts: state delivered late --------------------------------------------------


def test_an_older_account_snapshot_delivered_late_changes_nothing(client, paid_tip, connected):
    newer = stripe_event(
        "account.updated", shapes.account("acct_alice", payouts_enabled=True, disabled_reason=None)
    )
    older = stripe_event(
        "account.updated",
        shapes.account(
            "acct_alice", payouts_enabled=False, disabled_reason="requirements.past_due"
        ),
    )
    older["created"] = newer["created"] - 60
    assert outcome(client, newer) == "applied"
    assert outcome(client, older) == "ignored"
    assert StripeEvent.objects.get(event_id=older["id"]).note.startswith("older than")
    account = SupportSettings.objects.get(creator=connected)
    assert account.payouts_enabled and account.payouts_problem == ""
    assert not MoneyNotice.objects.exists()


def test_an_account_update_after_the_account_left_finds_nobody(client, paid_tip, connected):
    gone = stripe_event(
        "account.application.deauthorized", shapes.application(), account="acct_alice"
    )
    outcome(client, gone)
    late = stripe_event(
        "account.updated", shapes.account("acct_alice", payouts_enabled=True, disabled_reason=None)
    )
    assert outcome(client, late) == "ignored"
    assert not SupportSettings.objects.get(creator=connected).payouts_enabled


# --- two events about one refund, at the same moment -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_events_about_one_refund_at_once_count_it_once(
    threads_share_the_database, connected, bob, stripe_http
):
    from django.test import Client

    tip = Tip.objects.create(
        creator=connected,
        supporter=bob,
        amount=500,
        currency="usd",
        gateway="stripe",
        gateway_reference="cs_tip_1",
    )
    services.tip_paid(tip=tip, payment_reference=PI)
    refund = shapes.refund("re_1", payment_intent=PI, amount=500)
    import json

    bodies = [
        json.dumps(
            stripe_event(
                "charge.refunded",
                shapes.charge("ch_1", payment_intent=PI, amount=500, refunds=[refund]),
            )
        ),
        json.dumps(stripe_event("refund.updated", refund)),
        json.dumps(stripe_event("refund.created", refund)),
    ]

    def post(i: int) -> tuple[int, str]:
        response = Client().post(
            WEBHOOK_URL,
            data=bodies[i],
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signed(bodies[i]),
        )
        return response.status_code, response.json()["outcome"]

    # The three wait for one another on the creator's row (services._lock_settings): one
    # counts the refund, the others find it counted.
    results = run_in_threads(post, 3)
    assert sorted(results) == [(200, "applied"), (200, "ignored"), (200, "ignored")]
    assert LedgerEntry.objects.filter(kind=Kind.REFUND).count() == 1
    assert LedgerEntry.objects.filter(kind=Kind.FEE_REFUND).count() == 1
    assert wallet(connected)["balance"] == 0
