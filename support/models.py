"""Tips, pledges, payouts and the one ledger that every balance is summed from.

Money is an integer number of minor units (cents) next to its ISO 4217 code, everywhere.
Tips, pledge payments and payout requests say what happened; `LedgerEntry` rows say what it did
to a creator's money. A balance is a SUM over the ledger, never a stored total, and ledger rows
are only ever added: a refund is a new row, not an edit of the payment it reverses.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.sanitizer import clean_text
from support.money import format_money

# Bounds in minor units of SUPPORT_CURRENCY (a two-decimal currency: 100 = $1.00).
TIP_PRESETS = (100, 200, 500, 1_000, 2_000, 5_000)
TIP_MIN = 100
TIP_MAX = 50_000
PLEDGE_MIN = 299
# No bound was asked for; the tip's keeps a slipped finger from pledging $5,000 a month.
PLEDGE_MAX = 50_000
PLEDGE_DEFAULTS = (299, 500, 1_000)
PAYOUT_MIN = 100
MESSAGE_MAX_LENGTH = 500


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later, on the month's last day if it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


class Gateway(models.TextChoices):
    OFFLINE = "offline", "Offline (test mode)"
    STRIPE = "stripe", "Stripe"


class SupportSettings(models.Model):
    """A creator's choice to take tips and pledges, and where their payouts go."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_settings"
    )
    # On unless the creator turns it off: every creator can be tipped from their first story
    # (issue 15). A creator without a row never chose, and has these defaults too
    # (support.selectors.support_settings_for).
    accepts_support = models.BooleanField(
        "accept tips and pledges",
        default=True,
        help_text="Show the tip and pledge buttons on my stories and profile.",
    )
    # The three monthly amounts offered on the pledge form; a reader may also type their own.
    pledge_amount_1 = models.PositiveIntegerField(default=PLEDGE_DEFAULTS[0])
    pledge_amount_2 = models.PositiveIntegerField(default=PLEDGE_DEFAULTS[1])
    pledge_amount_3 = models.PositiveIntegerField(default=PLEDGE_DEFAULTS[2])
    # Stripe Connect: the creator's connected account and whether Stripe lets it take payouts
    # (kept up to date by the account.updated webhook).
    stripe_account_id = models.CharField(max_length=255, blank=True)
    payouts_enabled = models.BooleanField(default=False)
    # Why Stripe switched payouts off, or that the account was disconnected (issue 20); the
    # wallet shows it. Empty while payouts work.
    payouts_problem = models.CharField(max_length=500, blank=True, default="")
    # When the account state last applied was reported (the account.updated event's `created`):
    # an older snapshot delivered late does not undo a newer one.
    account_reported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "creator support settings"
        verbose_name_plural = "creator support settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(pledge_amount_1__gte=PLEDGE_MIN)
                & Q(pledge_amount_2__gte=PLEDGE_MIN)
                & Q(pledge_amount_3__gte=PLEDGE_MIN),
                name="supportsettings_pledge_amounts_min",
            ),
            models.UniqueConstraint(
                fields=["stripe_account_id"],
                condition=~Q(stripe_account_id=""),
                name="supportsettings_stripe_account_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Support settings of {self.creator}"

    @property
    def pledge_amounts(self) -> list[int]:
        """The suggested monthly amounts, smallest first, without repeats."""
        return sorted({self.pledge_amount_1, self.pledge_amount_2, self.pledge_amount_3})

    @property
    def has_payout_account(self) -> bool:
        return bool(self.stripe_account_id) and self.payouts_enabled

    def can_receive(self, *, needs_payout_account: bool) -> bool:
        """Whether readers may pay this creator now (the gateway says if an account is needed)."""
        if not (self.accepts_support and self.creator.is_active):
            return False
        return self.has_payout_account or not needs_payout_account


class Tip(models.Model):
    """One-off payment from a reader (signed in, or anonymous with an email) to a creator."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tips_received"
    )
    # PROTECT, as everywhere money is recorded: an account that paid is suspended, not deleted.
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tips_given",
    )
    email = models.EmailField(blank=True, help_text="Where an anonymous reader's receipt goes.")
    story = models.ForeignKey(
        "stories.Story", on_delete=models.SET_NULL, null=True, blank=True, related_name="tips"
    )
    amount = models.PositiveIntegerField(help_text="Minor units (cents).")
    currency = models.CharField(max_length=3)
    message = models.TextField(blank=True, max_length=MESSAGE_MAX_LENGTH)
    # The message as the creator reads it, made once on save by the one sanitiser.
    message_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    gateway = models.CharField(max_length=20, choices=Gateway.choices)
    # The gateway's checkout (Stripe: the Checkout Session) and the payment itself (Stripe: the
    # PaymentIntent, which a refund names).
    gateway_reference = models.CharField(max_length=255, blank=True)
    payment_reference = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tip_amount_positive"),
            models.CheckConstraint(
                condition=Q(supporter__isnull=False) | ~Q(email=""),
                name="tip_has_supporter_or_email",
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_reference"],
                condition=~Q(gateway_reference=""),
                name="tip_gateway_reference_unique",
            ),
        ]
        indexes = [
            # The wallet's tips and the supporters list: a creator's paid tips, newest first.
            models.Index(
                fields=["creator", "status", "-created_at"], name="tip_creator_status_idx"
            ),
            # A reader's own tips.
            models.Index(fields=["supporter", "-created_at"], name="tip_supporter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_amount} tip to {self.creator} from {self.supporter_name}"

    def save(self, *args, **kwargs) -> None:
        self.message_html = clean_text(self.message)
        super().save(*args, **kwargs)

    @property
    def display_amount(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def supporter_name(self) -> str:
        return self.supporter.name if self.supporter_id else "an anonymous reader"

    @property
    def receipt_email(self) -> str:
        return self.supporter.email if self.supporter_id else self.email


class PledgeQuerySet(models.QuerySet):
    def live(self) -> PledgeQuerySet:
        """Pledges that are paying or about to: not ended, checkout finished or not."""
        return self.filter(status__in=Pledge.LIVE)

    def paying(self) -> PledgeQuerySet:
        """What the wallet counts as monthly pledge income: active or being retried."""
        return self.filter(status__in=(Pledge.Status.ACTIVE, Pledge.Status.PAST_DUE))


class Pledge(models.Model):
    """A reader's monthly support of a creator; each month's charge is a `PledgePayment`.

    Cancelling keeps an active pledge running to the end of the paid month
    (`cancel_at_period_end`); it ends then, with no further charge.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the first payment"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Payment failed, retrying"
        ENDED = "ended", "Ended"

    LIVE = (Status.PENDING, Status.ACTIVE, Status.PAST_DUE)

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges_made"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges_received"
    )
    amount = models.PositiveIntegerField(help_text="Minor units (cents) a month.")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    gateway = models.CharField(max_length=20, choices=Gateway.choices)
    # Stripe: the Subscription, and the Checkout Session that started it.
    gateway_reference = models.CharField(max_length=255, blank=True)
    checkout_reference = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The moment the monthly cycle counts from (the first payment): periods end on its day.
    billing_anchor = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # The story the reader pledged from, when the pledge form carried one (issue 18: stats
    # count pledges started from stories for supporters).
    story = models.ForeignKey(
        "stories.Story",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledges_started",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Offline renewals: failed attempts in a row, and when to try again.
    renewal_failures = models.PositiveSmallIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            # One live pledge per reader and creator: a double click cannot pledge twice.
            models.UniqueConstraint(
                fields=["supporter", "creator"],
                condition=Q(status__in=["pending", "active", "past_due"]),
                name="pledge_one_live_per_supporter_creator",
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_reference"],
                condition=~Q(gateway_reference=""),
                name="pledge_gateway_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(current_period_end__isnull=True)
                | Q(current_period_end__gt=F("current_period_start")),
                name="pledge_period_ends_after_start",
            ),
        ]
        indexes = [
            # The wallet's active pledges and the supporters list.
            models.Index(fields=["creator", "status"], name="pledge_creator_status_idx"),
            # The renewal job: live pledges whose paid month is over.
            models.Index(fields=["status", "current_period_end"], name="pledge_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_amount}/month to {self.creator} from {self.supporter}"

    @property
    def display_amount(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def runs_until(self) -> datetime | None:
        """When a cancelled pledge stops; None while it keeps renewing."""
        return self.current_period_end if self.cancel_at_period_end else None

    def next_period(self) -> tuple[datetime, datetime]:
        """The month after the current one, kept on the day of the month the cycle began
        (a pledge from 31 January renews on 28/29 February, then on 31 March)."""
        anchor, end = self.billing_anchor, self.current_period_end
        assert anchor is not None and end is not None, "only a paid pledge has a next period"
        months = (end.year - anchor.year) * 12 + end.month - anchor.month
        return end, add_months(anchor, months + 1)


class PledgePayment(models.Model):
    """One month of a pledge: paid, failed (and retried), or refunded."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    PAID = (Status.SUCCEEDED, Status.REFUNDED)

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="payments")
    amount = models.PositiveIntegerField(help_text="Minor units (cents).")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    gateway = models.CharField(max_length=20, choices=Gateway.choices)
    # Stripe: the Invoice, and the PaymentIntent that paid it (what a refund names).
    gateway_reference = models.CharField(max_length=255, blank=True)
    payment_reference = models.CharField(max_length=255, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledgepayment_amount_positive"),
            # A month is paid at most once, however many times a renewal or webhook runs.
            models.UniqueConstraint(
                fields=["pledge", "period_start"],
                condition=Q(status__in=["succeeded", "refunded"]),
                name="pledgepayment_one_paid_per_period",
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_reference"],
                condition=~Q(gateway_reference="") & Q(status__in=["succeeded", "refunded"]),
                name="pledgepayment_paid_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_amount} for {self.pledge} ({self.period_start:%B %Y})"

    @property
    def display_amount(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def creator(self):
        return self.pledge.creator

    @property
    def receipt_email(self) -> str:
        return self.pledge.supporter.email


class PayoutRequest(models.Model):
    """A creator asking for their balance; staff pay it out or hold it with a reason."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for review"
        HELD = "held", "On hold"
        PAID = "paid", "Approved and paid"
        CANCELLED = "cancelled", "Withdrawn"

    OPEN = (Status.REQUESTED, Status.HELD)

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_requests"
    )
    amount = models.PositiveIntegerField(help_text="Minor units (cents).")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField(blank=True, help_text="Staff's reason; the creator sees it.")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    gateway = models.CharField(max_length=20, choices=Gateway.choices, blank=True)
    # Stripe: the Transfer to the creator's connected account.
    gateway_reference = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            # One open request at a time, so two cannot both claim the same balance.
            models.UniqueConstraint(
                fields=["creator"],
                condition=Q(status__in=["requested", "held"]),
                name="payout_one_open_per_creator",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="payout_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_amount} payout to {self.creator} ({self.get_status_display()})"

    @property
    def display_amount(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class LedgerQuerySet(models.QuerySet):
    """The ledger only grows: bulk updates and deletes are refused like single ones."""

    def update(self, **kwargs):
        raise TypeError("Ledger entries are never changed; add a new entry instead.")

    def delete(self):
        raise TypeError("Ledger entries are never deleted; add a reversing entry instead.")

    def for_creator(self, creator, currency: str) -> LedgerQuerySet:
        return self.filter(creator=creator, currency=currency)


class LedgerEntry(models.Model):
    """One movement of a creator's money. Amounts are always positive; the kind gives the sign.

    Credits (`CREDITS`) add to the creator's balance, debits (`DEBITS`) take away from it, so
    balance = Σ credits − Σ debits. A payment is a CHARGE (the gross) and a FEE (the platform's
    share); refunding it adds a REFUND (the gross) and a FEE_REFUND (the fee, given back to the
    creator, who never kept it); a payout is a PAYOUT.

    Money that moves at the provider (issue 20) adds rows the same way: a dispute HOLDs the
    creator's share of the disputed amount (a debit, so it cannot be paid out) until it closes:
    won, a HOLD_RELEASE gives it back; lost, the release comes with a REVERSAL of the disputed
    gross and the FEE_REFUND of its fee. A refund that fails at the provider is a
    REFUND_FAILED; a reversed transfer is a PAYOUT_RETURNED. So held = Σ HOLD − Σ HOLD_RELEASE,
    and a balance below zero is what the creator owes, taken from their next income.

    Rows without an `entry_key` (payments, fees, payouts) are one of each kind per source; rows
    about a provider's object (a refund, a dispute, a transfer reversal) carry a key naming it
    (`refund:re_123`), unique, so however often and in whatever order the provider tells us,
    each is counted once.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", "Payment"
        FEE = "fee", "Platform fee"
        REFUND = "refund", "Refund"
        FEE_REFUND = "fee_refund", "Platform fee returned"
        PAYOUT = "payout", "Payout"
        # A challenge's prize (challenges app): paid by the platform, so no fee row.
        PRIZE = "prize", "Prize"
        # Issue 20: money moved at the provider (its dashboard, a bank).
        REFUND_FAILED = "refund_failed", "Refund failed"
        HOLD = "hold", "Held for a dispute"
        HOLD_RELEASE = "hold_release", "Dispute hold released"
        REVERSAL = "reversal", "Lost dispute"
        PAYOUT_RETURNED = "payout_returned", "Payout returned"

    CREDITS = (
        Kind.CHARGE,
        Kind.FEE_REFUND,
        Kind.PRIZE,
        Kind.REFUND_FAILED,
        Kind.HOLD_RELEASE,
        Kind.PAYOUT_RETURNED,
    )
    DEBITS = (Kind.FEE, Kind.REFUND, Kind.PAYOUT, Kind.HOLD, Kind.REVERSAL)
    # Kinds that belong to a payout request rather than a payment.
    PAYOUT_KINDS = (Kind.PAYOUT, Kind.PAYOUT_RETURNED)
    # Kinds whose note (the dispute's reason, the refund's) the creator reads in the history.
    NOTED = (Kind.HOLD, Kind.REVERSAL, Kind.REFUND_FAILED)

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.PositiveIntegerField(help_text="Minor units (cents); the kind gives the sign.")
    currency = models.CharField(max_length=3)
    tip = models.ForeignKey(
        Tip, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    pledge_payment = models.ForeignKey(
        PledgePayment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    payout = models.ForeignKey(
        PayoutRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    # The staff member behind a refund or payout; payments have none.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)
    # What a PRIZE pays for, named by the app that awards it ("challenge:3:place:1"): unique,
    # so deciding a challenge twice pays each prize once.
    prize_key = models.CharField(max_length=100, blank=True, default="")
    # The gateway's id for this movement (refund, transfer) and the webhook event that caused it.
    gateway_reference = models.CharField(max_length=255, blank=True)
    gateway_event_id = models.CharField(max_length=255, blank=True)
    # The provider's object this row counts ("refund:re_1", "hold:dp_1"): unique, so a refund,
    # dispute or transfer reversal is counted once however many events report it.
    entry_key = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "ledger entries"
        permissions = [
            ("refund_payment", "Can refund a tip or pledge payment"),
            ("decide_payout", "Can approve or hold a payout request"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(tip__isnull=False, pledge_payment__isnull=True, payout__isnull=True)
                | Q(tip__isnull=True, pledge_payment__isnull=False, payout__isnull=True)
                | Q(tip__isnull=True, pledge_payment__isnull=True, payout__isnull=False)
                | (
                    Q(kind="prize", tip__isnull=True, pledge_payment__isnull=True)
                    & Q(payout__isnull=True)
                    & ~Q(prize_key="")
                ),
                name="ledger_exactly_one_source",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["payout", "payout_returned"], payout__isnull=False)
                | (~Q(kind__in=["payout", "payout_returned"]) & Q(payout__isnull=True)),
                name="ledger_payout_kind_matches_source",
            ),
            models.UniqueConstraint(
                fields=["tip", "kind"],
                condition=Q(tip__isnull=False, entry_key=""),
                name="ledger_one_kind_per_tip",
            ),
            models.UniqueConstraint(
                fields=["pledge_payment", "kind"],
                condition=Q(pledge_payment__isnull=False, entry_key=""),
                name="ledger_one_kind_per_pledge_payment",
            ),
            models.UniqueConstraint(
                fields=["payout", "kind"],
                condition=Q(payout__isnull=False, entry_key=""),
                name="ledger_one_kind_per_payout",
            ),
            models.UniqueConstraint(
                fields=["entry_key"], condition=~Q(entry_key=""), name="ledger_one_row_per_key"
            ),
            models.UniqueConstraint(
                fields=["prize_key"], condition=Q(kind="prize"), name="ledger_one_row_per_prize"
            ),
        ]
        indexes = [
            # The wallet's sums and the transaction history, by creator, newest first.
            models.Index(
                fields=["creator", "currency", "-created_at"], name="ledger_creator_created_idx"
            ),
            # The history filtered by kind.
            models.Index(fields=["creator", "kind", "-created_at"], name="ledger_creator_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_money(self.signed_amount, self.currency)}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("Ledger entries are never changed; add a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are never deleted; add a reversing entry instead.")

    @property
    def is_credit(self) -> bool:
        return self.kind in self.CREDITS

    @property
    def signed_amount(self) -> int:
        """The entry's effect on the creator's balance: positive for credits."""
        return self.amount if self.is_credit else -self.amount

    @property
    def display_amount(self) -> str:
        return format_money(self.signed_amount, self.currency)

    @property
    def description(self) -> str:
        """A line of the transaction history (select tip, pledge payment and their people)."""
        if self.kind == self.Kind.PAYOUT:
            return "Payout to your account"
        if self.kind == self.Kind.PAYOUT_RETURNED:
            return "Payout returned to your balance" + (f": {self.note}" if self.note else "")
        if self.kind == self.Kind.PRIZE:
            return self.note or "Prize"
        if self.tip_id:
            what = f"tip from {self.tip.supporter_name}"
        else:
            pledge = self.pledge_payment.pledge
            month = f"{self.pledge_payment.period_start:%B %Y}"
            what = f"monthly pledge from {pledge.supporter.name} ({month})"
        return {
            self.Kind.CHARGE: what[0].upper() + what[1:],
            self.Kind.FEE: f"Platform fee on a {what}",
            self.Kind.REFUND: f"Refund of a {what}",
            self.Kind.FEE_REFUND: f"Platform fee returned on a refunded {what}",
            self.Kind.REFUND_FAILED: f"Refund of a {what} failed; the money is back",
            self.Kind.HOLD: f"Held: the reader disputes a {what}",
            self.Kind.HOLD_RELEASE: f"Released: the dispute over a {what} closed",
            self.Kind.REVERSAL: f"Lost dispute over a {what}",
        }[self.kind] + (f" ({self.note})" if self.note and self.kind in self.NOTED else "")


class StripeEvent(models.Model):
    """A Stripe webhook event, recorded in the same transaction that applies it.

    The unique event id is what makes delivery exactly-once: a second delivery (a retry, a
    replay, or the same event arriving twice at once) fails to insert and changes nothing.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored"
        # About a payment or payout Byline does not know yet (the events came out of order):
        # kept, and applied once when the payment it waits for is recorded.
        PARKED = "parked", "Waiting for its payment"

    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=500, blank=True)
    # A parked event: the provider's id of the payment or transfer it waits for.
    waiting_for = models.CharField(max_length=255, blank=True, default="")
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event_id"], name="stripeevent_event_id_unique"),
        ]
        indexes = [
            # Applying parked events once the payment they wait for is recorded.
            models.Index(
                fields=["waiting_for"],
                name="stripeevent_parked_idx",
                condition=Q(outcome="parked"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Dispute(models.Model):
    """A reader's bank disputing a payment (a chargeback). Its status changes as the provider
    reports; the money it holds or takes is in the ledger (HOLD, HOLD_RELEASE, REVERSAL)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes"
    )
    tip = models.ForeignKey(
        Tip, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    pledge_payment = models.ForeignKey(
        PledgePayment, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    gateway_reference = models.CharField(max_length=255)  # Stripe: dp_…
    amount = models.PositiveIntegerField(help_text="Disputed gross, minor units.")
    held = models.PositiveIntegerField(help_text="The creator's share held while it is open.")
    currency = models.CharField(max_length=3)
    # Stripe's reason code ("fraudulent", "product_not_received", …).
    reason = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    provider_status = models.CharField(max_length=50, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["gateway_reference"], name="dispute_reference_unique"),
            models.CheckConstraint(
                condition=Q(tip__isnull=False, pledge_payment__isnull=True)
                | Q(tip__isnull=True, pledge_payment__isnull=False),
                name="dispute_one_payment",
            ),
        ]
        indexes = [
            # The wallet's open disputes.
            models.Index(fields=["creator", "status"], name="dispute_creator_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Dispute {self.gateway_reference} ({self.get_status_display()})"

    @property
    def payment_words(self) -> str:
        """The payment disputed (select tip__supporter, pledge_payment__pledge__supporter)."""
        if self.tip_id:
            return f"{self.tip.display_amount} tip from {self.tip.supporter_name}"
        payment = self.pledge_payment
        return (
            f"{payment.display_amount} pledge payment from {payment.pledge.supporter.name} "
            f"({payment.period_start:%B %Y})"
        )

    @property
    def reason_display(self) -> str:
        return DISPUTE_REASONS.get(self.reason, self.reason.replace("_", " ") or "no reason given")

    @property
    def display_amount(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def display_held(self) -> str:
        return format_money(self.held, self.currency)


# Stripe's dispute reasons, as a creator reads them.
DISPUTE_REASONS = {
    "bank_cannot_process": "the bank could not process it",
    "credit_not_processed": "the reader says a refund was promised",
    "customer_initiated": "the reader asked their bank",
    "debit_not_authorized": "the reader says they did not authorise the debit",
    "duplicate": "the reader says they were charged twice",
    "fraudulent": "the card holder says they did not make this payment",
    "general": "no specific reason",
    "incorrect_account_details": "wrong account details",
    "insufficient_funds": "insufficient funds",
    "product_not_received": "the reader says they did not receive what they paid for",
    "product_unacceptable": "the reader says what they paid for was not as described",
    "subscription_canceled": "the reader says they had cancelled",
    "unrecognized": "the reader does not recognise the payment",
}


class MoneyNotice(models.Model):
    """Money that moved at the provider, as told to the creator and staff: a refund made in the
    dashboard, a dispute opened or closed, a returned transfer, a failed bank payout, payouts
    switched off. One per provider object and what happened to it (`key`), so telling is once."""

    class Kind(models.TextChoices):
        REFUND = "refund", "Refunded at the provider"
        REFUND_FAILED = "refund_failed", "Refund failed"
        DISPUTE_OPENED = "dispute_opened", "Dispute opened"
        DISPUTE_WON = "dispute_won", "Dispute won"
        DISPUTE_LOST = "dispute_lost", "Dispute lost"
        PAYOUT_RETURNED = "payout_returned", "Transfer reversed"
        PAYOUT_FAILED = "payout_failed", "Bank payout failed"
        PAYOUTS_DISABLED = "payouts_disabled", "Payouts switched off"
        ACCOUNT_DISCONNECTED = "account_disconnected", "Payout account disconnected"

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="money_notices"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=300)
    amount = models.PositiveIntegerField(default=0, help_text="Minor units; 0 if none moved.")
    currency = models.CharField(max_length=3)
    # What the creator's balance did: the change to what they can be paid (signed).
    balance_change = models.IntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True)
    what = models.CharField(max_length=300, blank=True, help_text="The payment or payout.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="moneynotice_key_unique"),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def display_amount(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def display_change(self) -> str:
        return format_money(self.balance_change, self.currency)

    @property
    def summary(self) -> str:
        """One line, the same for the creator and staff (staff's adds whose wallet)."""
        amount, what = self.display_amount, self.what or "a payment"
        return {
            self.Kind.REFUND: f"{amount} of {what} was refunded at the payment provider",
            self.Kind.REFUND_FAILED: f"A {amount} refund of {what} failed; the money is back",
            self.Kind.DISPUTE_OPENED: f"A reader disputes {amount} of {what}",
            self.Kind.DISPUTE_WON: f"The {amount} dispute over {what} was won",
            self.Kind.DISPUTE_LOST: f"The {amount} dispute over {what} was lost",
            self.Kind.PAYOUT_RETURNED: f"{amount} of {what} came back to the balance",
            self.Kind.PAYOUT_FAILED: f"A {amount} payout to the bank failed",
            self.Kind.PAYOUTS_DISABLED: "Payouts are switched off",
            self.Kind.ACCOUNT_DISCONNECTED: "The payout account was disconnected",
        }[self.kind]


class ProviderRecord(models.Model):
    """The offline gateway's own record of the money it moved, kept apart from the ledger as a
    provider keeps its balance transactions, so reconciliation has something to compare with
    on the embedded default too. Written by support.gateways.OfflineGateway only."""

    class Type(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        TRANSFER = "transfer", "Transfer"

    type = models.CharField(max_length=20, choices=Type.choices)
    reference = models.CharField(max_length=255)
    # Signed as the platform's balance sees it: + money in, − money out.
    amount = models.IntegerField()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], name="providerrecord_created_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.reference} {self.amount}"


class Difference(models.Model):
    """Something the ledger and the provider's balance transactions disagree about, found by
    reconciliation (support.reconciliation); staff resolve it with a reason."""

    class Kind(models.TextChoices):
        MISSING_IN_LEDGER = "missing_in_ledger", "At the provider, not in the ledger"
        MISSING_AT_PROVIDER = "missing_at_provider", "In the ledger, not at the provider"
        AMOUNT = "amount", "Amounts differ"
        PARKED = "parked", "Event still waiting for its payment"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    gateway = models.CharField(max_length=20, choices=Gateway.choices)
    reference = models.CharField(max_length=255, help_text="The provider's id.")
    what = models.CharField(max_length=50, blank=True, help_text="Charge, refund, transfer, …")
    ledger_amount = models.IntegerField(default=0)
    provider_amount = models.IntegerField(default=0)
    currency = models.CharField(max_length=3)
    found_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-found_at", "-pk"]
        permissions = [("resolve_difference", "Can resolve a reconciliation difference")]
        constraints = [
            # A difference still open is listed once however often the job runs.
            models.UniqueConstraint(
                fields=["gateway", "reference", "kind", "currency"],
                condition=Q(resolved_at__isnull=True),
                name="difference_one_open_per_reference",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="difference_resolved_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "-found_at"], name="difference_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reference}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def gap(self) -> int:
        return self.provider_amount - self.ledger_amount
