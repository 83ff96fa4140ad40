"""What readers, creators and staff do to comments: post, reply, edit, delete, remove, report,
moderate. Every change is checked here, whatever calls it (a view, the admin, the shell)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from comments import emails
from comments.forms import MAX_REPORT_CHARS
from comments.models import MAX_COMMENT_CHARS, Comment, CommentReport
from comments.signals import comment_posted
from core import ratelimit
from core.forms import normalize_newlines
from core.jobs import enqueue
from creators.models import User
from stories.models import Story

Status = Comment.Status


# --- checks -------------------------------------------------------------------------------


def _checked_text(text: str, *, limit: int, empty: str, what: str) -> str:
    text = normalize_newlines(text or "").strip()
    if not text:
        raise ValidationError(empty, code="empty")
    if len(text) > limit:
        raise ValidationError(
            f"{what} can be at most {limit} characters long (this one has {len(text)}).",
            code="too_long",
        )
    return text


def _checked_body(body: str) -> str:
    return _checked_text(
        body, limit=MAX_COMMENT_CHARS, empty="Write something before posting.", what="Comments"
    )


def _require_active(user: User) -> None:
    # A suspended account cannot sign in, but the shell or a stale session must not slip by.
    if not user.is_active:
        raise ValidationError("This account is suspended and cannot comment.", code="suspended")


def _require_public(story: Story) -> None:
    if not story.is_public:
        raise ValidationError("Comments are open on published stories only.", code="not_public")


def _thread_start(*, story: Story, parent_id: int) -> Comment:
    """The top-level comment a reply belongs under: replies are one level deep."""
    parent = (
        Comment.objects.select_related("author", "parent__author")
        .filter(story=story, pk=parent_id)
        .first()
    )
    if parent is not None and parent.parent_id is not None:
        # An answer to a reply joins the same thread, under the comment that started it.
        parent = parent.parent
    if parent is None or not (parent.is_shown and parent.author.is_active):
        raise ValidationError(
            "The comment you are replying to is no longer available.", code="parent_gone"
        )
    return parent


# --- what readers do ----------------------------------------------------------------------


@transaction.atomic
def comment_create(
    *,
    story: Story,
    author: User,
    body: str,
    parent_id: int | None = None,
    client_address: str | None = None,
) -> Comment:
    """Post a comment (or, with `parent_id`, a reply) and notify whoever it concerns.

    Counted against the author's comment rate limits (settings.RATE_LIMITS["comment"]) and,
    when the view passes it, the client address's; over one, RateLimited (a ValidationError).
    """
    _require_active(author)
    _require_public(story)
    text = _checked_body(body)
    parent = _thread_start(story=story, parent_id=parent_id) if parent_id else None
    # Last, so text that was refused for another reason does not use up a slot.
    ratelimit.take("comment", user_id=author.pk, address=client_address)
    comment = Comment.objects.create(story=story, author=author, parent=parent, body=text)
    if parent is None:
        enqueue(emails.send_new_comment, comment_id=comment.pk)
    else:
        enqueue(emails.send_reply, comment_id=comment.pk)
    transaction.on_commit(lambda: comment_posted.send(sender=Comment, comment=comment))
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, editor: User, body: str) -> Comment:
    """Change the text of one's own comment; it is marked "edited" if the text changed."""
    if comment.author_id != editor.pk:
        raise ValidationError("Only its author can edit a comment.", code="not_author")
    _require_active(editor)
    if not comment.is_shown:
        raise ValidationError("This comment can no longer be edited.", code="not_shown")
    text = _checked_body(body)
    if text != comment.body:
        comment.body = text
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor: User) -> bool:
    """The author takes their comment down. False if it was no longer shown (a second click).

    The row stays, so replies keep their place under a "comment removed" placeholder.
    """
    if comment.author_id != actor.pk:
        raise ValidationError("Only its author can delete a comment.", code="not_author")
    # Locked and saved, not update()d: a second click changes nothing, and the save's signal
    # empties the story's cached pages (core/pagecache.py).
    shown = _lock_visible(comment)
    if shown is None:
        return False
    shown.status = comment.status = Status.DELETED
    shown.save(update_fields=["status"])
    return True


@transaction.atomic
def comment_remove(*, comment: Comment, actor: User) -> bool:
    """The story's creator removes a comment on it. False if it was no longer shown."""
    if comment.story.creator_id != actor.pk:
        raise ValidationError(
            "Only the story’s creator can remove comments on it.", code="not_creator"
        )
    shown = _lock_visible(comment)
    if shown is None:
        return False
    now = timezone.now()
    for row in (shown, comment):
        row.status, row.moderated_by, row.moderated_at = Status.REMOVED, actor, now
    shown.save(update_fields=["status", "moderated_by", "moderated_at"])
    return True


def _lock_visible(comment: Comment) -> Comment | None:
    """The comment's row, locked for this transaction, if it is still shown."""
    return (
        Comment.objects.select_for_update()
        .filter(pk=comment.pk, status=Status.VISIBLE)
        .only("pk", "story_id", "status")
        .first()
    )


@transaction.atomic
def comment_report(*, comment: Comment, reporter: User, reason: str) -> tuple[CommentReport, bool]:
    """Flag a comment for staff. Reporting the same comment again changes nothing.

    Returns the report and whether it is new.
    """
    if comment.author_id == reporter.pk:
        raise ValidationError("You can’t report your own comment.", code="own_comment")
    _require_active(reporter)
    reason = _checked_text(
        reason,
        limit=MAX_REPORT_CHARS,
        empty="Tell us briefly what is wrong with this comment.",
        what="The reason",
    )
    return CommentReport.objects.get_or_create(
        comment=comment, reporter=reporter, defaults={"reason": reason}
    )


# --- what staff do ------------------------------------------------------------------------

# Which statuses each moderation action applies to. A comment its author deleted stays
# deleted: staff neither hide it (it is not shown) nor bring it back against the author's wish.
MODERATION_FROM = {
    Status.HIDDEN: (Status.VISIBLE, Status.REMOVED),
    Status.REMOVED: (Status.VISIBLE, Status.HIDDEN),
    Status.VISIBLE: (Status.HIDDEN, Status.REMOVED),
}


@transaction.atomic
def comment_moderate(
    *, comments: QuerySet[Comment] | Iterable[Comment], status: str, actor: User
) -> int:
    """Hide, remove or restore comments, recording who did it and when; returns how many.

    Hiding or removing a comment also resolves its open reports: that was the answer to them.
    """
    status = Status(status)
    ids = [c.pk for c in comments]
    now = timezone.now()
    targets = Comment.objects.select_for_update().filter(
        pk__in=ids, status__in=MODERATION_FROM[status]
    )
    changed = list(targets.only("pk", "story_id", "status"))
    changed_ids = [comment.pk for comment in changed]
    for comment in changed:  # saved one by one, so each empties its story's cached pages
        comment.status, comment.moderated_by, comment.moderated_at = status, actor, now
        comment.save(update_fields=["status", "moderated_by", "moderated_at"])
    if status != Status.VISIBLE:
        report_resolve(
            reports=CommentReport.objects.filter(comment_id__in=changed_ids), actor=actor
        )
    return len(changed_ids)


@transaction.atomic
def report_resolve(*, reports: QuerySet[CommentReport], actor: User) -> int:
    """Mark open reports as dealt with; returns how many were open."""
    return reports.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor
    )
