"""Parsing the insight form: a rating id and any number of quality ids, as whole numbers.

Whether those ids name choices a reader may pick is the service's to decide; this only turns the
posted text into numbers, so malformed input is a message, never an error page.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

# The largest primary key the database can hold; a bigger number cannot name a row.
MAX_ID = 2**63 - 1


class IdListField(forms.Field):
    """Several ids posted under one name (checkboxes), as a list of distinct numbers."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        ids: list[int] = []
        for item in value:
            try:
                number = int(str(item).strip())
            except ValueError:
                raise ValidationError("Choose qualities from the list.", code="invalid") from None
            if not 1 <= number <= MAX_ID:
                raise ValidationError("Choose qualities from the list.", code="invalid")
            if number not in ids:
                ids.append(number)
        return ids


class InsightForm(forms.Form):
    rating = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "required": "Choose one overall rating.",
            "invalid": "Choose one overall rating.",
            "min_value": "Choose one overall rating.",
            "max_value": "Choose one overall rating.",
        },
    )
    qualities = IdListField(required=False)

    def error_text(self) -> str:
        return " ".join(dict.fromkeys(e for errors in self.errors.values() for e in errors))
