"""Signal receivers, connected in SubscriptionsConfig.ready(): the places with no caller to call."""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.jobs import enqueue
from creators.models import User
from stories.models import Story
from subscriptions import emails, services

# An anonymous reader's "Subscribe" waits in their session while they log in or sign up.
PENDING_KEY = "subscriptions:pending"
# Long enough to sign up and confirm a password; short enough that the next person to log in
# on a shared computer does not inherit a stranger's click.
PENDING_MAX_AGE = 60 * 60


def remember_pending(request: HttpRequest, creator: User) -> None:
    request.session[PENDING_KEY] = {"creator": creator.pk, "at": int(time.time())}


def new_story_published(sender, story: Story, **kwargs) -> None:
    """stories.signals.story_published: announce the story to its creator's subscribers."""
    enqueue(emails.fan_out_new_story, story_id=story.pk)


def complete_pending_subscription(
    sender, request: HttpRequest | None, user: User, **kwargs
) -> None:
    """user_logged_in: finish the subscription an anonymous reader asked for before logging in.

    Sign-up logs the new account in, so this covers sign-up too.
    """
    if request is None or not hasattr(request, "session"):
        return
    pending = request.session.pop(PENDING_KEY, None)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return
    creator = User.objects.filter(pk=pending.get("creator"), is_active=True).first()
    if creator is None:
        return
    try:
        services.subscription_create(subscriber=user, creator=creator)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages), fail_silently=True)
    else:
        messages.success(request, f"You’re subscribed to {creator.name}.", fail_silently=True)


def subscribe_pledger(sender, pledge, request: HttpRequest | None = None, **kwargs) -> None:
    """support.signals.pledge_started: a reader who pledges also gets the creator's stories.

    Siblings never import each other: support announces the pledge, and the top floor
    (platform_site.apps) connects that signal to this receiver.
    """
    try:
        services.subscription_create(subscriber=pledge.supporter, creator=pledge.creator)
    except ValidationError:
        return  # a suspended account: the pledge service refuses those first anyway
