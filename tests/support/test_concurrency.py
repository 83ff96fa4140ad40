"""Real threads, each with its own database connection, against one creator's money.

Runs on whichever database the suite runs on: SQLite by default (a file copy, as the site
runs it) and PostgreSQL with DATABASE_URL set.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from creators.models import User
from support.models import LedgerEntry, PayoutRequest, Pledge, PledgePayment, Tip
from support.money import split_fee
from support.selectors import balance_of, wallet_summary
from support.services import (
    payment_refund,
    payout_request,
    pledge_create,
    pledge_renew,
    tip_create,
)
from tests.conftest import make_user
from tests.support.conftest import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16


def outcome(call) -> str:
    try:
        call()
    except ValidationError as error:
        return error.code
    return "ok"


def test_concurrent_tips_all_land_in_the_ledger(threads_share_the_database, accepting):
    readers = [make_user(f"reader{i}", email=f"r{i}@example.com") for i in range(THREADS)]
    amounts = [100 + 137 * i for i in range(THREADS)]  # various fees, some rounding up

    def tip(i: int) -> int:
        created, _ = tip_create(
            creator=User.objects.get(pk=accepting.pk), amount=amounts[i], supporter=readers[i]
        )
        return created.pk

    run_in_threads(tip, THREADS)
    assert Tip.objects.filter(status=Tip.Status.SUCCEEDED).count() == THREADS
    assert LedgerEntry.objects.filter(kind="charge").count() == THREADS
    expected_net = sum(split_fee(a, 700)[1] for a in amounts)
    assert balance_of(creator_id=accepting.pk, currency="usd") == expected_net
    wallet = wallet_summary(creator=accepting)
    assert (wallet.tips, wallet.tip_count, wallet.balance) == (sum(amounts), THREADS, expected_net)


def test_concurrent_refunds_of_one_tip_refund_it_once(
    threads_share_the_database, accepting, bob, sam
):
    tip, _ = tip_create(creator=accepting, amount=1_000, supporter=bob)
    results = run_in_threads(lambda _: outcome(lambda: payment_refund(tip=tip, actor=sam)), 5)
    assert sorted(results) == ["already_refunded"] * 4 + ["ok"]
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert balance_of(creator_id=accepting.pk, currency="usd") == 0


def test_concurrent_payout_requests_cannot_both_claim_the_balance(
    threads_share_the_database, accepting, bob
):
    tip_create(creator=accepting, amount=1_000, supporter=bob)
    results = run_in_threads(
        lambda _: outcome(lambda: payout_request(creator=accepting, amount=930)), 5
    )
    assert sorted(results) == ["already_requested"] * 4 + ["ok"]
    assert PayoutRequest.objects.count() == 1


def test_concurrent_renewal_runs_charge_a_month_once(threads_share_the_database, accepting, bob):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=500)
    due = pledge.current_period_end
    results = run_in_threads(lambda _: pledge_renew(pledge=pledge, now=due), 5)
    assert sorted(results) == ["not_due"] * 4 + ["renewed"]
    assert PledgePayment.objects.filter(status="succeeded").count() == 2
    assert Pledge.objects.get().current_period_start == due
