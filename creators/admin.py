"""Admin for accounts: find a creator fast, see their profile fields, suspend from the list."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from creators.images import SafeImageField
from creators.models import SocialLink, User

# A link typed without a scheme ("example.com") is taken as https, Django 6's default.
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


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


@admin.register(SocialLink)
class SocialLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "network", "url")
    list_filter = ("network",)
    search_fields = ("user__username", "user__display_name", "url")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    formfield_overrides = URL_AS_HTTPS
