"""The creator and staff are told, on the site and by email, with the amounts and the reason,
when money moves at the payment provider; once, however often the jobs run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications import jobs as notification_jobs
from notifications.models import Kind, Notification
from support import emails
from support.models import MoneyNotice, Tip
from tests.conftest import make_user
from tests.support import stripe_shapes as shapes
from tests.support.conftest import deliver, stripe_event

pytestmark = pytest.mark.django_db

PI = "pi_tip_1"


@pytest.fixture
def staff(sam):
    """Sam handles refunds and payouts; Root is a superuser; Intern is staff without money."""
    sam.email = "sam@example.com"
    sam.save()
    root = make_user("root", is_staff=True, is_superuser=True, email="root@example.com")
    make_user("intern", is_staff=True, email="intern@example.com")
    return [sam, root]


@pytest.fixture
def paid_tip(connected, bob, stripe_http) -> Tip:
    tip = Tip.objects.create(
        creator=connected,
        supporter=bob,
        amount=500,
        currency="usd",
        gateway="stripe",
        gateway_reference="cs_tip_1",
    )
    from support.services import tip_paid

    return tip_paid(tip=tip, payment_reference=PI)


def test_a_dispute_tells_the_creator_and_money_staff_with_amounts_and_reason(
    client, paid_tip, connected, staff, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    opened = shapes.dispute("dp_1", payment_intent=PI, amount=500, reason="product_not_received")
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, stripe_event("charge.dispute.created", opened)).status_code == 200
    mine = Notification.objects.get(recipient=connected, kind=Kind.MONEY)
    assert mine.summary == "A reader disputes $5.00 of a $5.00 tip from Bob Reader"
    assert "did not receive what they paid for" in mine.detail
    assert "$4.65 is held" in mine.detail and "Balance change: −$4.65" in mine.detail
    assert mine.get_absolute_url() == reverse("support:wallet")
    sams = Notification.objects.get(recipient=staff[0], kind=Kind.MONEY)
    assert sams.summary.startswith("Alice Walker: A reader disputes $5.00")
    notice = MoneyNotice.objects.get()
    assert sams.get_absolute_url() == reverse("admin:support_moneynotice_change", args=[notice.pk])
    told = set(
        Notification.objects.filter(kind=Kind.MONEY).values_list("recipient__username", flat=True)
    )
    assert told == {"alice", "sam", "root"}  # not the intern, who handles no money
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"alice@example.com", "sam@example.com", "root@example.com"}
    creator_mail = by_address["alice@example.com"]
    assert creator_mail.subject == "A reader disputes $5.00 of a $5.00 tip from Bob Reader"
    assert "did not receive what they paid for" in creator_mail.body
    assert "Change to your balance: −$4.65" in creator_mail.body
    staff_mail = by_address["sam@example.com"]
    assert staff_mail.subject.startswith("[alice] ")
    assert (
        "Alice Walker (@alice)" in staff_mail.body
        and "/admin/support/moneynotice/" in staff_mail.body
    )


def test_the_jobs_run_twice_tell_nobody_twice(
    client, paid_tip, connected, staff, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    refund = shapes.refund("re_1", payment_intent=PI, amount=200)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, stripe_event("refund.updated", refund))
    notice = MoneyNotice.objects.get()
    assert (
        notice.summary
        == "$2.00 of a $5.00 tip from Bob Reader was refunded at the payment provider"
    )
    assert notice.balance_change == -186
    sent = len(mailoutbox)
    notification_jobs.notify_money.call(notice_id=notice.pk)
    emails.send_money_notice.call(notice_id=notice.pk)
    assert len(mailoutbox) == sent == 3
    assert Notification.objects.filter(kind=Kind.MONEY).count() == 3


def test_the_creator_reads_it_on_the_notifications_page(
    client, paid_tip, connected, staff, django_capture_on_commit_callbacks
):
    lost = shapes.dispute("dp_1", payment_intent=PI, amount=500, status="lost")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, stripe_event("charge.dispute.closed", lost))
    client.force_login(connected)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "The $5.00 dispute over a $5.00 tip from Bob Reader was lost" in html
    assert "went back to the reader’s bank" in html
