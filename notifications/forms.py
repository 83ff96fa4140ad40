"""The settings page's "Notifications" form: per-kind switches and how emails go out."""

from __future__ import annotations

from typing import Any

from django import forms

from notifications.models import EMAILED_ELSEWHERE, EmailSettings, Kind, KindPreference


class NotificationSettingsForm(forms.Form):
    """A checkbox per kind for "on this site" and one for "by email" (none for the kinds
    another app emails: EMAILED_ELSEWHERE), and the email mode."""

    mode = forms.ChoiceField(
        label="Notification emails",
        choices=EmailSettings.Mode.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[f"{kind.value}_in_app"] = forms.BooleanField(
                label=f"{kind.label}: on this site", required=False
            )
            if kind not in EMAILED_ELSEWHERE:
                self.fields[f"{kind.value}_email"] = forms.BooleanField(
                    label=f"{kind.label}: by email", required=False
                )

    @classmethod
    def initial_for(cls, switches: dict[str, KindPreference], mode: str) -> dict[str, object]:
        initial: dict[str, object] = {"mode": mode}
        for kind, preference in switches.items():
            initial[f"{kind}_in_app"] = preference.in_app
            initial[f"{kind}_email"] = preference.email
        return initial

    def rows(self) -> list[dict[str, object]]:
        """A row of the table per kind: its label and two boxes (or why it has no email box)."""
        return [
            {
                "label": kind.label,
                "in_app": self[f"{kind.value}_in_app"],
                "email": self[f"{kind.value}_email"] if kind not in EMAILED_ELSEWHERE else None,
                "elsewhere": EMAILED_ELSEWHERE.get(kind, ""),
            }
            for kind in Kind
        ]

    def chosen(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "in_app": [kind for kind in Kind.values if data.get(f"{kind}_in_app")],
            "email": [kind for kind in Kind.values if data.get(f"{kind}_email")],
            "mode": data["mode"],
        }
