"""The story lifecycle: draft → submitted → published, or → changes requested → draft.

A published story is never edited in place: changes go into its pending `StoryEdit`, which
goes through the same review, and readers keep the published version until staff approve.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.jobs import enqueue
from creators.models import User
from stories import emails
from stories.models import Story, StoryContent, StoryEdit, StoryTransition, unique_slug
from stories.signals import story_picked, story_published, story_reviewed

Status = Story.Status

# Which status may move to which; anything else is refused.
ALLOWED = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.PUBLISHED, Status.CHANGES_REQUESTED, Status.DRAFT},
    Status.CHANGES_REQUESTED: {Status.DRAFT, Status.SUBMITTED},
    Status.PUBLISHED: {Status.DRAFT},
}

# The fields the editor writes; counts and image sizes follow from them on save.
EDITABLE = ("title", "subtitle", "community", "hero_caption", "hero_alt", "body")


def _record(
    *, story: Story, from_status: str, to: str, actor: User, reason: str = "", edit: bool = False
) -> StoryTransition:
    return StoryTransition.objects.create(
        story=story,
        from_status=from_status,
        to_status=to,
        actor=actor,
        reason=reason,
        is_edit=edit,
    )


def _move(
    target: StoryContent, *, story: Story, to: str, actor: User, reason: str = ""
) -> StoryTransition:
    """Record the step, then give the story, or its pending edit, its new status."""
    step = _record(
        story=story,
        from_status=target.status,
        to=to,
        actor=actor,
        reason=reason,
        edit=isinstance(target, StoryEdit),
    )
    target.status = to
    target.save(update_fields=["status", "updated_at"])
    return step


def _announce_review(story: Story, step: StoryTransition) -> None:
    # After the commit, like story_published: a rolled-back decision is never announced.
    transaction.on_commit(lambda: story_reviewed.send(sender=Story, story=story, transition=step))


def _check(current: str, to: str, *, what: str = "A story") -> None:
    if to not in ALLOWED[Status(current)]:
        raise ValidationError(
            f"{what} that is “{Status(current).label}” cannot become “{Status(to).label}”.",
            code="invalid_transition",
        )


def _locked(story: Story) -> Story:
    # Lock the row so two reviewers (or a reviewer and the creator) cannot move it at once.
    return Story.objects.select_for_update().get(pk=story.pk)


def _pending_edit(story: Story) -> StoryEdit | None:
    return StoryEdit.objects.select_for_update().filter(story=story).first()


def _apply_content(target: StoryContent, data: dict[str, Any]) -> None:
    for field in EDITABLE:
        if field in data:
            setattr(target, field, data[field])
    if "hero_image" in data:
        image = data["hero_image"]
        if image is False:  # the "clear" box
            target.hero_image = None
        elif image:
            target.hero_image = image


def _require_complete(content: StoryContent) -> None:
    if not content.title.strip():
        raise ValidationError("Give your story a title before submitting it.", code="no_title")
    if content.word_count == 0:
        raise ValidationError("Write your story before submitting it.", code="empty")


# --- what creators do ---------------------------------------------------------------------


@transaction.atomic
def story_create(*, creator: User, data: dict[str, Any], tags: Iterable[str] = ()) -> Story:
    story = Story(creator=creator)
    _apply_content(story, data)
    story.save()
    story.tags.set(list(tags))
    return story


@transaction.atomic
def story_set_for_supporters(*, story: Story, actor: User, for_supporters: bool) -> Story:
    """Issue 18: make the story one for supporters, or open it to everyone again.

    A setting of the story, like its community's visibility, not a change of what it says:
    it applies at once, to a published story too, without review (staff still read the
    whole story, and the text it hides is text they approved). Recorded in the story's admin
    history, who and when, so staff can see it; not as a lifecycle step, which it is not.
    """
    story = _locked(story)
    if story.for_supporters == for_supporters:
        return story
    story.for_supporters = for_supporters
    story.save(update_fields=["for_supporters", "updated_at"])
    message = "Made for supporters" if for_supporters else "Opened to everyone"
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[story],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )
    return story


@transaction.atomic
def story_update(
    *, story: Story, data: dict[str, Any], tags: Iterable[str] | None = None
) -> StoryContent:
    """Save the creator's changes: into the story itself, or into its pending edit if public.

    Returns what was written to, so the editor can keep showing it.
    """
    story = _locked(story)
    if story.status == Status.PUBLISHED:
        edit = _pending_edit(story) or _new_edit(story)
        if not edit.is_editable:
            raise ValidationError(
                "Your changes are awaiting review; withdraw them to edit again.", code="frozen"
            )
        _apply_content(edit, data)
        if tags is not None:
            edit.tag_names = ", ".join(tags)
        edit.save()
        return edit
    if not story.is_editable:
        raise ValidationError(
            "This story is awaiting review; withdraw it to edit again.", code="frozen"
        )
    _apply_content(story, data)
    story.save()
    if tags is not None:
        story.tags.set(list(tags))
    return story


def _new_edit(story: Story) -> StoryEdit:
    """A pending edit that starts as a copy of the published story."""
    edit = StoryEdit(story=story, tag_names=", ".join(story.tags.names()))
    for field in StoryContent.CONTENT_FIELDS:
        setattr(edit, field, getattr(story, field))
    return edit


@transaction.atomic
def story_submit(*, story: Story, actor: User) -> Story:
    story = _refresh(story)
    if story.status == Status.PUBLISHED:
        edit = _pending_edit(story)
        if edit is None or edit.status == StoryEdit.Status.SUBMITTED:
            raise ValidationError("There are no changes to submit.", code="nothing_to_submit")
        _require_complete(edit)
        _move(edit, story=story, to=Status.SUBMITTED, actor=actor)
    else:
        _check(story.status, Status.SUBMITTED)
        _require_complete(story)
        _move(story, story=story, to=Status.SUBMITTED, actor=actor)
    # Issue 16, part 6: tell the creator where it is in the queue and how long to expect.
    enqueue(emails.send_submitted, story_id=story.pk)
    return story


@transaction.atomic
def story_withdraw(*, story: Story, actor: User) -> Story:
    """Take a story (or pending edit) back from review so its creator can change it."""
    story = _refresh(story)
    if story.status == Status.PUBLISHED:
        edit = _pending_edit(story)
        if edit is None or edit.status != StoryEdit.Status.SUBMITTED:
            raise ValidationError("Nothing of this story is awaiting review.", code="not_submitted")
        _move(edit, story=story, to=Status.DRAFT, actor=actor)
        return story
    if story.status != Status.SUBMITTED:
        raise ValidationError("This story is not awaiting review.", code="not_submitted")
    _move(story, story=story, to=Status.DRAFT, actor=actor)
    return story


@transaction.atomic
def story_discard_edit(*, story: Story, actor: User) -> Story:
    """Throw away a published story's pending changes; the published version stays."""
    story = _refresh(story)
    deleted, _ = StoryEdit.objects.filter(story=story).delete()
    if not deleted:
        raise ValidationError("There are no changes to discard.", code="nothing_to_discard")
    return story


@transaction.atomic
def story_delete(*, story: Story, actor: User) -> None:
    _locked(story).delete()


# --- what staff do --------------------------------------------------------------------------


def _refresh(story: Story) -> Story:
    """Lock the row and bring the caller's instance up to date with it."""
    _locked(story)
    story.refresh_from_db()
    return story


@transaction.atomic
def story_publish(*, story: Story, actor: User) -> Story:
    """Publish a submitted story, or apply the submitted edit of a published one."""
    story = _refresh(story)
    if story.status == Status.PUBLISHED:
        edit = _pending_edit(story)
        if edit is None or edit.status != StoryEdit.Status.SUBMITTED:
            raise ValidationError(
                "A story that is “Published” has no changes awaiting review.",
                code="invalid_transition",
            )
        step = _record(
            story=story, from_status=edit.status, to=Status.PUBLISHED, actor=actor, edit=True
        )
        _announce_review(story, step)
        _copy_edit_into(story, edit)
        story.save()
        # No story_published signal: subscribers heard about this story when it first went out.
        enqueue(emails.send_review_outcome, story_id=story.pk, published=True, edit=True)
        return story
    _check(story.status, Status.PUBLISHED)
    step = _record(story=story, from_status=story.status, to=Status.PUBLISHED, actor=actor)
    _announce_review(story, step)
    if story.published_at is None:
        # The address is fixed the first time the story goes public; until then it follows
        # the title, so a draft retitled before publication does not keep its first name.
        story.slug = unique_slug(
            Story,
            story.title,
            max_length=90,
            exclude_pk=story.pk,
            community_id=story.community_id,
        )
        story.published_at = timezone.now()
    story.status = Status.PUBLISHED
    story.save(update_fields=["status", "slug", "published_at", "updated_at"])
    transaction.on_commit(lambda: story_published.send(sender=Story, story=story))
    enqueue(emails.send_review_outcome, story_id=story.pk, published=True, edit=False)
    return story


@transaction.atomic
def story_request_changes(*, story: Story, actor: User, reason: str) -> Story:
    if not reason.strip():
        raise ValidationError("Tell the creator what to change.", code="reason_required")
    reason = reason.strip()
    story = _refresh(story)
    if story.status == Status.PUBLISHED:
        edit = _pending_edit(story)
        if edit is None or edit.status != StoryEdit.Status.SUBMITTED:
            raise ValidationError(
                "A story that is “Published” has no changes awaiting review.",
                code="invalid_transition",
            )
        step = _move(edit, story=story, to=Status.CHANGES_REQUESTED, actor=actor, reason=reason)
    else:
        _check(story.status, Status.CHANGES_REQUESTED)
        step = _move(story, story=story, to=Status.CHANGES_REQUESTED, actor=actor, reason=reason)
    _announce_review(story, step)
    enqueue(
        emails.send_review_outcome,
        story_id=story.pk,
        published=False,
        edit=story.status == Status.PUBLISHED,
        reason=reason,
    )
    return story


@transaction.atomic
def story_unpublish(*, story: Story, actor: User, reason: str = "") -> Story:
    """Take a published story off the site; it goes back to its creator as a draft.

    Changes the creator had pending become the draft's content, so nothing they wrote is lost
    and no stale edit can come back if the story is published again.
    """
    story = _refresh(story)
    if story.status != Status.PUBLISHED:
        raise ValidationError("Only a published story can be unpublished.", code="not_published")
    step = _record(
        story=story, from_status=story.status, to=Status.DRAFT, actor=actor, reason=reason
    )
    _announce_review(story, step)
    edit = _pending_edit(story)
    if edit is not None:
        _copy_edit_into(story, edit)
    story.status = Status.DRAFT
    # A pick is for what readers could see; publishing again does not bring it back unasked.
    story.picked_at, story.pick_reason, story.picked_by = None, "", None
    story.save()
    enqueue(emails.send_unpublished, story_id=story.pk, reason=reason)
    return story


@transaction.atomic
def story_pick(*, story: Story, actor: User, reason: str) -> Story:
    """Make a published story a Top Story, with the short public reason staff give for it."""
    story = _refresh(story)
    reason = " ".join(reason.split())
    if story.status != Status.PUBLISHED:
        raise ValidationError("Only a published story can be a Top Story.", code="not_published")
    if not reason:
        raise ValidationError("Say in a sentence why readers should read it.", code="no_reason")
    story.picked_at, story.pick_reason, story.picked_by = timezone.now(), reason, actor
    story.save(update_fields=["picked_at", "pick_reason", "picked_by", "updated_at"])
    transaction.on_commit(lambda: story_picked.send(sender=Story, story=story))
    return story


@transaction.atomic
def story_unpick(*, story: Story) -> Story:
    """Take a story off the Top Stories; it stays published."""
    story = _refresh(story)
    story.picked_at, story.pick_reason, story.picked_by = None, "", None
    story.save(update_fields=["picked_at", "pick_reason", "picked_by", "updated_at"])
    return story


def _copy_edit_into(story: Story, edit: StoryEdit) -> None:
    for field in StoryContent.CONTENT_FIELDS:
        setattr(story, field, getattr(edit, field))
    story.tags.set([name.strip() for name in edit.tag_names.split(",") if name.strip()])
    edit.delete()
