"""The Stripe gateway, with only Stripe's HTTP client stubbed: what we ask Stripe for, and
what stays unwritten until Stripe's webhook confirms it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from support.models import LedgerEntry, Pledge, PledgePayment, SupportSettings, Tip
from support.services import (
    payment_refund,
    payout_account_connect,
    payout_approve,
    payout_request,
    pledge_cancel,
    pledge_change_amount,
    pledge_create,
    tip_create,
)
from tests.support.conftest import SECRET_KEY

pytestmark = pytest.mark.django_db

CHECKOUT = "/v1/checkout/sessions"


def session(session_id: str = "cs_test_1", **extra) -> dict:
    return {
        "id": session_id,
        "object": "checkout.session",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        **extra,
    }


def subscription(items_price_product="prod_1") -> dict:
    return {
        "id": "sub_1",
        "object": "subscription",
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "object": "subscription_item",
                    "price": {"id": "price_1", "object": "price", "product": items_price_product},
                }
            ],
        },
    }


def active_stripe_pledge(bob, alice, amount=500) -> Pledge:
    return Pledge.objects.create(
        supporter=bob,
        creator=alice,
        amount=amount,
        currency="usd",
        gateway="stripe",
        status=Pledge.Status.ACTIVE,
        gateway_reference="sub_1",
    )


def test_a_tip_goes_to_stripe_checkout_and_writes_no_money_yet(connected, bob, stripe_http):
    stripe_http.respond("POST", CHECKOUT, session())
    tip, next_url = tip_create(creator=connected, amount=500, supporter=bob, message="Hi")
    assert next_url == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert tip.status == Tip.Status.PENDING
    assert tip.gateway == "stripe" and tip.gateway_reference == "cs_test_1"
    assert not LedgerEntry.objects.exists()
    [call] = stripe_http.requests
    assert call.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert call.headers["Idempotency-Key"].startswith(f"byline-tip-checkout-{tip.pk}-")
    params = call.params
    assert params["mode"] == "payment"
    assert params["line_items[0][price_data][unit_amount]"] == "500"
    assert params["line_items[0][price_data][currency]"] == "usd"
    assert params["metadata[tip_id]"] == str(tip.pk)
    assert params["payment_intent_data[metadata][tip_id]"] == str(tip.pk)
    assert params["customer_email"] == "bob@example.com"
    assert params["success_url"] == "http://127.0.0.1:8000/authors/alice/?support=thanks"
    assert params["cancel_url"] == "http://127.0.0.1:8000/authors/alice/?support=cancelled"


def test_stripe_refusing_a_checkout_fails_the_tip_with_a_message(connected, bob, stripe_http):
    stripe_http.respond(
        "POST",
        CHECKOUT,
        {"error": {"type": "invalid_request_error", "message": "Amount too small."}},
        status=400,
    )
    with pytest.raises(ValidationError) as caught:
        tip_create(creator=connected, amount=500, supporter=bob)
    assert caught.value.code == "gateway"
    assert Tip.objects.get().status == Tip.Status.FAILED
    assert not LedgerEntry.objects.exists()


def test_with_stripe_a_creator_needs_a_payout_account(accepting, bob, stripe_http):
    with pytest.raises(ValidationError, match="isn’t accepting support"):
        tip_create(creator=accepting, amount=500, supporter=bob)
    assert stripe_http.requests == []


def test_a_pledge_goes_to_a_stripe_subscription_checkout(connected, bob, stripe_http):
    stripe_http.respond("POST", CHECKOUT, session("cs_test_sub"))
    pledge, next_url = pledge_create(supporter=bob, creator=connected, amount=500)
    assert next_url.endswith("/cs_test_sub")
    assert pledge.status == Pledge.Status.PENDING and pledge.checkout_reference == "cs_test_sub"
    assert not PledgePayment.objects.exists() and not LedgerEntry.objects.exists()
    params = stripe_http.requests[0].params
    assert params["mode"] == "subscription"
    assert params["line_items[0][price_data][recurring][interval]"] == "month"
    assert params["subscription_data[metadata][pledge_id]"] == str(pledge.pk)
    # Leaving Stripe's page and coming back starts the same pending pledge over, after
    # closing the first page so that it cannot be paid as well.
    stripe_http.respond("POST", f"{CHECKOUT}/cs_test_sub/expire", session("cs_test_sub"))
    again, _ = pledge_create(supporter=bob, creator=connected, amount=1_000)
    assert again.pk == pledge.pk and again.amount == 1_000
    assert [r.path for r in stripe_http.requests[1:]] == [
        f"{CHECKOUT}/cs_test_sub/expire",
        CHECKOUT,
    ]
    assert stripe_http.requests[2].params["line_items[0][price_data][unit_amount]"] == "1000"
    first, second = stripe_http.calls("POST", CHECKOUT)
    assert first.headers["Idempotency-Key"] != second.headers["Idempotency-Key"]


def test_changing_a_stripe_pledge_reprices_the_subscription_from_next_month(
    connected, bob, stripe_http
):
    pledge = active_stripe_pledge(bob, connected)
    stripe_http.respond("GET", "/v1/subscriptions/sub_1", subscription())
    stripe_http.respond("POST", "/v1/subscriptions/sub_1", subscription())
    pledge = pledge_change_amount(pledge=pledge, amount=1_000, actor=bob)
    assert pledge.amount == 1_000
    [modify] = stripe_http.calls("POST", "/v1/subscriptions/sub_1")
    assert modify.params["items[0][id]"] == "si_1"
    assert modify.params["items[0][price_data][unit_amount]"] == "1000"
    assert modify.params["items[0][price_data][product]"] == "prod_1"
    assert modify.params["proration_behavior"] == "none"


def test_cancelling_a_stripe_pledge_cancels_at_period_end(connected, bob, stripe_http):
    pledge = active_stripe_pledge(bob, connected)
    stripe_http.respond("POST", "/v1/subscriptions/sub_1", subscription())
    pledge = pledge_cancel(pledge=pledge, actor=bob)
    assert pledge.cancel_at_period_end and pledge.status == Pledge.Status.ACTIVE
    [call] = stripe_http.requests
    assert call.params == {"cancel_at_period_end": "true"}


def test_cancelling_a_failing_stripe_pledge_ends_the_subscription_now(connected, bob, stripe_http):
    pledge = active_stripe_pledge(bob, connected)
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.PAST_DUE)
    stripe_http.respond("DELETE", "/v1/subscriptions/sub_1", subscription())
    assert pledge_cancel(pledge=pledge, actor=bob).status == Pledge.Status.ENDED
    assert [r.method for r in stripe_http.requests] == ["DELETE"]


def test_a_stripe_failure_while_cancelling_leaves_the_pledge_as_it_was(connected, bob, stripe_http):
    pledge = active_stripe_pledge(bob, connected)
    stripe_http.respond(
        "POST",
        "/v1/subscriptions/sub_1",
        {"error": {"type": "api_error", "message": "Try again later."}},
        status=402,
    )
    with pytest.raises(ValidationError):
        pledge_cancel(pledge=pledge, actor=bob)
    pledge.refresh_from_db()
    assert not pledge.cancel_at_period_end


def test_refunding_a_stripe_tip_refunds_its_payment_intent(connected, bob, sam, stripe_http):
    tip = Tip.objects.create(
        creator=connected,
        supporter=bob,
        amount=500,
        currency="usd",
        gateway="stripe",
        gateway_reference="cs_1",
    )
    from support.services import tip_paid

    tip_paid(tip=tip, payment_reference="pi_1")
    stripe_http.respond("POST", "/v1/refunds", {"id": "re_1", "object": "refund"})
    refund = payment_refund(tip=tip, actor=sam)
    assert refund.gateway_reference == "re_1"
    [call] = stripe_http.requests
    assert call.params["payment_intent"] == "pi_1" and call.params["amount"] == "500"
    assert call.headers["Idempotency-Key"].startswith(f"byline-refund-tip-{tip.pk}-")


def test_refunding_a_stripe_pledge_payment_finds_the_invoices_payment(
    connected, bob, sam, stripe_http
):
    from django.utils import timezone

    from support.services import pledge_paid

    pledge = active_stripe_pledge(bob, connected)
    now = timezone.now()
    payment = pledge_paid(
        pledge=pledge,
        amount=500,
        currency="usd",
        period_start=now,
        period_end=now + timezone.timedelta(days=30),
        gateway_reference="in_1",
    )
    stripe_http.respond(
        "GET",
        "/v1/invoice_payments",
        {
            "object": "list",
            "data": [
                {
                    "id": "inpay_1",
                    "object": "invoice_payment",
                    "payment": {"type": "payment_intent", "payment_intent": "pi_9"},
                }
            ],
            "has_more": False,
            "url": "/v1/invoice_payments",
        },
    )
    stripe_http.respond("POST", "/v1/refunds", {"id": "re_2", "object": "refund"})
    payment_refund(pledge_payment=payment, actor=sam)
    assert stripe_http.calls("GET", "/v1/invoice_payments")[0].params == {
        "invoice": "in_1",
        "limit": "1",
    }
    assert stripe_http.calls("POST", "/v1/refunds")[0].params["payment_intent"] == "pi_9"


def test_a_refund_stripe_refuses_writes_nothing(connected, bob, sam, stripe_http):
    tip = Tip.objects.create(
        creator=connected, supporter=bob, amount=500, currency="usd", gateway="stripe"
    )
    from support.services import tip_paid

    tip_paid(tip=tip, payment_reference="pi_1")
    stripe_http.respond(
        "POST",
        "/v1/refunds",
        {"error": {"type": "invalid_request_error", "message": "Charge already refunded."}},
        status=400,
    )
    with pytest.raises(ValidationError):
        payment_refund(tip=tip, actor=sam)
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).exists()
    tip.refresh_from_db()
    assert tip.status == Tip.Status.SUCCEEDED


def test_an_approved_payout_is_a_transfer_to_the_connected_account(
    connected, bob, sam, stripe_http
):
    tip = Tip.objects.create(
        creator=connected, supporter=bob, amount=1_000, currency="usd", gateway="stripe"
    )
    from support.services import tip_paid

    tip_paid(tip=tip, payment_reference="pi_1")
    stripe_http.respond("POST", "/v1/transfers", {"id": "tr_1", "object": "transfer"})
    payout = payout_approve(payout=payout_request(creator=connected, amount=930), actor=sam)
    assert payout.gateway_reference == "tr_1"
    [call] = stripe_http.requests
    assert call.params["destination"] == "acct_alice"
    assert (call.params["amount"], call.params["currency"]) == ("930", "usd")


def test_connecting_a_payout_account_creates_it_once(accepting, stripe_http):
    stripe_http.respond("POST", "/v1/accounts", {"id": "acct_new", "object": "account"})
    stripe_http.respond(
        "POST",
        "/v1/account_links",
        {"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_new/x"},
    )
    url = payout_account_connect(
        creator=accepting, return_url="/settings/", refresh_url="/settings/?again=1"
    )
    assert url == "https://connect.stripe.com/setup/e/acct_new/x"
    account = SupportSettings.objects.get(creator=accepting)
    assert account.stripe_account_id == "acct_new" and not account.payouts_enabled
    link = stripe_http.calls("POST", "/v1/account_links")[0].params
    assert link["return_url"] == "http://127.0.0.1:8000/settings/"
    assert link["type"] == "account_onboarding"
    payout_account_connect(creator=accepting, return_url="/settings/", refresh_url="/settings/")
    assert len(stripe_http.calls("POST", "/v1/accounts")) == 1


def test_offline_needs_no_payout_account(accepting):
    assert (
        payout_account_connect(creator=accepting, return_url="/settings/", refresh_url="/x/")
        == "http://127.0.0.1:8000/settings/"
    )


def test_stripe_test_keys_are_test_mode(settings, stripe_http):
    from support.gateways import get_gateway

    assert get_gateway().is_test_mode
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    assert not get_gateway().is_test_mode
