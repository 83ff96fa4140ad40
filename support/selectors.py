"""Reads for support pages: what a creator can receive, the wallet, its history, supporters.

Every figure about money is a SUM over the ledger in a fixed number of queries (noted on each
function), never a stored total. Amounts are int minor units of the given currency, which
defaults to settings.SUPPORT_CURRENCY; support.money.format_money shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from creators.models import User
from support.gateways import PaymentGateway, get_gateway
from support.models import (
    PLEDGE_MAX,
    PLEDGE_MIN,
    TIP_MAX,
    TIP_MIN,
    TIP_PRESETS,
    Dispute,
    LedgerEntry,
    PayoutRequest,
    Pledge,
    SupportSettings,
    Tip,
    add_months,
)

Kind = LedgerEntry.Kind


def balance_of(*, creator_id: int, currency: str) -> int:
    """Credits minus debits over the ledger: the money that is the creator's right now. 1 query."""
    signed = Case(
        When(kind__in=LedgerEntry.CREDITS, then=F("amount")),
        default=-F("amount"),
        output_field=IntegerField(),
    )
    total = LedgerEntry.objects.filter(creator_id=creator_id, currency=currency).aggregate(
        balance=Coalesce(Sum(signed), 0)
    )["balance"]
    return int(total)


def support_settings_for(*, creator: User) -> SupportSettings:
    """The creator's settings, or unsaved defaults (support on) if they never chose. 1 query."""
    account = SupportSettings.objects.filter(creator=creator).first()
    return account or SupportSettings(creator=creator)


def payout_setup_needed(*, creator: User, gateway: PaymentGateway | None = None) -> bool:
    """Whether readers can't pay `creator` only because the gateway wants a payout account
    they have not finished setting up (Stripe Connect). No query when the gateway needs none
    (offline), else 1. Support switched off is the creator's choice, not a missing step."""
    gateway = gateway or get_gateway()
    if not gateway.needs_payout_account or not creator.is_active:
        return False
    account = support_settings_for(creator=creator)
    return account.accepts_support and not account.has_payout_account


@dataclass(frozen=True)
class SupportOffer:
    """What the tip and pledge forms offer on a story page or profile."""

    creator: User
    currency: str
    tip_presets: tuple[int, ...]
    tip_min: int
    tip_max: int
    pledge_amounts: list[int]  # the creator's three suggestions, smallest first
    pledge_min: int
    pledge_max: int
    is_test_mode: bool  # show the "test mode" banner: no real money moves
    viewer_pledge: Pledge | None  # the signed-in reader's live pledge to this creator


def support_offer(
    *, creator: User, viewer: User | None = None, gateway: PaymentGateway | None = None
) -> SupportOffer | None:
    """The support block for `creator`, or None when they cannot receive support now (support
    off, account suspended, or with Stripe no payout account yet): then show no buttons.

    1 query, 2 for a signed-in viewer.
    """
    gateway = gateway or get_gateway()
    account = support_settings_for(creator=creator)
    account.creator = creator
    if not account.can_receive(needs_payout_account=gateway.needs_payout_account):
        return None
    viewer_pledge = None
    if viewer is not None and viewer.is_authenticated and viewer.pk != creator.pk:
        viewer_pledge = Pledge.objects.live().filter(supporter=viewer, creator=creator).first()
    return SupportOffer(
        creator=creator,
        currency=settings.SUPPORT_CURRENCY,
        tip_presets=TIP_PRESETS,
        tip_min=TIP_MIN,
        tip_max=TIP_MAX,
        pledge_amounts=account.pledge_amounts,
        pledge_min=PLEDGE_MIN,
        pledge_max=PLEDGE_MAX,
        is_test_mode=gateway.is_test_mode,
        viewer_pledge=viewer_pledge,
    )


@dataclass(frozen=True)
class WalletSummary:
    """A creator's money. Flow figures cover the period since `since` (all time if None);
    balance, pending payout and pledges are as of now."""

    currency: str
    since: datetime | None
    balance: int  # credits − debits over the whole ledger: what is theirs right now
    held: int  # set aside for open disputes (not in `balance` until released)
    pending_payout: int  # requested or held, not yet paid
    available: int  # what a new payout request may ask for
    tips: int  # gross of tips paid
    tip_count: int
    pledge_income: int  # gross of pledge payments
    pledge_payment_count: int
    gross: int  # tips + pledge income
    fees: int  # platform fees, less fees returned on refunds
    refunds: int  # refunds, less refunds that failed
    reversals: int  # disputes lost
    net: int  # gross − fees − refunds − reversals: what they earned
    payouts: int
    prizes: int  # challenge prizes (challenges app), paid by the platform
    active_pledges: int  # active or being retried
    monthly_pledges: int  # what those pledges add up to each month
    fee_basis_points: int  # the current platform fee (700 = 7%)

    @property
    def fee_percent(self) -> str:
        return f"{self.fee_basis_points / 100:g}%"

    @property
    def total(self) -> int:
        """What is the creator's, money held for open disputes included (the wallet's
        "Balance"); below zero, what they owe."""
        return self.balance + self.held

    @property
    def taken_back(self) -> int:
        """Refunds and lost disputes: what went back to readers."""
        return self.refunds + self.reversals

    @property
    def owed(self) -> int:
        """What the creator owes (the balance below zero, after a lost dispute or a refund of
        money already paid out): taken from their next income before anything is paid out.
        Money held for an open dispute is not owed yet, only kept back."""
        return max(-(self.balance + self.held), 0)


def _sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), 0, output_field=IntegerField())


def wallet_summary(
    *, creator: User, since: datetime | None = None, currency: str | None = None
) -> WalletSummary:
    """The wallet's figures in 3 queries (ledger sums, pledges, open payout requests)."""
    currency = currency or settings.SUPPORT_CURRENCY
    in_period = Q(created_at__gte=since) if since else Q()
    tip_charge = Q(kind=Kind.CHARGE, tip__isnull=False) & in_period
    pledge_charge = Q(kind=Kind.CHARGE, pledge_payment__isnull=False) & in_period
    sums = LedgerEntry.objects.filter(creator=creator, currency=currency).aggregate(
        credits=_sum(Q(kind__in=LedgerEntry.CREDITS)),
        debits=_sum(Q(kind__in=LedgerEntry.DEBITS)),
        tips=_sum(tip_charge),
        tip_count=Count("pk", filter=tip_charge),
        pledge_income=_sum(pledge_charge),
        pledge_payment_count=Count("pk", filter=pledge_charge),
        fees=_sum(Q(kind=Kind.FEE) & in_period),
        fee_refunds=_sum(Q(kind=Kind.FEE_REFUND) & in_period),
        refunds=_sum(Q(kind=Kind.REFUND) & in_period),
        refunds_failed=_sum(Q(kind=Kind.REFUND_FAILED) & in_period),
        reversals=_sum(Q(kind=Kind.REVERSAL) & in_period),
        payouts=_sum(Q(kind=Kind.PAYOUT) & in_period),
        payouts_returned=_sum(Q(kind=Kind.PAYOUT_RETURNED) & in_period),
        prizes=_sum(Q(kind=Kind.PRIZE) & in_period),
        holds=_sum(Q(kind=Kind.HOLD)),
        releases=_sum(Q(kind=Kind.HOLD_RELEASE)),
    )
    pledges = (
        Pledge.objects.paying()
        .filter(creator=creator, currency=currency)
        .aggregate(count=Count("pk"), monthly=Coalesce(Sum("amount"), 0))
    )
    pending = PayoutRequest.objects.filter(
        creator=creator, currency=currency, status__in=PayoutRequest.OPEN
    ).aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    balance = sums["credits"] - sums["debits"]
    gross = sums["tips"] + sums["pledge_income"]
    fees = sums["fees"] - sums["fee_refunds"]
    refunds = sums["refunds"] - sums["refunds_failed"]
    return WalletSummary(
        currency=currency,
        since=since,
        balance=balance,
        held=sums["holds"] - sums["releases"],
        pending_payout=pending,
        available=max(balance - pending, 0),
        tips=sums["tips"],
        tip_count=sums["tip_count"],
        pledge_income=sums["pledge_income"],
        pledge_payment_count=sums["pledge_payment_count"],
        gross=gross,
        fees=fees,
        refunds=refunds,
        reversals=sums["reversals"],
        net=gross - fees - refunds - sums["reversals"],
        payouts=sums["payouts"] - sums["payouts_returned"],
        prizes=sums["prizes"],
        active_pledges=pledges["count"],
        monthly_pledges=pledges["monthly"],
        fee_basis_points=settings.PLATFORM_FEE_BASIS_POINTS,
    )


def income_by_month(
    *, creator: User, months: int = 12, now: datetime | None = None, currency: str | None = None
) -> list[tuple[date, int]]:
    """Net income (payments − fees − refunds, before payouts) per calendar month (UTC), oldest
    first, the current month last; months without income are 0. 1 query."""
    currency = currency or settings.SUPPORT_CURRENCY
    now = (now or timezone.now()).astimezone(UTC)
    first = add_months(datetime(now.year, now.month, 1, tzinfo=UTC), -(months - 1))
    starts = [add_months(first, n).date() for n in range(months)]
    credit = _sum(Q(kind__in=(Kind.CHARGE, Kind.FEE_REFUND, Kind.PRIZE, Kind.REFUND_FAILED)))
    debit = _sum(Q(kind__in=(Kind.FEE, Kind.REFUND, Kind.REVERSAL)))
    rows = (
        LedgerEntry.objects.filter(creator=creator, currency=currency, created_at__gte=first)
        .annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values("month")
        .annotate(credit=credit, debit=debit)
        .order_by("month")
    )
    net = {row["month"].date(): row["credit"] - row["debit"] for row in rows}
    return [(start, net.get(start, 0)) for start in starts]


def _moment(value: date | datetime, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    # A date is a whole day in the site's time zone; an end date includes that day.
    day = value + timedelta(days=1) if end else value
    return timezone.make_aware(datetime.combine(day, time.min))


def transactions(
    *,
    creator: User,
    kind: str | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    currency: str | None = None,
) -> QuerySet[LedgerEntry]:
    """The transaction history, newest first, with what `LedgerEntry.description` reads.

    `kind` is one of LedgerEntry.Kind's values; dates are inclusive (a date is the whole day).
    Paginate it; each page costs 1 query (plus the paginator's count).
    """
    entries = LedgerEntry.objects.filter(
        creator=creator, currency=currency or settings.SUPPORT_CURRENCY
    )
    if kind:
        if kind not in Kind.values:
            raise ValidationError(f"Unknown kind of transaction {kind!r}.", code="kind")
        entries = entries.filter(kind=kind)
    if start:
        entries = entries.filter(created_at__gte=_moment(start, end=False))
    if isinstance(end, datetime):
        entries = entries.filter(created_at__lte=end)
    elif end:
        entries = entries.filter(created_at__lt=_moment(end, end=True))
    return entries.select_related(
        "tip__supporter", "pledge_payment__pledge__supporter", "payout"
    ).order_by("-created_at", "-pk")


def active_pledges(*, creator: User) -> QuerySet[Pledge]:
    """Pledges paying the creator now (active or being retried), largest first. 1 query."""
    return (
        Pledge.objects.paying()
        .filter(creator=creator)
        .select_related("supporter")
        .order_by("-amount", "created_at")
    )


def supporters(*, creator: User) -> QuerySet[User]:
    """Readers with an account who tipped the creator or pledge to them now, each annotated
    with `tips_total`, `tip_count` and `pledge_amount` (0 if not pledging); pledgers first,
    then by total tipped. Anonymous tips are not listed. 1 query."""
    tips = Tip.objects.filter(
        creator=creator, status=Tip.Status.SUCCEEDED, supporter=OuterRef("pk")
    ).values("supporter")
    pledges = Pledge.objects.paying().filter(creator=creator, supporter=OuterRef("pk"))
    return (
        User.objects.filter(Exists(tips) | Exists(pledges))
        .annotate(
            tips_total=Coalesce(Subquery(tips.annotate(total=Sum("amount")).values("total")), 0),
            tip_count=Coalesce(Subquery(tips.annotate(n=Count("pk")).values("n")), 0),
            pledge_amount=Coalesce(Subquery(pledges.values("amount")[:1]), 0),
        )
        .order_by("-pledge_amount", "-tips_total", "username")
    )


def supporter_pledges(*, supporter: User) -> QuerySet[Pledge]:
    """A reader's own live pledges, for their "supporting" page. 1 query."""
    return Pledge.objects.live().filter(supporter=supporter).select_related("creator")


def supporter_tips(*, supporter: User) -> QuerySet[Tip]:
    """A reader's own paid and refunded tips, newest first. 1 query."""
    return (
        Tip.objects.filter(
            supporter=supporter, status__in=(Tip.Status.SUCCEEDED, Tip.Status.REFUNDED)
        )
        .select_related("creator", "story")
        .order_by("-created_at")
    )


def payout_requests(*, creator: User) -> QuerySet[PayoutRequest]:
    """A creator's payout requests, newest first, with staff's reasons. 1 query."""
    return PayoutRequest.objects.filter(creator=creator).order_by("-requested_at", "-pk")


def money_staff() -> QuerySet[User]:
    """Staff told about money that moved at the provider: active staff who may refund payments
    or decide payouts (superusers may do both). 1 query."""
    codenames = ("refund_payment", "decide_payout")
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename__in=codenames)
            | Q(groups__permissions__codename__in=codenames)
        )
        .distinct()
        .order_by("pk")
    )


def open_disputes(*, creator: User) -> QuerySet[Dispute]:
    """The creator's open disputes, with the payment each is about, oldest first. 1 query."""
    return (
        Dispute.objects.filter(creator=creator, status=Dispute.Status.OPEN)
        .select_related("tip__supporter", "pledge_payment__pledge__supporter")
        .order_by("opened_at", "pk")
    )
