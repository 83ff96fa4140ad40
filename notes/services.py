"""What readers, creators and staff do with notes: send, mark done or open again, reply once,
report, resolve reports, and switch notes on or off. Every rule is checked here, whatever calls
it (a view, the admin, the shell)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core import ratelimit
from core.forms import normalize_newlines
from core.jobs import enqueue
from core.sanitizer import html_to_text
from creators.models import User
from notes import emails, signals
from notes.models import (
    MAX_NOTE_CHARS,
    MAX_QUOTE_CHARS,
    MAX_REPLY_CHARS,
    MAX_REPORT_CHARS,
    Note,
)
from stories import access
from stories.models import Story

# --- checks -------------------------------------------------------------------------------


def _checked_text(text: str, *, limit: int, empty: str, what: str, field: str) -> str:
    text = normalize_newlines(text or "").strip()
    if not text:
        raise ValidationError({field: ValidationError(empty, code="empty")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: ValidationError(
                    f"{what} can be at most {limit} characters long (this one has {len(text)}).",
                    code="too_long",
                )
            }
        )
    return text


def one_line(text: str) -> str:
    """Text with every run of whitespace (line breaks, non-breaking spaces) as one space: how
    a selection and the story's text are compared."""
    return " ".join((text or "").split())


def checked_quote(*, story: Story, quote: str, reader: User | None = None) -> str:
    """The passage as stored: one line of plain text that occurs in the story's body.

    Of a story for supporters, in the part `reader` may read (issue 18): otherwise the answer
    would tell a reader who does not pledge whether a phrase is in the rest.

    Empty is allowed (a note about the whole story). Compared with the text readers see, so a
    passage across paragraphs, links or emphasis is found as it was selected.
    """
    passage = one_line(quote)
    if not passage:
        return ""
    if len(passage) > MAX_QUOTE_CHARS:
        raise ValidationError(
            {
                "quote": ValidationError(
                    f"Quote at most {MAX_QUOTE_CHARS} characters of the story "
                    f"(this passage has {len(passage)}).",
                    code="quote_too_long",
                )
            }
        )
    readable = story.body if access.may_read_whole(story, reader) else access.free_body(story)
    if passage not in html_to_text(readable):
        raise ValidationError(
            {
                "quote": ValidationError(
                    "We couldn’t find this passage in the story. Copy it from the story as it "
                    "is, or leave it empty for a note about the whole story.",
                    code="quote_not_found",
                )
            }
        )
    return passage


def refusal(*, story: Story, reader: User) -> str:
    """Why `reader` may not send a note on `story` now, or "" if they may."""
    if not reader.is_active:
        return "This account is suspended and cannot send notes."
    if not story.is_public:
        return "Notes can be sent on published stories only."
    if story.creator_id == reader.pk:
        return "This is your own story: notes come from its readers."
    if not story.creator.accepts_notes:
        return f"{story.creator.name} isn’t taking notes from readers at the moment."
    return ""


def _require_creator(note: Note, actor: User) -> None:
    if note.creator_id != actor.pk:
        raise ValidationError("Only the story’s creator can do this.", code="not_creator")


# --- what readers do ----------------------------------------------------------------------


@transaction.atomic
def note_create(
    *,
    story: Story,
    reader: User,
    body: str,
    quote: str = "",
    client_address: str | None = None,
) -> Note:
    """Send the story's creator a private note, about `quote` (a passage of the story) if given.

    Refused (ValidationError) when the reader may not send one (see `refusal`), the passage is
    not in the story, or the text is empty or too long; counted against the note rate limits
    (settings.RATE_LIMITS["note"]) of the account and, when the view passes it, the address.
    """
    reason = refusal(story=story, reader=reader)
    if reason:
        raise ValidationError(reason, code="refused")
    errors: dict[str, list[ValidationError]] = {}
    text = passage = ""
    try:
        text = _checked_text(
            body,
            limit=MAX_NOTE_CHARS,
            empty="Write your note before sending it.",
            what="Notes",
            field="body",
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        passage = checked_quote(story=story, quote=quote, reader=reader)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    # Last, so a note refused for another reason does not use up a slot.
    ratelimit.take("note", user_id=reader.pk, address=client_address)
    note = Note.objects.create(
        story=story, reader=reader, creator_id=story.creator_id, quote=passage, body=text
    )
    enqueue(emails.send_new_note, note_id=note.pk)
    transaction.on_commit(
        lambda: signals.note_sent.send(sender=Note, note=note, story=story, reader=reader)
    )
    return note


# --- what creators do ---------------------------------------------------------------------


def _locked(note: Note) -> Note:
    return Note.objects.select_for_update().get(pk=note.pk)


@transaction.atomic
def note_mark_done(*, note: Note, actor: User) -> bool:
    """The creator has dealt with the note. False if it was done already (a second click)."""
    _require_creator(note, actor)
    row = _locked(note)
    if row.done_at is not None:
        return False
    row.done_at = note.done_at = timezone.now()
    row.save(update_fields=["done_at"])
    return True


@transaction.atomic
def note_reopen(*, note: Note, actor: User) -> bool:
    """Back among the open notes. False if it was open already."""
    _require_creator(note, actor)
    row = _locked(note)
    if row.done_at is None:
        return False
    row.done_at = note.done_at = None
    row.save(update_fields=["done_at"])
    return True


@transaction.atomic
def note_reply(*, note: Note, actor: User, text: str) -> Note:
    """Answer the note, once: the reply is emailed to the reader and shown on their notes page.

    Replying marks the note done. A second reply is refused, whatever the first said.
    """
    _require_creator(note, actor)
    reply = _checked_text(
        text,
        limit=MAX_REPLY_CHARS,
        empty="Write your reply before sending it.",
        what="Replies",
        field="reply",
    )
    row = _locked(note)
    if row.replied_at is not None:
        raise ValidationError(
            "You have already replied to this note; each note gets one reply.",
            code="already_replied",
        )
    now = timezone.now()
    row.reply, row.replied_at = reply, now
    row.done_at = row.done_at or now
    row.save(update_fields=["reply", "reply_html", "replied_at", "done_at"])
    note.reply, note.reply_html, note.replied_at, note.done_at = (
        row.reply,
        row.reply_html,
        row.replied_at,
        row.done_at,
    )
    enqueue(emails.send_reply, note_id=note.pk)
    transaction.on_commit(
        lambda: signals.note_replied.send(sender=Note, note=note, story=note.story, creator=actor)
    )
    return note


@transaction.atomic
def note_report(*, note: Note, actor: User, reason: str) -> bool:
    """Flag the note for staff, and put it out of the creator's way (done).

    False if it was reported already: reporting again changes nothing.
    """
    _require_creator(note, actor)
    reason = _checked_text(
        reason,
        limit=MAX_REPORT_CHARS,
        empty="Tell us briefly what is wrong with this note.",
        what="The reason",
        field="reason",
    )
    row = _locked(note)
    if row.reported_at is not None:
        return False
    now = timezone.now()
    row.reported_at, row.report_reason = now, reason
    row.done_at = row.done_at or now
    row.save(update_fields=["reported_at", "report_reason", "done_at"])
    note.reported_at, note.report_reason, note.done_at = now, reason, row.done_at
    return True


@transaction.atomic
def notes_accept(*, user: User, accepts: bool) -> User:
    """Switch notes from readers on or off for all of `user`'s stories.

    Saved (not update()d), so the stored story pages that show the note button are emptied
    (creator:<id>, core/pagecache.py).
    """
    if user.accepts_notes != accepts:
        user.accepts_notes = accepts
        user.save(update_fields=["accepts_notes"])
    return user


# --- what staff do ------------------------------------------------------------------------


@transaction.atomic
def report_resolve(*, notes: QuerySet[Note], actor: User) -> int:
    """Mark the open reports on these notes as dealt with; returns how many were open."""
    return notes.filter(reported_at__isnull=False, report_resolved_at__isnull=True).update(
        report_resolved_at=timezone.now(), report_resolved_by=actor
    )
