"""The admin for challenges: create them with their prizes, move them through their states,
judge the entries (each decision recorded with who and when) and see prizes not paid."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models

from challenges import services
from challenges.models import Award, Challenge, Entry, JudgingDecision, Prize
from core.images import SafeImageField

Status = Challenge.Status


class PrizeInline(admin.TabularInline):
    model = Prize
    extra = 3


class DecisionInline(admin.TabularInline):
    model = JudgingDecision
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "entry", "place", "note", "actor")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "opens_at", "closes_at", "judging_by", "community")
    list_filter = ("status", "community")
    list_select_related = ("community",)
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("status", "decided_at")
    formfield_overrides = {models.ImageField: {"form_class": SafeImageField}}
    inlines = [PrizeInline, DecisionInline]
    actions = ["open_now", "close_for_judging", "decide"]

    def _move(self, request, queryset, to: str) -> None:
        for challenge in queryset:
            try:
                result = services.challenge_move(challenge=challenge, to=to, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{challenge}: {_errors(error)}", messages.ERROR)
                continue
            self.message_user(request, f"{challenge}: now {Status(to).label.lower()}.")
            if result is not None:
                self._report(request, result)

    def _report(self, request, result: services.Decided) -> None:
        paid = [a for a in result.paid if a.status == Award.Status.PAID]
        if paid:
            self.message_user(request, f"{result.challenge}: {len(paid)} prize(s) paid.")
        for award in result.unpaid:
            self.message_user(
                request,
                f"{award.label} in {result.challenge} NOT paid: {award.winner.username} is "
                "suspended. It is listed under Awards (Not paid) and staff were emailed.",
                messages.WARNING,
            )

    @admin.action(description="Open selected challenges now")
    def open_now(self, request, queryset) -> None:
        self._move(request, queryset, Status.OPEN)

    @admin.action(description="Close selected challenges for judging")
    def close_for_judging(self, request, queryset) -> None:
        self._move(request, queryset, Status.JUDGING)

    @admin.action(description="Decide selected challenges (announce winners, pay prizes)")
    def decide(self, request, queryset) -> None:
        self._move(request, queryset, Status.DECIDED)


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Judging: tick "shortlisted" with a note, then give a place or a mention with the public
    reason. Each change goes through challenges.services and is recorded."""

    list_display = (
        "story",
        "creator",
        "challenge",
        "shortlisted",
        "place",
        "honourable_mention",
        "created_at",
    )
    list_filter = ("challenge", "shortlisted", "honourable_mention")
    list_select_related = ("story", "creator", "challenge")
    search_fields = ("story__title", "creator__username", "challenge__title")
    readonly_fields = ("challenge", "story", "creator", "created_at")
    fields = (
        "challenge",
        "story",
        "creator",
        "created_at",
        "shortlisted",
        "shortlist_note",
        "place",
        "honourable_mention",
        "reason",
    )

    def has_add_permission(self, request) -> bool:
        return False  # creators enter; staff judge

    def save_model(self, request, obj, form, change) -> None:
        before = Entry.objects.get(pk=obj.pk)
        try:
            if obj.shortlisted != before.shortlisted or (
                obj.shortlisted and obj.shortlist_note != before.shortlist_note
            ):
                services.entry_shortlist(
                    entry=before, actor=request.user, note=obj.shortlist_note, on=obj.shortlisted
                )
            placing = (obj.place, obj.honourable_mention, obj.reason)
            if obj.shortlisted and placing != (
                before.place,
                before.honourable_mention,
                before.reason,
            ):
                services.entry_place(
                    entry=Entry.objects.get(pk=obj.pk),
                    actor=request.user,
                    reason=obj.reason,
                    place=obj.place,
                    mention=obj.honourable_mention,
                )
        except ValidationError as error:
            self.message_user(request, _errors(error), messages.ERROR)


@admin.register(JudgingDecision)
class JudgingDecisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "challenge", "action", "entry", "place", "actor")
    list_filter = ("action", "challenge")
    list_select_related = ("challenge", "entry__story", "actor")
    search_fields = ("challenge__title", "note")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    """Prizes awarded; filter "Not paid: winner suspended" for those waiting for staff."""

    list_display = ("challenge", "label", "winner", "amount", "status", "created_at")
    list_filter = ("status", "challenge")
    list_select_related = ("challenge", "winner")
    search_fields = ("winner__username", "challenge__title")
    readonly_fields = (
        "challenge",
        "entry",
        "winner",
        "label",
        "amount",
        "status",
        "key",
        "ledger_entry_id",
        "created_at",
    )
    actions = ["pay"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Pay selected unpaid prizes (winner reinstated)")
    def pay(self, request, queryset) -> None:
        for award in queryset:
            try:
                award = services.award_pay(award=award, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{award}: {_errors(error)}", messages.ERROR)
                continue
            self.message_user(request, f"{award}")
