"""Reconciliation: the ledger against the provider's balance transactions. On the offline
default it finds nothing; differences planted by hand, in Stripe's shapes, are each listed once
and resolved by staff with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from support import services
from support.gateways import OfflineGateway, StripeGateway, stripe_movements
from support.models import Difference, LedgerEntry, ProviderRecord, StripeEvent, Tip
from support.reconciliation import compare, ledger_totals, provider_totals, reconcile
from tests.conftest import make_user
from tests.support import stripe_shapes as shapes
from tests.support.conftest import SECRET_KEY, deliver, stripe_event

pytestmark = pytest.mark.django_db


def later():
    """An hour from now: everything made in the test is past the job's settling time."""
    return timezone.now() + timedelta(hours=1)


# --- the offline default ------------------------------------------------------------------


@pytest.fixture
def offline_money(accepting, bob, sam):
    """Tips, a pledge, a refund, a payout and a prize, all through the offline gateway."""
    tip, _ = services.tip_create(creator=accepting, amount=500, supporter=bob)
    services.tip_create(creator=accepting, amount=1_000, email="anon@example.com")
    services.pledge_create(supporter=make_user("carol"), creator=accepting, amount=299)
    services.payment_refund(tip=tip, actor=sam, reason="Asked")
    payout = services.payout_request(creator=accepting, amount=500)
    services.payout_approve(payout=payout, actor=sam)
    services.prize_credit(
        creator_id=accepting.pk, amount=2_000, currency="usd", key="challenge:1:place:1", note="1st"
    )
    return accepting


def test_on_the_offline_default_the_job_runs_and_finds_nothing(offline_money):
    # The gateway kept its own record of every movement: 3 charges, a refund, a transfer.
    assert sorted(ProviderRecord.objects.values_list("type", "amount")) == [
        ("charge", 299),
        ("charge", 500),
        ("charge", 1_000),
        ("refund", -500),
        ("transfer", -500),
    ]
    report = reconcile(days=7, now=later())
    assert (report.gateway, report.compared, report.found) == ("offline", 5, [])
    assert not Difference.objects.exists()


def test_the_command_queues_the_durable_job_or_runs_at_once(
    offline_money, django_capture_on_commit_callbacks, capsys
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reconcile_payments", "--days", "3")
    assert "Queued the reconciliation of the last 3 days." in capsys.readouterr().out
    call_command("reconcile_payments", "--now")
    assert "0 differences, 0 new" in capsys.readouterr().out
    assert not Difference.objects.exists()


@pytest.mark.parametrize("days", ["0", "91", "-1"])
def test_the_command_refuses_a_window_out_of_bounds(days):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="from 1 to 90"):
        call_command("reconcile_payments", "--days", days, "--now")


def test_offline_differences_planted_by_hand_are_found(offline_money, bob):
    # A charge the gateway made that the ledger never heard of, and a ledger row without one.
    ProviderRecord.objects.create(
        type="charge", reference="offline_pay_lost", amount=700, currency="usd"
    )
    stray = Tip.objects.create(
        creator=offline_money,
        supporter=bob,
        amount=300,
        currency="usd",
        gateway="offline",
        status=Tip.Status.SUCCEEDED,
    )
    LedgerEntry.objects.create(
        creator=offline_money,
        kind="charge",
        amount=300,
        currency="usd",
        tip=stray,
        gateway_reference="offline_pay_ghost",
    )
    report = reconcile(days=7, now=later())
    assert sorted(
        (f.kind, f.reference, f.ledger_amount, f.provider_amount) for f in report.found
    ) == [
        ("missing_at_provider", "offline_pay_ghost", 300, 0),
        ("missing_in_ledger", "offline_pay_lost", 0, 700),
    ]


# --- Stripe, differences planted by hand --------------------------------------------------


def charge_txn(txn: str, intent: str, amount: int) -> dict:
    source = shapes.charge(f"ch_{txn}", payment_intent=intent, amount=amount)
    return shapes.balance_transaction(f"txn_{txn}", type_="charge", amount=amount, source=source)


def provider_list() -> list[dict]:
    """Stripe's balance transactions for the week, as the API lists them (source expanded)."""
    refund = shapes.refund("re_1", payment_intent="pi_tip_1", amount=200)
    dispute = shapes.dispute("dp_1", payment_intent="pi_tip_3", amount=800)
    reversal = shapes.transfer_reversal("trr_1", transfer_id="tr_9", amount=100)
    return [
        charge_txn("1", "pi_tip_1", 500),  # agrees
        charge_txn("2", "pi_stranger", 700),  # not in the ledger
        charge_txn("3", "pi_tip_3", 800),  # agrees
        shapes.balance_transaction("txn_re1", type_="refund", amount=-200, source=refund),
        shapes.balance_transaction(
            "txn_dp1", type_="adjustment", category="dispute", amount=-800, fee=1500, source=dispute
        ),
        shapes.balance_transaction(
            "txn_trr1", type_="transfer_refund", amount=100, source=reversal
        ),
        # Not creators' money: Stripe's own fees and the platform's payout to its bank.
        shapes.balance_transaction("txn_fee", type_="stripe_fee", amount=-99, source=None),
        shapes.balance_transaction(
            "txn_po", type_="payout", amount=-5_000, source={"id": "po_1", "object": "payout"}
        ),
    ]


def stripe_tip(creator, reader, intent: str, amount: int) -> Tip:
    tip = Tip.objects.create(
        creator=creator,
        supporter=reader,
        amount=amount,
        currency="usd",
        gateway="stripe",
        gateway_reference=f"cs_{intent}",
    )
    return services.tip_paid(tip=tip, payment_reference=intent)


@pytest.fixture
def stripe_ledger(connected, bob, client, stripe_http):
    """The ledger's side: three tips, one refunded in part by $2.50, one disputed."""
    first = stripe_tip(connected, bob, "pi_tip_1", 500)
    stripe_tip(connected, bob, "pi_tip_2", 1_000)  # Stripe does not list it
    stripe_tip(connected, bob, "pi_tip_3", 800)
    services.refund_recorded(payment=first, refund_id="re_1", amount=250)  # Stripe says $2.00
    dispute = shapes.dispute("dp_1", payment_intent="pi_tip_3", amount=800)
    deliver(client, stripe_event("charge.dispute.created", dispute))
    stripe_http.respond(
        "GET",
        "/v1/balance_transactions",
        {
            "object": "list",
            "data": provider_list(),
            "has_more": False,
            "url": "/v1/balance_transactions",
        },
    )
    return connected


def planted(found) -> list[tuple]:
    return sorted((f.kind, f.what, f.reference, f.ledger_amount, f.provider_amount) for f in found)


EXPECTED = [
    ("amount", "refund", "re_1", -250, -200),
    ("missing_at_provider", "charge", "pi_tip_2", 1_000, 0),
    ("missing_in_ledger", "charge", "pi_stranger", 0, 700),
    ("missing_in_ledger", "transfer", "tr_9", 0, 100),
]


def test_stripes_balance_transactions_are_read_and_compared(stripe_ledger, stripe_http):
    now = later()
    report = reconcile(days=7, now=now)
    assert planted(report.found) == EXPECTED
    [asked] = stripe_http.calls("GET", "/v1/balance_transactions")
    assert asked.params["created[gte]"] == str(int((now - timedelta(days=7)).timestamp()))
    assert asked.params["expand[0]"] == "data.source"
    assert asked.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert report.new == 4
    assert sorted(Difference.objects.values_list("kind", "reference", "gateway")) == [
        ("amount", "re_1", "stripe"),
        ("missing_at_provider", "pi_tip_2", "stripe"),
        ("missing_in_ledger", "pi_stranger", "stripe"),
        ("missing_in_ledger", "tr_9", "stripe"),
    ]
    # Running again lists nothing twice.
    assert reconcile(days=7, now=now).new == 0
    assert Difference.objects.count() == 4


def test_the_comparison_is_the_same_code_fed_by_hand(stripe_ledger):
    now = later()
    movements = stripe_movements(provider_list())
    provider = provider_totals(movements, until=now)
    assert provider[("pi_tip_1", "usd")] == ("charge", 500)
    assert provider[("dp_1", "usd")] == ("dispute", -800)
    assert provider[("tr_9", "usd")] == ("transfer", 100)
    assert ("po_1", "usd") not in provider
    ledger = ledger_totals(
        gateway="stripe",
        references=[r for r, _ in provider],
        since=now - timedelta(days=7),
        until=now,
    )
    assert planted(compare(ledger, provider)) == EXPECTED
    # A movement newer than the settling time is left for the next run.
    assert ("pi_tip_1", "usd") not in provider_totals(movements, until=now - timedelta(days=1))


def test_a_dispute_the_ledger_thinks_won_differs_from_stripes_withdrawal(stripe_ledger, client):
    won = shapes.dispute("dp_1", payment_intent="pi_tip_3", amount=800, status="won")
    deliver(client, stripe_event("charge.dispute.closed", won))
    found = planted(reconcile(days=7, now=later()).found)
    assert ("amount", "dispute", "dp_1", 0, -800) in found


def test_an_event_still_parked_is_listed(stripe_ledger, client):
    refund = shapes.refund("re_x", payment_intent="pi_never_seen", amount=100)
    assert deliver(client, stripe_event("refund.updated", refund)).json()["outcome"] == "parked"
    found = planted(reconcile(days=7, now=later()).found)
    assert ("parked", "refund.updated", "pi_never_seen", 0, 0) in found


def test_stripe_not_answering_is_a_gateway_error_and_lists_nothing(stripe_ledger, stripe_http):
    stripe_http.respond(
        "GET", "/v1/balance_transactions", {"error": {"message": "down", "type": "api_error"}}, 500
    )
    from support.gateways import GatewayError

    with pytest.raises(GatewayError):
        reconcile(days=7, now=later(), gateway=StripeGateway(api_key=SECRET_KEY))
    assert not Difference.objects.exists()


def test_days_must_be_a_sensible_number():
    for days in (0, 91, True, "7"):
        with pytest.raises(ValueError, match="1 to 90"):
            reconcile(days=days, gateway=OfflineGateway())


# --- staff resolve each difference with a reason -------------------------------------------


@pytest.fixture
def found(stripe_ledger):
    reconcile(days=7, now=later())
    return Difference.objects.get(reference="pi_stranger")


def resolve(client, difference, **extra):
    data = {"action": "resolve", ACTION_CHECKBOX_NAME: [difference.pk], **extra}
    return client.post(reverse("admin:support_difference_changelist"), data)


def test_staff_resolve_a_difference_with_a_reason(client, found, stripe_http):
    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = resolve(client, found)
    assert page.status_code == 200 and "Resolve differences" in page.content.decode()
    # No reason: the form says so and nothing changes.
    blank = resolve(client, found, post="yes", reason="   ")
    assert blank.status_code == 200 and "This field is required." in blank.content.decode()
    assert not Difference.objects.get(pk=found.pk).is_resolved
    done = resolve(client, found, post="yes", reason="A test charge made by hand in the dashboard.")
    assert done.status_code == 302
    found.refresh_from_db()
    assert found.resolved_by == root and found.resolved_at is not None
    assert found.resolution == "A test charge made by hand in the dashboard."
    again = resolve(client, found, post="yes", reason="Twice")
    messages = [str(m) for m in again.wsgi_request._messages]
    assert any("already resolved" in m for m in messages)
    # The job does not list again what staff resolved, while it stays the same.
    reconcile(days=7, now=later())
    assert Difference.objects.filter(reference="pi_stranger").count() == 1
    listed = client.get(reverse("admin:support_difference_changelist"), {"state": "open"})
    shown = {d.reference for d in listed.context["cl"].result_list}
    assert shown == {"pi_tip_2", "re_1", "tr_9"}
    assert "pi_tip_2" in listed.content.decode()


def test_staff_without_the_permission_cannot_resolve(client, found):
    viewer = make_user("viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_difference"))
    client.force_login(viewer)
    response = resolve(client, found, post="yes", reason="Me")
    assert not Difference.objects.get(pk=found.pk).is_resolved
    assert response.status_code in (200, 302)


def test_the_service_refuses_a_blank_reason(found, sam):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Say how"):
        services.difference_resolve(difference=found, actor=sam, reason=" ")


def test_the_difference_list_takes_a_constant_number_of_queries(
    client, found, django_assert_max_num_queries
):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    for n in range(20):
        Difference.objects.create(
            kind="missing_in_ledger", gateway="stripe", reference=f"pi_{n}", currency="usd"
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:support_difference_changelist")).status_code == 200


def test_parked_events_are_kept_for_staff_in_the_admin(client, stripe_ledger):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    refund = shapes.refund("re_x", payment_intent="pi_never_seen", amount=100)
    deliver(client, stripe_event("refund.updated", refund))
    html = client.get(
        reverse("admin:support_stripeevent_changelist"), {"outcome__exact": "parked"}
    ).content.decode()
    assert "pi_never_seen" in html
    assert StripeEvent.objects.filter(outcome="parked").count() == 1
