"""Refunds are new ledger rows, never edits, and a payment is refunded at most once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from support.models import LedgerEntry, PledgePayment, Tip
from support.selectors import balance_of, wallet_summary
from support.services import payment_refund, pledge_create, tip_create

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind


def rows(**source) -> list[tuple[str, int]]:
    return sorted(LedgerEntry.objects.filter(**source).values_list("kind", "amount"))


def test_refunding_a_tip_adds_rows_and_takes_back_exactly_the_net(
    accepting, bob, sam, mailoutbox, django_capture_on_commit_callbacks
):
    tip, _ = tip_create(creator=accepting, amount=500, supporter=bob)
    charge = LedgerEntry.objects.get(tip=tip, kind=Kind.CHARGE)
    assert balance_of(creator_id=accepting.pk, currency="usd") == 465
    with django_capture_on_commit_callbacks(execute=True):
        refund = payment_refund(tip=tip, actor=sam, reason="Paid twice by mistake")
    assert (refund.kind, refund.amount, refund.actor, refund.note) == (
        Kind.REFUND,
        500,
        sam,
        "Paid twice by mistake",
    )
    assert rows(tip=tip) == [
        (Kind.CHARGE, 500),
        (Kind.FEE, 35),
        (Kind.FEE_REFUND, 35),
        (Kind.REFUND, 500),
    ]
    # The original rows are untouched; the balance is back where it was before the tip.
    assert LedgerEntry.objects.get(pk=charge.pk).amount == 500
    assert balance_of(creator_id=accepting.pk, currency="usd") == 0
    tip.refresh_from_db()
    assert tip.status == Tip.Status.REFUNDED
    [notice] = mailoutbox
    assert notice.to == ["bob@example.com"]
    assert notice.subject == "Refund: your $5.00 tip to Alice Walker"


def test_refunding_twice_is_refused(accepting, bob, sam):
    tip, _ = tip_create(creator=accepting, amount=500, supporter=bob)
    payment_refund(tip=tip, actor=sam)
    with pytest.raises(ValidationError, match="already been refunded") as caught:
        payment_refund(tip=tip, actor=sam)
    assert caught.value.code == "already_refunded"
    # Even from a stale object that still says "succeeded".
    tip.status = Tip.Status.SUCCEEDED
    with pytest.raises(ValidationError, match="already been refunded"):
        payment_refund(tip=tip, actor=sam)
    assert LedgerEntry.objects.filter(kind=Kind.REFUND).count() == 1


def test_only_paid_payments_are_refunded(accepting, bob, sam):
    pending = Tip.objects.create(
        creator=accepting, supporter=bob, amount=500, currency="usd", gateway="stripe"
    )
    with pytest.raises(ValidationError, match="Only a paid payment") as caught:
        payment_refund(tip=pending, actor=sam)
    assert caught.value.code == "not_paid"
    with pytest.raises(ValueError):
        payment_refund(actor=sam)


def test_refunding_a_pledge_payment_leaves_the_pledge_running(accepting, bob, sam):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=1_000)
    payment = pledge.payments.get()
    payment_refund(pledge_payment=payment, actor=sam)
    assert rows(pledge_payment=payment) == [
        (Kind.CHARGE, 1_000),
        (Kind.FEE, 70),
        (Kind.FEE_REFUND, 70),
        (Kind.REFUND, 1_000),
    ]
    payment.refresh_from_db()
    pledge.refresh_from_db()
    assert payment.status == PledgePayment.Status.REFUNDED
    assert pledge.status == pledge.Status.ACTIVE
    wallet = wallet_summary(creator=accepting)
    assert (wallet.pledge_income, wallet.refunds, wallet.fees, wallet.net) == (1_000, 1_000, 0, 0)


def test_a_refund_after_a_payout_may_take_the_balance_below_zero(accepting, bob, sam):
    from support.services import payout_approve, payout_request

    tip, _ = tip_create(creator=accepting, amount=1_000, supporter=bob)
    payout_approve(payout=payout_request(creator=accepting, amount=930), actor=sam)
    payment_refund(tip=tip, actor=sam)
    assert balance_of(creator_id=accepting.pk, currency="usd") == -930
    assert wallet_summary(creator=accepting).available == 0
