"""Emails about comments, background jobs (core.jobs): a new comment on a creator's story,
a reply to a reader's comment. Each one checks, when it runs, that it is still wanted, and
records its send (core.mail.send_once), so a job that runs again does not mail twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from comments.models import Comment
from core.jobs import job
from core.links import absolute
from core.mail import send_once
from creators.models import User


def _wants(person: User, preference: str, comment: Comment) -> bool:
    return (
        person.is_active
        and bool(person.email)
        and getattr(person, preference)
        and person.pk != comment.author_id
    )


def _still_shown(comment: Comment | None) -> bool:
    # Hidden, removed or deleted before the job ran, or the story went private: say nothing.
    return bool(
        comment is not None
        and comment.is_shown
        and comment.author.is_active
        and comment.story.is_public
    )


def _send(*, key: str, comment: Comment, recipient: User, subject: str, template: str) -> None:
    context = {
        "comment": comment,
        "recipient": recipient,
        "story": comment.story,
        "comment_url": absolute(comment.get_absolute_url()),
        "settings_url": absolute(reverse("creators:settings") + "#emails"),
        "SITE_NAME": settings.SITE_NAME,
    }
    body = render_to_string(template, context)
    send_once(key, EmailMessage(subject, body, None, [recipient.email]))


@job
def send_new_comment(*, comment_id: int) -> None:
    """Tell the story's creator about a new top-level comment on it."""
    comment = (
        Comment.objects.select_related("author", "story__creator", "story__community")
        .filter(pk=comment_id)
        .first()
    )
    if not _still_shown(comment):
        return
    creator = comment.story.creator
    if _wants(creator, "email_story_activity", comment):
        _send(
            key=f"comments.new_comment:{comment.pk}",
            comment=comment,
            recipient=creator,
            subject=f"{comment.author.name} commented on “{comment.story.title}”",
            template="emails/comments_new_comment.txt",
        )


@job
def send_reply(*, comment_id: int) -> None:
    """Tell a commenter that someone answered their comment."""
    comment = (
        Comment.objects.select_related(
            "author", "parent__author", "story__creator", "story__community"
        )
        .filter(pk=comment_id)
        .first()
    )
    if not _still_shown(comment) or comment.parent is None:
        return
    recipient = comment.parent.author
    if _wants(recipient, "email_comment_replies", comment):
        _send(
            key=f"comments.reply:{comment.pk}",
            comment=comment,
            recipient=recipient,
            subject=f"{comment.author.name} replied to your comment on “{comment.story.title}”",
            template="emails/comments_reply.txt",
        )
