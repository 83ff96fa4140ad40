"""The note pages: the same negative cases for every action, then each page's own."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from notes.models import MAX_NOTE_CHARS, Note
from notes.services import notes_accept
from stories.models import Story
from tests.notes.conftest import make_note

pytestmark = pytest.mark.django_db
MINUTE = timedelta(minutes=1)


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def new_url(story: Story, passage: str = "") -> str:
    url = reverse("notes:new", kwargs={"story_id": story.pk})
    return f"{url}?quote={quote(passage)}" if passage else url


@pytest.fixture
def bobs_note(note_story, bob) -> Note:
    return make_note(story=note_story, reader=bob)


# The creator's actions on a note: URL name and a valid POST.
ACTIONS = {
    "done": {},
    "reopen": {},
    "reply": {"reply": "Thank you!"},
    "report": {"reason": "Spam"},
}


# --- the same negative cases for every action ---------------------------------------------


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_is_sent_to_log_in_and_nothing_changes(client, bobs_note, name):
    response = client.post(reverse(f"notes:{name}", args=[bobs_note.pk]), ACTIONS[name])
    assert response.status_code == 302
    # Back to the notes page after logging in, not to a URL that only takes POST.
    assert parse_qs(urlsplit(response.url).query)["next"] == [reverse("notes:inbox")]
    bobs_note.refresh_from_db()
    assert not (bobs_note.is_done or bobs_note.has_reply or bobs_note.is_reported)


@pytest.mark.parametrize("name", ACTIONS)
def test_get_is_not_allowed_on_an_action(client, alice, bobs_note, name):
    login(client, alice)
    assert client.get(reverse(f"notes:{name}", args=[bobs_note.pk])).status_code == 405


@pytest.mark.parametrize("name", [*ACTIONS, "note"])
@pytest.mark.parametrize("who", ["bob", "carol"])
def test_someone_elses_note_is_not_found(client, bob, carol, bobs_note, name, who):
    # Not even the reader who wrote it acts on it as if it were theirs to deal with.
    login(client, {"bob": bob, "carol": carol}[who])
    url = reverse(f"notes:{name}", args=[bobs_note.pk])
    response = client.get(url) if name == "note" else client.post(url, ACTIONS[name])
    assert response.status_code == 404
    bobs_note.refresh_from_db()
    assert not (bobs_note.is_done or bobs_note.has_reply or bobs_note.is_reported)


@pytest.mark.parametrize("name", [*ACTIONS, "note"])
@pytest.mark.parametrize("pk", [987_654, 99_999_999_999_999_999_999])
def test_unknown_and_hostile_ids_are_not_found(client, alice, name, pk):
    login(client, alice)
    url = reverse(f"notes:{name}", args=[pk])
    response = client.get(url) if name == "note" else client.post(url, ACTIONS[name])
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/notes/-1/", "/notes/abc/done/", "/notes/new/1e9/"])
def test_malformed_ids_are_not_found(client, alice, path):
    login(client, alice)
    assert client.get(path).status_code == 404


# --- the form ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_and_back_to_the_form_with_the_passage(client, note_story):
    response = client.get(new_url(note_story, "late August"))
    assert response.status_code == 302
    [back] = parse_qs(urlsplit(response.url).query)["next"]
    assert urlsplit(back).path == new_url(note_story)
    assert parse_qs(urlsplit(back).query) == {"quote": ["late August"]}
    response = client.post(new_url(note_story), {"body": "Hi", "quote": "late"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Note.objects.exists()
    # A hostile passage does not make a hostile login address.
    response = client.get(new_url(note_story, "late " * 20_000))
    [back] = parse_qs(urlsplit(response.url).query)["next"]
    assert len(parse_qs(urlsplit(back).query)["quote"][0]) <= 600


def test_the_selected_passage_is_shown_not_edited(client, bob, note_story):
    login(client, bob)
    html = client.get(new_url(note_story, "ripen best in\nlate August")).content.decode()
    assert "A note to Alice Walker" in html
    assert '<blockquote class="note-quote"><p>ripen best in late August</p></blockquote>' in html
    assert '<input type="hidden" name="quote" value="ripen best in late August">' in html
    assert '<textarea name="quote"' not in html
    assert '<textarea name="body"' in html


def test_without_a_selection_the_reader_may_paste_a_passage(client, bob, note_story):
    login(client, bob)
    html = client.get(new_url(note_story)).content.decode()
    assert '<textarea name="quote"' in html and "<blockquote" not in html


def test_a_passage_that_is_not_in_the_story_is_offered_for_editing(client, bob, note_story):
    login(client, bob)
    html = client.get(new_url(note_story, "<b>not there</b>")).content.decode()
    assert '<textarea name="quote"' in html
    assert "&lt;b&gt;not there&lt;/b&gt;</textarea>" in html  # shown as text, kept to fix


def test_a_reader_sends_a_note_and_goes_back_to_the_story(client, bob, note_story):
    login(client, bob)
    response = client.post(
        new_url(note_story),
        {"quote": "late August", "selected": "True", "body": "Lovely line."},
    )
    assert response.status_code == 302 and response.url == note_story.get_absolute_url()
    note = Note.objects.get()
    assert (note.reader, note.quote, note.body) == (bob, "late August", "Lovely line.")
    page = client.get(response.url)
    assert "Your note is on its way to Alice Walker." in " ".join(messages_of(page))


def test_a_passage_not_in_the_story_comes_back_with_the_error_and_everything_typed(
    client, bob, note_story
):
    login(client, bob)
    response = client.post(
        new_url(note_story),
        {"quote": "ripen in September", "selected": "True", "body": "My careful note"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "We couldn’t find this passage in the story." in html
    assert "Your note was not sent" in html
    # Both are kept, and the passage can now be corrected.
    assert "My careful note</textarea>" in html
    assert "ripen in September</textarea>" in html
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("body", "", "Write your note before sending it."),
        ("body", "é" * (MAX_NOTE_CHARS + 1), "Notes can be at most 2000 characters long"),
        ("body", "x" * 200_000, "Notes can be at most 2000 characters long"),
        ("quote", "late " * 200, "Quote at most 600 characters of the story"),
    ],
)
def test_empty_or_over_long_input_is_a_form_error_that_keeps_the_text(
    client, bob, note_story, field, value, error
):
    login(client, bob)
    data = {"quote": "late", "body": "Kept", field: value}
    response = client.post(new_url(note_story), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    if value:
        assert value.strip() in html
    assert not Note.objects.exists()


def test_sending_too_fast_is_a_429_that_keeps_the_note(client, bob, note_story, clock):
    login(client, bob)
    for i in range(10):
        assert client.post(new_url(note_story), {"body": f"Note {i}"}).status_code == 302
    response = client.post(
        new_url(note_story), {"quote": "late", "selected": "True", "body": "The eleventh, typed"}
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "You’re sending notes faster than we allow; please try again in" in html
    assert "The eleventh, typed</textarea>" in html
    assert '<blockquote class="note-quote"><p>late</p></blockquote>' in html
    assert Note.objects.count() == 10


def test_notes_off_show_no_form_and_refuse_a_post_with_a_clear_message(
    client, alice, bob, note_story
):
    notes_accept(user=alice, accepts=False)
    login(client, bob)
    html = client.get(new_url(note_story, "late")).content.decode()
    assert "Alice Walker isn’t taking notes from readers at the moment." in html
    assert '<textarea name="body"' not in html
    response = client.post(new_url(note_story), {"quote": "late", "body": "Still typed"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "isn’t taking notes from readers at the moment" in html and "Still typed" in html
    assert not Note.objects.exists()


def test_the_creator_is_told_notes_are_for_readers(client, alice, note_story):
    login(client, alice)
    html = client.get(new_url(note_story)).content.decode()
    assert "This is your own story" in html and '<textarea name="body"' not in html
    assert client.post(new_url(note_story), {"body": "Me"}).status_code == 403
    assert not Note.objects.exists()


@pytest.mark.parametrize("status", [Story.Status.DRAFT, Story.Status.SUBMITTED])
def test_an_unpublished_or_unknown_story_is_not_found(client, bob, note_story, status):
    Story.objects.filter(pk=note_story.pk).update(status=status)
    login(client, bob)
    assert client.get(new_url(note_story)).status_code == 404
    assert client.post(new_url(note_story), {"body": "Hi"}).status_code == 404
    for pk in (987_654, 99_999_999_999_999_999_999):
        assert client.get(f"/notes/new/{pk}/").status_code == 404
    assert not Note.objects.exists()


def test_a_script_in_a_note_reaches_the_creator_as_text(client, alice, bob, note_story):
    login(client, bob)
    client.post(
        new_url(note_story),
        {"body": '<script>alert("x")</script><img src=x onerror=alert(1)> https://example.com'},
    )
    html = login(Client(), alice).get(reverse("notes:inbox")).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;' in html
    assert '<a href="https://example.com" rel="nofollow noopener ugc">' in html


# --- the creator's pages -------------------------------------------------------------------


def test_the_inbox_lists_open_notes_first_with_their_passage_and_story(
    client, alice, bob, carol, note_story
):
    # The done one is the newest: open notes still come first.
    done = make_note(story=note_story, reader=carol, body="Old and done", quote="", ago=MINUTE)
    done.done_at = done.created_at
    done.save()
    make_note(story=note_story, reader=bob, body="Newest open", quote="late August", ago=2 * MINUTE)
    make_note(story=note_story, reader=carol, body="Older open", quote="Pick them", ago=3 * MINUTE)
    html = login(client, alice).get(reverse("notes:inbox")).content.decode()
    assert html.index("Newest open") < html.index("Older open") < html.index("Old and done")
    assert html.index('id="notes-open"') < html.index('id="notes-done"')
    assert '<blockquote class="note-quote"><p>late August</p></blockquote>' in html
    assert "About the whole story." in html
    assert "2 open" in html
    story_link = f'href="{note_story.get_absolute_url()}#:~:text=late%20August"'
    assert story_link in html


def test_the_inbox_shows_only_ones_own_notes(client, alice, bob, carol, lifehack):
    from tests.conftest import make_story

    carols_story = make_story(creator=carol, community=lifehack, body="<p>Carol’s words.</p>")
    make_note(story=carols_story, reader=bob, body="For Carol only", quote="")
    html = login(client, alice).get(reverse("notes:inbox")).content.decode()
    assert "For Carol only" not in html and "No notes yet." in html


@pytest.mark.parametrize("n", [2, 30])
def test_the_inbox_and_sent_pages_cost_the_same_queries_however_many_notes(
    client, alice, bob, note_story, n, django_assert_num_queries
):
    for i in range(n):
        make_note(story=note_story, reader=bob, body=f"Note {i}")
    login(client, alice)
    # user (the session comes from the cache), open count, page count, the page's notes
    with django_assert_num_queries(4):
        client.get(reverse("notes:inbox"))
    login(client, bob)
    # user, page count, the page's notes
    with django_assert_num_queries(3):
        client.get(reverse("notes:sent"))


def test_the_pages_need_an_account(client, bobs_note):
    for name in ("inbox", "sent"):
        response = client.get(reverse(f"notes:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response.url
    response = client.get(reverse("notes:note", args=[bobs_note.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_creator_marks_a_note_done_and_opens_it_again(client, alice, bobs_note):
    login(client, alice)
    response = client.post(reverse("notes:done", args=[bobs_note.pk]), {"next": "/write/"})
    assert response.status_code == 302 and response.url == "/write/"
    bobs_note.refresh_from_db()
    assert bobs_note.is_done
    response = client.post(reverse("notes:done", args=[bobs_note.pk]))
    assert response.url == f"/notes/#note-{bobs_note.pk}"
    assert "That note was already done." in messages_of(client.get(response.url))
    client.post(reverse("notes:reopen", args=[bobs_note.pk]), {"next": "https://evil.example/"})
    bobs_note.refresh_from_db()
    assert not bobs_note.is_done


def test_an_offsite_next_is_ignored(client, alice, bobs_note):
    login(client, alice)
    response = client.post(
        reverse("notes:done", args=[bobs_note.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == f"/notes/#note-{bobs_note.pk}"


def test_the_creator_replies_once_and_the_reader_sees_it(client, alice, bob, bobs_note):
    login(client, alice)
    url = reverse("notes:reply", args=[bobs_note.pk])
    response = client.post(url, {"reply": "Fixed it, thanks!"})
    assert response.status_code == 302
    bobs_note.refresh_from_db()
    assert bobs_note.reply == "Fixed it, thanks!" and bobs_note.is_done
    page = client.get(reverse("notes:note", args=[bobs_note.pk])).content.decode()
    assert "Your reply," in page and "Fixed it, thanks!" in page
    assert f'action="/notes/{bobs_note.pk}/reply/"' not in page  # no second reply form
    # A second reply (another tab) is refused, with the text kept.
    response = client.post(url, {"reply": "One more thing"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "You have already replied to this note" in html
    bobs_note.refresh_from_db()
    assert bobs_note.reply == "Fixed it, thanks!"
    # The reader sees the reply on their notes page.
    sent = login(Client(), bob).get(reverse("notes:sent")).content.decode()
    assert "Alice Walker replied," in sent and "Fixed it, thanks!" in sent


@pytest.mark.parametrize(
    ("text", "error"),
    [("", "Write your reply before sending it."), ("y" * 2001, "at most 2000 characters")],
)
def test_a_refused_reply_keeps_the_text_on_the_notes_page(client, alice, bobs_note, text, error):
    login(client, alice)
    response = client.post(reverse("notes:reply", args=[bobs_note.pk]), {"reply": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html and "Your reply was not sent" in html
    if text:
        assert text in html
    assert not Note.objects.get().has_reply


def test_the_creator_reports_a_note(client, alice, bobs_note):
    login(client, alice)
    url = reverse("notes:report", args=[bobs_note.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Tell us briefly what is wrong with this note." in response.content.decode()
    response = client.post(url, {"reason": "Harassment"})
    assert response.status_code == 302
    assert "Thank you for your report." in " ".join(messages_of(client.get(response.url)))
    bobs_note.refresh_from_db()
    assert bobs_note.is_reported and bobs_note.report_reason == "Harassment"
    response = client.post(url, {"reason": "Again"})
    assert "You have already reported this note." in messages_of(client.get(response.url))


def test_the_reader_sees_only_their_own_sent_notes(client, bob, carol, note_story):
    make_note(story=note_story, reader=bob, body="Bob’s note")
    make_note(story=note_story, reader=carol, body="Carol’s note")
    html = login(client, bob).get(reverse("notes:sent")).content.decode()
    assert "Bob’s note" in html and "Carol’s note" not in html
    assert "No reply yet" in html


def test_a_sent_note_on_a_story_gone_private_says_so(client, bob, note_story):
    make_note(story=note_story, reader=bob)
    Story.objects.filter(pk=note_story.pk).update(status=Story.Status.DRAFT)
    html = login(client, bob).get(reverse("notes:sent")).content.decode()
    assert "(no longer available)" in html
    assert note_story.get_absolute_url() not in html


# --- the dashboard and the settings ---------------------------------------------------------


def test_the_dashboard_shows_open_notes_with_their_passage(client, alice, bob, note_story):
    make_note(story=note_story, reader=bob, body="Please cite this", quote="late August")
    done = make_note(story=note_story, reader=bob, body="Dealt with")
    done.done_at = done.created_at
    done.save()
    html = login(client, alice).get(reverse("stories:dashboard")).content.decode()
    assert "Notes from readers" in html and "Please cite this" in html
    assert '<blockquote class="note-quote"><p>late August</p></blockquote>' in html
    assert "Tomatoes in August" in html and "Dealt with" not in html
    assert 'action="/notes/' in html and 'name="next" value="/write/"' in html


def test_the_dashboard_says_when_notes_are_off(client, alice):
    notes_accept(user=alice, accepts=False)
    html = login(client, alice).get(reverse("stories:dashboard")).content.decode()
    assert "Notes are off" in html


def test_the_settings_switch_turns_notes_off_and_on(client, alice):
    login(client, alice)
    page = client.get(reverse("creators:settings")).content.decode()
    assert re.search(r'<input type="checkbox" name="accepts_notes"[^>]* checked>', page)
    response = client.post(reverse("notes:settings"), {})
    assert response.status_code == 302 and response.url == "/settings/#notes"
    alice.refresh_from_db()
    assert alice.accepts_notes is False
    assert "Notes are off" in " ".join(messages_of(client.get(response.url)))
    client.post(reverse("notes:settings"), {"accepts_notes": "on"})
    alice.refresh_from_db()
    assert alice.accepts_notes is True


def test_the_settings_switch_is_post_only_and_needs_an_account(client, alice):
    response = client.post(reverse("notes:settings"), {})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    alice.refresh_from_db()
    assert alice.accepts_notes is True
    login(client, alice)
    assert client.get(reverse("notes:settings")).status_code == 405
