"""Emails about notes, background jobs (core.jobs): a new note to the story's creator, and the
creator's reply to the reader. Each checks, when it runs, that it is still wanted, and records
its send (core.mail.send_once), so a job that runs again does not mail twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from core.jobs import job
from core.links import absolute
from core.mail import send_once
from creators.models import User
from notes.models import Note


def _note(note_id: int) -> Note | None:
    return (
        Note.objects.select_related("reader", "creator", "story__community")
        .filter(pk=note_id)
        .first()
    )


def _reachable(person: User) -> bool:
    return person.is_active and bool(person.email)


def _send(*, key: str, note: Note, recipient: User, subject: str, template: str) -> None:
    context = {
        "note": note,
        "recipient": recipient,
        "story": note.story,
        "story_url": absolute(note.story.get_absolute_url()),
        "inbox_url": absolute(reverse("notes:inbox")),
        "sent_url": absolute(reverse("notes:sent") + f"#note-{note.pk}"),
        "settings_url": absolute(reverse("creators:settings") + "#emails"),
        "notes_settings_url": absolute(reverse("creators:settings") + "#notes"),
        "SITE_NAME": settings.SITE_NAME,
    }
    body = render_to_string(template, context)
    send_once(key, EmailMessage(subject, body, None, [recipient.email]))


@job
def send_new_note(*, note_id: int) -> None:
    """Tell the creator a reader sent them a note, if they want emails about their stories."""
    note = _note(note_id)
    # Deleted by staff, or from an account suspended before the job ran: say nothing.
    if note is None or not note.reader.is_active:
        return
    creator = note.creator
    if _reachable(creator) and creator.email_story_activity and creator.accepts_notes:
        _send(
            key=f"notes.new_note:{note.pk}",
            note=note,
            recipient=creator,
            subject=f"{note.reader.name} sent you a note about “{note.story.title}”",
            template="emails/notes_new_note.txt",
        )


@job
def send_reply(*, note_id: int) -> None:
    """Send the reader the creator's reply to their note: they asked, so it always goes."""
    note = _note(note_id)
    if note is None or not note.has_reply or not note.creator.is_active:
        return
    if _reachable(note.reader):
        _send(
            key=f"notes.reply:{note.pk}",
            note=note,
            recipient=note.reader,
            subject=f"{note.creator.name} replied to your note about “{note.story.title}”",
            template="emails/notes_reply.txt",
        )
