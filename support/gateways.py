"""Payment gateways: one small interface, an offline implementation and a Stripe one.

Services in support.services are the only callers. A gateway moves money at the payment
provider and reports what happened; it never writes the ledger. The offline gateway (the
default) takes every payment at once without any network, and says it is in test mode so pages
can show a banner. The Stripe gateway sends readers to Stripe Checkout; what they paid comes
back through the signed webhook (support.webhooks), which is where its ledger rows are written.

Stripe's model here is "separate charges and transfers": every payment lands in the platform's
account, the ledger says how much of it is each creator's, and an approved payout request is a
Transfer to the creator's connected (Express) account.
"""

from __future__ import annotations

import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from support.models import (
    Gateway,
    PayoutRequest,
    Pledge,
    PledgePayment,
    ProviderRecord,
    SupportSettings,
    Tip,
)

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """The provider refused the request or could not be reached. The message is for people."""


@dataclass(frozen=True)
class Started:
    """What starting a tip or pledge gave: paid at once, or a page to send the reader to."""

    reference: str  # the gateway's id for the checkout (Stripe: a Checkout Session)
    redirect_url: str = ""
    paid: bool = False
    payment_reference: str = ""  # when paid: the gateway's id for the payment itself


@dataclass(frozen=True)
class Charged:
    """The outcome of charging a pledge's renewal."""

    ok: bool
    reference: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class Movement:
    """One movement of money in the platform's account at the provider, as reconciliation
    compares it with the ledger: signed as the platform sees it (+ in, − out), named by the id
    Byline's ledger knows it by (a PaymentIntent, a refund, a dispute, a transfer)."""

    reference: str
    what: str  # "charge", "refund", "dispute" or "transfer"
    amount: int
    currency: str
    created: datetime


Payment = Tip | PledgePayment


def _source_id(source: Any) -> str:
    if isinstance(source, dict):
        return source.get("id") or ""
    return source if isinstance(source, str) else ""


def stripe_movements(transactions: list[dict]) -> list[Movement]:
    """Stripe's balance transactions (with `source` expanded) as movements; the kinds that are
    not creators' money (Stripe's own fees, the platform's payouts to its bank) are left out.

    A charge is named by its PaymentIntent, as the ledger's CHARGE rows are; a transfer
    reversal by its transfer, so a payout and its return add up under one name.
    """
    movements = []
    for item in transactions:
        kind, category = item.get("type"), item.get("reporting_category", "")
        source = item.get("source")
        what = None
        if kind in ("charge", "payment"):
            what = "charge"
            intent = source.get("payment_intent") if isinstance(source, dict) else None
            reference = _source_id(intent) or _source_id(source)
        elif kind in ("refund", "payment_refund", "refund_failure", "payment_failure_refund"):
            what, reference = "refund", _source_id(source)
        elif kind == "adjustment" and category in ("dispute", "dispute_reversal"):
            what, reference = "dispute", _source_id(source)
        elif kind == "transfer":
            what, reference = "transfer", _source_id(source)
        elif kind in ("transfer_refund", "transfer_cancel", "transfer_failure"):
            what = "transfer"
            transfer = source.get("transfer") if isinstance(source, dict) else None
            reference = _source_id(transfer) or _source_id(source)
        if what is None or not reference:
            continue
        movements.append(
            Movement(
                reference=reference,
                what=what,
                amount=int(item["amount"]),
                currency=str(item["currency"]).lower(),
                created=datetime.fromtimestamp(int(item["created"]), tz=UTC),
            )
        )
    return movements


def _key(kind: str, obj: Any, stamp: Any) -> str:
    # Idempotency keys: the same request retried gives the same key (Stripe then answers once),
    # and the timestamp keeps keys apart when a development database reuses primary keys.
    return f"byline-{kind}-{obj.pk}-{stamp.timestamp():.6f}"


class PaymentGateway(ABC):
    name: ClassVar[str]
    # Pages show a "test mode" banner when this is true: no real money moves.
    is_test_mode: bool
    # Whether a creator must connect a payout account before readers can pay them.
    needs_payout_account: ClassVar[bool]
    # True when Byline itself charges each month's renewal (`renew_pledges`); False when the
    # provider renews and tells us by webhook.
    renews_pledges: ClassVar[bool]

    @abstractmethod
    def start_tip(self, *, tip: Tip, success_url: str, cancel_url: str) -> Started: ...

    @abstractmethod
    def start_pledge(self, *, pledge: Pledge, success_url: str, cancel_url: str) -> Started: ...

    @abstractmethod
    def change_pledge(self, *, pledge: Pledge, amount: int) -> None:
        """From the next monthly payment on, charge `amount`."""

    @abstractmethod
    def cancel_pledge(self, *, pledge: Pledge, at_period_end: bool) -> None: ...

    @abstractmethod
    def resume_pledge(self, *, pledge: Pledge) -> None:
        """Undo a cancellation that has not taken effect yet."""

    @abstractmethod
    def charge_renewal(self, *, pledge: Pledge) -> Charged: ...

    @abstractmethod
    def refund(self, *, payment: Payment, key: str) -> str:
        """Give the whole payment back; returns the gateway's id for the refund."""

    @abstractmethod
    def send_payout(self, *, payout: PayoutRequest, account: SupportSettings) -> str:
        """Send the money to the creator; returns the gateway's id for the transfer."""

    @abstractmethod
    def payout_account_link(
        self, *, account: SupportSettings, return_url: str, refresh_url: str
    ) -> tuple[str, str]:
        """(connected account id, URL where the creator sets it up)."""

    @abstractmethod
    def balance_movements(self, *, since: datetime) -> list[Movement]:
        """Every movement of creators' money in the platform's account since `since`."""

    def refunds_of(self, *, charge_id: str) -> list[dict]:
        """The provider's refunds of one charge, when an event did not list them."""
        return []


class OfflineGateway(PaymentGateway):
    """No provider at all: every payment succeeds at once. For development and demos."""

    name = Gateway.OFFLINE
    is_test_mode = True
    needs_payout_account = False
    renews_pledges = True

    def _reference(self, kind: str) -> str:
        return f"offline_{kind}_{uuid.uuid4().hex}"

    def _record(self, type_: str, amount: int, currency: str) -> str:
        """Keep the gateway's own record of what it moved, as a provider would; the id."""
        reference = self._reference("pay" if type_ == ProviderRecord.Type.CHARGE else type_)
        ProviderRecord.objects.create(
            type=type_, reference=reference, amount=amount, currency=currency
        )
        return reference

    def start_tip(self, *, tip: Tip, success_url: str, cancel_url: str) -> Started:
        paid = self._record(ProviderRecord.Type.CHARGE, tip.amount, tip.currency)
        return Started(self._reference("tip"), paid=True, payment_reference=paid)

    def start_pledge(self, *, pledge: Pledge, success_url: str, cancel_url: str) -> Started:
        paid = self._record(ProviderRecord.Type.CHARGE, pledge.amount, pledge.currency)
        return Started(self._reference("sub"), paid=True, payment_reference=paid)

    def change_pledge(self, *, pledge: Pledge, amount: int) -> None:
        pass

    def cancel_pledge(self, *, pledge: Pledge, at_period_end: bool) -> None:
        pass

    def resume_pledge(self, *, pledge: Pledge) -> None:
        pass

    def charge_renewal(self, *, pledge: Pledge) -> Charged:
        paid = self._record(ProviderRecord.Type.CHARGE, pledge.amount, pledge.currency)
        return Charged(ok=True, reference=paid)

    def refund(self, *, payment: Payment, key: str) -> str:
        return self._record(ProviderRecord.Type.REFUND, -payment.amount, payment.currency)

    def send_payout(self, *, payout: PayoutRequest, account: SupportSettings) -> str:
        return self._record(ProviderRecord.Type.TRANSFER, -payout.amount, payout.currency)

    def payout_account_link(
        self, *, account: SupportSettings, return_url: str, refresh_url: str
    ) -> tuple[str, str]:
        # Nothing to set up: offline payouts need no account.
        return account.stripe_account_id, return_url

    def balance_movements(self, *, since: datetime) -> list[Movement]:
        records = ProviderRecord.objects.filter(created_at__gte=since).order_by("created_at")
        return [Movement(r.reference, r.type, r.amount, r.currency, r.created_at) for r in records]


class StripeGateway(PaymentGateway):
    """Stripe Checkout for tips (one-off) and pledges (monthly subscriptions).

    Calls go through the `stripe` package's module-level resources with the key passed on each
    call (no global key is set), so they use `stripe.default_http_client`, which tests replace
    with a stub: nothing below that client is mocked.
    """

    name = Gateway.STRIPE
    needs_payout_account = True
    renews_pledges = False

    def __init__(self, *, api_key: str) -> None:
        if not api_key:
            raise ImproperlyConfigured("The Stripe gateway needs STRIPE_SECRET_KEY.")
        self.api_key = api_key
        # Stripe test keys move no real money either, so pages say "test mode" for them too.
        self.is_test_mode = api_key.startswith(("sk_test_", "rk_test_"))

    def _call(self, method: Callable[..., Any], *args: Any, **params: Any) -> Any:
        try:
            return method(*args, api_key=self.api_key, **params)
        except stripe.StripeError as error:
            logger.warning("Stripe refused %s: %s", getattr(method, "__name__", method), error)
            message = error.user_message or "The payment service could not take this request."
            raise GatewayError(message) from error

    def _product_name(self, kind: str, creator: Any) -> str:
        return f"{kind} {creator.name} on {settings.SITE_NAME}"

    def start_tip(self, *, tip: Tip, success_url: str, cancel_url: str) -> Started:
        metadata = {"tip_id": str(tip.pk), "creator_id": str(tip.creator_id)}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": tip.currency,
                        "unit_amount": tip.amount,
                        "product_data": {"name": self._product_name("A tip for", tip.creator)},
                    },
                }
            ],
            "client_reference_id": f"tip-{tip.pk}",
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if tip.receipt_email:
            params["customer_email"] = tip.receipt_email
        session = self._call(
            stripe.checkout.Session.create,
            idempotency_key=_key("tip-checkout", tip, tip.created_at),
            **params,
        )
        return Started(reference=session.id, redirect_url=session.url)

    def start_pledge(self, *, pledge: Pledge, success_url: str, cancel_url: str) -> Started:
        metadata = {"pledge_id": str(pledge.pk), "creator_id": str(pledge.creator_id)}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": pledge.currency,
                        "unit_amount": pledge.amount,
                        "recurring": {"interval": "month"},
                        "product_data": {
                            "name": self._product_name("Monthly pledge to", pledge.creator)
                        },
                    },
                }
            ],
            "client_reference_id": f"pledge-{pledge.pk}",
            "metadata": metadata,
            # Copied onto every invoice, so a renewal finds its pledge even before
            # checkout.session.completed has told us the subscription's id.
            "subscription_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if pledge.supporter.email:
            params["customer_email"] = pledge.supporter.email
        # A pending pledge can be started over (the earlier page closed first): the key names
        # the checkout it replaces, so a new page is made rather than the old one returned.
        replaces = pledge.checkout_reference or "first"
        key = f"{_key('pledge-checkout', pledge, pledge.created_at)}-{replaces}"
        session = self._call(stripe.checkout.Session.create, idempotency_key=key, **params)
        return Started(reference=session.id, redirect_url=session.url)

    def change_pledge(self, *, pledge: Pledge, amount: int) -> None:
        subscription = self._call(stripe.Subscription.retrieve, pledge.gateway_reference).to_dict()
        item = subscription["items"]["data"][0]
        product = item["price"]["product"]
        if isinstance(product, dict):
            product = product["id"]
        self._call(
            stripe.Subscription.modify,
            pledge.gateway_reference,
            items=[
                {
                    "id": item["id"],
                    "price_data": {
                        "currency": pledge.currency,
                        "unit_amount": amount,
                        "recurring": {"interval": "month"},
                        "product": product,
                    },
                }
            ],
            # The month already paid stays as it is; the new amount starts with the next one.
            proration_behavior="none",
        )

    def cancel_pledge(self, *, pledge: Pledge, at_period_end: bool) -> None:
        if not pledge.gateway_reference:
            # Checkout never finished: close the page so it cannot be paid any more.
            if pledge.checkout_reference:
                self._call(stripe.checkout.Session.expire, pledge.checkout_reference)
            return
        if at_period_end:
            self._call(
                stripe.Subscription.modify, pledge.gateway_reference, cancel_at_period_end=True
            )
        else:
            self._call(stripe.Subscription.cancel, pledge.gateway_reference)

    def resume_pledge(self, *, pledge: Pledge) -> None:
        self._call(stripe.Subscription.modify, pledge.gateway_reference, cancel_at_period_end=False)

    def charge_renewal(self, *, pledge: Pledge) -> Charged:
        raise GatewayError("Stripe renews pledges itself and reports each month by webhook.")

    def _payment_intent(self, payment: Payment) -> str:
        if payment.payment_reference:
            return payment.payment_reference
        if isinstance(payment, PledgePayment) and payment.gateway_reference:
            # Recent API versions no longer put the PaymentIntent on the invoice itself.
            payments = self._call(
                stripe.InvoicePayment.list, invoice=payment.gateway_reference, limit=1
            ).to_dict()
            for invoice_payment in payments["data"]:
                intent = (invoice_payment.get("payment") or {}).get("payment_intent")
                if intent:
                    return intent if isinstance(intent, str) else intent["id"]
        raise GatewayError("Stripe has no payment to refund for this record.")

    def refund(self, *, payment: Payment, key: str) -> str:
        kind = "tip" if isinstance(payment, Tip) else "pledge_payment"
        refund = self._call(
            stripe.Refund.create,
            payment_intent=self._payment_intent(payment),
            amount=payment.amount,
            metadata={f"{kind}_id": str(payment.pk)},
            idempotency_key=key,
        )
        return refund.id

    def send_payout(self, *, payout: PayoutRequest, account: SupportSettings) -> str:
        if not account.has_payout_account:
            raise GatewayError("The creator has not finished setting up their payout account.")
        transfer = self._call(
            stripe.Transfer.create,
            amount=payout.amount,
            currency=payout.currency,
            destination=account.stripe_account_id,
            metadata={"payout_id": str(payout.pk), "creator_id": str(payout.creator_id)},
            idempotency_key=_key("payout", payout, payout.requested_at),
        )
        return transfer.id

    def payout_account_link(
        self, *, account: SupportSettings, return_url: str, refresh_url: str
    ) -> tuple[str, str]:
        account_id = account.stripe_account_id
        if not account_id:
            params: dict[str, Any] = {
                "type": "express",
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"creator_id": str(account.creator_id)},
            }
            if account.creator.email:
                params["email"] = account.creator.email
            key = f"byline-account-{account.creator_id}-{account.pk}"
            if account.account_reported_at:
                # A creator whose account was disconnected connects a new one: a new key, or
                # Stripe would answer with the old account for a day.
                key += f"-after-{account.account_reported_at.timestamp():.0f}"
            created = self._call(stripe.Account.create, idempotency_key=key, **params)
            account_id = created.id
        link = self._call(
            stripe.AccountLink.create,
            account=account_id,
            refresh_url=refresh_url,
            return_url=return_url,
            type="account_onboarding",
        )
        return account_id, link.url

    def balance_movements(self, *, since: datetime) -> list[Movement]:
        listed = self._call(
            stripe.BalanceTransaction.list,
            created={"gte": int(since.timestamp())},
            limit=100,
            expand=["data.source"],
        )
        try:
            items = [item.to_dict() for item in listed.auto_paging_iter()]
        except stripe.StripeError as error:
            raise GatewayError("Stripe's balance transactions could not be read.") from error
        return stripe_movements(items)

    def refunds_of(self, *, charge_id: str) -> list[dict]:
        listed = self._call(stripe.Refund.list, charge=charge_id, limit=100)
        try:
            return [item.to_dict() for item in listed.auto_paging_iter()]
        except stripe.StripeError as error:
            raise GatewayError("Stripe's refunds could not be read.") from error


def get_gateway(name: str | None = None) -> PaymentGateway:
    """The gateway named (an existing payment's), or the one settings.PAYMENTS_GATEWAY picks."""
    name = name or settings.PAYMENTS_GATEWAY
    if name == Gateway.OFFLINE:
        return OfflineGateway()
    if name == Gateway.STRIPE:
        return StripeGateway(api_key=settings.STRIPE_SECRET_KEY)
    raise ImproperlyConfigured(f"Unknown payments gateway {name!r}")
