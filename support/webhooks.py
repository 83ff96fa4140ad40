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
from support.models import Gateway, Pledge, StripeEvent, Tip

logger = logging.getLogger(__name__)

Outcome = StripeEvent.Outcome
Result = tuple[str, str]  # (outcome, note)

DUPLICATE = "duplicate"


class MalformedEvent(ValueError):
    """A verified event with a field of the wrong shape; nothing of it is recorded."""


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
        payment_reference=_id(invoice, "payment_intent"),
        event_id=event_id,
    )
    return Outcome.APPLIED, ""


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


def account_updated(account: dict, event_id: str) -> Result:
    found = services.support_settings_sync(
        stripe_account_id=_str(account, "id"),
        payouts_enabled=bool(account.get("payouts_enabled")),
    )
    return (Outcome.APPLIED, "") if found else (Outcome.IGNORED, "not a creator's account")


HANDLERS: dict[str, Callable[[dict, str], Result]] = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": checkout_completed,
    "checkout.session.async_payment_failed": checkout_not_paid,
    "checkout.session.expired": checkout_not_paid,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.deleted": subscription_deleted,
    "account.updated": account_updated,
}


@transaction.atomic
def stripe_event_process(*, event: dict) -> str:
    """Apply a verified event once; returns "applied", "ignored" or "duplicate".

    Raises if applying fails; nothing is recorded then, so a later delivery tries again.
    MalformedEvent, raised before anything is written or from inside a handler, says which
    field was of the wrong shape.
    """
    obj = _object(_object(event, "data"), "object")
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
    handler = HANDLERS.get(event["type"])
    if handler is None:
        outcome, note = Outcome.IGNORED, "event type not handled"
    else:
        try:
            outcome, note = handler(obj, event["id"])
        except ValidationError as error:
            # A payment that does not match what we asked for: log loudly, write nothing.
            logger.error("Stripe event %s refused: %s", event["id"], error.messages)
            outcome, note = Outcome.IGNORED, "; ".join(error.messages)
    record.outcome, record.note, record.processed_at = outcome, note[:500], timezone.now()
    record.save(update_fields=["outcome", "note", "processed_at"])
    return outcome
