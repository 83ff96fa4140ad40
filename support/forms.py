"""Forms for the support pages. Amounts are typed text read by support.money.parse_amount; the
services check bounds and everything else, so these only turn text into minor units."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.http import url_has_allowed_host_and_scheme

from support.models import MESSAGE_MAX_LENGTH, TIP_PRESETS, LedgerEntry
from support.money import format_money, parse_amount

OTHER = "other"


def _parse(text: str) -> int:
    return parse_amount(text or "", currency=settings.SUPPORT_CURRENCY)


def local_path(value: str) -> str:
    """`value` if it is a path on this site, else ""."""
    value = (value or "").strip()
    if value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return value
    return ""


class SupportSettingsForm(forms.Form):
    accepts_support = forms.BooleanField(
        required=False, label="Accept tips and monthly pledges from readers"
    )
    pledge_amount_1 = forms.CharField(label="First suggested monthly pledge", max_length=20)
    pledge_amount_2 = forms.CharField(label="Second suggested monthly pledge", max_length=20)
    pledge_amount_3 = forms.CharField(label="Third suggested monthly pledge", max_length=20)

    def _amount(self, name: str) -> int:
        return _parse(self.cleaned_data.get(name, ""))

    def clean_pledge_amount_1(self) -> int:
        return self._amount("pledge_amount_1")

    def clean_pledge_amount_2(self) -> int:
        return self._amount("pledge_amount_2")

    def clean_pledge_amount_3(self) -> int:
        return self._amount("pledge_amount_3")


def _preset_choices() -> list[tuple[str, str]]:
    currency = settings.SUPPORT_CURRENCY
    choices = [(str(p), format_money(p, currency).replace(".00", "")) for p in TIP_PRESETS]
    return [*choices, (OTHER, "Other amount")]


class TipForm(forms.Form):
    preset = forms.ChoiceField(
        label="Amount", widget=forms.RadioSelect, choices=_preset_choices, initial="500"
    )
    other_amount = forms.CharField(label="Other amount", required=False, max_length=20)
    message = forms.CharField(
        label="Message (optional)",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    email = forms.EmailField(label="Email for your receipt", required=False)
    return_url = forms.CharField(required=False, widget=forms.HiddenInput)
    story = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, anonymous: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.anonymous = anonymous
        if not anonymous:
            del self.fields["email"]
        else:
            self.fields["email"].required = True

    def clean_return_url(self) -> str:
        return local_path(self.cleaned_data.get("return_url", ""))

    def clean(self) -> dict:
        data = super().clean()
        preset = data.get("preset")
        if preset == OTHER:
            try:
                data["amount"] = _parse(data.get("other_amount", ""))
            except ValidationError as error:
                self.add_error("other_amount", error)
        elif preset:
            data["amount"] = int(preset)
        return data


class PledgeForm(forms.Form):
    """A suggested amount (the button pressed, `suggested`) or the reader's own (`amount`)."""

    suggested = forms.CharField(required=False, max_length=20)
    amount = forms.CharField(label="Monthly amount", required=False, max_length=20)
    return_url = forms.CharField(required=False, widget=forms.HiddenInput)
    # The story the reader pledges from, as tips carry it (stats count pledges it started).
    story = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        text = data.get("suggested") or data.get("amount") or ""
        try:
            data["pledge_amount"] = _parse(text)
        except ValidationError as error:
            self.add_error("amount", error)
        return data

    def clean_return_url(self) -> str:
        return local_path(self.cleaned_data.get("return_url", ""))


class PledgeChangeForm(forms.Form):
    amount = forms.CharField(label="New monthly amount", max_length=20)

    def clean_amount(self) -> int:
        return _parse(self.cleaned_data.get("amount", ""))


def _filter_date(label: str) -> forms.DateField:
    """A date the database can turn into a moment in any time zone, and one day past it: the
    calendar's first and last days cannot (issue 14: /wallet/?start=0001-01-01&end=9999-12-31
    was a 500)."""
    first, last = date(1970, 1, 1), date(9998, 12, 31)
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": first, "max": last}),
        validators=[
            MinValueValidator(first, "Choose a date from 1 January 1970 on."),
            MaxValueValidator(last, "Choose a date before the year 9999."),
        ],
    )


class TransactionFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All"), *LedgerEntry.Kind.choices]
    )
    start = _filter_date("From")
    end = _filter_date("To")
