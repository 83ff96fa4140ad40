"""Tips, pledges and the payments ledger."""

from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class SupportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "support"
    verbose_name = "Support and payments"

    def ready(self) -> None:
        from support import access, cached_pages

        cached_pages.connect()
        access.connect()
        checks.register(check_payment_settings, checks.Tags.compatibility)


def check_payment_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from support.money import CURRENCIES

    errors = []
    currency = settings.SUPPORT_CURRENCY
    # Bounds like "$1 to $500" and the $2.99 minimum pledge are written in cents.
    if currency not in CURRENCIES or CURRENCIES[currency].exponent != 2:
        two_decimal = sorted(code for code, info in CURRENCIES.items() if info.exponent == 2)
        errors.append(
            checks.Error(
                f"SUPPORT_CURRENCY {currency!r} is not supported.",
                hint=f"Use one of: {', '.join(two_decimal)}.",
                id="support.E001",
            )
        )
    if bool(settings.STRIPE_SECRET_KEY) != bool(settings.STRIPE_WEBHOOK_SECRET):
        errors.append(
            checks.Warning(
                "Only one of STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET is set, so payments "
                "use the offline test-mode gateway.",
                hint="Set both to take real payments through Stripe.",
                id="support.W001",
            )
        )
    return errors
