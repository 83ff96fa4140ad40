"""The note admin as the moderators' tool: find reported notes, read them, resolve, delete."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notes.models import Note
from tests.conftest import make_user
from tests.notes.conftest import make_note

pytestmark = pytest.mark.django_db
NOTES = reverse("admin:notes_note_changelist")


@pytest.fixture
def moderator(db):
    return make_user("root", display_name="Root Moderator", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client: Client, moderator) -> Client:
    client.force_login(moderator)
    return client


@pytest.fixture
def reported(note_story, bob) -> Note:
    return make_note(
        story=note_story,
        reader=bob,
        body="Buy cheap watches now",
        reported_at=timezone.now(),
        report_reason="Spam, plainly",
    )


@pytest.fixture
def quiet(note_story, carol) -> Note:
    return make_note(story=note_story, reader=carol, body="A kind thank-you")


def act(client: Client, action: str, notes, **extra) -> object:
    data = {"action": action, ACTION_CHECKBOX_NAME: [n.pk for n in notes], **extra}
    return client.post(NOTES, data, follow=True)


def test_the_list_filters_reported_notes_and_one_note_reads(staff_client, reported, quiet):
    html = staff_client.get(NOTES).content.decode()
    assert "Buy cheap watches now" in html and "A kind thank-you" in html
    html = staff_client.get(NOTES + "?reported=open").content.decode()
    assert "Buy cheap watches now" in html and "A kind thank-you" not in html
    html = staff_client.get(NOTES + "?reported=none").content.decode()
    assert "Buy cheap watches now" not in html and "A kind thank-you" in html
    html = staff_client.get(NOTES + "?q=watches").content.decode()
    assert "Buy cheap watches now" in html and "A kind thank-you" not in html
    page = staff_client.get(reverse("admin:notes_note_change", args=[reported.pk]))
    assert page.status_code == 200 and "Spam, plainly" in page.content.decode()


def test_notes_cannot_be_added_or_rewritten_by_staff(staff_client, reported):
    assert staff_client.get(reverse("admin:notes_note_add")).status_code == 403
    url = reverse("admin:notes_note_change", args=[reported.pk])
    staff_client.post(url, {"body": "Rewritten"})
    reported.refresh_from_db()
    assert reported.body == "Buy cheap watches now"


def test_a_moderator_resolves_reports_and_is_recorded(staff_client, moderator, reported, quiet):
    response = act(staff_client, "resolve_reports", [reported, quiet])
    assert "Resolved 1 report." in response.content.decode()
    reported.refresh_from_db()
    assert reported.report_resolved_by == moderator and reported.report_resolved_at
    response = act(staff_client, "resolve_reports", [reported])
    assert "None of the selected notes had an open report." in response.content.decode()
    html = staff_client.get(NOTES + "?reported=open").content.decode()
    assert "Buy cheap watches now" not in html


def test_a_moderator_deletes_a_note_and_the_admin_records_who(staff_client, moderator, reported):
    act(staff_client, "delete_selected", [reported], post="yes")
    assert not Note.objects.filter(pk=reported.pk).exists()
    entry = LogEntry.objects.get()
    assert entry.user == moderator and entry.object_repr.startswith("Note from Bob Reader")


def test_readers_and_creators_have_no_admin(client, alice, reported):
    client.force_login(alice)
    response = client.get(NOTES)
    assert response.status_code == 302 and "/admin/login/" in response.url
