"""Reconciliation: the ledger compared with the payment provider's own record of money moved.

`reconcile` asks the gateway for the balance transactions of the last N days (Stripe's
BalanceTransaction list; the offline gateway's own ProviderRecord rows), adds them up per
object the ledger knows (a PaymentIntent, a refund, a dispute, a transfer) and compares them
with the ledger's rows for the same objects: a charge is its CHARGE row, a refund its REFUND
less any REFUND_FAILED, a payout its PAYOUT less any PAYOUT_RETURNED, a dispute what its
Dispute says the provider withdrew (nothing once won). Fees are not compared: the platform's
fee is Byline's own bookkeeping and Stripe's processing fees are the platform's cost.

Every disagreement becomes a Difference for staff, listed once while it is open however often
the job runs; staff resolve each with a reason in the admin, and a resolved one is not listed
again unless its amounts change. Movements of the last SETTLE
minutes are left for the next run, as their webhooks may still be on their way, and so are
ledger rows from the first MARGIN of the window, whose provider side may fall just before it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from support.gateways import Movement, PaymentGateway, get_gateway
from support.models import Difference, Dispute, LedgerEntry, StripeEvent

logger = logging.getLogger(__name__)

Kind = LedgerEntry.Kind

SETTLE = timedelta(minutes=30)
MARGIN = timedelta(minutes=30)
DEFAULT_DAYS = 7

# Ledger kinds the provider also sees, as (what, sign in the platform's account).
COMPARED = {
    Kind.CHARGE: ("charge", 1),
    Kind.REFUND: ("refund", -1),
    Kind.REFUND_FAILED: ("refund", 1),
    Kind.PAYOUT: ("transfer", -1),
    Kind.PAYOUT_RETURNED: ("transfer", 1),
}

Key = tuple[str, str]  # (reference, currency)


@dataclass(frozen=True)
class Found:
    kind: str  # Difference.Kind
    reference: str
    what: str
    ledger_amount: int
    provider_amount: int
    currency: str


def provider_totals(movements: Iterable[Movement], *, until: datetime) -> dict[Key, tuple]:
    """(what, signed total) per object, leaving out objects that moved after `until`."""
    totals: dict[Key, list] = {}
    late: set[Key] = set()
    for movement in movements:
        key = (movement.reference, movement.currency)
        if movement.created > until:
            late.add(key)
        entry = totals.setdefault(key, [movement.what, 0])
        entry[1] += movement.amount
    return {key: tuple(value) for key, value in totals.items() if key not in late}


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def ledger_totals(
    *, gateway: str, references: Iterable[str], since: datetime, until: datetime
) -> dict[Key, tuple]:
    """(what, signed total) per object in the ledger: every object the provider listed, and
    every one the ledger moved inside the window (from `since` to `until`)."""
    of_gateway = Q(tip__gateway=gateway) | Q(pledge_payment__gateway=gateway)
    of_gateway |= Q(payout__gateway=gateway)
    rows = LedgerEntry.objects.filter(of_gateway, kind__in=list(COMPARED)).exclude(
        gateway_reference=""
    )
    fields = ("pk", "kind", "amount", "currency", "gateway_reference")
    found = {
        row[0]: row for row in rows.filter(created_at__range=(since, until)).values_list(*fields)
    }
    for chunk in _chunks(sorted(set(references))):
        found.update(
            (row[0], row) for row in rows.filter(gateway_reference__in=chunk).values_list(*fields)
        )
    totals: dict[Key, list] = {}
    for _, kind, amount, currency, reference in found.values():
        what, sign = COMPARED[kind]
        entry = totals.setdefault((reference, currency), [what, 0])
        entry[1] += sign * amount
    disputes = Dispute.objects.filter(
        Q(opened_at__range=(since, until)) | Q(gateway_reference__in=list(references))
    )
    if gateway != "stripe":
        disputes = disputes.none()
    for dispute in disputes:
        # An inquiry (Stripe's "warning_…") withdraws nothing; a won dispute gave it back.
        withdrawn = not (
            dispute.status == Dispute.Status.WON or dispute.provider_status.startswith("warning")
        )
        totals[(dispute.gateway_reference, dispute.currency)] = [
            "dispute",
            -dispute.amount if withdrawn else 0,
        ]
    return {key: tuple(value) for key, value in totals.items()}


def compare(ledger: dict[Key, tuple], provider: dict[Key, tuple]) -> list[Found]:
    """Every object on which the two sides disagree, sorted by reference."""
    found = []
    for key in sorted(set(ledger) | set(provider)):
        reference, currency = key
        in_ledger, at_provider = ledger.get(key), provider.get(key)
        if in_ledger is None:
            what, amount = at_provider
            found.append(
                Found(Difference.Kind.MISSING_IN_LEDGER, reference, what, 0, amount, currency)
            )
        elif at_provider is None:
            what, amount = in_ledger
            if amount:
                found.append(
                    Found(Difference.Kind.MISSING_AT_PROVIDER, reference, what, amount, 0, currency)
                )
        elif in_ledger[1] != at_provider[1]:
            found.append(
                Found(
                    Difference.Kind.AMOUNT,
                    reference,
                    in_ledger[0],
                    in_ledger[1],
                    at_provider[1],
                    currency,
                )
            )
    return found


def _parked(until: datetime) -> list[Found]:
    """Events still waiting for a payment Byline never recorded: money it may not know of."""
    parked = StripeEvent.objects.filter(outcome=StripeEvent.Outcome.PARKED, received_at__lte=until)
    return [
        Found(Difference.Kind.PARKED, event.waiting_for, event.type[:50], 0, 0, "")
        for event in parked.order_by("received_at", "pk")
    ]


@transaction.atomic
def record(found: list[Found], *, gateway: str) -> int:
    """Write what was found; an open difference already listed is updated, not repeated.
    Returns how many are new."""
    new = 0
    now = timezone.now()
    for item in found:
        open_one = (
            Difference.objects.select_for_update()
            .filter(
                gateway=gateway,
                reference=item.reference,
                kind=item.kind,
                currency=item.currency,
                resolved_at__isnull=True,
            )
            .first()
        )
        settled = Difference.objects.filter(
            gateway=gateway,
            reference=item.reference,
            kind=item.kind,
            currency=item.currency,
            ledger_amount=item.ledger_amount,
            provider_amount=item.provider_amount,
            resolved_at__isnull=False,
        )
        if open_one is None and settled.exists():
            continue  # staff resolved exactly this already; a change in amounts lists it again
        if open_one is not None:
            open_one.ledger_amount, open_one.provider_amount = (
                item.ledger_amount,
                item.provider_amount,
            )
            open_one.last_seen_at = now
            open_one.save(update_fields=["ledger_amount", "provider_amount", "last_seen_at"])
            continue
        Difference.objects.create(
            gateway=gateway,
            reference=item.reference,
            kind=item.kind,
            what=item.what,
            ledger_amount=item.ledger_amount,
            provider_amount=item.provider_amount,
            currency=item.currency,
            found_at=now,
            last_seen_at=now,
        )
        new += 1
    return new


@dataclass(frozen=True)
class Report:
    gateway: str
    since: datetime
    compared: int  # objects looked at
    found: list[Found]
    new: int
    parked_applied: int


def reconcile(
    *, days: int = DEFAULT_DAYS, gateway: PaymentGateway | None = None, now: datetime | None = None
) -> Report:
    """Compare the last `days` days and list every difference for staff. Safe to run twice."""
    from support.webhooks import parked_events_retry

    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 90:
        raise ValueError("days must be a whole number from 1 to 90")
    gateway = gateway or get_gateway()
    now = now or timezone.now()
    since, until = now - timedelta(days=days), now - SETTLE
    # Events that waited for a payment recorded since then (a payout, say) go first.
    applied = parked_events_retry() if gateway.name == "stripe" else 0
    movements = gateway.balance_movements(since=since)
    provider = provider_totals(movements, until=until)
    ledger = ledger_totals(
        gateway=gateway.name,
        references=[reference for reference, _ in provider],
        since=since + MARGIN,
        until=until,
    )
    found = compare(ledger, provider)
    if gateway.name == "stripe":
        found += _parked(until)
    new = record(found, gateway=gateway.name)
    if found:
        logger.warning("Reconciliation found %d differences (%d new)", len(found), new)
    return Report(gateway.name, since, len(set(ledger) | set(provider)), found, new, applied)
