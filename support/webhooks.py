"""Applying Stripe's webhook events, each exactly once.

The view (support.views.stripe_webhook) has already checked the signature and the timestamp;
`stripe_event_process` takes the verified event as a plain dict. It records the event id and
applies the event in one transaction: the unique event id means a retry, a replay or the same
event delivered twice at once inserts nothing the second time and changes nothing. If applying
fails, the record rolls back with it, the view answers 500 and Stripe delivers again later.

Handled: checkout.session.completed / async_payment_succeeded (a tip paid, a pledge's
subscription started), checkout.session.async_payment_failed / expired (a tip that will not be
paid, an abandoned pledge), invoice.paid (a pledge's month paid: first or renewal),
invoice.payment_failed, customer.subscription.deleted (a pledge ended) and account.updated (a
creator's payout account). Other types are recorded as ignored.

Money that moves outside Byline (issue 20): charge.refunded, refund.created / refund.updated
(refunds made in Stripe's dashboard, full or partial, and refunds that fail),
charge.dispute.created / funds_withdrawn / funds_reinstated / closed (a hold on the creator's
share while the dispute is open, a reversal if it is lost), transfer.reversed (a payout
coming back), payout.failed on a connected account, account.updated with payouts switched off,
and account.application.deauthorized. Each ledger row they add is keyed by Stripe's object
(support.services), so it is counted once whichever events report it.

Out of order: an event about a payment or transfer Byline has not recorded yet (a refund whose
checkout.session.completed is still on its way) is PARKED, not lost: it is kept with the id it
waits for, and applied, once, in the transaction of the event that records that payment (or
by the reconciliation job, `parked_events_retry`, for payouts and anything left over).

A correctly signed event whose fields are not the shapes Stripe sends (``"data": "zzz"``, a
list where an object belongs) raises MalformedEvent: the record rolls back with it, and the
view answers 400 and logs why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from support import services
from support.gateways import get_gateway
from support.models import (
    Dispute,
    Gateway,
    PayoutRequest,
    Pledge,
    PledgePayment,
    StripeEvent,
    Tip,
)

logger = logging.getLogger(__name__)

Outcome = StripeEvent.Outcome
Result = tuple[str, str]  # (outcome, note)

DUPLICATE = "duplicate"


class MalformedEvent(ValueError):
    """A verified event with a field of the wrong shape; nothing of it is recorded."""


class Parked(Exception):
    """The event is about a payment or transfer not recorded yet: keep it until it is."""

    def __init__(self, reference: str, note: str) -> None:
        super().__init__(note)
        self.reference, self.note = reference, note


# Readers of one field each: a missing or null field is empty, a field of another type is a
# MalformedEvent naming it, so no handler meets a list where it expects an object.


def _wrong(key: str, value: Any, wanted: str) -> MalformedEvent:
    return MalformedEvent(f"{key} is {type(value).__name__}, not {wanted}")


def _field(obj: dict, key: str, kind: type, empty: Any, wanted: str) -> Any:
    """`obj[key]` if it is a `kind`, `empty` if it is missing or null; MalformedEvent else."""
    value = obj.get(key)
    if value is None:
        return empty
    if not isinstance(value, kind):
        raise _wrong(key, value, wanted)
    return value


def _object(obj: dict, key: str) -> dict:
    return _field(obj, key, dict, {}, "an object")


def _list(obj: dict, key: str) -> list:
    return _field(obj, key, list, [], "a list")


def _str(obj: dict, key: str) -> str:
    return _field(obj, key, str, "", "a string")


def _int(obj: dict, key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(key, value, "an integer")
    return value


def _moment(obj: dict, key: str) -> datetime | None:
    timestamp = _int(obj, key)
    if not timestamp:
        return None
    try:
        return datetime.fromtimestamp(timestamp, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEvent(f"{key} is not a time: {timestamp}") from None


def _id(obj: dict, key: str) -> str:
    """An id from a field that may be expanded into an object."""
    if isinstance(obj.get(key), dict):
        return _str(obj[key], "id")
    return _str(obj, key)


def _metadata_id(obj: dict, key: str) -> int | None:
    raw = _object(obj, "metadata").get(key)
    return int(raw) if raw and str(raw).isdigit() else None


# --- tips and subscriptions started through Checkout ---------------------------------------


def _session_tip(session: dict) -> Tip | None:
    tip_id = _metadata_id(session, "tip_id")
    tips = Tip.objects.filter(gateway=Gateway.STRIPE)
    if tip_id is not None:
        return tips.filter(pk=tip_id).first()
    return tips.filter(gateway_reference=_str(session, "id")).first()


def _session_pledge(session: dict) -> Pledge | None:
    pledge_id = _metadata_id(session, "pledge_id")
    pledges = Pledge.objects.filter(gateway=Gateway.STRIPE)
    if pledge_id is not None:
        return pledges.filter(pk=pledge_id).first()
    return pledges.filter(checkout_reference=_str(session, "id")).first()


def checkout_completed(session: dict, event_id: str) -> Result:
    if session.get("mode") == "subscription":
        pledge = _session_pledge(session)
        if pledge is None:
            return Outcome.IGNORED, "no pledge for this checkout session"
        subscription_id = _id(session, "subscription")
        with transaction.atomic():
            pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
            if subscription_id and not pledge.gateway_reference:
                pledge.gateway_reference = subscription_id
                pledge.save(update_fields=["gateway_reference"])
        # The month itself is recorded by invoice.paid, which carries its period.
        return Outcome.APPLIED, ""
    tip = _session_tip(session)
    if tip is None:
        return Outcome.IGNORED, "no tip for this checkout session"
    if session.get("payment_status") != "paid":
        # Bank debits and the like: checkout.session.async_payment_succeeded follows.
        return Outcome.IGNORED, f"payment status {session.get('payment_status')!r}"
    services.tip_paid(
        tip=tip,
        payment_reference=_id(session, "payment_intent"),
        amount=_int(session, "amount_total"),
        currency=_str(session, "currency") or None,
        event_id=event_id,
    )
    return Outcome.APPLIED, ""


def checkout_not_paid(session: dict, event_id: str) -> Result:
    if session.get("mode") == "subscription":
        pledge = _session_pledge(session)
        if pledge is None or pledge.status != Pledge.Status.PENDING:
            return Outcome.IGNORED, "no pending pledge for this checkout session"
        services.pledge_ended(pledge=pledge)
        return Outcome.APPLIED, ""
    tip = _session_tip(session)
    if tip is None:
        return Outcome.IGNORED, "no tip for this checkout session"
    services.tip_failed(tip=tip)
    return Outcome.APPLIED, ""


# --- pledges: invoices and subscriptions ---------------------------------------------------


def _invoice_subscription(invoice: dict) -> tuple[str, dict]:
    """The subscription id and its metadata: under `parent` since API 2025-03-31, at the top
    level before."""
    details = _object(_object(invoice, "parent"), "subscription_details")
    subscription = _id(details, "subscription") or _id(invoice, "subscription")
    metadata = _object(details, "metadata") or _object(
        _object(invoice, "subscription_details"), "metadata"
    )
    return subscription, metadata


def _invoice_pledge(invoice: dict) -> Pledge | None:
    subscription_id, metadata = _invoice_subscription(invoice)
    if not subscription_id:
        return None
    pledges = Pledge.objects.filter(gateway=Gateway.STRIPE)
    pledge = pledges.filter(gateway_reference=subscription_id).first()
    if pledge is None and str(metadata.get("pledge_id", "")).isdigit():
        # The invoice got here before checkout.session.completed: link the subscription now.
        pledge = pledges.filter(pk=int(metadata["pledge_id"]), gateway_reference="").first()
        if pledge is not None:
            pledges.filter(pk=pledge.pk).update(gateway_reference=subscription_id)
            pledge.gateway_reference = subscription_id
    return pledge


def _invoice_period(invoice: dict) -> tuple[datetime | None, datetime | None]:
    lines = _list(_object(invoice, "lines"), "data")
    if lines and not isinstance(lines[0], dict):
        raise _wrong("lines.data[0]", lines[0], "an object")
    period = _object(lines[0], "period") if lines else {}
    start = _moment(period, "start") or _moment(invoice, "period_start")
    end = _moment(period, "end") or _moment(invoice, "period_end")
    return start, end


def invoice_paid(invoice: dict, event_id: str) -> Result:
    pledge = _invoice_pledge(invoice)
    if pledge is None:
        if _invoice_subscription(invoice)[0]:
            # Money arrived for a subscription we cannot place: staff must look at it.
            logger.error("Stripe invoice %s paid for an unknown pledge", _str(invoice, "id"))
        return Outcome.IGNORED, "not a pledge's invoice"
    amount = _int(invoice, "amount_paid") or 0
    if amount <= 0:
        return Outcome.IGNORED, "nothing was paid"
    start, end = _invoice_period(invoice)
    if start is None or end is None or end <= start:
        raise ValueError(f"invoice {_str(invoice, 'id')} has no usable period")
    services.pledge_paid(
        pledge=pledge,
        amount=amount,
        currency=_str(invoice, "currency") or pledge.currency,
        period_start=start,
        period_end=end,
        gateway_reference=_str(invoice, "id"),
        payment_reference=_invoice_payment_intent(invoice),
        event_id=event_id,
    )
    return Outcome.APPLIED, ""


def _invoice_payment_intent(invoice: dict) -> str:
    """The PaymentIntent that paid an invoice: on the invoice before API 2025-03-31, under its
    `payments` list (when included) since. A refund or dispute names the payment by it."""
    intent = _id(invoice, "payment_intent")
    for item in _list(_object(invoice, "payments"), "data"):
        if not intent and isinstance(item, dict):
            intent = _id(_object(item, "payment"), "payment_intent")
    return intent


def invoice_payment_failed(invoice: dict, event_id: str) -> Result:
    pledge = _invoice_pledge(invoice)
    if pledge is None:
        return Outcome.IGNORED, "not a pledge's invoice"
    start, end = _invoice_period(invoice)
    now = timezone.now()
    error = _str(_object(invoice, "last_finalization_error"), "message")
    services.pledge_payment_failed(
        pledge=pledge,
        amount=_int(invoice, "amount_due") or pledge.amount,
        currency=_str(invoice, "currency") or pledge.currency,
        period_start=start or now,
        period_end=end if end and start and end > start else now,
        failure_message=error or "Your card was declined.",
        gateway_reference=_str(invoice, "id"),
        # Stripe retries by itself and, when it gives up, ends the subscription (which
        # arrives as customer.subscription.deleted).
        retry_at=_moment(invoice, "next_payment_attempt"),
    )
    return Outcome.APPLIED, ""


def subscription_deleted(subscription: dict, event_id: str) -> Result:
    pledge = Pledge.objects.filter(
        gateway=Gateway.STRIPE, gateway_reference=_str(subscription, "id")
    ).first()
    if pledge is None:
        return Outcome.IGNORED, "no pledge for this subscription"
    services.pledge_ended(pledge=pledge)
    return Outcome.APPLIED, ""


def account_updated(account: dict, event_id: str, event: dict) -> Result:
    """account.updated: a snapshot of the account; one older than the last applied (Stripe does
    not promise order) is left alone."""
    done = services.support_settings_sync(
        stripe_account_id=_str(account, "id"),
        payouts_enabled=bool(account.get("payouts_enabled")),
        disabled_reason=_str(_object(account, "requirements"), "disabled_reason"),
        event_id=event_id,
        reported_at=_moment(event, "created"),
    )
    if done == "stale":
        return Outcome.IGNORED, "older than the account state already applied"
    return (Outcome.APPLIED, "") if done else (Outcome.IGNORED, "not a creator's account")


# --- money that moves outside Byline -----------------------------------------------------


PAID_TIP = (Tip.Status.SUCCEEDED, Tip.Status.REFUNDED)


def _payment_for(intent: str, invoice: str = "") -> Tip | PledgePayment | None:
    """The paid tip or pledge payment a PaymentIntent (or, for a pledge, an invoice) paid."""
    if intent:
        tip = Tip.objects.filter(
            gateway=Gateway.STRIPE, payment_reference=intent, status__in=PAID_TIP
        ).first()
        if tip is not None:
            return tip
        payment = PledgePayment.objects.filter(
            gateway=Gateway.STRIPE, payment_reference=intent, status__in=PledgePayment.PAID
        ).first()
        if payment is not None:
            return payment
    if invoice:
        return PledgePayment.objects.filter(
            gateway=Gateway.STRIPE, gateway_reference=invoice, status__in=PledgePayment.PAID
        ).first()
    return None


def _payment_or_park(obj: dict, *, charge_id: str) -> Tip | PledgePayment:
    intent, invoice = _id(obj, "payment_intent"), _id(obj, "invoice")
    payment = _payment_for(intent, invoice)
    if payment is None:
        waiting = intent or invoice or charge_id
        if not waiting:
            raise MalformedEvent("the event names no payment_intent or charge")
        raise Parked(waiting, f"waiting for payment {waiting}")
    return payment


def _apply_refund(refund: dict, payment: Tip | PledgePayment, event_id: str) -> bool:
    refund_id, status = _str(refund, "id"), _str(refund, "status")
    if not refund_id:
        raise MalformedEvent("a refund has no id")
    if status in ("failed", "canceled"):
        reason = _str(refund, "failure_reason").replace("_", " ")
        return bool(
            services.refund_failed(
                payment=payment, refund_id=refund_id, reason=reason, event_id=event_id
            )
        )
    amount = _int(refund, "amount") or 0
    return bool(
        services.refund_recorded(
            payment=payment,
            refund_id=refund_id,
            amount=amount,
            reason=_str(refund, "reason").replace("_", " "),
            event_id=event_id,
        )
    )


def charge_refunded(charge: dict, event_id: str) -> Result:
    """charge.refunded: one or more refunds of the charge, full or partial. The refunds are
    listed on the charge in older API versions; otherwise (or when the list goes on past its
    first page) they are read from Stripe."""
    charge_id = _str(charge, "id")
    payment = _payment_or_park(charge, charge_id=charge_id)
    listed = charge.get("refunds")
    if isinstance(listed, dict) and "data" in listed and not listed.get("has_more"):
        refunds = _list(listed, "data")
    else:
        refunds = get_gateway(Gateway.STRIPE).refunds_of(charge_id=charge_id)
    changed = 0
    for refund in refunds:
        if not isinstance(refund, dict):
            raise _wrong("refunds.data[]", refund, "an object")
        changed += _apply_refund(refund, payment, event_id)
    return (Outcome.APPLIED, "") if changed else (Outcome.IGNORED, "refunds already counted")


def refund_changed(refund: dict, event_id: str) -> Result:
    """refund.created / refund.updated: one refund, new, or failed or cancelled later."""
    payment = _payment_or_park(refund, charge_id=_id(refund, "charge"))
    if _apply_refund(refund, payment, event_id):
        return Outcome.APPLIED, ""
    return Outcome.IGNORED, "refund already counted"


def _dispute(dispute: dict, event_id: str) -> Dispute:
    """The dispute Byline keeps for Stripe's, opened (and its hold made) if this is the first
    we hear of it, whichever event that is."""
    found = Dispute.objects.filter(gateway_reference=_str(dispute, "id")).first()
    if found is not None:
        return found
    if not _str(dispute, "id"):
        raise MalformedEvent("the dispute has no id")
    payment = _payment_or_park(dispute, charge_id=_id(dispute, "charge"))
    return services.dispute_opened(
        payment=payment,
        dispute_id=_str(dispute, "id"),
        amount=_int(dispute, "amount") or 0,
        reason=_str(dispute, "reason"),
        provider_status=_str(dispute, "status"),
        event_id=event_id,
    )


def dispute_opened(dispute: dict, event_id: str) -> Result:
    """charge.dispute.created and funds_withdrawn: the hold (once)."""
    known = Dispute.objects.filter(gateway_reference=_str(dispute, "id")).exists()
    _dispute(dispute, event_id)
    return (Outcome.IGNORED, "dispute already held") if known else (Outcome.APPLIED, "")


# Stripe's closing statuses: an inquiry closed without a chargeback keeps the money.
WON = ("won", "warning_closed")


def dispute_closed(dispute: dict, event_id: str) -> Result:
    """charge.dispute.closed: won (hold released) or lost (a reversal)."""
    status = _str(dispute, "status")
    if status not in (*WON, "lost"):
        return Outcome.IGNORED, f"dispute status {status!r} is not closed"
    found = _dispute(dispute, event_id)
    if found.status != Dispute.Status.OPEN:
        return Outcome.IGNORED, f"dispute already {found.status}"
    services.dispute_closed(
        dispute=found, won=status in WON, provider_status=status, event_id=event_id
    )
    return Outcome.APPLIED, ""


def dispute_funds_reinstated(dispute: dict, event_id: str) -> Result:
    """charge.dispute.funds_reinstated: Stripe gave the money back, so the hold goes."""
    found = _dispute(dispute, event_id)
    if found.status != Dispute.Status.OPEN:
        return Outcome.IGNORED, f"dispute already {found.status}"
    services.dispute_closed(
        dispute=found, won=True, provider_status=_str(dispute, "status"), event_id=event_id
    )
    return Outcome.APPLIED, ""


def transfer_reversed(transfer: dict, event_id: str) -> Result:
    """transfer.reversed: (part of) a payout came back from the creator's account."""
    transfer_id = _str(transfer, "id")
    payouts = PayoutRequest.objects.filter(gateway=Gateway.STRIPE)
    payout = payouts.filter(gateway_reference=transfer_id).first() if transfer_id else None
    if payout is None:
        if not transfer_id:
            raise MalformedEvent("the transfer has no id")
        raise Parked(transfer_id, f"waiting for payout {transfer_id}")
    reversals = _list(_object(transfer, "reversals"), "data")
    changed = 0
    for reversal in reversals:
        if not isinstance(reversal, dict):
            raise _wrong("reversals.data[]", reversal, "an object")
        changed += bool(
            services.payout_returned(
                payout=payout,
                reversal_id=_str(reversal, "id"),
                amount=_int(reversal, "amount") or 0,
                transfer_id=transfer_id,
                event_id=event_id,
            )
        )
    if not reversals:
        # No list: the running total names the state, so the same total counts once.
        total = _int(transfer, "amount_reversed") or 0
        returned = sum(
            payout.ledger_entries.filter(kind="payout_returned").values_list("amount", flat=True)
        )
        if total > returned:
            changed += bool(
                services.payout_returned(
                    payout=payout,
                    reversal_id=f"{transfer_id}:total:{total}",
                    amount=total - returned,
                    transfer_id=transfer_id,
                    event_id=event_id,
                )
            )
    return (Outcome.APPLIED, "") if changed else (Outcome.IGNORED, "reversals already counted")


def payout_failed(payout: dict, event_id: str, event: dict) -> Result:
    """payout.failed on a connected account: the creator's bank refused Stripe's payout."""
    account = _str(event, "account")
    if not account:
        return Outcome.IGNORED, "the platform's own payout"
    failure = _str(payout, "failure_message") or _str(payout, "failure_code").replace("_", " ")
    found = services.bank_payout_failed(
        stripe_account_id=account,
        payout_id=_str(payout, "id"),
        amount=_int(payout, "amount") or 0,
        currency=_str(payout, "currency") or "usd",
        failure=failure or "The bank refused the payout.",
    )
    return (Outcome.APPLIED, "") if found else (Outcome.IGNORED, "not a creator's account")


def application_deauthorized(application: dict, event_id: str, event: dict) -> Result:
    """account.application.deauthorized: the creator's account left the platform."""
    account = _str(event, "account")
    found = account and services.payout_account_disconnected(
        stripe_account_id=account, event_id=event_id
    )
    return (Outcome.APPLIED, "") if found else (Outcome.IGNORED, "not a creator's account")


# Handlers that read the event itself: its `account` (Connect events about a creator's own
# account) or its `created` (to tell a late snapshot from a newer one).
EVENT_HANDLERS: dict[str, Callable[[dict, str, dict], Result]] = {
    "payout.failed": payout_failed,
    "account.application.deauthorized": application_deauthorized,
    "account.updated": account_updated,
}


HANDLERS: dict[str, Callable[[dict, str], Result]] = {
    "charge.refunded": charge_refunded,
    "refund.created": refund_changed,
    "refund.updated": refund_changed,
    "charge.refund.updated": refund_changed,
    "charge.dispute.created": dispute_opened,
    "charge.dispute.funds_withdrawn": dispute_opened,
    "charge.dispute.funds_reinstated": dispute_funds_reinstated,
    "charge.dispute.closed": dispute_closed,
    "transfer.reversed": transfer_reversed,
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": checkout_completed,
    "checkout.session.async_payment_failed": checkout_not_paid,
    "checkout.session.expired": checkout_not_paid,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.deleted": subscription_deleted,
}


def _apply(event: dict) -> tuple[str, str, str]:
    """Run the event's handler in a savepoint: (outcome, note, id it waits for if parked)."""
    obj = _object(_object(event, "data"), "object")
    handler = HANDLERS.get(event["type"])
    whole = EVENT_HANDLERS.get(event["type"])
    if handler is None and whole is None:
        return Outcome.IGNORED, "event type not handled", ""
    try:
        with transaction.atomic():
            if whole is not None:
                outcome, note = whole(obj, event["id"], event)
            else:
                outcome, note = handler(obj, event["id"])
    except Parked as parked:
        return Outcome.PARKED, parked.note, parked.reference
    except ValidationError as error:
        # A payment that does not match what we asked for: log loudly, write nothing.
        logger.error("Stripe event %s refused: %s", event["id"], error.messages)
        return Outcome.IGNORED, "; ".join(error.messages), ""
    return outcome, note, ""


@transaction.atomic
def stripe_event_process(*, event: dict) -> str:
    """Apply a verified event once; returns "applied", "ignored", "parked" or "duplicate".

    Raises if applying fails; nothing is recorded then, so a later delivery tries again.
    MalformedEvent, raised before anything is written or from inside a handler, says which
    field was of the wrong shape. An event that makes a payment known applies, in the same
    transaction, the parked events that waited for it.
    """
    _object(_object(event, "data"), "object")  # the shape, checked before anything is written
    try:
        # The savepoint lets the transaction go on after a duplicate; on PostgreSQL a second
        # delivery arriving at the same moment waits here for the first to commit or roll back.
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event["id"],
                type=event["type"],
                livemode=bool(event.get("livemode")),
                payload=event,
            )
    except IntegrityError:
        return DUPLICATE
    outcome, note, waiting_for = _apply(event)
    record.outcome, record.note, record.processed_at = outcome, note[:500], timezone.now()
    record.waiting_for = waiting_for[:255]
    record.save(update_fields=["outcome", "note", "processed_at", "waiting_for"])
    if outcome == Outcome.APPLIED and event["type"] in RECORDS_PAYMENTS:
        parked_events_retry()
    return outcome


# Events that record a payment, after which parked events may find theirs.
RECORDS_PAYMENTS = frozenset(
    {"checkout.session.completed", "checkout.session.async_payment_succeeded", "invoice.paid"}
)


def _known(reference: str) -> bool:
    """Whether Byline has recorded the payment or payout a parked event waits for."""
    if PayoutRequest.objects.filter(gateway=Gateway.STRIPE, gateway_reference=reference).exists():
        return True
    return _payment_for(reference, reference) is not None


def parked_events_retry(*, limit: int = 200) -> int:
    """Apply the parked events whose payment or payout is now recorded, oldest first, each
    once (its row is locked and must still be parked); returns how many were applied."""
    applied = 0
    waiting = StripeEvent.objects.filter(outcome=Outcome.PARKED).order_by("received_at", "pk")
    known: dict[str, bool] = {}
    for pk, reference in waiting.values_list("pk", "waiting_for")[:limit]:
        if reference not in known:
            known[reference] = _known(reference)
        if not known[reference]:
            continue
        with transaction.atomic():
            record = StripeEvent.objects.select_for_update().filter(pk=pk).first()
            if record is None or record.outcome != Outcome.PARKED:
                continue
            try:
                with transaction.atomic():
                    outcome, note, waiting_for = _apply(record.payload)
            except MalformedEvent as error:
                outcome, note, waiting_for = Outcome.IGNORED, f"malformed: {error}", ""
            except Exception:
                # It must not undo the event that recorded its payment: left parked, retried by
                # the next reconciliation, and logged for staff.
                logger.exception("Parked Stripe event %s failed to apply", record.event_id)
                continue
            record.outcome, record.note = outcome, f"after waiting: {note}".rstrip(": ")[:500]
            record.waiting_for, record.processed_at = waiting_for[:255], timezone.now()
            record.save(update_fields=["outcome", "note", "waiting_for", "processed_at"])
            applied += outcome == Outcome.APPLIED
    return applied
