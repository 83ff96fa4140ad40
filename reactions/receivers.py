"""Signal receivers, connected in ReactionsConfig.ready(): the places with no caller to call.

- The story's like count follows its likes however they are made or removed: through the
  services, the admin, or a cascade when an account is deleted, so it is kept here.
- An anonymous reader's click on Like or Save waits in their session while they log in or sign
  up, and is finished when they do (the same as subscriptions' pending subscribe).
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest

from creators.models import User
from reactions import services
from reactions.models import Like
from stories.models import Story

PENDING_KEY = "reactions:pending"
# Long enough to sign up; short enough that the next person to log in on a shared computer
# does not inherit a stranger's click.
PENDING_MAX_AGE = 60 * 60
KINDS = ("like", "save")


def like_made(sender, instance: Like, created: bool = False, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        # QuerySet.update(): the like's own signal has emptied the story's pages (cached_pages),
        # and a save of the story would empty every listing too.
        Story.objects.filter(pk=instance.story_id).update(like_count=F("like_count") + 1)


def like_removed(sender, instance: Like, **kwargs) -> None:
    Story.objects.filter(pk=instance.story_id, like_count__gt=0).update(
        like_count=F("like_count") - 1
    )


def remember_pending(request: HttpRequest, kind: str, story: Story) -> None:
    request.session[PENDING_KEY] = {"kind": kind, "story": story.pk, "at": int(time.time())}


def complete_pending_reaction(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """user_logged_in: make the like or save an anonymous reader asked for before logging in.

    Sign-up logs the new account in, so this covers sign-up too.
    """
    if request is None or not hasattr(request, "session"):
        return
    pending = request.session.pop(PENDING_KEY, None)
    if not isinstance(pending, dict) or pending.get("kind") not in KINDS:
        return
    at = pending.get("at")
    if not isinstance(at, int) or time.time() - at > PENDING_MAX_AGE:
        return
    story = (
        Story.objects.published()
        .select_related("creator", "community")
        .filter(pk=pending.get("story") if isinstance(pending.get("story"), int) else None)
        .first()
    )
    if story is None:
        return
    try:
        if pending["kind"] == "like":
            services.like_add(story=story, reader=user)
            done = f"You like “{story.title}”."
        else:
            services.save_add(story=story, reader=user)
            done = f"“{story.title}” is saved in your library."
    except ValidationError as error:
        messages.info(request, " ".join(error.messages), fail_silently=True)
    else:
        messages.success(request, done, fail_silently=True)
