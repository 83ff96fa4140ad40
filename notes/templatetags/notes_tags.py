"""The notes app's blocks on other apps' pages.

``{% note_invite story %}`` on the story page: inside its stored fragment, so it must depend on
nothing but the story and its creator (already loaded): no query, nothing about the reader.
``{% notes_on_dashboard user %}``: the creator's open notes, one query.
``{% notes_settings user %}``: the switch on the settings page, no query.
"""

from __future__ import annotations

from django import template

from notes.forms import NoteSettingsForm
from notes.models import MAX_QUOTE_CHARS, Note

register = template.Library()

# Open notes the dashboard shows; the rest are a click away.
DASHBOARD_NOTES = 3


@register.inclusion_tag("notes/_note_invite.html", takes_context=True)
def note_invite(context: template.Context, story) -> dict[str, object]:
    """The "Send the author a note" link at the end of a story, and the button that selecting
    a passage shows (static/js/story-notes.js). Nothing when the creator takes no notes."""
    shown = story.is_public and story.creator.accepts_notes and not context.get("preview", False)
    return {"shown": shown, "story": story, "max_quote": MAX_QUOTE_CHARS}


@register.inclusion_tag("notes/_dashboard.html", takes_context=True)
def notes_on_dashboard(context: template.Context, user) -> dict[str, object]:
    notes = list(
        Note.objects.filter(creator=user)
        .open()
        .select_related("reader", "story__community", "story__creator")
        .inbox_order()[: DASHBOARD_NOTES + 1]
    )
    return {
        "notes": notes[:DASHBOARD_NOTES],
        "more": len(notes) > DASHBOARD_NOTES,
        "accepts_notes": user.accepts_notes,
        "csrf_token": context.get("csrf_token"),
        "next_url": context["request"].get_full_path(),
    }


@register.inclusion_tag("notes/_settings.html", takes_context=True)
def notes_settings(context: template.Context, user) -> dict[str, object]:
    return {
        "form": NoteSettingsForm(initial={"accepts_notes": user.accepts_notes}),
        "csrf_token": context.get("csrf_token"),
    }
