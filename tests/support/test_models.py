"""The database keeps the money rules even when code forgets: constraints and an append-only
ledger."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from support.models import LedgerEntry, PledgePayment, SupportSettings, Tip
from support.services import pledge_create, tip_create

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind


@pytest.fixture
def tip(accepting, bob) -> Tip:
    created, _ = tip_create(creator=accepting, amount=500, supporter=bob)
    return created


def refused(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(**fields)


def test_ledger_entries_are_never_changed_or_deleted(tip):
    entry = LedgerEntry.objects.get(tip=tip, kind=Kind.CHARGE)
    entry.amount = 1
    with pytest.raises(TypeError, match="never changed"):
        entry.save()
    with pytest.raises(TypeError, match="never deleted"):
        entry.delete()
    with pytest.raises(TypeError, match="never changed"):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(TypeError, match="never deleted"):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 500


def test_ledger_amounts_must_be_positive(tip):
    base = {"creator": tip.creator, "currency": "usd", "kind": Kind.REFUND, "tip": tip}
    refused(amount=0, **base)
    # PositiveIntegerField adds its own "≥ 0" check; ours also refuses zero.
    refused(amount=-5, **base)


def test_a_payment_is_counted_once(tip):
    refused(creator=tip.creator, currency="usd", kind=Kind.CHARGE, amount=500, tip=tip)


def test_every_entry_has_exactly_one_source_and_payouts_only_payout_rows(tip):
    refused(creator=tip.creator, currency="usd", kind=Kind.CHARGE, amount=5)
    refused(creator=tip.creator, currency="usd", kind=Kind.PAYOUT, amount=5, tip=tip)


def test_payment_amounts_are_positive_and_tips_need_someone_to_receipt(accepting, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tip.objects.create(
            creator=accepting, supporter=bob, amount=0, currency="usd", gateway="offline"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Tip.objects.create(creator=accepting, amount=500, currency="usd", gateway="offline")


def test_a_month_of_a_pledge_is_paid_once(accepting, bob):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=500)
    paid = pledge.payments.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgePayment.objects.create(
            pledge=pledge,
            amount=500,
            currency="usd",
            status=PledgePayment.Status.SUCCEEDED,
            period_start=paid.period_start,
            period_end=paid.period_end,
            gateway="offline",
        )
    # Failed attempts for the same month are history, not payments: any number may exist.
    for _ in range(2):
        PledgePayment.objects.create(
            pledge=pledge,
            amount=500,
            currency="usd",
            status=PledgePayment.Status.FAILED,
            period_start=paid.period_start,
            period_end=paid.period_end,
            gateway="offline",
        )


def test_suggested_pledges_respect_the_minimum(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportSettings.objects.create(creator=alice, pledge_amount_2=298)


def test_descriptions_for_the_history(tip, bob):
    charge = LedgerEntry.objects.select_related("tip__supporter").get(tip=tip, kind=Kind.CHARGE)
    assert charge.description == "Tip from Bob Reader"
    assert charge.display_amount == "$5.00" and charge.signed_amount == 500
    fee = LedgerEntry.objects.get(tip=tip, kind=Kind.FEE)
    assert fee.description == "Platform fee on a tip from Bob Reader"
    assert fee.display_amount == "−$0.35" and fee.signed_amount == -35
    assert str(tip) == "$5.00 tip to Alice Walker from Bob Reader"
