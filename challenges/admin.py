"""The admin for challenges: create them with their prizes, move them through their states,
judge the entries (each decision recorded with who and when) and see prizes not paid."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction

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


class _DryRun(Exception):
    pass


def judge(before: Entry, data: dict, *, actor) -> None:
    """Apply the judging form's change through the services (each step recorded)."""
    shortlisted, note = bool(data.get("shortlisted")), data.get("shortlist_note") or ""
    if shortlisted != before.shortlisted or (shortlisted and note != before.shortlist_note):
        services.entry_shortlist(entry=before, actor=actor, note=note, on=shortlisted)
    placing = (data.get("place"), bool(data.get("honourable_mention")), data.get("reason") or "")
    wants_placing = placing[0] is not None or placing[1]
    changed = placing != (before.place, before.honourable_mention, before.reason)
    # Placing an entry not shortlisted is refused by the service, with the reason shown.
    if changed and (shortlisted or wants_placing):
        services.entry_place(
            entry=Entry.objects.get(pk=before.pk),
            actor=actor,
            reason=placing[2],
            place=placing[0],
            mention=placing[1],
        )


class EntryJudgingForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = ["shortlisted", "shortlist_note", "place", "honourable_mention", "reason"]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors or self.instance.pk is None:
            return data
        # Try the change and roll it back: a refusal is shown on the form, what was typed kept.
        try:
            with transaction.atomic():
                judge(Entry.objects.get(pk=self.instance.pk), data, actor=None)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return data


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
    form = EntryJudgingForm
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
        # The form has already tried the same change (EntryJudgingForm.clean), so this holds.
        judge(Entry.objects.get(pk=obj.pk), form.cleaned_data, actor=request.user)


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
