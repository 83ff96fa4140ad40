"""Monthly pledges through the offline gateway: start, change, cancel, renew, fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from support import emails
from support.models import LedgerEntry, Pledge, PledgePayment, add_months
from support.selectors import balance_of, support_offer, wallet_summary
from support.services import (
    MAX_RENEWAL_FAILURES,
    RENEWAL_RETRY_DELAY,
    pledge_cancel,
    pledge_change_amount,
    pledge_create,
    pledge_renew,
    pledge_resume,
    pledges_renew_due,
    support_settings_update,
)
from tests.conftest import make_user
from tests.support.conftest import DecliningGateway

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind


def pledge(supporter, creator, amount=500) -> Pledge:
    created, _ = pledge_create(supporter=supporter, creator=creator, amount=amount)
    return created


def paid_months(p: Pledge) -> list[tuple[int, datetime, datetime]]:
    return list(
        p.payments.filter(status=PledgePayment.Status.SUCCEEDED)
        .order_by("period_start")
        .values_list("amount", "period_start", "period_end")
    )


def test_pledging_pays_the_first_month_at_once(accepting, bob):
    before = timezone.now()
    p, next_url = pledge_create(supporter=bob, creator=accepting, amount=500)
    assert p.status == Pledge.Status.ACTIVE
    assert before <= p.current_period_start <= timezone.now()
    assert p.current_period_end == add_months(p.current_period_start, 1)
    [(amount, start, end)] = paid_months(p)
    assert (amount, start, end) == (500, p.current_period_start, p.current_period_end)
    assert sorted(LedgerEntry.objects.values_list("kind", "amount")) == [
        (Kind.CHARGE, 500),
        (Kind.FEE, 35),
    ]
    assert next_url == accepting.get_absolute_url() + "?support=pledged"


def test_a_pledge_receipt_is_emailed(
    accepting, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge(bob, accepting, 299)
    [receipt] = mailoutbox
    assert receipt.to == ["bob@example.com"]
    assert receipt.subject == "Receipt: your $2.99 pledge to Alice Walker"
    assert "renews every month" in receipt.body
    # The job run again (a retry, a second worker) sends nothing more.
    payment = PledgePayment.objects.get()
    emails.send_pledge_receipt.call(payment_id=payment.pk)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("amount", [299, 300, 1_000, 50_000])
def test_pledge_amounts_at_and_inside_the_bounds(accepting, bob, amount):
    assert pledge(bob, accepting, amount).amount == amount


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (298, r"smallest monthly pledge is \$2\.99"),
        (100, r"smallest monthly pledge is \$2\.99"),
        (-299, r"smallest monthly pledge is \$2\.99"),
        (50_001, r"largest monthly pledge is \$500\.00"),
        ("2.99", "in digits"),
        (2.99, "in digits"),
    ],
)
def test_pledge_amounts_beyond_the_bounds_are_refused(accepting, bob, amount, message):
    with pytest.raises(ValidationError, match=message):
        pledge_create(supporter=bob, creator=accepting, amount=amount)
    assert not Pledge.objects.exists()


def test_the_creator_suggests_amounts_defaulting_to_299_500_1000(accepting, bob):
    offer = support_offer(creator=accepting, viewer=bob)
    assert offer.pledge_amounts == [299, 500, 1_000]
    assert offer.pledge_min == 299 and offer.is_test_mode
    support_settings_update(
        creator=accepting, accepts_support=True, pledge_amounts=[1500, 400, 800]
    )
    assert support_offer(creator=accepting).pledge_amounts == [400, 800, 1_500]
    with pytest.raises(ValidationError, match=r"smallest monthly pledge is \$2\.99"):
        support_settings_update(
            creator=accepting, accepts_support=True, pledge_amounts=[100, 500, 1000]
        )
    with pytest.raises(ValidationError, match="three"):
        support_settings_update(creator=accepting, accepts_support=True, pledge_amounts=[500])


@pytest.mark.parametrize("who", [None, AnonymousUser()])
def test_only_signed_in_readers_pledge(accepting, who):
    with pytest.raises(ValidationError, match="Sign in"):
        pledge_create(supporter=who, creator=accepting, amount=500)


def test_one_live_pledge_per_reader_and_creator(accepting, bob):
    pledge(bob, accepting)
    with pytest.raises(ValidationError, match=r"already pledge \$5\.00 a month") as caught:
        pledge_create(supporter=bob, creator=accepting, amount=1_000)
    assert caught.value.code == "already_pledging"
    # The database says so too, whatever a caller does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(
            supporter=bob, creator=accepting, amount=500, currency="usd", gateway="offline"
        )


def test_a_creator_cannot_pledge_to_themselves_nor_be_pledged_to_without_support(alice, bob):
    support_settings_update(creator=alice, accepts_support=True)
    with pytest.raises(ValidationError, match="yourself"):
        pledge_create(supporter=alice, creator=alice, amount=500)
    support_settings_update(creator=alice, accepts_support=False)
    with pytest.raises(ValidationError, match="isn’t accepting"):
        pledge_create(supporter=bob, creator=alice, amount=500)


# --- changing the amount -------------------------------------------------------------------


def test_a_new_amount_applies_from_the_next_month(accepting, bob):
    p = pledge(bob, accepting, 500)
    p = pledge_change_amount(pledge=p, amount=1_000, actor=bob)
    assert p.amount == 1_000
    assert [amount for amount, *_ in paid_months(p)] == [500]  # this month stays as paid
    assert pledge_renew(pledge=p, now=p.current_period_end) == "renewed"
    assert [amount for amount, *_ in paid_months(p)] == [500, 1_000]


def test_changing_the_amount_keeps_to_the_bounds_and_to_the_pledger(accepting, bob):
    p = pledge(bob, accepting, 500)
    with pytest.raises(ValidationError, match="smallest"):
        pledge_change_amount(pledge=p, amount=298, actor=bob)
    with pytest.raises(PermissionDenied):
        pledge_change_amount(pledge=p, amount=1_000, actor=make_user("mallory"))
    p.refresh_from_db()
    assert p.amount == 500


# --- cancelling ----------------------------------------------------------------------------


def test_a_cancelled_pledge_runs_to_the_end_of_the_paid_month(accepting, bob):
    p = pledge(bob, accepting, 500)
    end = p.current_period_end
    p = pledge_cancel(pledge=p, actor=bob)
    assert p.status == Pledge.Status.ACTIVE and p.cancel_at_period_end
    assert p.runs_until == end and p.cancelled_at is not None
    # Still counted, and still the reader's, until then.
    assert wallet_summary(creator=accepting).active_pledges == 1
    assert support_offer(creator=accepting, viewer=bob).viewer_pledge == p
    assert pledge_renew(pledge=p, now=end - timedelta(seconds=1)) == "not_due"
    # At the end of the month it ends, and nobody is charged.
    assert pledge_renew(pledge=p, now=end) == "ended"
    p.refresh_from_db()
    assert p.status == Pledge.Status.ENDED and p.ended_at == end
    assert len(paid_months(p)) == 1
    assert wallet_summary(creator=accepting).active_pledges == 0


def test_cancelling_twice_or_someone_elses_pledge_is_refused(accepting, bob):
    p = pledge(bob, accepting)
    with pytest.raises(PermissionDenied):
        pledge_cancel(pledge=p, actor=accepting)
    pledge_cancel(pledge=p, actor=bob)
    with pytest.raises(ValidationError, match="already cancelled"):
        pledge_cancel(pledge=p, actor=bob)


def test_a_cancelled_pledge_can_be_resumed_before_it_ends(accepting, bob):
    p = pledge_cancel(pledge=pledge(bob, accepting), actor=bob)
    with pytest.raises(ValidationError, match="resume it instead"):
        pledge_create(supporter=bob, creator=accepting, amount=500)
    with pytest.raises(ValidationError, match="resume it before changing"):
        pledge_change_amount(pledge=p, amount=1_000, actor=bob)
    p = pledge_resume(pledge=p, actor=bob)
    assert not p.cancel_at_period_end and p.cancelled_at is None
    assert pledge_renew(pledge=p, now=p.current_period_end) == "renewed"


def test_after_a_pledge_ends_the_reader_may_pledge_again(accepting, bob):
    p = pledge_cancel(pledge=pledge(bob, accepting), actor=bob)
    pledge_renew(pledge=p, now=p.current_period_end)
    again = pledge(bob, accepting, 1_000)
    assert again.pk != p.pk and again.status == Pledge.Status.ACTIVE


# --- renewals ------------------------------------------------------------------------------


def test_renewals_keep_the_day_of_the_month(accepting, bob):
    p = pledge(bob, accepting, 500)
    start = datetime(2024, 1, 31, 9, 30, tzinfo=UTC)
    Pledge.objects.filter(pk=p.pk).update(
        billing_anchor=start, current_period_start=start, current_period_end=add_months(start, 1)
    )
    p.refresh_from_db()
    assert p.current_period_end == datetime(2024, 2, 29, 9, 30, tzinfo=UTC)  # a leap year
    for expected_end in [(2024, 3, 31), (2024, 4, 30), (2024, 5, 31)]:
        assert pledge_renew(pledge=p, now=p.current_period_end) == "renewed"
        p.refresh_from_db()
        assert p.current_period_end == datetime(*expected_end, 9, 30, tzinfo=UTC)
    renewed = [(s, e) for _, s, e in paid_months(p) if s.year == 2024]
    # Months follow on from each other without gaps or overlaps.
    assert [s for s, _ in renewed] == [
        datetime(2024, m, d, 9, 30, tzinfo=UTC) for m, d in [(2, 29), (3, 31), (4, 30)]
    ]
    assert all(a[1] == b[0] for a, b in zip(renewed, renewed[1:], strict=False))


def test_a_renewal_is_charged_once_however_often_it_runs(accepting, bob):
    p = pledge(bob, accepting)
    due = p.current_period_end
    assert pledge_renew(pledge=p, now=due) == "renewed"
    assert pledge_renew(pledge=p, now=due) == "not_due"
    assert len(paid_months(p)) == 2
    assert balance_of(creator_id=accepting.pk, currency="usd") == 2 * 465


def test_a_renewal_after_a_long_gap_starts_a_new_month_instead_of_billing_the_past(accepting, bob):
    p = pledge(bob, accepting)
    later = p.current_period_end + timedelta(days=75)
    assert pledge_renew(pledge=p, now=later) == "renewed"
    p.refresh_from_db()
    assert (p.current_period_start, p.current_period_end) == (later, add_months(later, 1))
    assert len(paid_months(p)) == 2


def test_a_failed_renewal_tells_the_reader_and_keeps_the_pledge(
    accepting, bob, mailoutbox, django_capture_on_commit_callbacks
):
    p = pledge(bob, accepting)
    due = p.current_period_end
    with django_capture_on_commit_callbacks(execute=True):
        assert pledge_renew(pledge=p, now=due, gateway=DecliningGateway()) == "failed"
    p.refresh_from_db()
    assert p.status == Pledge.Status.PAST_DUE and p.is_live
    assert p.renewal_failures == 1 and p.next_retry_at == due + RENEWAL_RETRY_DELAY
    failed = p.payments.get(status=PledgePayment.Status.FAILED)
    assert failed.failure_message == "Your card was declined."
    # No money moved, so the ledger holds only the first month.
    assert LedgerEntry.objects.filter(kind=Kind.CHARGE).count() == 1
    [email] = mailoutbox
    assert email.to == ["bob@example.com"]
    assert "could not be paid" in email.subject
    assert "has not been dropped" in email.body
    # The creator still sees the pledge, as one being retried.
    assert wallet_summary(creator=accepting).active_pledges == 1


def test_a_failed_renewal_is_retried_and_can_recover(accepting, bob):
    p = pledge(bob, accepting)
    due = p.current_period_end
    pledge_renew(pledge=p, now=due, gateway=DecliningGateway())
    assert pledge_renew(pledge=p, now=due + timedelta(days=1)) == "not_due"  # not yet
    assert pledge_renew(pledge=p, now=due + RENEWAL_RETRY_DELAY) == "renewed"
    p.refresh_from_db()
    assert p.status == Pledge.Status.ACTIVE and p.renewal_failures == 0
    # The month paid late is the month that was due, so the cycle keeps its day.
    assert p.current_period_start == due and p.current_period_end == add_months(p.billing_anchor, 2)


def test_a_pledge_that_keeps_failing_ends_and_the_reader_is_told(
    accepting, bob, mailoutbox, django_capture_on_commit_callbacks
):
    p = pledge(bob, accepting)
    now = p.current_period_end
    outcomes = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(MAX_RENEWAL_FAILURES):
            outcomes.append(pledge_renew(pledge=p, now=now, gateway=DecliningGateway()))
            now += RENEWAL_RETRY_DELAY
    assert outcomes == ["failed"] * (MAX_RENEWAL_FAILURES - 1) + ["ended"]
    p.refresh_from_db()
    assert p.status == Pledge.Status.ENDED
    subjects = [m.subject for m in mailoutbox]
    assert subjects[-1] == "Your monthly pledge to Alice Walker has ended"
    assert "failed several times" in mailoutbox[-1].body
    assert len(subjects) == MAX_RENEWAL_FAILURES


def test_a_failing_pledge_cancelled_by_the_reader_ends_at_once(accepting, bob):
    p = pledge(bob, accepting)
    pledge_renew(pledge=p, now=p.current_period_end, gateway=DecliningGateway())
    p = pledge_cancel(pledge=p, actor=bob)
    assert p.status == Pledge.Status.ENDED and not p.is_live


def test_the_renewal_command_renews_what_is_due(accepting, bob):
    due, later = pledge(bob, accepting), pledge(make_user("carol"), accepting, 1_000)
    start = timezone.now() - timedelta(days=31)
    Pledge.objects.filter(pk=due.pk).update(
        billing_anchor=start, current_period_start=start, current_period_end=add_months(start, 1)
    )
    out = StringIO()
    call_command("renew_pledges", stdout=out)
    assert out.getvalue().strip() == "Renewed 1, failed 0, ended 0."
    assert due.payments.count() == 2 and later.payments.count() == 1


def test_the_renewal_job_leaves_stripe_pledges_to_stripe(accepting, bob):
    p = pledge(bob, accepting)
    Pledge.objects.filter(pk=p.pk).update(gateway="stripe", gateway_reference="sub_1")
    counts = pledges_renew_due(now=p.current_period_end + timedelta(days=1))
    assert counts["renewed"] == 0 and p.payments.count() == 1
