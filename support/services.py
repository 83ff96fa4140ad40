"""Every change to money: tips, pledges, refunds, payouts and the creator's support settings.

Rules these functions keep, so pages built on them need not:

* Amounts are `int` minor units of settings.SUPPORT_CURRENCY (parse typed text with
  support.money.parse_amount first). Anything else, and amounts out of bounds, is refused with
  a ValidationError whose message can be shown as it is.
* The ledger is only added to. A payment becomes a CHARGE row and a FEE row, a refund a REFUND
  and a FEE_REFUND row, a payout a PAYOUT row; unique constraints allow each once per source.
* Whatever changes a creator's balance first locks that creator's SupportSettings row
  (SELECT … FOR UPDATE on PostgreSQL; on SQLite every write transaction is IMMEDIATE, so
  writers already queue), so two requests at once never both act on a stale balance.
* Network calls to the gateway are made outside the database transaction when nothing needs
  to stay locked across them (starting a checkout, changing or cancelling a pledge), and inside
  it when the lock is what prevents paying twice (refunds, payouts, offline renewals); those
  calls carry idempotency keys.
* Every failure of the gateway comes back as a ValidationError with code "gateway".

Functions named `*_paid`, `*_failed`, `*_ended` and `*_sync` record what the gateway reports:
the offline gateway's instant payments and the Stripe webhook (support.webhooks) call them.
Pages never do. So do those for money moved at the provider (issue 20, at the end of this
module): `refund_recorded`, `refund_failed`, `dispute_opened`, `dispute_closed`,
`payout_returned`, `bank_payout_failed`, `payout_account_disconnected`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.jobs import enqueue
from core.links import absolute
from creators.models import User
from stories.models import Story
from support import emails
from support.gateways import GatewayError, PaymentGateway, get_gateway
from support.models import (
    DISPUTE_REASONS,
    MESSAGE_MAX_LENGTH,
    PAYOUT_MIN,
    PLEDGE_MAX,
    PLEDGE_MIN,
    TIP_MAX,
    TIP_MIN,
    Difference,
    Dispute,
    Gateway,
    LedgerEntry,
    MoneyNotice,
    PayoutRequest,
    Pledge,
    PledgePayment,
    SupportSettings,
    Tip,
    add_months,
)
from support.money import CURRENCIES as CURRENCY_CODES
from support.money import format_money, split_fee
from support.selectors import balance_of
from support.signals import money_notice_made, pledge_payment_received, tip_received

logger = logging.getLogger(__name__)

Kind = LedgerEntry.Kind

# Offline renewals: after a failed charge, try again this much later, and end the pledge
# (telling the reader) after this many failures in a row.
RENEWAL_RETRY_DELAY = timedelta(days=3)
MAX_RENEWAL_FAILURES = 4


# --- helpers -------------------------------------------------------------------------------


def _currency(currency: str | None) -> str:
    expected = settings.SUPPORT_CURRENCY
    if currency is None:
        return expected
    if not isinstance(currency, str) or currency.lower() != expected:
        raise ValidationError(
            f"Payments are taken in {expected.upper()} only.", code="currency_not_supported"
        )
    return expected


def _money(amount: int, currency: str | None = None) -> str:
    return format_money(amount, currency or settings.SUPPORT_CURRENCY)


def _check_amount(amount: object, *, low: int, high: int, what: str) -> int:
    # bool is an int to Python, and a float must never carry money: both are refused.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError("Enter the amount in digits, like 5 or 2.99.", code="invalid")
    if amount < low:
        raise ValidationError(
            f"The smallest {what} is {_money(low)}.", code="too_small", params={"min": low}
        )
    if amount > high:
        raise ValidationError(
            f"The largest {what} is {_money(high)}.", code="too_large", params={"max": high}
        )
    return amount


def _fee_basis_points() -> int:
    return settings.PLATFORM_FEE_BASIS_POINTS


def _lock_settings(creator_id: int) -> SupportSettings:
    """Lock the creator's row that serialises every change to their balance."""
    account, _ = SupportSettings.objects.select_for_update().get_or_create(creator_id=creator_id)
    return account


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))


def _local_url(url: str | None, default: str) -> str:
    """`url` if it is a path on this site, else `default`: the reader is sent there after
    paying, so a return address taken from a form must not lead off the site."""
    url = url or ""
    local = url.startswith("/") and not url.startswith("//") and "\\" not in url
    return url if local and not urlsplit(url).netloc else default


def _gateway_failed(error: GatewayError) -> ValidationError:
    return ValidationError(str(error), code="gateway")


def _require_supporter(user: User | None, creator: User) -> User:
    if user is None or not user.is_authenticated:
        raise ValidationError("Sign in to pledge.", code="sign_in")
    if user.pk == creator.pk:
        raise ValidationError("You can’t support yourself.", code="self")
    if not user.is_active:
        raise ValidationError("A suspended account can’t make payments.", code="inactive")
    return user


def _require_receivable(creator: User, gateway: PaymentGateway) -> SupportSettings:
    account = SupportSettings.objects.select_related("creator").filter(creator=creator).first()
    # No row: the creator never chose, and the defaults (support on) apply.
    account = account or SupportSettings(creator=creator)
    if not account.can_receive(needs_payout_account=gateway.needs_payout_account):
        raise ValidationError(
            f"{creator.name} isn’t accepting support right now.", code="not_accepting"
        )
    return account


def _record_charge(
    *,
    creator_id: int,
    amount: int,
    currency: str,
    tip: Tip | None = None,
    pledge_payment: PledgePayment | None = None,
    event_id: str = "",
    reference: str = "",
) -> tuple[int, int]:
    """The CHARGE and FEE rows of one payment; returns (fee, net). A zero fee has no row."""
    fee, net = split_fee(amount, _fee_basis_points())
    source = {"tip": tip, "pledge_payment": pledge_payment}
    rows = [(Kind.CHARGE, amount, reference)]
    if fee:
        rows.append((Kind.FEE, fee, ""))
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            creator_id=creator_id,
            kind=kind,
            amount=value,
            currency=currency,
            gateway_reference=ref,
            gateway_event_id=event_id,
            **source,
        )
        for kind, value, ref in rows
    )
    return fee, net


# --- the creator's settings ------------------------------------------------------------------


@transaction.atomic
def support_settings_update(
    *, creator: User, accepts_support: bool, pledge_amounts: Sequence[int] | None = None
) -> SupportSettings:
    """Turn support on or off and, optionally, set the three suggested monthly amounts."""
    account = _lock_settings(creator.pk)
    account.accepts_support = bool(accepts_support)
    if pledge_amounts is not None:
        amounts = list(pledge_amounts)
        if len(amounts) != 3:
            raise ValidationError("Suggest three monthly amounts.", code="three_amounts")
        for amount in amounts:
            _check_amount(amount, low=PLEDGE_MIN, high=PLEDGE_MAX, what="monthly pledge")
        amounts.sort()
        account.pledge_amount_1, account.pledge_amount_2, account.pledge_amount_3 = amounts
    account.save()
    return account


def payout_account_connect(
    *, creator: User, return_url: str, refresh_url: str, gateway: PaymentGateway | None = None
) -> str:
    """Where to send a creator to set up their payout account (Stripe Connect onboarding).

    With the offline gateway nothing needs setting up and `return_url` comes straight back.
    Stripe tells us when the account can take payouts (the account.updated webhook).
    """
    gateway = gateway or get_gateway()
    with transaction.atomic():
        account = _lock_settings(creator.pk)
    try:
        account_id, url = gateway.payout_account_link(
            account=account, return_url=absolute(return_url), refresh_url=absolute(refresh_url)
        )
    except GatewayError as error:
        raise _gateway_failed(error) from error
    if account_id and account_id != account.stripe_account_id:
        account.stripe_account_id = account_id
        account.save(update_fields=["stripe_account_id"])
    return url


@transaction.atomic
def support_settings_sync(
    *,
    stripe_account_id: str,
    payouts_enabled: bool,
    disabled_reason: str = "",
    event_id: str = "",
    reported_at: datetime | None = None,
) -> str:
    """Stripe says whether a connected account can take payouts. Returns "applied", "stale"
    (a state older than the one already applied, delivered late: left alone) or "" when the
    account is not one of ours.

    Payouts that were on and are now off tell the creator and staff why (Stripe's
    `requirements.disabled_reason`); the wallet shows it until they are on again.
    """
    accounts = list(
        SupportSettings.objects.select_for_update().filter(stripe_account_id=stripe_account_id)
    )
    if not accounts:
        return ""
    # Saved, not update()d: the support box shows only when payouts can be made, and the save's
    # signal empties the creator's cached pages.
    for account in accounts:
        if (
            reported_at
            and account.account_reported_at
            and reported_at < account.account_reported_at
        ):
            return "stale"
        account.account_reported_at = reported_at or account.account_reported_at
        switched_off = account.payouts_enabled and not payouts_enabled
        account.payouts_enabled = payouts_enabled
        if payouts_enabled:
            account.payouts_problem = ""
        elif switched_off:
            reason = ACCOUNT_REASONS.get(disabled_reason, disabled_reason.replace(".", ": "))
            account.payouts_problem = f"Stripe switched payouts off: {reason or 'no reason given'}"
            _notice(
                creator_id=account.creator_id,
                kind=MoneyNotice.Kind.PAYOUTS_DISABLED,
                key=f"payouts_disabled:{stripe_account_id}:{event_id or timezone.now()}",
                reason=account.payouts_problem,
            )
        account.save(update_fields=["payouts_enabled", "payouts_problem", "account_reported_at"])
    return "applied"


# Stripe's requirements.disabled_reason, as a creator reads it.
ACCOUNT_REASONS = {
    "requirements.past_due": "details Stripe asked for are overdue",
    "requirements.pending_verification": "Stripe is checking the details you gave",
    "rejected.fraud": "Stripe closed the account (suspected fraud)",
    "rejected.terms_of_service": "Stripe closed the account (terms of service)",
    "rejected.listed": "Stripe closed the account (listed person or company)",
    "rejected.other": "Stripe closed the account",
    "listed": "Stripe is reviewing the account",
    "under_review": "Stripe is reviewing the account",
    "platform_paused": "the platform paused payouts",
    "other": "another reason",
}


@transaction.atomic
def payout_account_disconnected(*, stripe_account_id: str, event_id: str = "") -> bool:
    """The creator disconnected their Stripe account from the platform (or it was closed): no
    payout can reach it, so payouts stop and the creator must connect an account again. Their
    balance stays theirs. True if it was one of ours."""
    accounts = list(
        SupportSettings.objects.select_for_update().filter(stripe_account_id=stripe_account_id)
    )
    for account in accounts:
        account.stripe_account_id = ""
        account.payouts_enabled = False
        account.payouts_problem = (
            "Your payout account was disconnected; connect one again to be paid."
        )
        # Also what makes connecting again ask Stripe for a new account (gateways).
        account.account_reported_at = timezone.now()
        account.save(
            update_fields=[
                "stripe_account_id",
                "payouts_enabled",
                "payouts_problem",
                "account_reported_at",
            ]
        )
        _notice(
            creator_id=account.creator_id,
            kind=MoneyNotice.Kind.ACCOUNT_DISCONNECTED,
            key=f"account_disconnected:{stripe_account_id}:{event_id or timezone.now()}",
            reason=f"Stripe account {stripe_account_id} was disconnected from the platform.",
        )
    return bool(accounts)


# --- tips ------------------------------------------------------------------------------------


def tip_create(
    *,
    creator: User,
    amount: int,
    currency: str | None = None,
    supporter: User | None = None,
    email: str = "",
    message: str = "",
    story: Story | None = None,
    return_url: str = "",
    gateway: PaymentGateway | None = None,
) -> tuple[Tip, str]:
    """Start a tip; returns the tip and the URL to send the reader to next.

    `supporter` is the signed-in reader (request.user may be passed as it is; an anonymous
    user counts as none), otherwise `email` is required for the receipt. `return_url` is the
    path on this site the reader comes back to (default, and for anything that is not a local
    path: the story, or the creator's profile), with
    `?support=thanks` added once paid or `?support=cancelled` if they leave Stripe's page.

    Offline, the tip is paid at once (ledger rows written, receipt queued) and the URL is the
    return URL. With Stripe the tip stays pending and the URL is Stripe's Checkout page; the
    webhook marks it paid.
    """
    currency = _currency(currency)
    _check_amount(amount, low=TIP_MIN, high=TIP_MAX, what="tip")
    gateway = gateway or get_gateway()
    if supporter is not None and not supporter.is_authenticated:
        supporter = None
    email = (email or "").strip()
    if supporter is not None:
        if supporter.pk == creator.pk:
            raise ValidationError("You can’t tip yourself.", code="self")
        if not supporter.is_active:
            raise ValidationError("A suspended account can’t make payments.", code="inactive")
        email = ""
    else:
        if not email:
            raise ValidationError("Enter your email address for the receipt.", code="email")
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                "Enter a valid email address for the receipt.", code="email"
            ) from None
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            f"Keep your message to {MESSAGE_MAX_LENGTH} characters.", code="message_too_long"
        )
    if story is not None and (story.creator_id != creator.pk or not story.is_public):
        raise ValidationError("That story can’t be tipped.", code="story")
    _require_receivable(creator, gateway)

    return_url = _local_url(return_url, (story or creator).get_absolute_url())
    tip = Tip.objects.create(
        creator=creator,
        supporter=supporter,
        email=email,
        story=story,
        amount=amount,
        currency=currency,
        message=message,
        gateway=gateway.name,
    )
    try:
        started = gateway.start_tip(
            tip=tip,
            success_url=absolute(_with_query(return_url, support="thanks")),
            cancel_url=absolute(_with_query(return_url, support="cancelled")),
        )
    except GatewayError as error:
        Tip.objects.filter(pk=tip.pk).update(status=Tip.Status.FAILED)
        raise _gateway_failed(error) from error
    Tip.objects.filter(pk=tip.pk).update(gateway_reference=started.reference)
    tip.gateway_reference = started.reference
    if started.paid:
        tip = tip_paid(tip=tip, payment_reference=started.payment_reference)
        return tip, _with_query(return_url, support="thanks")
    return tip, started.redirect_url


@transaction.atomic
def tip_paid(
    *,
    tip: Tip,
    payment_reference: str = "",
    amount: int | None = None,
    currency: str | None = None,
    event_id: str = "",
) -> Tip:
    """Record that a tip was paid: CHARGE and FEE rows, receipt. Doing it twice does nothing.

    `amount` and `currency`, when the gateway reports them, must match the tip's; a mismatch is
    refused rather than written, because the ledger must say what was actually paid.
    """
    _lock_settings(tip.creator_id)
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.status in (Tip.Status.SUCCEEDED, Tip.Status.REFUNDED):
        return tip
    if (amount is not None and amount != tip.amount) or (
        currency is not None and currency.lower() != tip.currency
    ):
        raise ValidationError(
            f"The gateway reported {amount} {currency} for a tip of {tip.amount} {tip.currency}.",
            code="amount_mismatch",
        )
    tip.status = Tip.Status.SUCCEEDED
    tip.paid_at = timezone.now()
    tip.payment_reference = payment_reference or tip.payment_reference
    tip.save(update_fields=["status", "paid_at", "payment_reference"])
    _record_charge(
        creator_id=tip.creator_id,
        amount=tip.amount,
        currency=tip.currency,
        tip=tip,
        event_id=event_id,
        reference=tip.payment_reference,
    )
    enqueue(emails.send_tip_receipt, tip_id=tip.pk)
    transaction.on_commit(lambda: tip_received.send(sender=Tip, tip=tip))
    return tip


@transaction.atomic
def tip_failed(*, tip: Tip) -> Tip:
    """The reader's payment did not go through (or the checkout expired); nothing was taken."""
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.status == Tip.Status.PENDING:
        tip.status = Tip.Status.FAILED
        tip.save(update_fields=["status"])
    return tip


# --- pledges ---------------------------------------------------------------------------------


def pledge_create(
    *,
    supporter: User,
    creator: User,
    amount: int,
    currency: str | None = None,
    return_url: str = "",
    gateway: PaymentGateway | None = None,
    story: Story | None = None,
) -> tuple[Pledge, str]:
    """Start a monthly pledge; returns the pledge and the URL to send the reader to next.

    Offline, the first month is paid at once and the pledge is active. With Stripe the pledge
    waits ("pending") while the reader is on Stripe's Checkout page, and becomes active when
    the webhook reports the first invoice paid. One live pledge per reader and creator: a
    second one is refused (change the amount instead); a pending one is started over.

    Pledging does not subscribe the reader to the creator's stories: `support` may not import
    `subscriptions` (DESIGN.md), so the view calls subscriptions.services.subscription_create
    after this returns.
    """
    currency = _currency(currency)
    supporter = _require_supporter(supporter, creator)
    _check_amount(amount, low=PLEDGE_MIN, high=PLEDGE_MAX, what="monthly pledge")
    gateway = gateway or get_gateway()
    _require_receivable(creator, gateway)
    return_url = _local_url(return_url, creator.get_absolute_url())

    try:
        with transaction.atomic():
            pledge = (
                Pledge.objects.select_for_update()
                .filter(supporter=supporter, creator=creator, status__in=Pledge.LIVE)
                .first()
            )
            if pledge is not None and pledge.status != Pledge.Status.PENDING:
                raise _already_pledging(pledge)
            if pledge is None:
                pledge = Pledge.objects.create(
                    supporter=supporter,
                    creator=creator,
                    amount=amount,
                    currency=currency,
                    gateway=gateway.name,
                    story=story,
                )
            else:
                pledge.amount, pledge.gateway, pledge.story = amount, gateway.name, story
                pledge.save(update_fields=["amount", "gateway", "story"])
    except IntegrityError:
        # Another request created the live pledge between our read and our insert.
        existing = Pledge.objects.live().get(supporter=supporter, creator=creator)
        raise _already_pledging(existing) from None

    try:
        if pledge.checkout_reference:
            # Starting over: close the earlier checkout page first, so the reader cannot end
            # up paying for two subscriptions of one pledge.
            gateway.cancel_pledge(pledge=pledge, at_period_end=False)
        started = gateway.start_pledge(
            pledge=pledge,
            success_url=absolute(_with_query(return_url, support="pledged")),
            cancel_url=absolute(_with_query(return_url, support="cancelled")),
        )
    except GatewayError as error:
        raise _gateway_failed(error) from error
    if started.paid:
        now = timezone.now()
        Pledge.objects.filter(pk=pledge.pk).update(gateway_reference=started.reference)
        pledge.gateway_reference = started.reference
        pledge_paid(
            pledge=pledge,
            amount=pledge.amount,
            currency=pledge.currency,
            period_start=now,
            period_end=None,
            payment_reference=started.payment_reference,
        )
        pledge.refresh_from_db()
        return pledge, _with_query(return_url, support="pledged")
    Pledge.objects.filter(pk=pledge.pk).update(checkout_reference=started.reference)
    pledge.checkout_reference = started.reference
    return pledge, started.redirect_url


def _already_pledging(pledge: Pledge) -> ValidationError:
    if pledge.cancel_at_period_end:
        return ValidationError(
            f"Your cancelled pledge to {pledge.creator.name} runs until "
            f"{pledge.current_period_end:%-d %B}; resume it instead.",
            code="already_pledging",
        )
    return ValidationError(
        f"You already pledge {pledge.display_amount} a month to {pledge.creator.name}; "
        "change the amount instead.",
        code="already_pledging",
    )


def _own_pledge(pledge: Pledge, actor: User) -> Pledge:
    if actor.pk != pledge.supporter_id:
        # Pages find pledges through the reader's own; this is the backstop.
        raise PermissionDenied("Only the reader who pledged can change the pledge.")
    return Pledge.objects.select_related("creator", "supporter").get(pk=pledge.pk)


def pledge_change_amount(
    *, pledge: Pledge, amount: int, actor: User, gateway: PaymentGateway | None = None
) -> Pledge:
    """Pledge a different monthly amount from the next payment on (this month stays paid)."""
    pledge = _own_pledge(pledge, actor)
    _check_amount(amount, low=PLEDGE_MIN, high=PLEDGE_MAX, what="monthly pledge")
    if pledge.status not in (Pledge.Status.ACTIVE, Pledge.Status.PAST_DUE):
        raise ValidationError("Only a running pledge can be changed.", code="not_running")
    if pledge.cancel_at_period_end:
        raise ValidationError(
            "This pledge is cancelled; resume it before changing the amount.", code="cancelled"
        )
    if amount == pledge.amount:
        return pledge
    gateway = gateway or get_gateway(pledge.gateway)
    try:
        gateway.change_pledge(pledge=pledge, amount=amount)
    except GatewayError as error:
        raise _gateway_failed(error) from error
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("creator").get(pk=pledge.pk)
        pledge.amount = amount
        pledge.save(update_fields=["amount"])
    return pledge


def pledge_cancel(*, pledge: Pledge, actor: User, gateway: PaymentGateway | None = None) -> Pledge:
    """Cancel a pledge. An active one runs to the end of the month already paid and is not
    charged again; one whose payment is failing, or whose checkout never finished, ends now."""
    pledge = _own_pledge(pledge, actor)
    if not pledge.is_live or pledge.cancel_at_period_end:
        raise ValidationError("This pledge is already cancelled.", code="already_cancelled")
    at_period_end = pledge.status == Pledge.Status.ACTIVE
    gateway = gateway or get_gateway(pledge.gateway)
    try:
        gateway.cancel_pledge(pledge=pledge, at_period_end=at_period_end)
    except GatewayError as error:
        raise _gateway_failed(error) from error
    now = timezone.now()
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("creator").get(pk=pledge.pk)
        pledge.cancelled_at = now
        if at_period_end and pledge.status == Pledge.Status.ACTIVE:
            pledge.cancel_at_period_end = True
        else:
            pledge.status, pledge.ended_at = Pledge.Status.ENDED, now
        pledge.save(update_fields=["cancelled_at", "cancel_at_period_end", "status", "ended_at"])
    return pledge


def pledge_resume(*, pledge: Pledge, actor: User, gateway: PaymentGateway | None = None) -> Pledge:
    """Take back a cancellation before the paid month ends: the pledge renews again."""
    pledge = _own_pledge(pledge, actor)
    if not (pledge.status == Pledge.Status.ACTIVE and pledge.cancel_at_period_end):
        raise ValidationError("Only a cancelled, still running pledge can be resumed.", code="no")
    gateway = gateway or get_gateway(pledge.gateway)
    try:
        gateway.resume_pledge(pledge=pledge)
    except GatewayError as error:
        raise _gateway_failed(error) from error
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().select_related("creator").get(pk=pledge.pk)
        pledge.cancel_at_period_end, pledge.cancelled_at = False, None
        pledge.save(update_fields=["cancel_at_period_end", "cancelled_at"])
    return pledge


@transaction.atomic
def pledge_paid(
    *,
    pledge: Pledge,
    amount: int,
    currency: str,
    period_start: datetime,
    period_end: datetime | None,
    gateway_reference: str = "",
    payment_reference: str = "",
    event_id: str = "",
) -> PledgePayment:
    """Record one month of a pledge as paid: the payment, its CHARGE and FEE rows, the new
    period and a receipt. Recording the same month (or the same invoice) again does nothing.

    `period_end` None means the gateway leaves months to us (offline): the month after the
    current one, or, when `period_start` does not follow on from it, a new monthly cycle from
    `period_start`.
    """
    currency = currency.lower()
    _lock_settings(pledge.creator_id)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    same = Q(pledge=pledge, period_start=period_start)
    if gateway_reference:
        same |= Q(gateway=pledge.gateway, gateway_reference=gateway_reference)
    existing = PledgePayment.objects.filter(same, status__in=PledgePayment.PAID).first()
    if existing is not None:
        return existing
    if period_end is None:
        if pledge.billing_anchor is None or pledge.current_period_end != period_start:
            pledge.billing_anchor = period_start
            period_end = add_months(period_start, 1)
        else:
            period_end = pledge.next_period()[1]
    payment = PledgePayment.objects.create(
        pledge=pledge,
        amount=amount,
        currency=currency,
        status=PledgePayment.Status.SUCCEEDED,
        period_start=period_start,
        period_end=period_end,
        gateway=pledge.gateway,
        gateway_reference=gateway_reference,
        payment_reference=payment_reference,
    )
    _record_charge(
        creator_id=pledge.creator_id,
        amount=amount,
        currency=currency,
        pledge_payment=payment,
        event_id=event_id,
        reference=payment_reference or gateway_reference,
    )
    if pledge.billing_anchor is None:
        pledge.billing_anchor = period_start
    # A late webhook for an older month must not move the period backwards.
    if pledge.current_period_end is None or period_end > pledge.current_period_end:
        pledge.current_period_start, pledge.current_period_end = period_start, period_end
    if pledge.status != Pledge.Status.ENDED:
        pledge.status = Pledge.Status.ACTIVE
    pledge.renewal_failures, pledge.next_retry_at = 0, None
    pledge.save()
    enqueue(emails.send_pledge_receipt, payment_id=payment.pk)
    transaction.on_commit(
        lambda: pledge_payment_received.send(sender=PledgePayment, payment=payment)
    )
    return payment


@transaction.atomic
def pledge_payment_failed(
    *,
    pledge: Pledge,
    amount: int,
    currency: str,
    period_start: datetime,
    period_end: datetime,
    failure_message: str = "",
    gateway_reference: str = "",
    retry_at: datetime | None = None,
    give_up: bool = False,
) -> PledgePayment:
    """A month's charge failed: the pledge is past due (or, after `give_up`, ended) and the
    reader is told either way. Nothing goes into the ledger: no money moved."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    payment = PledgePayment.objects.create(
        pledge=pledge,
        amount=amount,
        currency=currency.lower(),
        status=PledgePayment.Status.FAILED,
        period_start=period_start,
        period_end=period_end,
        gateway=pledge.gateway,
        gateway_reference=gateway_reference,
        failure_message=failure_message[:500],
    )
    if pledge.status == Pledge.Status.ENDED:
        return payment
    pledge.renewal_failures += 1
    if give_up:
        pledge.status, pledge.ended_at, pledge.next_retry_at = (
            Pledge.Status.ENDED,
            timezone.now(),
            None,
        )
        pledge.save(update_fields=["renewal_failures", "status", "ended_at", "next_retry_at"])
        enqueue(emails.send_pledge_ended, pledge_id=pledge.pk, unpaid=True)
    else:
        pledge.status, pledge.next_retry_at = Pledge.Status.PAST_DUE, retry_at
        pledge.save(update_fields=["renewal_failures", "status", "next_retry_at"])
        enqueue(emails.send_renewal_failed, payment_id=payment.pk)
    return payment


@transaction.atomic
def pledge_ended(*, pledge: Pledge) -> Pledge:
    """The gateway ended the subscription: at the end of a cancelled month, or after giving up
    on a failing payment (then the reader is told, as they did not ask for it)."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status == Pledge.Status.ENDED:
        return pledge
    unpaid = pledge.status == Pledge.Status.PAST_DUE and not pledge.cancelled_at
    pledge.status, pledge.ended_at, pledge.next_retry_at = Pledge.Status.ENDED, timezone.now(), None
    pledge.save(update_fields=["status", "ended_at", "next_retry_at"])
    if unpaid:
        enqueue(emails.send_pledge_ended, pledge_id=pledge.pk, unpaid=True)
    return pledge


def _due(now: datetime) -> Q:
    return Q(status=Pledge.Status.ACTIVE, current_period_end__lte=now) | Q(
        status=Pledge.Status.PAST_DUE, next_retry_at__lte=now
    )


@transaction.atomic
def pledge_renew(
    *, pledge: Pledge, now: datetime | None = None, gateway: PaymentGateway | None = None
) -> str:
    """Renew one pledge whose paid month is over, for gateways Byline renews itself (offline).

    Returns what happened: "renewed", "failed" (past due, reader told, retried later),
    "ended" (it was cancelled, or failed too often) or "not_due". The pledge row stays locked
    across the charge, so two renewal runs at once cannot both charge the same month.
    """
    now = now or timezone.now()
    # Lock order as everywhere: the creator's settings row, then the payment's own row.
    _lock_settings(pledge.creator_id)
    pledge = Pledge.objects.select_for_update().filter(_due(now), pk=pledge.pk).first()
    if pledge is None:
        return "not_due"
    gateway = gateway or get_gateway(pledge.gateway)
    if not gateway.renews_pledges:
        return "not_due"
    if pledge.cancel_at_period_end:
        pledge.status, pledge.ended_at = Pledge.Status.ENDED, pledge.current_period_end
        pledge.save(update_fields=["status", "ended_at"])
        return "ended"
    start, end = pledge.next_period()
    if end <= now:
        # Renewals stopped for over a month (the job did not run): a new monthly cycle starts
        # now rather than charging for months gone by.
        start, end = now, add_months(now, 1)
    try:
        charged = gateway.charge_renewal(pledge=pledge)
    except GatewayError as error:
        charged_ok, reference, failure = False, "", str(error)
    else:
        charged_ok, reference, failure = charged.ok, charged.reference, charged.failure_message
    if charged_ok:
        pledge_paid(
            pledge=pledge,
            amount=pledge.amount,
            currency=pledge.currency,
            period_start=start,
            period_end=None,
            payment_reference=reference,
        )
        return "renewed"
    give_up = pledge.renewal_failures + 1 >= MAX_RENEWAL_FAILURES
    pledge_payment_failed(
        pledge=pledge,
        amount=pledge.amount,
        currency=pledge.currency,
        period_start=start,
        period_end=end,
        failure_message=failure or "The payment was declined.",
        retry_at=now + RENEWAL_RETRY_DELAY,
        give_up=give_up,
    )
    return "ended" if give_up else "failed"


def pledges_renew_due(
    *, now: datetime | None = None, gateway: PaymentGateway | None = None
) -> dict[str, int]:
    """Renew every pledge that is due and that Byline renews itself; counts by outcome."""
    now = now or timezone.now()
    # Only the offline gateway leaves renewals to us (PaymentGateway.renews_pledges).
    due = Pledge.objects.filter(_due(now), gateway=Gateway.OFFLINE).order_by("pk")
    counts = {"renewed": 0, "failed": 0, "ended": 0, "not_due": 0}
    for pledge in due.only("pk"):
        try:
            outcome = pledge_renew(pledge=pledge, now=now, gateway=gateway)
        except Exception:
            # One broken pledge must not stop the others; it is due again on the next run.
            logger.exception("Renewing pledge %s failed", pledge.pk)
            continue
        counts[outcome] += 1
    return counts


# --- refunds ---------------------------------------------------------------------------------


@transaction.atomic
def payment_refund(
    *,
    tip: Tip | None = None,
    pledge_payment: PledgePayment | None = None,
    actor: User,
    reason: str = "",
    gateway: PaymentGateway | None = None,
) -> LedgerEntry:
    """Give a paid tip or pledge payment back in full; returns the REFUND ledger row.

    The ledger gains a REFUND row (the gross, off the creator's balance) and a FEE_REFUND row
    (the platform's fee, which the creator never kept, back onto it), so the creator loses
    exactly the net they were credited. The payment is never edited beyond its status.
    Refunding twice is refused. The balance may go below zero if the money was already paid
    out; later income makes it up.
    """
    if (tip is None) == (pledge_payment is None):
        raise ValueError("Refund exactly one of a tip or a pledge payment.")
    payment: Tip | PledgePayment
    if tip is not None:
        creator_id = tip.creator_id
        _lock_settings(creator_id)
        payment = Tip.objects.select_for_update().get(pk=tip.pk)
        source = {"tip": payment}
    else:
        creator_id = Pledge.objects.values_list("creator_id", flat=True).get(
            pk=pledge_payment.pledge_id
        )
        _lock_settings(creator_id)
        payment = PledgePayment.objects.select_for_update().get(pk=pledge_payment.pk)
        source = {"pledge_payment": payment}
    if payment.status == payment.Status.REFUNDED:
        raise ValidationError("This payment has already been refunded.", code="already_refunded")
    if payment.status != payment.Status.SUCCEEDED:
        raise ValidationError("Only a paid payment can be refunded.", code="not_paid")
    if _taken_back(source) or Dispute.objects.filter(**source).exists():
        raise ValidationError(
            "Part of this payment was refunded or disputed at the payment provider; refund "
            "the rest there.",
            code="partly_refunded",
        )
    fee = LedgerEntry.objects.filter(kind=Kind.FEE, **source).values_list("amount", flat=True)
    fee = fee.first() or 0
    gateway = gateway or get_gateway(payment.gateway)
    kind = "tip" if tip is not None else "pledge-payment"
    stamp = payment.created_at.timestamp()
    try:
        reference = gateway.refund(
            payment=payment, key=f"byline-refund-{kind}-{payment.pk}-{stamp:.6f}"
        )
    except GatewayError as error:
        raise _gateway_failed(error) from error
    common = {"creator_id": creator_id, "currency": payment.currency, "actor": actor, **source}
    # Keyed by the provider's refund id, so Stripe's own event about this refund
    # (charge.refunded, refund.updated) finds it counted already.
    refund = LedgerEntry.objects.create(
        kind=Kind.REFUND,
        amount=payment.amount,
        note=reason[:500],
        gateway_reference=reference,
        entry_key=f"refund:{reference}",
        **common,
    )
    if fee:
        LedgerEntry.objects.create(
            kind=Kind.FEE_REFUND, amount=fee, entry_key=f"refund-fee:{reference}", **common
        )
    payment.status = payment.Status.REFUNDED
    payment.save(update_fields=["status"])
    if tip is not None:
        enqueue(emails.send_refund_notice, tip_id=payment.pk)
    else:
        enqueue(emails.send_refund_notice, payment_id=payment.pk)
    return refund


# --- payouts ---------------------------------------------------------------------------------


@transaction.atomic
def payout_request(
    *, creator: User, amount: int, gateway: PaymentGateway | None = None
) -> PayoutRequest:
    """A creator asks for (part of) their balance. One open request at a time."""
    currency = settings.SUPPORT_CURRENCY
    gateway = gateway or get_gateway()
    _check_amount(amount, low=PAYOUT_MIN, high=2**31 - 1, what="payout")
    account = _lock_settings(creator.pk)
    if gateway.needs_payout_account and not account.has_payout_account:
        raise ValidationError(
            "Connect your payout account before requesting a payout.", code="no_payout_account"
        )
    if PayoutRequest.objects.filter(creator=creator, status__in=PayoutRequest.OPEN).exists():
        raise ValidationError(
            "You already have a payout request waiting for review.", code="already_requested"
        )
    available = balance_of(creator_id=creator.pk, currency=currency)
    if amount > available:
        raise ValidationError(
            f"You can request at most your balance, {_money(max(available, 0))}.",
            code="over_balance",
        )
    return PayoutRequest.objects.create(
        creator=creator, amount=amount, currency=currency, gateway=gateway.name
    )


def _open_payout(payout: PayoutRequest) -> PayoutRequest:
    _lock_settings(payout.creator_id)
    payout = PayoutRequest.objects.select_for_update().get(pk=payout.pk)
    if not payout.is_open:
        raise ValidationError(
            f"This payout is already “{payout.get_status_display()}”.", code="decided"
        )
    return payout


def prize_credit(
    *, creator_id: int, amount: int, currency: str, key: str, note: str, actor: User | None = None
) -> tuple[LedgerEntry, bool]:
    """Credit a prize to a creator's wallet: one PRIZE row, paid by the platform (no fee).

    `key` names the prize (unique among prizes), so paying it again returns the row already
    there and False: a prize is paid once however often its caller runs.
    """
    if not key:
        raise ValueError("A prize needs a key naming it.")
    amount = _check_amount(amount, low=1, high=10**9, what="prize")
    existing = LedgerEntry.objects.filter(kind=Kind.PRIZE, prize_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                creator_id=creator_id,
                kind=Kind.PRIZE,
                amount=amount,
                currency=_currency(currency),
                prize_key=key,
                note=note[:500],
                actor=actor,
            )
    except IntegrityError:  # another run paid it between the look and the write
        return LedgerEntry.objects.get(kind=Kind.PRIZE, prize_key=key), False
    return entry, True


@transaction.atomic
def payout_approve(
    *, payout: PayoutRequest, actor: User, reason: str = "", gateway: PaymentGateway | None = None
) -> PayoutRequest:
    """Staff approve a request: the money is sent and a PAYOUT row leaves the balance.

    Refused if the balance has fallen below the request since (a refund, say).
    """
    payout = _open_payout(payout)
    balance = balance_of(creator_id=payout.creator_id, currency=payout.currency)
    if payout.amount > balance:
        raise ValidationError(
            f"The creator’s balance is now {_money(balance, payout.currency)}, less than "
            f"the {payout.display_amount} requested.",
            code="over_balance",
        )
    gateway = gateway or get_gateway(payout.gateway or None)
    account = SupportSettings.objects.get(creator_id=payout.creator_id)
    try:
        reference = gateway.send_payout(payout=payout, account=account)
    except GatewayError as error:
        raise _gateway_failed(error) from error
    LedgerEntry.objects.create(
        creator_id=payout.creator_id,
        kind=Kind.PAYOUT,
        amount=payout.amount,
        currency=payout.currency,
        payout=payout,
        actor=actor,
        note=reason[:500],
        gateway_reference=reference,
    )
    payout.status = PayoutRequest.Status.PAID
    payout.reason = reason
    payout.decided_by, payout.decided_at = actor, timezone.now()
    payout.gateway_reference = reference
    payout.save()
    enqueue(emails.send_payout_decision, payout_id=payout.pk)
    return payout


@transaction.atomic
def payout_hold(*, payout: PayoutRequest, actor: User, reason: str) -> PayoutRequest:
    """Staff hold a request with a reason the creator sees; it can be approved later."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the payout is on hold; the creator sees it.", code="reason")
    payout = _open_payout(payout)
    payout.status = PayoutRequest.Status.HELD
    payout.reason = reason
    payout.decided_by, payout.decided_at = actor, timezone.now()
    payout.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    enqueue(emails.send_payout_decision, payout_id=payout.pk)
    return payout


@transaction.atomic
def payout_cancel(*, payout: PayoutRequest, actor: User) -> PayoutRequest:
    """The creator withdraws a request that has not been paid."""
    if actor.pk != payout.creator_id:
        raise PermissionDenied("Only the creator can withdraw their payout request.")
    payout = _open_payout(payout)
    payout.status = PayoutRequest.Status.CANCELLED
    payout.save(update_fields=["status"])
    return payout


# --- money moved at the provider (issue 20) ---------------------------------------------------
#
# Refunds made in Stripe's dashboard, disputes, reversed transfers: reported by webhook
# (support.webhooks) and recorded here as new ledger rows, each keyed by the provider's object
# (LedgerEntry.entry_key), so an event delivered twice, or two events about one refund, count it
# once. The fee policy (README, "Money that moves at the provider"): the platform gives back its
# fee on whatever part of a payment goes back to the reader (refund or lost dispute), in
# proportion, so the creator loses exactly what that part had earned them; the provider's own
# dispute fee is the platform's to bear.


def _source(payment: Tip | PledgePayment) -> dict:
    return {"tip": payment} if isinstance(payment, Tip) else {"pledge_payment": payment}


def _ledger_sum(source: dict, *kinds: str) -> int:
    rows = LedgerEntry.objects.filter(kind__in=kinds, **source).values_list("amount", flat=True)
    return sum(rows)


def _taken_back(source: dict) -> int:
    """What of a payment has gone back to the reader: refunds (less failed ones) and lost
    disputes."""
    back = _ledger_sum(source, Kind.REFUND, Kind.REVERSAL)
    return back - _ledger_sum(source, Kind.REFUND_FAILED)


def _original_fee(source: dict) -> int:
    """The platform fee taken when the payment was made (its one FEE row without a key)."""
    rows = LedgerEntry.objects.filter(kind=Kind.FEE, entry_key="", **source)
    return sum(rows.values_list("amount", flat=True))


def _share_of_fee(fee: int, part: int, whole: int) -> int:
    """The platform fee on `part` of a `whole` payment, rounded half up like split_fee."""
    return (fee * part * 2 + whole) // (whole * 2) if whole else 0


def _settle_fee(*, payment: Tip | PledgePayment, creator_id: int, key: str, event_id: str) -> int:
    """Bring the fee returned on a payment to its share of what was taken back; the row added
    (+ a FEE_REFUND, − a FEE taken again after a failed refund) as a signed amount."""
    source = _source(payment)
    fee = _original_fee(source)
    # Fee given back, less any taken again (keyed FEE rows, after a failed refund).
    returned = _ledger_sum(source, Kind.FEE_REFUND) - (_ledger_sum(source, Kind.FEE) - fee)
    target = _share_of_fee(fee, _taken_back(source), payment.amount)
    change = target - returned
    if change:
        LedgerEntry.objects.create(
            creator_id=creator_id,
            kind=Kind.FEE_REFUND if change > 0 else Kind.FEE,
            amount=abs(change),
            currency=payment.currency,
            entry_key=key,
            gateway_event_id=event_id,
            **source,
        )
    return change


def _payment_creator_id(payment: Tip | PledgePayment) -> int:
    if isinstance(payment, Tip):
        return payment.creator_id
    return Pledge.objects.values_list("creator_id", flat=True).get(pk=payment.pledge_id)


def _lock_payment(payment: Tip | PledgePayment) -> tuple[Tip | PledgePayment, int]:
    creator_id = _payment_creator_id(payment)
    _lock_settings(creator_id)
    return type(payment).objects.select_for_update().get(pk=payment.pk), creator_id


def payment_words(payment: Tip | PledgePayment) -> str:
    """ "a $5.00 tip from Bob" or "Bob's May 2026 pledge payment"."""
    if isinstance(payment, Tip):
        return f"a {payment.display_amount} tip from {payment.supporter_name}"
    supporter = User.objects.get(pledges_made__payments=payment)
    return f"{supporter.name}’s {payment.period_start:%B %Y} pledge payment"


def _notice(
    *,
    creator_id: int,
    kind: str,
    key: str,
    amount: int = 0,
    currency: str | None = None,
    balance_change: int = 0,
    reason: str = "",
    what: str = "",
) -> MoneyNotice | None:
    """Record what moved and tell the creator and staff (in-app through notifications, which
    listens to `money_notice_made`, and by email), once per key."""
    try:
        with transaction.atomic():
            notice = MoneyNotice.objects.create(
                creator_id=creator_id,
                kind=kind,
                key=key[:300],
                amount=amount,
                currency=currency or settings.SUPPORT_CURRENCY,
                balance_change=balance_change,
                reason=reason[:500],
                what=what[:300],
            )
    except IntegrityError:
        return None
    enqueue(emails.send_money_notice, notice_id=notice.pk)
    transaction.on_commit(lambda: money_notice_made.send(sender=MoneyNotice, notice=notice))
    return notice


@transaction.atomic
def refund_recorded(
    *,
    payment: Tip | PledgePayment,
    refund_id: str,
    amount: int,
    event_id: str = "",
    reason: str = "",
) -> LedgerEntry | None:
    """The provider refunded (part of) a payment, from its dashboard or for Byline: a REFUND row
    and the fee's share given back. Once per refund id: None if it is counted already.

    Refusing a refund larger than what is left of the payment keeps the ledger from saying
    more went back than was paid; the caller logs it for staff.
    """
    payment, creator_id = _lock_payment(payment)
    key = f"refund:{refund_id}"
    if LedgerEntry.objects.filter(entry_key=key).exists():
        return None
    source = _source(payment)
    left = payment.amount - _taken_back(source)
    if not 0 < amount <= left:
        raise ValidationError(
            f"A refund of {amount} is more than the {left} left of this payment.",
            code="refund_too_large",
        )
    entry = LedgerEntry.objects.create(
        creator_id=creator_id,
        kind=Kind.REFUND,
        amount=amount,
        currency=payment.currency,
        gateway_reference=refund_id,
        gateway_event_id=event_id,
        entry_key=key,
        note=reason[:500],
        **source,
    )
    fee_back = _settle_fee(
        payment=payment, creator_id=creator_id, key=f"refund-fee:{refund_id}", event_id=event_id
    )
    if amount == left:
        payment.status = payment.Status.REFUNDED
        payment.save(update_fields=["status"])
    _notice(
        creator_id=creator_id,
        kind=MoneyNotice.Kind.REFUND,
        key=key,
        amount=amount,
        currency=payment.currency,
        balance_change=fee_back - amount,
        reason=reason or ("Refunded in full" if amount == payment.amount else "Partly refunded"),
        what=payment_words(payment),
    )
    return entry


@transaction.atomic
def refund_failed(
    *, payment: Tip | PledgePayment, refund_id: str, reason: str = "", event_id: str = ""
) -> LedgerEntry | None:
    """A refund counted earlier failed or was cancelled at the provider: the money is back in
    the platform's account, so back in the creator's balance (and the fee's share with it)."""
    payment, creator_id = _lock_payment(payment)
    refund = LedgerEntry.objects.filter(entry_key=f"refund:{refund_id}").first()
    key = f"refund-failed:{refund_id}"
    if refund is None or LedgerEntry.objects.filter(entry_key=key).exists():
        return None
    source = _source(payment)
    entry = LedgerEntry.objects.create(
        creator_id=creator_id,
        kind=Kind.REFUND_FAILED,
        amount=refund.amount,
        currency=payment.currency,
        gateway_reference=refund_id,
        gateway_event_id=event_id,
        entry_key=key,
        note=reason[:500],
        **source,
    )
    fee_change = _settle_fee(
        payment=payment,
        creator_id=creator_id,
        key=f"refund-failed-fee:{refund_id}",
        event_id=event_id,
    )
    if payment.status == payment.Status.REFUNDED:
        payment.status = payment.Status.SUCCEEDED
        payment.save(update_fields=["status"])
    _notice(
        creator_id=creator_id,
        kind=MoneyNotice.Kind.REFUND_FAILED,
        key=key,
        amount=refund.amount,
        currency=payment.currency,
        balance_change=refund.amount + fee_change,
        reason=reason,
        what=payment_words(payment),
    )
    return entry


def dispute_reason(code: str) -> str:
    return DISPUTE_REASONS.get(code, code.replace("_", " "))


@transaction.atomic
def dispute_opened(
    *,
    payment: Tip | PledgePayment,
    dispute_id: str,
    amount: int,
    reason: str = "",
    provider_status: str = "",
    event_id: str = "",
) -> Dispute:
    """A reader's bank disputes (part of) a payment: the creator's share of the disputed amount
    is HELD (it cannot be paid out) until the dispute closes. Once per dispute."""
    payment, creator_id = _lock_payment(payment)
    dispute = Dispute.objects.filter(gateway_reference=dispute_id).first()
    if dispute is not None:
        return dispute
    source = _source(payment)
    if not 0 < amount <= payment.amount:
        raise ValidationError(
            f"A dispute of {amount} does not fit a payment of {payment.amount}.",
            code="dispute_too_large",
        )
    fee = _original_fee(source)
    held = amount - _share_of_fee(fee, amount, payment.amount)
    dispute = Dispute.objects.create(
        creator_id=creator_id,
        amount=amount,
        held=held,
        currency=payment.currency,
        gateway_reference=dispute_id,
        reason=reason[:100],
        provider_status=provider_status[:50],
        **source,
    )
    if held:
        LedgerEntry.objects.create(
            creator_id=creator_id,
            kind=Kind.HOLD,
            amount=held,
            currency=payment.currency,
            gateway_reference=dispute_id,
            gateway_event_id=event_id,
            entry_key=f"hold:{dispute_id}",
            note=dispute_reason(reason)[:500],
            **source,
        )
    _notice(
        creator_id=creator_id,
        kind=MoneyNotice.Kind.DISPUTE_OPENED,
        key=f"dispute_opened:{dispute_id}",
        amount=amount,
        currency=payment.currency,
        balance_change=-held,
        reason=f"{dispute_reason(reason).capitalize()}. {format_money(held, payment.currency)} "
        "is held until the dispute closes.",
        what=payment_words(payment),
    )
    return dispute


@transaction.atomic
def dispute_closed(
    *, dispute: Dispute, won: bool, provider_status: str = "", event_id: str = ""
) -> Dispute:
    """The dispute closed. Won: the hold is released. Lost: released too, and the disputed gross
    leaves the balance as a REVERSAL with the fee's share given back (the fee policy); the
    balance may go below zero, and what is owed comes out of the next income."""
    _lock_settings(dispute.creator_id)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status != Dispute.Status.OPEN:
        return dispute
    payment = dispute.tip or dispute.pledge_payment
    source = _source(payment)
    ref = dispute.gateway_reference
    common = {
        "creator_id": dispute.creator_id,
        "currency": dispute.currency,
        "gateway_reference": ref,
        "gateway_event_id": event_id,
        **source,
    }
    if dispute.held:
        LedgerEntry.objects.create(
            kind=Kind.HOLD_RELEASE, amount=dispute.held, entry_key=f"release:{ref}", **common
        )
    change = 0
    if not won:
        LedgerEntry.objects.create(
            kind=Kind.REVERSAL,
            amount=dispute.amount,
            entry_key=f"reversal:{ref}",
            note=dispute_reason(dispute.reason)[:500],
            **common,
        )
        fee_back = _settle_fee(
            payment=payment,
            creator_id=dispute.creator_id,
            key=f"reversal-fee:{ref}",
            event_id=event_id,
        )
        change = fee_back - dispute.amount + dispute.held
    else:
        change = dispute.held
    dispute.status = Dispute.Status.WON if won else Dispute.Status.LOST
    dispute.provider_status = provider_status[:50] or dispute.status
    dispute.closed_at = timezone.now()
    dispute.save(update_fields=["status", "provider_status", "closed_at"])
    balance = balance_of(creator_id=dispute.creator_id, currency=dispute.currency)
    if won:
        words = f"The hold of {dispute.display_held} is released."
    else:
        words = (
            f"{dispute.display_amount} went back to the reader’s bank"
            f" ({dispute_reason(dispute.reason)})."
        )
        if balance < 0:
            words += (
                f" Your balance is {format_money(balance, dispute.currency)}: what you owe is "
                "taken from your next income."
            )
    _notice(
        creator_id=dispute.creator_id,
        kind=MoneyNotice.Kind.DISPUTE_WON if won else MoneyNotice.Kind.DISPUTE_LOST,
        key=f"dispute_closed:{ref}",
        amount=dispute.amount,
        currency=dispute.currency,
        balance_change=change,
        reason=words,
        what=payment_words(payment),
    )
    return dispute


@transaction.atomic
def payout_returned(
    *,
    payout: PayoutRequest,
    reversal_id: str,
    amount: int,
    transfer_id: str,
    reason: str = "",
    event_id: str = "",
) -> LedgerEntry | None:
    """A transfer to the creator's account was reversed: the money is the platform's again, so
    it is back in the creator's balance. Once per reversal; never more than the payout."""
    _lock_settings(payout.creator_id)
    payout = PayoutRequest.objects.select_for_update().get(pk=payout.pk)
    key = f"payout_returned:{reversal_id}"
    if LedgerEntry.objects.filter(entry_key=key).exists():
        return None
    returned = sum(
        LedgerEntry.objects.filter(payout=payout, kind=Kind.PAYOUT_RETURNED).values_list(
            "amount", flat=True
        )
    )
    if not 0 < amount <= payout.amount - returned:
        raise ValidationError(
            f"A reversal of {amount} is more than the {payout.amount - returned} left of this "
            "payout.",
            code="reversal_too_large",
        )
    entry = LedgerEntry.objects.create(
        creator_id=payout.creator_id,
        kind=Kind.PAYOUT_RETURNED,
        amount=amount,
        currency=payout.currency,
        payout=payout,
        gateway_reference=transfer_id,
        gateway_event_id=event_id,
        entry_key=key,
        note=reason[:500],
    )
    _notice(
        creator_id=payout.creator_id,
        kind=MoneyNotice.Kind.PAYOUT_RETURNED,
        key=key,
        amount=amount,
        currency=payout.currency,
        balance_change=amount,
        reason=reason or "The transfer to your payout account was reversed.",
        what=f"your {payout.display_amount} payout of {payout.requested_at:%-d %B %Y}",
    )
    return entry


@transaction.atomic
def bank_payout_failed(
    *,
    stripe_account_id: str,
    payout_id: str,
    amount: int,
    currency: str,
    failure: str,
) -> bool:
    """The connected account's payout to the creator's bank failed. The ledger does not change:
    the money is in the creator's own Stripe balance, already theirs, and Stripe pays it again
    once the bank details are fixed. The creator and staff are told why. True if ours."""
    account = SupportSettings.objects.filter(stripe_account_id=stripe_account_id).first()
    if account is None:
        return False
    _notice(
        creator_id=account.creator_id,
        kind=MoneyNotice.Kind.PAYOUT_FAILED,
        key=f"payout_failed:{payout_id}",
        amount=amount,
        currency=currency.lower() if currency.lower() in CURRENCY_CODES else None,
        reason=failure,
        what="your payout to your bank",
    )
    return True


@transaction.atomic
def difference_resolve(*, difference: Difference, actor: User, reason: str) -> Difference:
    """Staff mark a reconciliation difference resolved, saying how; the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say how this difference was resolved.", code="reason")
    difference = Difference.objects.select_for_update().get(pk=difference.pk)
    if difference.is_resolved:
        raise ValidationError("This difference is already resolved.", code="resolved")
    difference.resolved_by, difference.resolved_at = actor, timezone.now()
    difference.resolution = reason[:2000]
    difference.save(update_fields=["resolved_by", "resolved_at", "resolution"])
    return difference
