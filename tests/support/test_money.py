"""Money is integers: typed amounts parse exactly or are refused, fees always add back up."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from support.money import format_money, parse_amount, split_fee


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("5", 500),
        ("5.00", 500),
        ("$5", 500),
        ("$ 5", 500),
        ("  2.99 ", 299),
        ("2.9", 290),
        ("0.5", 50),
        (".50", 50),
        ("5.", 500),
        ("500", 50_000),
        ("500.00", 50_000),
        ("0.01", 1),
        ("007", 700),
        ("€2.99", 299),
    ],
)
def test_parse_amount_reads_what_people_type(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("$", "required"),
        ("abc", "invalid"),
        ("five", "invalid"),
        ("-1", "negative"),
        ("-0.01", "negative"),
        ("−5", "negative"),  # the typographic minus sign
        ("1e3", "invalid"),
        ("1E3", "invalid"),
        ("NaN", "invalid"),
        ("nan", "invalid"),
        ("inf", "invalid"),
        ("Infinity", "invalid"),
        ("5.001", "too_precise"),
        ("2.999", "too_precise"),
        ("1,000", "invalid"),
        ("2,99", "invalid"),
        ("5 5", "invalid"),
        ("5..0", "invalid"),
        (".", "invalid"),
        ("0x10", "invalid"),
        ("+5", "invalid"),
        ("٥", "invalid"),  # Arabic-Indic five: int() would read it, we do not
        ("５", "invalid"),  # full-width five
        ("0", "zero"),
        ("0.00", "zero"),
        ("1" * 40, "too_large"),
    ],
)
def test_parse_amount_refuses_with_a_clear_reason(text, code):
    with pytest.raises(ValidationError) as caught:
        parse_amount(text)
    assert caught.value.code == code
    assert caught.value.messages[0].endswith(".")


def test_parse_amount_messages_say_what_to_do():
    with pytest.raises(ValidationError, match=r"like 5 or 2\.99"):
        parse_amount("abc")
    with pytest.raises(ValidationError, match="above zero"):
        parse_amount("-1")
    with pytest.raises(ValidationError, match="at most 2 digits after the decimal point"):
        parse_amount("5.001")


@pytest.mark.parametrize("value", [5, 5.0, Decimal("5"), None, True])
def test_parse_amount_takes_text_only_so_floats_never_carry_money(value):
    with pytest.raises(TypeError):
        parse_amount(value)


def test_currency_rounding_follows_the_currency_and_never_rounds():
    # Yen have no minor unit; Kuwaiti dinars have three digits.
    assert parse_amount("500", currency="jpy") == 500
    with pytest.raises(ValidationError, match="whole amount"):
        parse_amount("500.5", currency="jpy")
    assert parse_amount("1.005", currency="kwd") == 1_005
    with pytest.raises(ValidationError, match="at most 3 digits"):
        parse_amount("1.0005", currency="kwd")
    with pytest.raises(ValueError, match="Unsupported currency"):
        parse_amount("5", currency="xyz")


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (500, "usd", "$5.00"),
        (299, "usd", "$2.99"),
        (1, "usd", "$0.01"),
        (0, "usd", "$0.00"),
        (123_456, "usd", "$1,234.56"),
        (-500, "usd", "−$5.00"),
        (299, "eur", "€2.99"),
        (500, "jpy", "¥500"),
        (1_005, "kwd", "KWD 1.005"),
    ],
)
def test_format_money(amount, currency, text):
    assert format_money(amount, currency) == text


def test_format_money_refuses_floats():
    with pytest.raises(TypeError):
        format_money(5.0, "usd")


@pytest.mark.parametrize(
    ("gross", "basis_points", "fee"),
    [
        (500, 700, 35),  # 7% of $5.00
        (299, 700, 21),  # 20.93 → 21
        (250, 700, 18),  # 17.5 → 18: half rounds up
        (50, 700, 4),  # 3.5 → 4
        (7, 700, 0),  # 0.49 → 0: a tiny payment may carry no fee
        (8, 700, 1),  # 0.56 → 1
        (100, 0, 0),
        (100, 10_000, 100),
        (0, 700, 0),
        (50_000, 700, 3_500),
    ],
)
def test_split_fee_rounds_half_up(gross, basis_points, fee):
    assert split_fee(gross, basis_points) == (fee, gross - fee)


def test_split_fee_always_sums_back_to_the_gross():
    # Exhaustively for every amount up to $500 at the usual fees, then at random.
    for basis_points in (0, 1, 250, 500, 700, 999, 1_000, 3_333, 5_000, 9_999, 10_000):
        for gross in range(0, 50_001):
            fee, net = split_fee(gross, basis_points)
            assert fee + net == gross
            assert 0 <= fee <= gross
    rng = random.Random(20260101)
    for _ in range(20_000):
        gross, basis_points = rng.randrange(0, 10**12), rng.randrange(0, 10_001)
        fee, net = split_fee(gross, basis_points)
        assert fee + net == gross and 0 <= fee <= gross
        # Against exact decimal arithmetic, rounding half up.
        exact = Decimal(gross) * basis_points / 10_000
        assert fee == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@pytest.mark.parametrize(
    ("gross", "basis_points", "error"),
    [
        (-1, 700, ValueError),
        (100, -1, ValueError),
        (100, 10_001, ValueError),
        (1.5, 700, TypeError),
        (100, 7.0, TypeError),
        (True, 700, TypeError),
    ],
)
def test_split_fee_refuses_nonsense(gross, basis_points, error):
    with pytest.raises(error):
        split_fee(gross, basis_points)
