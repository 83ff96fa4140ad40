"""Admin for money: every payment with filters, refunds, and payout decisions with reasons;
disputes, what moved at the provider, and reconciliation's differences, resolved with a reason.

Payments, the ledger and Stripe's events are read-only here: nothing about money is edited by
hand. Refunds and payout decisions go through support.services, which add ledger rows and
record the acting staff member. They take their own permissions ("Can refund a tip or pledge
payment", "Can approve or hold a payout request"); superusers have both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from support import services
from support.models import (
    Difference,
    Dispute,
    LedgerEntry,
    MoneyNotice,
    PayoutRequest,
    Pledge,
    PledgePayment,
    ProviderRecord,
    StripeEvent,
    SupportSettings,
    Tip,
)
from support.money import format_money


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args: Any, required: bool, help_text: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.fields["reason"].help_text = help_text


class ReadOnlyAdmin(admin.ModelAdmin):
    """Looked at, never written: money rows change only through support.services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConfirmWithReason:
    """An action's intermediate page (like Django's delete confirmation) asking for a reason."""

    def confirm_with_reason(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        action: str,
        title: str,
        intro: str,
        submit: str,
        required: bool,
        help_text: str,
        apply: Callable[[Any, str], None],
    ) -> HttpResponse | None:
        form = ReasonForm(
            request.POST if "post" in request.POST else None,
            required=required,
            help_text=help_text,
        )
        if form.is_valid():
            done, refused = 0, []
            for obj in queryset:
                try:
                    apply(obj, form.cleaned_data["reason"])
                except ValidationError as error:
                    refused.append(f"{obj}: {' '.join(error.messages)}")
                else:
                    done += 1
            if done:
                self.message_user(
                    request, f"{title}: {plural(done, 'item')} done.", messages.SUCCESS
                )
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "opts": self.opts,
            "form": form,
            "selected": list(queryset),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/action_confirmation.html", context)


class RefundAction(ConfirmWithReason):
    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("support.refund_payment")

    @admin.action(description="Refund selected payments", permissions=["refund"])
    def refund(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        field = "tip" if queryset.model is Tip else "pledge_payment"
        return self.confirm_with_reason(
            request,
            queryset.order_by("pk"),
            action="refund",
            title="Refund payments",
            intro="Each payment goes back to the reader in full and the reader is emailed. "
            "The creator's balance loses what the payment had earned them; the ledger "
            "keeps both the payment and its refund.",
            submit="Refund",
            required=False,
            help_text="Optional. Kept with the refund in the ledger; the reader does not see it.",
            apply=lambda payment, reason: services.payment_refund(
                **{field: payment}, actor=request.user, reason=reason
            ),
        )


def _money(amount: int, currency: str) -> str:
    return format_money(amount, currency)


@admin.register(SupportSettings)
class SupportSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "creator",
        "accepts_support",
        "payouts_enabled",
        "stripe_account_id",
        "payouts_problem",
    )
    list_filter = ("accepts_support", "payouts_enabled")
    list_select_related = ("creator",)
    search_fields = ("creator__username", "creator__display_name", "stripe_account_id")
    # Staff may switch a creator's support off; Stripe's fields only Stripe changes.
    readonly_fields = (
        "creator",
        "stripe_account_id",
        "payouts_enabled",
        "payouts_problem",
        "updated_at",
    )
    fields = (
        "creator",
        "accepts_support",
        ("pledge_amount_1", "pledge_amount_2", "pledge_amount_3"),
        "stripe_account_id",
        "payouts_enabled",
        "payouts_problem",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tip)
class TipAdmin(RefundAction, ReadOnlyAdmin):
    list_display = ("created_at", "creator", "from_whom", "amount_shown", "status", "gateway")
    list_filter = (
        "status",
        "gateway",
        "created_at",
        ("creator", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("creator", "supporter")
    search_fields = (
        "creator__username",
        "creator__display_name",
        "supporter__username",
        "email",
        "gateway_reference",
        "payment_reference",
    )
    date_hierarchy = "created_at"
    actions = ["refund"]
    exclude = ("message_html",)

    @admin.display(description="From", ordering="supporter__username")
    def from_whom(self, tip: Tip) -> str:
        return tip.supporter.username if tip.supporter_id else f"{tip.email} (anonymous)"

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, tip: Tip) -> str:
        return tip.display_amount


class PledgePaymentInline(admin.TabularInline):
    model = PledgePayment
    extra = 0
    fields = ("created_at", "amount", "currency", "status", "period_start", "period_end")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "supporter",
        "creator",
        "amount_shown",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "gateway",
    )
    list_filter = ("status", "cancel_at_period_end", "gateway", "created_at")
    list_select_related = ("supporter", "creator")
    search_fields = (
        "creator__username",
        "creator__display_name",
        "supporter__username",
        "gateway_reference",
    )
    date_hierarchy = "created_at"
    inlines = [PledgePaymentInline]

    @admin.display(description="Monthly", ordering="amount")
    def amount_shown(self, pledge: Pledge) -> str:
        return pledge.display_amount


@admin.register(PledgePayment)
class PledgePaymentAdmin(RefundAction, ReadOnlyAdmin):
    list_display = (
        "created_at",
        "supporter",
        "creator",
        "amount_shown",
        "status",
        "period_start",
        "gateway",
    )
    list_filter = ("status", "gateway", "created_at")
    list_select_related = ("pledge__supporter", "pledge__creator")
    search_fields = (
        "pledge__creator__username",
        "pledge__supporter__username",
        "gateway_reference",
        "payment_reference",
    )
    date_hierarchy = "created_at"
    actions = ["refund"]

    @admin.display(description="From", ordering="pledge__supporter__username")
    def supporter(self, payment: PledgePayment) -> str:
        return payment.pledge.supporter.username

    @admin.display(description="To", ordering="pledge__creator__username")
    def creator(self, payment: PledgePayment) -> str:
        return payment.pledge.creator.username

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, payment: PledgePayment) -> str:
        return payment.display_amount


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "creator", "kind", "amount_shown", "source", "actor", "note")
    list_filter = (
        "kind",
        "currency",
        "created_at",
        ("creator", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("creator", "actor")
    search_fields = (
        "creator__username",
        "creator__display_name",
        "gateway_reference",
        "gateway_event_id",
        "entry_key",
        "note",
    )
    date_hierarchy = "created_at"

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, entry: LedgerEntry) -> str:
        return entry.display_amount

    @admin.display(description="For")
    def source(self, entry: LedgerEntry) -> str:
        # Ids only: following the relations would cost a query a row.
        if entry.tip_id:
            return f"Tip #{entry.tip_id}"
        if entry.pledge_payment_id:
            return f"Pledge payment #{entry.pledge_payment_id}"
        if entry.payout_id:
            return f"Payout #{entry.payout_id}"
        return entry.prize_key


def _balance_subquery() -> Subquery:
    signed = Case(
        When(kind__in=LedgerEntry.CREDITS, then=F("amount")),
        default=-F("amount"),
        output_field=IntegerField(),
    )
    totals = (
        LedgerEntry.objects.filter(creator=OuterRef("creator"), currency=OuterRef("currency"))
        .values("creator")
        .annotate(total=Sum(signed))
        .values("total")
    )
    return Coalesce(Subquery(totals), 0)


@admin.register(PayoutRequest)
class PayoutRequestAdmin(ConfirmWithReason, ReadOnlyAdmin):
    list_display = (
        "requested_at",
        "creator",
        "amount_shown",
        "balance_now",
        "status",
        "reason",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "requested_at", ("creator", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("creator", "decided_by")
    search_fields = ("creator__username", "creator__display_name", "reason")
    date_hierarchy = "requested_at"
    actions = ["approve", "hold"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayoutRequest]:
        # The creator's balance now, beside the request, so staff see if it still covers it.
        return super().get_queryset(request).annotate(balance_now=_balance_subquery())

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("support.decide_payout")

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, payout: PayoutRequest) -> str:
        return payout.display_amount

    @admin.display(description="Balance now", ordering="balance_now")
    def balance_now(self, payout: PayoutRequest) -> str:
        return _money(payout.balance_now, payout.currency)

    @admin.action(description="Approve and pay selected payout requests", permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self.confirm_with_reason(
            request,
            queryset.order_by("requested_at", "pk"),
            action="approve",
            title="Approve payouts",
            intro="The money is sent to each creator's payout account now, leaves their "
            "balance, and the creator is emailed.",
            submit="Approve and pay",
            required=False,
            help_text="Optional. The creator sees this note.",
            apply=lambda payout, reason: services.payout_approve(
                payout=payout, actor=request.user, reason=reason
            ),
        )

    @admin.action(description="Hold selected payout requests", permissions=["decide"])
    def hold(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self.confirm_with_reason(
            request,
            queryset.order_by("requested_at", "pk"),
            action="hold",
            title="Hold payouts",
            intro="Nothing is paid; each creator is emailed your reason and sees it in their "
            "wallet. A held request can still be approved later.",
            submit="Hold",
            required=True,
            help_text="The creator sees this reason.",
            apply=lambda payout, reason: services.payout_hold(
                payout=payout, actor=request.user, reason=reason
            ),
        )


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "type", "event_id", "outcome", "waiting_for", "note")
    list_filter = ("outcome", "type", "livemode", "received_at")
    search_fields = ("event_id", "type", "note", "waiting_for")
    date_hierarchy = "received_at"


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = (
        "opened_at",
        "creator",
        "amount_shown",
        "held_shown",
        "reason",
        "status",
        "provider_status",
        "gateway_reference",
        "closed_at",
    )
    list_filter = ("status", "reason", "opened_at")
    list_select_related = ("creator",)
    search_fields = ("creator__username", "gateway_reference", "reason")
    date_hierarchy = "opened_at"

    @admin.display(description="Disputed", ordering="amount")
    def amount_shown(self, dispute: Dispute) -> str:
        return dispute.display_amount

    @admin.display(description="Held", ordering="held")
    def held_shown(self, dispute: Dispute) -> str:
        return dispute.display_held


@admin.register(MoneyNotice)
class MoneyNoticeAdmin(ReadOnlyAdmin):
    """What moved at the provider, as the creator and staff were told it."""

    list_display = ("created_at", "creator", "kind", "amount_shown", "change_shown", "reason")
    list_filter = ("kind", "created_at")
    list_select_related = ("creator",)
    search_fields = ("creator__username", "key", "reason", "what")
    date_hierarchy = "created_at"

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, notice: MoneyNotice) -> str:
        return notice.display_amount

    @admin.display(description="Balance change", ordering="balance_change")
    def change_shown(self, notice: MoneyNotice) -> str:
        return notice.display_change


@admin.register(ProviderRecord)
class ProviderRecordAdmin(ReadOnlyAdmin):
    """The offline gateway's own record, which reconciliation compares with the ledger."""

    list_display = ("created_at", "type", "reference", "amount", "currency")
    list_filter = ("type",)
    search_fields = ("reference",)


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Difference)
class DifferenceAdmin(ConfirmWithReason, ReadOnlyAdmin):
    """Reconciliation's differences (manage.py reconcile_payments). Staff look into each at the
    provider and in the ledger, then resolve it saying how; nothing here edits money."""

    list_display = (
        "found_at",
        "kind",
        "what",
        "reference",
        "ledger_shown",
        "provider_shown",
        "gateway",
        "resolved_by",
        "resolved_at",
        "resolution",
    )
    list_filter = (OpenFilter, "kind", "what", "gateway", "found_at")
    list_select_related = ("resolved_by",)
    search_fields = ("reference", "resolution")
    date_hierarchy = "found_at"
    actions = ["resolve"]

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("support.resolve_difference")

    def _money(self, amount: int, difference: Difference) -> str:
        return _money(amount, difference.currency) if difference.currency else "—"

    @admin.display(description="Ledger", ordering="ledger_amount")
    def ledger_shown(self, difference: Difference) -> str:
        return self._money(difference.ledger_amount, difference)

    @admin.display(description="Provider", ordering="provider_amount")
    def provider_shown(self, difference: Difference) -> str:
        return self._money(difference.provider_amount, difference)

    @admin.action(description="Resolve selected differences", permissions=["resolve"])
    def resolve(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self.confirm_with_reason(
            request,
            queryset.order_by("pk"),
            action="resolve",
            title="Resolve differences",
            intro="Say what you found and did (a correcting refund, a payment recorded by "
            "hand at the provider, a test charge to ignore). The reason is kept with "
            "each difference, with your name.",
            submit="Resolve",
            required=True,
            help_text="Required. Kept with the difference.",
            apply=lambda difference, reason: services.difference_resolve(
                difference=difference, actor=request.user, reason=reason
            ),
        )
