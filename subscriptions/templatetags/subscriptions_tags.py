"""Subscription blocks for pages other apps own: the story page's support box, the profile's
Subscribe button and count, and the dashboard's count. Each brings its own single query."""

from __future__ import annotations

from typing import Any

from django import template

from creators.models import User
from stories.models import Story
from subscriptions import selectors

register = template.Library()


def subscribers_text(n: int) -> str:
    return f"{n:,} subscriber{'' if n == 1 else 's'}"


def _here(context: template.Context) -> str:
    request = context.get("request")
    return request.get_full_path() if request is not None else ""


@register.inclusion_tag("subscriptions/_support_box.html", takes_context=True)
def support_box(context: template.Context, story: Story, user: User) -> dict[str, Any]:
    """ "Enjoyed the story? Support the Creator.": one query for a signed-in reader, none else."""
    creator = story.creator
    # Only staff can see a suspended creator's story, and nobody can subscribe to them.
    can_subscribe = creator.is_active
    return {
        "creator": creator,
        "story": story,  # for support's {% support_actions %} inside the box
        "is_creator": user.is_authenticated and user.pk == creator.pk,
        "can_subscribe": can_subscribe,
        "subscribed": can_subscribe and selectors.is_subscribed(reader=user, creator=creator),
        "signed_in": user.is_authenticated,
        "next": _here(context),
        # For the support app's forms inside the box (stories.views.story_detail sets it).
        "fragment_token": context.get("fragment_token", ""),
    }


@register.inclusion_tag("subscriptions/_profile_subscribe.html", takes_context=True)
def profile_subscribe(context: template.Context, creator: User, user: User) -> dict[str, Any]:
    """The profile header's subscriber count and button, in one query."""
    count, subscribed = selectors.subscriber_count_and_status(creator=creator, reader=user)
    return {
        "creator": creator,
        "count_text": subscribers_text(count),
        "is_creator": user.is_authenticated and user.pk == creator.pk,
        "subscribed": subscribed,
        "signed_in": user.is_authenticated,
        "next": _here(context),
    }


@register.simple_tag
def subscriber_count(creator: User) -> str:
    """ "1 subscriber", "1,204 subscribers": ``{% subscriber_count user %}`` (one query)."""
    return subscribers_text(selectors.subscriber_count(creator))
