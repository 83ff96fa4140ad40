"""Like and save buttons on the story page, which `stories` owns: ``{% like_button story "top" %}``
and ``{% save_button story "top" %}`` ("top" by the byline, "end" after the story).

They are each reader's own, so the story page puts them in `{% reader_part %}` holes of its
stored fragments; the like count beside them is part of the stored fragment
(reactions/_like_count.html, from the story's own row). Both buttons share ONE query per page,
for a signed-in reader only (selectors.reader_state): the story page's one question of its own.
"""

from __future__ import annotations

from typing import Any

from django import template

from reactions.selectors import NOBODY, ReaderState, reader_state

register = template.Library()

_STATE = "_reactions_state"


def _state(request, story) -> ReaderState:
    """The reader's state on this story, asked once per request however many buttons show it."""
    if request is None:
        return NOBODY
    known = getattr(request, _STATE, None)
    if known is None:
        known = {}
        setattr(request, _STATE, known)
    if story.pk not in known:
        known[story.pk] = reader_state(story_id=story.pk, reader=getattr(request, "user", None))
    return known[story.pk]


def _button(context: template.Context, story, place: str) -> dict[str, Any]:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    # Only a published story takes likes and saves; the creator's preview shows none.
    shown = story.is_public and not context.get("preview")
    return {
        "story": story,
        "place": place,
        "compact": place == "top",
        "shown": shown,
        "signed_in": signed_in,
        "is_creator": signed_in and viewer.pk == story.creator_id,
        "state": _state(request, story) if shown and signed_in else NOBODY,
        "next": f"{story.get_absolute_url()}#reactions-{place}",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reactions/_like_button.html", takes_context=True)
def like_button(context: template.Context, story, place: str = "end") -> dict[str, Any]:
    """The heart: a toggle for a signed-in reader, a way to log in and like for anyone else."""
    return _button(context, story, place)


@register.inclusion_tag("reactions/_save_button.html", takes_context=True)
def save_button(context: template.Context, story, place: str = "end") -> dict[str, Any]:
    """The bookmark: a toggle for a signed-in reader, a way to log in and save for anyone else."""
    return _button(context, story, place)
