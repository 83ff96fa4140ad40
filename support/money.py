"""Money as integers: amounts are minor units (cents) with an ISO 4217 code, never floats.

Three small tools every other module uses: `parse_amount` reads what a person typed,
`format_money` shows an amount, and `split_fee` divides a payment between the platform and the
creator so that the two parts always add back up to what was paid.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from django.core.exceptions import ValidationError


class Currency(NamedTuple):
    symbol: str
    exponent: int  # digits after the point: 2 for cents, 0 for yen


# The currencies the platform can show and take (Stripe's lower-case ISO codes). Stripe charges
# zero-decimal currencies in whole units and three-decimal ones in thousandths, as listed here.
CURRENCIES: dict[str, Currency] = {
    "usd": Currency("$", 2),
    "eur": Currency("€", 2),
    "gbp": Currency("£", 2),
    "cad": Currency("CA$", 2),
    "aud": Currency("A$", 2),
    "nzd": Currency("NZ$", 2),
    "chf": Currency("CHF ", 2),
    "sek": Currency("SEK ", 2),
    "nok": Currency("NOK ", 2),
    "dkk": Currency("DKK ", 2),
    "jpy": Currency("¥", 0),
    "krw": Currency("₩", 0),
    "kwd": Currency("KWD ", 3),
}

# Symbols a reader may type in front of an amount ("$5", "€2.99"); the currency is the
# platform's, whatever the symbol, so this only makes the input forgiving.
_SYMBOLS = ("US$", "CA$", "A$", "NZ$", "$", "€", "£", "¥", "₩")

# ASCII digits only: \d would also take "٥" or "５", which int() happily reads.
_AMOUNT = re.compile(r"(?P<units>[0-9]*)(?:\.(?P<fraction>[0-9]*))?")

# Longer than any amount a person pays; refusing early keeps int() away from huge strings.
_MAX_LENGTH = 15


def currency_info(currency: str) -> Currency:
    try:
        return CURRENCIES[currency.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"Unsupported currency {currency!r}") from None


def parse_amount(text: str, *, currency: str = "usd") -> int:
    """What a person typed ("5", "5.00", "$5", "2.99") in minor units (500, 500, 500, 299).

    Refuses, with a message fit to show under a form field: empty input, anything but digits
    with at most one decimal point (so no "1e3", "NaN", "inf", "1,000" or "-1"), zero, and more
    decimal places than the currency has ("5.001" dollars). Nothing is ever rounded: an amount
    that is not a whole number of cents is a mistake to fix, not a number to guess at.
    """
    if isinstance(text, bool) or not isinstance(text, str):
        # Floats must never carry money; Decimal or int callers already have a number.
        raise TypeError(f"parse_amount takes the typed text, not {type(text).__name__}")
    exponent = currency_info(currency).exponent
    cleaned = text.strip()
    for symbol in _SYMBOLS:
        if cleaned.startswith(symbol):
            cleaned = cleaned[len(symbol) :].strip()
            break
    if not cleaned:
        raise ValidationError("Enter an amount.", code="required")
    if cleaned.startswith("-") or cleaned.startswith("−"):
        raise ValidationError("Enter an amount above zero.", code="negative")
    if len(cleaned) > _MAX_LENGTH:
        raise ValidationError("That amount is too large.", code="too_large")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None or not (match["units"] or match["fraction"]):
        example = "5 or 2.99" if exponent else "500"
        raise ValidationError(f"Enter the amount in digits, like {example}.", code="invalid")
    fraction = match["fraction"] or ""
    if len(fraction) > exponent:
        if exponent == 0:
            message = "Enter a whole amount, without decimals."
        else:
            message = f"Enter at most {exponent} digits after the decimal point."
        raise ValidationError(message, code="too_precise")
    minor = int(match["units"] or "0") * 10**exponent + int(fraction.ljust(exponent, "0") or "0")
    if minor == 0:
        raise ValidationError("Enter an amount above zero.", code="zero")
    return minor


def format_money(amount: int, currency: str) -> str:
    """An amount for people: format_money(123456, "usd") == "$1,234.56"; negatives get "−"."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"format_money takes minor units as an int, not {type(amount).__name__}")
    info = currency_info(currency)
    sign = "−" if amount < 0 else ""
    units, fraction = divmod(abs(amount), 10**info.exponent)
    text = f"{units:,}"
    if info.exponent:
        text += f".{fraction:0{info.exponent}d}"
    return f"{sign}{info.symbol}{text}"


def split_fee(gross: int, basis_points: int) -> tuple[int, int]:
    """Divide `gross` minor units into (platform fee, creator's net); fee + net == gross.

    The fee is gross × basis_points / 10000 rounded half up to a whole minor unit, with
    integer arithmetic only, the rule a creator checking by hand with a calculator would use
    (7% of $2.50 is 17.5 cents: the fee is 18 cents, the creator gets $2.32). The net is what
    is left, so nothing is ever lost or made up by rounding.
    """
    for name, value in (("gross", gross), ("basis_points", basis_points)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if gross < 0:
        raise ValueError("gross must not be negative")
    if not 0 <= basis_points <= 10_000:
        raise ValueError("basis_points must be between 0 and 10000")
    fee = (gross * basis_points + 5_000) // 10_000
    return fee, gross - fee
