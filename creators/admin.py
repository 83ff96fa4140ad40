"""Admin for accounts: find a creator fast, see their profile fields, suspend from the list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from core.images import SafeImageField
from creators.models import SocialLink, User

# A link typed without a scheme ("example.com") is taken as https, Django 6's default.
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def count_accounts(n: int) -> str:
    return f"{n} account{'' if n == 1 else 's'}"


class SocialLinkInline(admin.TabularInline):
    model = SocialLink
    extra = 0
    formfield_overrides = URL_AS_HTTPS


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "date_joined")
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    ordering = ("-date_joined",)
    inlines = [SocialLinkInline]
    formfield_overrides = {models.ImageField: {"form_class": SafeImageField}}
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Public profile", {"fields": ("display_name", "bio", "avatar")}),
    )
    actions = ["suspend", "reactivate"]

    # A suspended account cannot log in (Django refuses inactive users, and an open session
    # stops counting on its next request) and its stories leave every public listing
    # (Story.objects.published() needs an active creator). Reactivating brings both back.
    # The admin log records which staff member did it.

    @admin.action(description="Suspend selected accounts", permissions=["change"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        suspended, refused = 0, []
        for user in queryset.filter(is_active=True).order_by("username"):
            if user.pk == request.user.pk:
                refused.append("You cannot suspend your own account.")
            elif user.is_superuser:
                refused.append(
                    f"“{user.username}” is a superuser: take away superuser status before "
                    "suspending the account."
                )
            else:
                user.is_active = False
                user.save(update_fields=["is_active"])
                self.log_change(request, user, "Suspended the account.")
                suspended += 1
        already = queryset.filter(is_active=False).count() - suspended
        if suspended:
            self.message_user(request, f"Suspended {count_accounts(suspended)}.", messages.SUCCESS)
        if already:
            self.message_user(request, f"{count_accounts(already)} already suspended.")
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Reactivate selected accounts", permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reactivated = 0
        for user in queryset.filter(is_active=False).order_by("username"):
            user.is_active = True
            user.save(update_fields=["is_active"])
            self.log_change(request, user, "Reactivated the account.")
            reactivated += 1
        already = queryset.filter(is_active=True).count() - reactivated
        if reactivated:
            self.message_user(
                request, f"Reactivated {count_accounts(reactivated)}.", messages.SUCCESS
            )
        if already:
            self.message_user(request, f"{count_accounts(already)} already active.")


@admin.register(SocialLink)
class SocialLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "network", "url")
    list_filter = ("network",)
    search_fields = ("user__username", "user__display_name", "url")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    formfield_overrides = URL_AS_HTTPS
