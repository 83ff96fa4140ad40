"""The payments settings: Stripe only with both keys, a strict fee, a supported currency."""

from __future__ import annotations

import pytest

from support.apps import check_payment_settings
from tests.platform_site.test_settings import run_python

PRINT = (
    "from django.conf import settings as s; "
    "print(s.PAYMENTS_GATEWAY, s.PLATFORM_FEE_BASIS_POINTS, s.SUPPORT_CURRENCY)"
)


@pytest.mark.parametrize(
    ("env", "printed"),
    [
        ({}, "offline 700 usd"),
        ({"STRIPE_SECRET_KEY": "sk_test_x"}, "offline 700 usd"),
        ({"STRIPE_WEBHOOK_SECRET": "whsec_x"}, "offline 700 usd"),
        ({"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}, "stripe 700 usd"),
        ({"PLATFORM_FEE_BASIS_POINTS": "0", "SUPPORT_CURRENCY": "EUR"}, "offline 0 eur"),
    ],
)
def test_the_gateway_follows_the_environment(env, printed):
    clean = {"STRIPE_SECRET_KEY": "", "STRIPE_WEBHOOK_SECRET": "", **env}
    result = run_python(PRINT, DJANGO_DEBUG="true", **clean)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == printed


@pytest.mark.parametrize("value", ["seven", "7.5", "-1", "10001"])
def test_a_wrong_fee_is_a_configuration_error_naming_it(value):
    result = run_python(PRINT, DJANGO_DEBUG="true", PLATFORM_FEE_BASIS_POINTS=value)
    assert result.returncode != 0
    assert "PLATFORM_FEE_BASIS_POINTS" in result.stderr


def test_checks_refuse_an_unsupported_currency_and_warn_about_half_a_stripe_setup(settings):
    settings.SUPPORT_CURRENCY = "jpy"
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", ""
    assert sorted(message.id for message in check_payment_settings()) == [
        "support.E001",
        "support.W001",
    ]
    settings.SUPPORT_CURRENCY, settings.STRIPE_SECRET_KEY = "usd", ""
    assert check_payment_settings() == []
