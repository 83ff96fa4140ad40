"""Form pieces every app's plain-text forms share."""

from __future__ import annotations

from django import forms


def normalize_newlines(text: str) -> str:
    """Browsers count a line break as one character for ``maxlength`` but submit it as two."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class PlainTextField(forms.CharField):
    """A stripped text field whose length is counted the way the browser counted it."""

    def to_python(self, value: object) -> str:
        text = super().to_python(value)
        return normalize_newlines(text) if text else text
