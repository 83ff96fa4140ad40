"""Emails about money: receipts, failed and ended pledges, refunds, payout decisions, and
money that moved at the payment provider (to the creator and to staff).

Each function is a background job (core.jobs): it takes ids, reads the rows afresh and sends
one plain-text email, recorded under a key naming the event (core.mail.send_once) so that a
job that runs again does not send it twice. A person without an email address is skipped.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from core.jobs import job
from core.links import absolute
from core.mail import send_once
from support.models import MoneyNotice, PayoutRequest, Pledge, PledgePayment, Tip
from support.selectors import money_staff


def _send(*, key: str, to: str, subject: str, template: str, **context: object) -> None:
    if not to:
        return
    context["SITE_NAME"] = settings.SITE_NAME
    body = render_to_string(f"emails/{template}", context)
    send_once(f"support.{key}", EmailMessage(subject, body, None, [to]))


@job
def send_tip_receipt(*, tip_id: int) -> None:
    tip = Tip.objects.select_related("creator", "supporter", "story").get(pk=tip_id)
    _send(
        key=f"tip_receipt:{tip.pk}",
        to=tip.receipt_email,
        subject=f"Receipt: your {tip.display_amount} tip to {tip.creator.name}",
        template="support_tip_receipt.txt",
        tip=tip,
        creator_url=absolute(tip.creator.get_absolute_url()),
    )


def _payment(payment_id: int) -> PledgePayment:
    return PledgePayment.objects.select_related("pledge__creator", "pledge__supporter").get(
        pk=payment_id
    )


@job
def send_pledge_receipt(*, payment_id: int) -> None:
    payment = _payment(payment_id)
    pledge = payment.pledge
    _send(
        key=f"pledge_receipt:{payment.pk}",
        to=pledge.supporter.email,
        subject=f"Receipt: your {payment.display_amount} pledge to {pledge.creator.name}",
        template="support_pledge_receipt.txt",
        payment=payment,
        pledge=pledge,
        creator_url=absolute(pledge.creator.get_absolute_url()),
    )


@job
def send_renewal_failed(*, payment_id: int) -> None:
    payment = _payment(payment_id)
    pledge = payment.pledge
    _send(
        key=f"renewal_failed:{payment.pk}",
        to=pledge.supporter.email,
        subject=f"Your monthly pledge to {pledge.creator.name} could not be paid",
        template="support_renewal_failed.txt",
        payment=payment,
        pledge=pledge,
        creator_url=absolute(pledge.creator.get_absolute_url()),
    )


@job
def send_pledge_ended(*, pledge_id: int, unpaid: bool) -> None:
    """Only for pledges that end without the reader asking (a cancellation was their choice)."""
    pledge = Pledge.objects.select_related("creator", "supporter").get(pk=pledge_id)
    _send(
        key=f"pledge_ended:{pledge.pk}",
        to=pledge.supporter.email,
        subject=f"Your monthly pledge to {pledge.creator.name} has ended",
        template="support_pledge_ended.txt",
        pledge=pledge,
        unpaid=unpaid,
        creator_url=absolute(pledge.creator.get_absolute_url()),
    )


@job
def send_refund_notice(*, tip_id: int | None = None, payment_id: int | None = None) -> None:
    if tip_id is not None:
        tip = Tip.objects.select_related("creator", "supporter").get(pk=tip_id)
        to, creator, amount, noun = tip.receipt_email, tip.creator, tip.display_amount, "tip"
        what, key = "tip", f"refund:tip:{tip.pk}"
    else:
        payment = _payment(payment_id)
        to, creator = payment.pledge.supporter.email, payment.pledge.creator
        amount, noun = payment.display_amount, "pledge payment"
        what = f"monthly pledge payment for {payment.period_start:%B %Y}"
        key = f"refund:payment:{payment.pk}"
    _send(
        key=key,
        to=to,
        subject=f"Refund: your {amount} {noun} to {creator.name}",
        template="support_refund.txt",
        creator=creator,
        amount=amount,
        what=what,
    )


@job
def send_payout_decision(*, payout_id: int) -> None:
    payout = PayoutRequest.objects.select_related("creator").get(pk=payout_id)
    paid = payout.status == PayoutRequest.Status.PAID
    _send(
        # A payout can be held, then held again or paid: each decision is its own email.
        key=f"payout:{payout.pk}:{payout.status}:{payout.decided_at}",
        to=payout.creator.email,
        subject=f"Your {payout.display_amount} payout "
        + ("is on its way" if paid else "is on hold"),
        template="support_payout_decision.txt",
        payout=payout,
        paid=paid,
    )


@job
def send_money_notice(*, notice_id: int) -> None:
    """Money moved at the provider: the creator hears with the amounts and the reason, and so
    does each staff member who handles refunds and payouts."""
    notice = MoneyNotice.objects.select_related("creator").get(pk=notice_id)
    creator = notice.creator
    _send(
        key=f"money:{notice.pk}:creator",
        to=creator.email,
        subject=f"{notice.summary[:150]}",
        template="support_money_notice.txt",
        notice=notice,
        name=creator.name,
        for_staff=False,
        url=absolute(reverse("support:wallet")),
    )
    admin_url = absolute(reverse("admin:support_moneynotice_change", args=[notice.pk]))
    for staff in money_staff():
        _send(
            key=f"money:{notice.pk}:staff:{staff.pk}",
            to=staff.email,
            subject=f"[{creator.username}] {notice.summary[:150]}",
            template="support_money_notice.txt",
            notice=notice,
            name=staff.name,
            for_staff=True,
            url=admin_url,
        )
