"""The settings page's "Notifications" form, a block the creators app's page loads by name."""

from __future__ import annotations

from django import template

from notifications import services
from notifications.forms import NotificationSettingsForm

register = template.Library()


@register.inclusion_tag("notifications/_settings_form.html", takes_context=True)
def notification_settings(context: template.Context) -> dict[str, object]:
    """The signed-in reader's switches, in two queries."""
    user = context["request"].user
    switches, mode = services.preferences_of(user)
    return {
        "form": NotificationSettingsForm(
            initial=NotificationSettingsForm.initial_for(switches, mode)
        ),
        "csrf_token": context.get("csrf_token"),
        "user": user,
    }
