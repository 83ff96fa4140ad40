"""The note services: who may send one and about what, the creator's actions, the emails."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from core.ratelimit import RateLimited
from notes import services
from notes.models import MAX_NOTE_CHARS, MAX_QUOTE_CHARS, Note
from notes.signals import note_replied, note_sent
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.core.test_sanitizer import XSS_DATA, assert_safe
from tests.notes.conftest import make_note

pytestmark = pytest.mark.django_db


def send(story: Story, reader, body: str = "Thanks for this.", quote: str = "", **kwargs) -> Note:
    return services.note_create(story=story, reader=reader, body=body, quote=quote, **kwargs)


def error_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# --- sending ------------------------------------------------------------------------------


def test_a_reader_sends_a_note_about_a_passage(note_story, alice, bob):
    note = send(note_story, bob, body="“ripen” is fine, but\r\nAugust is late.", quote="late")
    note.refresh_from_db()
    assert note.creator == alice and note.reader == bob and note.story == note_story
    assert note.quote == "late"
    assert note.body == "“ripen” is fine, but\nAugust is late."
    assert note.body_html == "<p>“ripen” is fine, but<br>August is late.</p>"
    assert note.done_at is None and not note.has_reply and not note.is_reported


@pytest.mark.parametrize(
    ("selected", "stored"),
    [
        # Across emphasis, as a browser's selection reads it.
        ("ripen best in late August", "ripen best in late August"),
        # Across two paragraphs, with the line break a selection has between them.
        ("the nights are warm.\n\nPick them", "the nights are warm. Pick them"),
        # An entity in the HTML is its character in the text; spaces of every kind are one.
        ("morning &\u00a0keep  them", "morning & keep them"),
        ("  ", ""),  # nothing selected: a note about the whole story
    ],
)
def test_the_passage_is_found_as_readers_see_it(note_story, bob, selected, stored):
    assert send(note_story, bob, quote=selected).quote == stored


@pytest.mark.parametrize(
    "quote",
    [
        "ripen best in early August",  # not what it says
        "<em>late</em>",  # the markup is not the text
        "Tomatoes in August",  # the title, not the body
        "RIPEN BEST",
    ],
)
def test_a_passage_that_is_not_in_the_story_is_refused_and_uses_no_slot(
    note_story, bob, quote, clock
):
    with pytest.raises(ValidationError) as caught:
        send(note_story, bob, quote=quote)
    assert error_codes(caught.value) == {"quote": ["quote_not_found"]}
    assert not Note.objects.exists()
    for _ in range(10):  # the refused one did not count against the limit
        send(note_story, bob, quote="late")


def test_a_passage_longer_than_the_limit_is_refused(alice, bob, lifehack):
    story = make_story(creator=alice, community=lifehack, body="<p>" + "word " * 400 + "</p>")
    quote = ("word " * 400).strip()
    assert len(quote) > MAX_QUOTE_CHARS
    with pytest.raises(ValidationError) as caught:
        send(story, bob, quote=quote)
    assert error_codes(caught.value) == {"quote": ["quote_too_long"]}


@pytest.mark.parametrize(
    ("body", "code"), [("", "empty"), (" \r\n ", "empty"), ("x" * (MAX_NOTE_CHARS + 1), "too_long")]
)
def test_an_empty_or_over_long_note_is_refused(note_story, bob, body, code):
    with pytest.raises(ValidationError) as caught:
        send(note_story, bob, body=body, quote="not in the story")
    # Both mistakes are reported at once, each on its own field.
    assert error_codes(caught.value) == {"body": [code], "quote": ["quote_not_found"]}
    assert not Note.objects.exists()


def test_notes_are_refused_when_the_creator_turned_them_off(note_story, alice, bob):
    services.notes_accept(user=alice, accepts=False)
    note_story.creator.refresh_from_db()
    with pytest.raises(ValidationError, match="isn’t taking notes"):
        send(note_story, bob)
    services.notes_accept(user=alice, accepts=True)
    note_story.creator.refresh_from_db()
    assert send(note_story, bob).pk


@pytest.mark.parametrize("status", [Story.Status.DRAFT, Story.Status.SUBMITTED])
def test_a_note_on_an_unpublished_story_is_refused(note_story, bob, status):
    note_story.status = status
    note_story.save()
    with pytest.raises(ValidationError, match="published stories only"):
        send(note_story, bob)


def test_a_story_by_a_suspended_creator_is_not_public(note_story, alice, bob):
    alice.is_active = False
    alice.save()
    with pytest.raises(ValidationError, match="published stories only"):
        send(note_story, bob)


def test_no_note_to_oneself_and_none_from_a_suspended_account(note_story, alice, bob):
    with pytest.raises(ValidationError, match="your own story"):
        send(note_story, alice)
    bob.is_active = False
    with pytest.raises(ValidationError, match="suspended"):
        send(note_story, bob)
    assert not Note.objects.exists()


def test_notes_are_rate_limited_per_account(note_story, bob, clock):
    for i in range(10):
        send(note_story, bob, body=f"Note {i}")
    with pytest.raises(RateLimited) as caught:
        send(note_story, bob, body="The eleventh")
    assert caught.value.scope == "note"
    assert "You’re sending notes faster than we allow" in caught.value.messages[0]
    assert Note.objects.count() == 10
    clock[0] += 60 * 60  # an hour later there is room again
    assert send(note_story, bob, body="Later").pk


def test_notes_are_rate_limited_per_address(note_story, settings, clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "note": {"user": [], "address": ["3/h"]}}
    readers = [make_user() for _ in range(4)]
    for reader in readers[:3]:
        send(note_story, reader, client_address="203.0.113.9")
    with pytest.raises(RateLimited):
        send(note_story, readers[3], client_address="203.0.113.9")
    assert send(note_story, readers[3], client_address="198.51.100.1").pk


def _corpus_payloads(*needles: str) -> list[str]:
    data = json.loads((XSS_DATA / "xss_payloads.json").read_text(encoding="utf-8"))
    found = []
    for needle in needles:
        found.append(
            next(item["payload"] for item in data["payloads"] if needle in item["payload"])
        )
    return found


@pytest.mark.parametrize(
    "payload", _corpus_payloads("<script", "onerror=", "javascript:", "<svg", "<iframe")
)
def test_corpus_payloads_in_a_note_and_a_reply_come_out_as_safe_text(
    note_story, alice, bob, payload
):
    note = send(note_story, bob, body=payload)
    assert_safe(note.body_html)
    services.note_reply(note=note, actor=alice, text=payload)
    note.refresh_from_db()
    assert_safe(note.reply_html)
    assert "<script" not in note.body_html and "<script" not in note.reply_html


# --- the emails and signals ---------------------------------------------------------------


def test_the_creator_is_emailed_about_a_new_note(
    note_story, alice, bob, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    note_story.creator.refresh_from_db()
    sent = []
    note_sent.connect(lambda **kw: sent.append(kw), weak=False, dispatch_uid="test-sent")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            note = send(note_story, bob, body="Source: the almanac.", quote="late August")
    finally:
        note_sent.disconnect(dispatch_uid="test-sent")
    assert [kw["note"] for kw in sent] == [note] and sent[0]["reader"] == bob
    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    assert email.subject == "Bob Reader sent you a note about “Tomatoes in August”"
    assert "“late August”" in email.body and "Source: the almanac." in email.body
    assert "/notes/" in email.body


def test_no_email_to_a_creator_who_wants_none(
    note_story, alice, bob, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.email_story_activity = False
    alice.save()
    note_story.creator.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        send(note_story, bob)
    assert mail.outbox == []


# --- what the creator does ----------------------------------------------------------------


def test_mark_done_and_reopen_are_harmless_twice(note_story, alice, bob):
    note = make_note(story=note_story, reader=bob)
    assert services.note_mark_done(note=note, actor=alice) is True
    assert services.note_mark_done(note=note, actor=alice) is False
    assert Note.objects.get().is_done
    assert services.note_reopen(note=note, actor=alice) is True
    assert services.note_reopen(note=note, actor=alice) is False
    assert not Note.objects.get().is_done


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_only_the_creator_acts_on_a_note(note_story, alice, bob, carol, who):
    note = make_note(story=note_story, reader=bob)
    actor = {"bob": bob, "carol": carol}[who]
    for action in (services.note_mark_done, services.note_reopen):
        with pytest.raises(ValidationError):
            action(note=note, actor=actor)
    with pytest.raises(ValidationError):
        services.note_reply(note=note, actor=actor, text="Hi")
    with pytest.raises(ValidationError):
        services.note_report(note=note, actor=actor, reason="Spam")
    note.refresh_from_db()
    assert not note.is_done and not note.has_reply and not note.is_reported


def test_the_creator_replies_once_and_the_reader_is_emailed(
    note_story, alice, bob, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.com"
    bob.save()
    note = make_note(story=note_story, reader=bob, body="Typo: 'Agust'.")
    replies = []
    note_replied.connect(lambda **kw: replies.append(kw), weak=False, dispatch_uid="test-reply")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.note_reply(
                note=note, actor=alice, text="Fixed, thank you! https://example.com/fix"
            )
    finally:
        note_replied.disconnect(dispatch_uid="test-reply")
    note.refresh_from_db()
    assert note.reply == "Fixed, thank you! https://example.com/fix"
    assert '<a href="https://example.com/fix" rel="nofollow noopener ugc">' in note.reply_html
    assert note.replied_at and note.is_done  # replying deals with it
    assert [kw["note"].pk for kw in replies] == [note.pk]
    [email] = mail.outbox
    assert email.to == ["bob@example.com"]
    assert email.subject == "Alice Walker replied to your note about “Tomatoes in August”"
    assert "Fixed, thank you!" in email.body and "Typo: 'Agust'." in email.body
    assert f"/notes/sent/#note-{note.pk}" in email.body

    # A second reply is refused, and the first stays as it was; no second email.
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="already replied"),
    ):
        services.note_reply(note=note, actor=alice, text="And another thing")
    note.refresh_from_db()
    assert note.reply == "Fixed, thank you! https://example.com/fix"
    assert len(mail.outbox) == 1


def test_the_reply_email_is_sent_once_however_often_its_job_runs(note_story, alice, bob):
    from notes.emails import send_reply

    bob.email = "bob@example.com"
    bob.save()
    note = make_note(story=note_story, reader=bob)
    services.note_reply(note=note, actor=alice, text="Thanks")  # its job waits for the commit
    send_reply.call(note_id=note.pk)
    send_reply.call(note_id=note.pk)  # run again: nothing more
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("text", ["", "x" * 2001])
def test_an_empty_or_over_long_reply_is_refused(note_story, alice, bob, text):
    note = make_note(story=note_story, reader=bob)
    with pytest.raises(ValidationError):
        services.note_reply(note=note, actor=alice, text=text)
    note.refresh_from_db()
    assert not note.has_reply


def test_the_creator_reports_a_note_once_and_it_is_put_away(note_story, alice, bob, sam):
    note = make_note(story=note_story, reader=bob)
    assert services.note_report(note=note, actor=alice, reason="Abuse") is True
    assert services.note_report(note=note, actor=alice, reason="Again") is False
    note.refresh_from_db()
    assert note.is_reported and note.report_reason == "Abuse" and note.is_done
    assert services.report_resolve(notes=Note.objects.all(), actor=sam) == 1
    assert services.report_resolve(notes=Note.objects.all(), actor=sam) == 0
    note.refresh_from_db()
    assert note.report_resolved_by == sam and note.report_resolved_at


def test_a_report_needs_a_reason(note_story, alice, bob):
    note = make_note(story=note_story, reader=bob)
    with pytest.raises(ValidationError):
        services.note_report(note=note, actor=alice, reason="  ")
    assert not Note.objects.get().is_reported
