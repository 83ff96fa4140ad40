"""The wallet's figures are sums over the ledger, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from support.models import LedgerEntry, Tip
from support.selectors import (
    active_pledges,
    income_by_month,
    payout_requests,
    support_offer,
    supporter_pledges,
    supporter_tips,
    supporters,
    transactions,
    wallet_summary,
)
from support.services import (
    payment_refund,
    payout_approve,
    payout_request,
    pledge_cancel,
    pledge_create,
    support_settings_update,
    tip_create,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind


def backdate(when: datetime, **source) -> None:
    """Move a payment's ledger rows in time (a test-only shortcut past the append-only rule)."""
    ids = list(LedgerEntry.objects.filter(**source).values_list("pk", flat=True))
    from django.db import connection

    with connection.cursor() as cursor:
        table = LedgerEntry._meta.db_table
        for pk in ids:
            cursor.execute(f"UPDATE {table} SET created_at = %s WHERE id = %s", [when, pk])


@pytest.fixture
def busy(accepting, bob, sam):
    """Alice: three tips (one refunded), two pledges (one cancelled but running), a payout."""
    carol = make_user("carol", display_name="Carol", email="carol@example.com")
    t1, _ = tip_create(creator=accepting, amount=500, supporter=bob)
    tip_create(creator=accepting, amount=1_000, email="anon@example.com")
    t3, _ = tip_create(creator=accepting, amount=250, supporter=carol)
    payment_refund(tip=t3, actor=sam)
    pledge_create(supporter=bob, creator=accepting, amount=299)
    p2, _ = pledge_create(supporter=carol, creator=accepting, amount=1_000)
    pledge_cancel(pledge=p2, actor=carol)
    payout_approve(payout=payout_request(creator=accepting, amount=300), actor=sam)
    return accepting


def test_the_wallet_adds_up(busy, django_assert_num_queries):
    with django_assert_num_queries(3):  # ledger sums, pledges, open payout requests
        wallet = wallet_summary(creator=busy)
    assert (wallet.tips, wallet.tip_count) == (1_750, 3)
    assert (wallet.pledge_income, wallet.pledge_payment_count) == (1_299, 2)
    assert wallet.gross == 3_049
    # Fees: 35 + 70 + 18 (refunded, so given back) + 21 + 70.
    assert wallet.fees == 35 + 70 + 21 + 70
    assert wallet.refunds == 250
    assert wallet.net == 3_049 - 196 - 250
    assert wallet.payouts == 300
    assert wallet.balance == wallet.net - 300
    assert (wallet.active_pledges, wallet.monthly_pledges) == (2, 1_299)
    assert wallet.fee_percent == "7%"
    # The balance is exactly the signed sum of every row.
    entries = LedgerEntry.objects.filter(creator=busy)
    assert wallet.balance == sum(e.signed_amount for e in entries)


def test_the_wallet_since_a_date_counts_flows_but_keeps_the_whole_balance(busy, bob):
    old = timezone.now() - timedelta(days=40)
    backdate(old, tip__supporter=bob)
    wallet = wallet_summary(creator=busy, since=timezone.now() - timedelta(days=30))
    assert (wallet.tips, wallet.tip_count) == (1_250, 2)
    assert wallet.balance == wallet_summary(creator=busy).balance


def test_income_by_month(accepting, bob, django_assert_num_queries):
    now = datetime(2026, 3, 15, 12, tzinfo=UTC)
    for amount, when in [
        (1_000, datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
        (500, datetime(2026, 1, 31, 23, 59, tzinfo=UTC)),
        (200, datetime(2025, 3, 31, tzinfo=UTC)),  # more than 12 months ago: left out
    ]:
        tip, _ = tip_create(creator=accepting, amount=amount, supporter=bob)
        backdate(when, tip=tip)
    with django_assert_num_queries(1):
        months = income_by_month(creator=accepting, months=12, now=now)
    assert len(months) == 12
    assert months[0] == (date(2025, 4, 1), 0)
    assert dict(months)[date(2026, 1, 1)] == 465
    assert dict(months)[date(2026, 2, 1)] == 0
    assert months[-1] == (date(2026, 3, 1), 930)


def test_transactions_filter_by_kind_and_dates(busy, bob, django_assert_num_queries):
    everything = transactions(creator=busy)
    with django_assert_num_queries(1):
        lines = [(e.kind, e.description, e.display_amount) for e in everything]
    assert len(lines) == LedgerEntry.objects.filter(creator=busy).count() == 13
    assert ("charge", "Tip from an anonymous reader", "$10.00") in lines
    assert ("payout", "Payout to your account", "−$3.00") in lines
    assert any(d.startswith("Monthly pledge from Carol (") for _, d, _ in lines)
    assert {e.kind for e in transactions(creator=busy, kind="refund")} == {"refund"}
    with pytest.raises(ValidationError):
        transactions(creator=busy, kind="bonus")
    backdate(datetime(2026, 1, 10, 23, 0, tzinfo=UTC), tip__supporter=bob)
    on_the_day = transactions(creator=busy, start=date(2026, 1, 10), end=date(2026, 1, 10))
    assert sorted(e.kind for e in on_the_day) == ["charge", "fee"]
    assert not transactions(creator=busy, start=date(2026, 1, 11), end=date(2026, 1, 11))


def test_supporters_and_pledges(busy, bob, django_assert_num_queries):
    with django_assert_num_queries(1):
        people = [
            (u.username, u.pledge_amount, u.tips_total, u.tip_count)
            for u in supporters(creator=busy)
        ]
    # Carol's cancelled pledge still runs; her refunded tip no longer counts.
    assert people == [("carol", 1_000, 0, 0), ("bob", 299, 500, 1)]
    with django_assert_num_queries(1):
        assert [p.supporter.username for p in active_pledges(creator=busy)] == ["carol", "bob"]
    assert [p.creator for p in supporter_pledges(supporter=bob)] == [busy]
    assert [t.amount for t in supporter_tips(supporter=bob)] == [500]
    assert [p.amount for p in payout_requests(creator=busy)] == [300]


def test_support_buttons_show_only_where_the_creator_can_receive(
    alice, bob, stripe_http, settings, django_assert_num_queries
):
    settings.PAYMENTS_GATEWAY = "offline"
    assert support_offer(creator=alice) is not None  # never chose: on by default (issue 15)
    support_settings_update(creator=alice, accepts_support=False)
    assert support_offer(creator=alice) is None
    support_settings_update(creator=alice, accepts_support=True)
    with django_assert_num_queries(2):  # settings, the viewer's pledge
        offer = support_offer(creator=alice, viewer=bob)
    assert offer.tip_presets == (100, 200, 500, 1_000, 2_000, 5_000)
    assert (offer.tip_min, offer.tip_max) == (100, 50_000)
    assert offer.viewer_pledge is None and offer.is_test_mode
    # With Stripe, a creator needs a payout account that can take payouts.
    settings.PAYMENTS_GATEWAY = "stripe"
    assert support_offer(creator=alice) is None
    alice.support_settings.stripe_account_id = "acct_1"
    alice.support_settings.save()
    assert support_offer(creator=alice) is None
    alice.support_settings.payouts_enabled = True
    alice.support_settings.save()
    assert support_offer(creator=alice) is not None
    alice.is_active = False
    assert support_offer(creator=alice) is None


def test_tips_pending_or_failed_are_not_money(accepting, bob):
    Tip.objects.create(
        creator=accepting, supporter=bob, amount=500, currency="usd", gateway="stripe"
    )
    wallet = wallet_summary(creator=accepting)
    assert (wallet.tips, wallet.balance) == (0, 0)
    assert list(supporters(creator=accepting)) == []
