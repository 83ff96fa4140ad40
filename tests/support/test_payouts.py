"""Payout requests: up to the balance, one at a time, approved (paid) or held with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from support import emails
from support.models import LedgerEntry, PayoutRequest
from support.selectors import balance_of, payout_requests, wallet_summary
from support.services import (
    payment_refund,
    payout_approve,
    payout_cancel,
    payout_hold,
    payout_request,
    tip_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def earned(accepting, bob):
    """Alice has $9.30 after a $10 tip."""
    tip_create(creator=accepting, amount=1_000, supporter=bob)
    return accepting


def test_a_creator_requests_up_to_their_balance(earned):
    with pytest.raises(ValidationError, match=r"at most your balance, \$9\.30"):
        payout_request(creator=earned, amount=931)
    payout = payout_request(creator=earned, amount=930)
    assert payout.status == PayoutRequest.Status.REQUESTED
    wallet = wallet_summary(creator=earned)
    assert (wallet.balance, wallet.pending_payout, wallet.available) == (930, 930, 0)


@pytest.mark.parametrize(
    ("amount", "code"), [(99, "too_small"), (0, "too_small"), ("9", "invalid")]
)
def test_payout_amounts_are_checked(earned, amount, code):
    with pytest.raises(ValidationError) as caught:
        payout_request(creator=earned, amount=amount)
    assert caught.value.code == code


def test_one_open_request_at_a_time(earned):
    payout_request(creator=earned, amount=100)
    with pytest.raises(ValidationError, match="already have a payout request"):
        payout_request(creator=earned, amount=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutRequest.objects.create(creator=earned, amount=100, currency="usd")


def test_approving_pays_out_with_a_ledger_row_and_tells_the_creator(
    earned, sam, mailoutbox, django_capture_on_commit_callbacks
):
    payout = payout_request(creator=earned, amount=500)
    with django_capture_on_commit_callbacks(execute=True):
        payout = payout_approve(payout=payout, actor=sam, reason="Thanks for writing!")
    assert payout.status == PayoutRequest.Status.PAID
    assert (payout.decided_by, payout.reason) == (sam, "Thanks for writing!")
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.PAYOUT)
    assert (entry.amount, entry.payout, entry.actor) == (500, payout, sam)
    assert balance_of(creator_id=earned.pk, currency="usd") == 430
    [email] = mailoutbox
    assert email.to == ["alice@example.com"]
    assert email.subject == "Your $5.00 payout is on its way"
    assert "Thanks for writing!" in email.body
    # The job run again (a retry, a second worker) sends nothing more.
    emails.send_payout_decision.call(payout_id=payout.pk)
    assert len(mailoutbox) == 1
    with pytest.raises(ValidationError, match="already “Approved and paid”"):
        payout_approve(payout=payout, actor=sam)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).count() == 1


def test_holding_needs_a_reason_the_creator_sees_and_can_be_approved_later(
    earned, sam, mailoutbox, django_capture_on_commit_callbacks
):
    payout = payout_request(creator=earned, amount=500)
    with pytest.raises(ValidationError, match="Say why"):
        payout_hold(payout=payout, actor=sam, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        payout = payout_hold(payout=payout, actor=sam, reason="Please confirm your tax details.")
    assert payout.status == PayoutRequest.Status.HELD
    assert payout_requests(creator=earned).get().reason == "Please confirm your tax details."
    [email] = mailoutbox
    assert email.subject == "Your $5.00 payout is on hold"
    assert "Please confirm your tax details." in email.body
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).exists()
    # Still open: it holds the money back from a second request, and can be approved.
    assert wallet_summary(creator=earned).available == 430
    with django_capture_on_commit_callbacks(execute=True):
        assert payout_approve(payout=payout, actor=sam).status == PayoutRequest.Status.PAID
    # A second decision on the same payout is a second email.
    assert [m.subject for m in mailoutbox] == [
        "Your $5.00 payout is on hold",
        "Your $5.00 payout is on its way",
    ]


def test_approval_is_refused_when_refunds_left_too_little(earned, bob, sam):
    payout = payout_request(creator=earned, amount=930)
    payment_refund(tip=earned.tips_received.get(), actor=sam)
    with pytest.raises(ValidationError, match="less than the \\$9.30 requested"):
        payout_approve(payout=payout, actor=sam)
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).exists()


def test_a_creator_may_withdraw_their_own_open_request(earned, bob):
    payout = payout_request(creator=earned, amount=500)
    with pytest.raises(PermissionDenied):
        payout_cancel(payout=payout, actor=bob)
    assert payout_cancel(payout=payout, actor=earned).status == PayoutRequest.Status.CANCELLED
    assert payout_request(creator=earned, amount=930).is_open


def test_with_stripe_a_payout_account_is_needed(earned, stripe_http):
    with pytest.raises(ValidationError, match="Connect your payout account"):
        payout_request(creator=earned, amount=500)
