"""Stripe's webhook: payloads signed with a test secret by the stripe package and verified by
it; each event applied once, however often or however concurrently it arrives."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from django.test import Client

from support.models import LedgerEntry, Pledge, PledgePayment, StripeEvent, SupportSettings, Tip
from tests.support.conftest import WEBHOOK_URL, deliver, run_in_threads, signed, stripe_event

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind

MAY_1 = int(datetime(2026, 5, 1, 10, tzinfo=UTC).timestamp())
JUNE_1 = int(datetime(2026, 6, 1, 10, tzinfo=UTC).timestamp())
JULY_1 = int(datetime(2026, 7, 1, 10, tzinfo=UTC).timestamp())


@pytest.fixture
def tip(connected, bob, stripe_http) -> Tip:
    """Bob's $5 tip, waiting on Stripe's Checkout page."""
    return Tip.objects.create(
        creator=connected,
        supporter=bob,
        amount=500,
        currency="usd",
        gateway="stripe",
        gateway_reference="cs_tip_1",
    )


def tip_paid_event(tip: Tip, **overrides) -> dict:
    session = {
        "id": tip.gateway_reference,
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "amount_total": tip.amount,
        "currency": "usd",
        "payment_intent": "pi_tip_1",
        "metadata": {"tip_id": str(tip.pk)},
        **overrides,
    }
    return stripe_event("checkout.session.completed", session, event_id="evt_tip_paid")


def money_state() -> tuple:
    return (
        sorted(LedgerEntry.objects.values_list("kind", "amount")),
        sorted(Tip.objects.values_list("status", flat=True)),
        sorted(Pledge.objects.values_list("status", flat=True)),
        PledgePayment.objects.count(),
    )


def test_a_paid_checkout_marks_the_tip_paid(
    client, tip, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, tip_paid_event(tip))
    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "applied"}
    tip.refresh_from_db()
    assert tip.status == Tip.Status.SUCCEEDED and tip.payment_reference == "pi_tip_1"
    assert sorted(LedgerEntry.objects.values_list("kind", "amount", "gateway_event_id")) == [
        (Kind.CHARGE, 500, "evt_tip_paid"),
        (Kind.FEE, 35, "evt_tip_paid"),
    ]
    assert [m.to for m in mailoutbox] == [["bob@example.com"]]
    event = StripeEvent.objects.get()
    assert (event.event_id, event.outcome) == ("evt_tip_paid", "applied")
    assert event.processed_at is not None


def test_an_event_delivered_five_times_is_applied_once(client, tip):
    event = tip_paid_event(tip)
    outcomes = [deliver(client, event).json()["outcome"] for _ in range(5)]
    assert outcomes == ["applied"] + ["duplicate"] * 4
    assert LedgerEntry.objects.count() == 2
    assert StripeEvent.objects.count() == 1


def test_the_same_event_under_a_fresh_signature_is_still_a_duplicate(client, tip):
    event = tip_paid_event(tip)
    deliver(client, event)
    response = deliver(client, event, timestamp=int(time.time()) + 1)
    assert response.status_code == 200 and response.json()["outcome"] == "duplicate"
    assert LedgerEntry.objects.count() == 2


def test_a_second_event_about_the_same_payment_does_not_count_it_twice(client, tip):
    # Stripe may report one payment twice (completed, then async succeeded): different
    # events, the same tip.
    deliver(client, tip_paid_event(tip))
    again = tip_paid_event(tip)
    again["id"], again["type"] = "evt_other", "checkout.session.async_payment_succeeded"
    assert deliver(client, again).json()["outcome"] == "applied"
    assert LedgerEntry.objects.count() == 2


@pytest.mark.parametrize(
    "signing",
    [
        {"secret": "whsec_someone_else"},
        {"timestamp": int(time.time()) - 301},  # stale: outside the 5-minute tolerance
        {"timestamp": int(time.time()) - 86_400},
    ],
    ids=["bad-signature", "stale-by-seconds", "stale-by-a-day"],
)
def test_bad_signatures_and_stale_events_are_refused_and_change_nothing(client, tip, signing):
    before = money_state()
    response = deliver(client, tip_paid_event(tip), **signing)
    assert response.status_code == 400
    assert money_state() == before
    assert not StripeEvent.objects.exists()


def test_a_tampered_body_is_refused(client, tip):
    event = tip_paid_event(tip)
    header = signed(json.dumps(event))
    event["data"]["object"]["amount_total"] = 1
    response = client.post(
        WEBHOOK_URL,
        data=json.dumps(event),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("header", [None, "", "garbage", "t=1", "v1=abc"])
def test_a_missing_or_malformed_signature_header_is_refused(client, tip, header):
    extra = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
    body = json.dumps(tip_paid_event(tip))
    response = client.post(WEBHOOK_URL, data=body, content_type="application/json", **extra)
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"no": "id"}', "\udcff"])
def test_a_signed_body_that_is_not_an_event_is_refused(client, stripe_http, body):
    raw = body.encode("utf-8", "surrogateescape") if body == "\udcff" else body.encode()
    header = signed(raw.decode("utf-8", "replace"))
    response = client.post(
        WEBHOOK_URL, data=raw, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_unknown_event_type_is_acknowledged_recorded_and_changes_nothing(client, tip):
    before = money_state()
    event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    response = deliver(client, event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert money_state() == before
    assert StripeEvent.objects.get().note == "event type not handled"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(client, stripe_http, method):
    assert getattr(client, method)(WEBHOOK_URL).status_code == 405


def test_without_stripe_configured_the_endpoint_is_not_there(client, tip, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert deliver(client, tip_paid_event(tip)).status_code == 404


def test_a_payment_that_does_not_match_the_tip_is_not_written(client, tip):
    response = deliver(client, tip_paid_event(tip, amount_total=50))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert "reported 50 usd for a tip of 500 usd" in StripeEvent.objects.get().note
    assert money_state() == ([], ["pending"], [], 0)


def test_a_delayed_payment_waits_for_its_own_event(client, tip):
    unpaid = tip_paid_event(tip, payment_status="unpaid")
    assert deliver(client, unpaid).json()["outcome"] == "ignored"
    assert Tip.objects.get().status == Tip.Status.PENDING
    paid = tip_paid_event(tip)
    paid["id"], paid["type"] = "evt_async", "checkout.session.async_payment_succeeded"
    assert deliver(client, paid).json()["outcome"] == "applied"
    assert Tip.objects.get().status == Tip.Status.SUCCEEDED


@pytest.mark.parametrize(
    "type_", ["checkout.session.expired", "checkout.session.async_payment_failed"]
)
def test_a_checkout_that_will_not_be_paid_fails_the_tip(client, tip, type_):
    event = stripe_event(type_, tip_paid_event(tip, payment_status="unpaid")["data"]["object"])
    assert deliver(client, event).json()["outcome"] == "applied"
    assert money_state() == ([], ["failed"], [], 0)


# --- pledges -------------------------------------------------------------------------------


@pytest.fixture
def pending_pledge(connected, bob, stripe_http) -> Pledge:
    return Pledge.objects.create(
        supporter=bob,
        creator=connected,
        amount=500,
        currency="usd",
        gateway="stripe",
        checkout_reference="cs_sub_1",
    )


def invoice(pledge: Pledge, *, invoice_id: str, start: int, end: int, **extra) -> dict:
    return {
        "id": invoice_id,
        "object": "invoice",
        "amount_paid": pledge.amount,
        "amount_due": pledge.amount,
        "currency": "usd",
        "billing_reason": "subscription_create",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": "sub_1",
                "metadata": {"pledge_id": str(pledge.pk)},
            },
        },
        "lines": {
            "object": "list",
            "data": [{"id": "il_1", "object": "line_item", "period": {"start": start, "end": end}}],
        },
        **extra,
    }


def test_a_pledge_starts_with_its_first_paid_invoice_in_either_order(
    client, pending_pledge, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # Stripe does not promise order: the invoice can come before the checkout session.
        paid = invoice(pending_pledge, invoice_id="in_1", start=MAY_1, end=JUNE_1)
        assert deliver(client, stripe_event("invoice.paid", paid)).json()["outcome"] == "applied"
        completed = {
            "id": "cs_sub_1",
            "object": "checkout.session",
            "mode": "subscription",
            "payment_status": "paid",
            "subscription": "sub_1",
            "metadata": {"pledge_id": str(pending_pledge.pk)},
        }
        deliver(client, stripe_event("checkout.session.completed", completed))
    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.ACTIVE and pledge.gateway_reference == "sub_1"
    assert pledge.current_period_start == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert pledge.current_period_end == datetime(2026, 6, 1, 10, tzinfo=UTC)
    assert sorted(LedgerEntry.objects.values_list("kind", "amount")) == [
        (Kind.CHARGE, 500),
        (Kind.FEE, 35),
    ]
    assert [m.subject for m in mailoutbox] == ["Receipt: your $5.00 pledge to Alice Walker"]


def test_a_renewal_invoice_adds_a_month(client, pending_pledge):
    deliver(
        client,
        stripe_event(
            "invoice.paid", invoice(pending_pledge, invoice_id="in_1", start=MAY_1, end=JUNE_1)
        ),
    )
    renewal = invoice(
        pending_pledge,
        invoice_id="in_2",
        start=JUNE_1,
        end=JULY_1,
        billing_reason="subscription_cycle",
    )
    event = stripe_event("invoice.paid", renewal)
    for _ in range(3):
        deliver(client, event)
    pledge = Pledge.objects.get()
    assert pledge.current_period_end == datetime(2026, 7, 1, 10, tzinfo=UTC)
    assert pledge.payments.filter(status="succeeded").count() == 2
    assert LedgerEntry.objects.filter(kind=Kind.CHARGE).count() == 2


def test_a_failed_renewal_makes_the_pledge_past_due_and_tells_the_reader(
    client, pending_pledge, mailoutbox, django_capture_on_commit_callbacks
):
    deliver(
        client,
        stripe_event(
            "invoice.paid", invoice(pending_pledge, invoice_id="in_1", start=MAY_1, end=JUNE_1)
        ),
    )
    failed = invoice(
        pending_pledge,
        invoice_id="in_2",
        start=JUNE_1,
        end=JULY_1,
        amount_paid=0,
        next_payment_attempt=JUNE_1 + 3 * 86_400,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, stripe_event("invoice.payment_failed", failed))
    assert response.json()["outcome"] == "applied"
    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.PAST_DUE and pledge.is_live
    assert pledge.next_retry_at == datetime(2026, 6, 4, 10, tzinfo=UTC)
    assert pledge.payments.filter(status="failed").get().gateway_reference == "in_2"
    assert LedgerEntry.objects.filter(kind=Kind.CHARGE).count() == 1
    [email] = mailoutbox
    assert "could not be paid" in email.subject and "4 June 2026" in email.body
    # When Stripe gives up, it deletes the subscription: the pledge ends and the reader hears.
    with django_capture_on_commit_callbacks(execute=True):
        deliver(
            client,
            stripe_event(
                "customer.subscription.deleted", {"id": "sub_1", "object": "subscription"}
            ),
        )
    assert Pledge.objects.get().status == Pledge.Status.ENDED
    assert mailoutbox[-1].subject == "Your monthly pledge to Alice Walker has ended"


def test_a_cancelled_subscription_ends_quietly_at_the_end_of_the_month(
    client, pending_pledge, mailoutbox, django_capture_on_commit_callbacks
):
    deliver(
        client,
        stripe_event(
            "invoice.paid", invoice(pending_pledge, invoice_id="in_1", start=MAY_1, end=JUNE_1)
        ),
    )
    Pledge.objects.filter(pk=pending_pledge.pk).update(cancel_at_period_end=True)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(
            client,
            stripe_event(
                "customer.subscription.deleted", {"id": "sub_1", "object": "subscription"}
            ),
        )
    assert Pledge.objects.get().status == Pledge.Status.ENDED
    assert mailoutbox == []


def test_an_abandoned_pledge_checkout_ends_the_pending_pledge(client, pending_pledge):
    expired = {
        "id": "cs_sub_1",
        "object": "checkout.session",
        "mode": "subscription",
        "metadata": {},
    }
    assert (
        deliver(client, stripe_event("checkout.session.expired", expired)).json()["outcome"]
        == "applied"
    )
    assert Pledge.objects.get().status == Pledge.Status.ENDED


def test_an_invoice_that_is_not_a_pledges_is_ignored(client, stripe_http):
    other = {
        "id": "in_x",
        "object": "invoice",
        "amount_paid": 900,
        "currency": "usd",
        "parent": None,
    }
    assert deliver(client, stripe_event("invoice.paid", other)).json()["outcome"] == "ignored"
    assert not LedgerEntry.objects.exists()


def test_account_updates_say_whether_a_creator_can_take_payouts(client, accepting, stripe_http):
    SupportSettings.objects.filter(creator=accepting).update(stripe_account_id="acct_9")
    event = stripe_event(
        "account.updated", {"id": "acct_9", "object": "account", "payouts_enabled": True}
    )
    assert deliver(client, event).json()["outcome"] == "applied"
    assert SupportSettings.objects.get(creator=accepting).payouts_enabled


# --- the same event, five times at once ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_event_delivered_five_times_at_once_is_applied_once(threads_share_the_database, tip):
    body = json.dumps(tip_paid_event(tip))
    header = signed(body)

    def post(_: int) -> tuple[int, str]:
        response = Client().post(
            WEBHOOK_URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        return response.status_code, response.json()["outcome"]

    results = run_in_threads(post, 5)
    assert sorted(results) == [(200, "applied")] + [(200, "duplicate")] * 4
    assert sorted(LedgerEntry.objects.values_list("kind", "amount")) == [
        (Kind.CHARGE, 500),
        (Kind.FEE, 35),
    ]
    assert StripeEvent.objects.count() == 1
    assert Tip.objects.get().status == Tip.Status.SUCCEEDED


def test_stripe_needs_no_csrf_token(tip):
    client = Client(enforce_csrf_checks=True)
    assert deliver(client, tip_paid_event(tip)).status_code == 200


# --- signed, but not the shape Stripe sends ------------------------------------------------


def _malformed(tip: Tip, pledge: Pledge) -> dict[str, dict]:
    def tip_event(**overrides) -> dict:
        return tip_paid_event(tip, **overrides)

    def with_data(data) -> dict:
        event = tip_event()
        event["data"] = data
        return event

    def pledge_invoice(**extra) -> dict:
        paid = invoice(pledge, invoice_id="in_1", start=MAY_1, end=JUNE_1, **extra)
        return stripe_event("invoice.paid", paid)

    return {
        "data-a-string": with_data("zzz"),
        "object-a-list": with_data({"object": [1, 2]}),
        "object-a-string": with_data({"object": "cs_tip_1"}),
        "metadata-a-list": tip_event(metadata=["tip_id", str(tip.pk)]),
        "payment-intent-a-list": tip_event(payment_intent=["pi_1"]),
        "amount-a-string": tip_event(amount_total="500"),
        "invoice-parent-a-list": pledge_invoice(parent=["sub_1"]),
        "invoice-lines-a-string": pledge_invoice(lines="zzz"),
        "invoice-line-a-string": pledge_invoice(lines={"data": ["il_1"]}),
        "invoice-period-overflows": pledge_invoice(
            lines={"data": [{"period": {"start": MAY_1, "end": 10**20}}]}
        ),
        "invoice-amount-a-dict": pledge_invoice(amount_paid={"value": 500}),
        "subscription-id-a-list": stripe_event(
            "customer.subscription.deleted", {"id": ["sub_1"], "object": "subscription"}
        ),
    }


MALFORMED = [
    "data-a-string",
    "object-a-list",
    "object-a-string",
    "metadata-a-list",
    "payment-intent-a-list",
    "amount-a-string",
    "invoice-parent-a-list",
    "invoice-lines-a-string",
    "invoice-line-a-string",
    "invoice-period-overflows",
    "invoice-amount-a-dict",
    "subscription-id-a-list",
]


@pytest.mark.parametrize("case", MALFORMED)
def test_a_signed_event_of_the_wrong_shape_is_refused_logged_and_changes_nothing(
    client, tip, pending_pledge, caplog, case
):
    event = _malformed(tip, pending_pledge)[case]
    before = money_state()
    with caplog.at_level("WARNING", logger="support"):
        response = deliver(client, event)
    assert response.status_code == 400
    assert response.json()["error"] == "malformed event"
    assert money_state() == before
    assert not StripeEvent.objects.exists()
    assert Pledge.objects.get().gateway_reference == ""
    assert any(
        "malformed" in record.getMessage() and event["id"] in record.getMessage()
        for record in caplog.records
    )
    # Stripe's next delivery of a well-formed event with the same id is still applied.
    assert deliver(client, tip_paid_event(tip)).json()["outcome"] == "applied"
