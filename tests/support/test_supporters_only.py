"""Issue 18, stories for supporters: who reads the rest, what everyone else meets, what it
costs, and that the rest never reaches a stored page or fragment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from core import pagecache
from core.sanitizer import SUPPORTERS_BREAK, clean_html
from stories.access import split_body
from stories.models import Story
from support.models import Pledge
from support.services import pledge_cancel, pledge_create, support_settings_update
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db

FREE = "<p>Everyone reads how the garden began, in the free part.</p>"
REST = "<p>Only supporters read the secret of the August tomatoes.</p>"
SECRET = "secret of the August tomatoes"
CARD = "This story is for Alice Walker’s supporters."


@pytest.fixture
def story(accepting, lifehack) -> Story:
    return make_story(
        creator=accepting,
        community=lifehack,
        title="Tomatoes in August",
        body=FREE + SUPPORTERS_BREAK + REST,
        for_supporters=True,
    )


def page(client: Client, story: Story) -> str:
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user) -> Client:
    reader = Client()
    reader.force_login(user)
    return reader


# --- the marker and the split --------------------------------------------------------------------


def test_the_sanitiser_keeps_the_supporters_break_and_nothing_else_new():
    assert (
        clean_html(f"<p>a</p>{SUPPORTERS_BREAK}<p>b</p>") == f"<p>a</p>{SUPPORTERS_BREAK}<p>b</p>"
    )
    assert clean_html('<hr data-break="everyone">') == "<hr>"
    assert clean_html('<p data-break="supporters">x</p>') == "<p>x</p>"
    assert clean_html('<hr data-break="supporters" data-x="1" class="c">') == SUPPORTERS_BREAK


def test_without_a_break_the_free_part_is_the_first_blocks_up_to_thirty_percent():
    blocks = [f"<p>Paragraph {n} has exactly six words.</p>" for n in range(10)]
    free, rest = split_body("".join(blocks))
    assert free == "".join(blocks[:3]) and rest == "".join(blocks[3:])
    # One long first block: it is the free part, so readers see how the story begins.
    free, rest = split_body("<p>" + "word " * 50 + "</p><p>end</p>")
    assert free.startswith("<p>word") and rest == "<p>end</p>"
    assert split_body("<p>A single block.</p>") == ("", "<p>A single block.</p>")


# --- who reads the whole story -----------------------------------------------------------------


def test_anonymous_and_non_pledging_readers_get_the_free_part_and_the_card(client, story, bob):
    for html in (page(client, story), page(signed_in(bob), story)):
        assert "how the garden began" in html
        assert SECRET not in html
        assert CARD in html
        assert "Pledge $2.99 a month" in html
        assert f"/support/pledge/alice/?story={story.pk}" in html
    assert "Already a supporter? Sign in" in page(client, story)


def test_the_card_asks_the_creators_smallest_suggested_pledge(client, story):
    support_settings_update(
        creator=story.creator, accepts_support=True, pledge_amounts=[800, 500, 1200]
    )
    assert "Pledge $5.00 a month" in page(client, story)


def test_a_live_pledger_the_creator_and_staff_read_the_whole_story(story, bob, sam):
    pledge_create(supporter=bob, creator=story.creator, amount=299)
    for reader in (bob, story.creator, sam):
        html = page(signed_in(reader), story)
        assert SECRET in html and CARD not in html, reader


def test_a_pledge_to_another_creator_does_not_open_it(story, bob):
    carol = make_user("carol", display_name="Carol")
    pledge_create(supporter=bob, creator=carol, amount=299)
    assert SECRET not in page(signed_in(bob), story)


def test_a_cancelled_pledge_reads_on_until_the_paid_month_ends(story, bob):
    pledge, _ = pledge_create(supporter=bob, creator=story.creator, amount=299)
    pledge_cancel(pledge=pledge, actor=bob)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.ACTIVE and pledge.cancel_at_period_end
    reader = signed_in(bob)
    assert SECRET in page(reader, story)
    # The month runs out before the renewal job ends the pledge: time decides, not status.
    pledge.current_period_start = timezone.now() - timedelta(days=31)
    pledge.current_period_end = timezone.now() - timedelta(seconds=1)
    pledge.save(update_fields=["current_period_start", "current_period_end"])
    html = page(reader, story)
    assert SECRET not in html and CARD in html


def test_an_ended_pledge_does_not_open_it(story, bob):
    pledge, _ = pledge_create(supporter=bob, creator=story.creator, amount=299)
    pledge.status = Pledge.Status.ENDED
    pledge.save(update_fields=["status"])
    assert SECRET not in page(signed_in(bob), story)


def test_a_creator_who_takes_no_pledges_has_their_stories_open_to_all(client, story, bob):
    support_settings_update(creator=story.creator, accepts_support=False)
    for reader in (client, signed_in(bob)):
        html = page(reader, story)
        assert SECRET in html and CARD not in html


def test_the_creators_preview_shows_the_whole_story_with_the_break_marked(story):
    response = signed_in(story.creator).get(f"/write/{story.pk}/preview/")
    html = response.content.decode()
    assert SECRET in html and CARD not in html
    assert "story__body--for-supporters" in html and SUPPORTERS_BREAK in html


def test_staff_review_in_the_admin_sees_the_whole_story(story, sam):
    story.status = Story.Status.SUBMITTED
    story.save(update_fields=["status"])
    sam.is_superuser = True
    sam.save(update_fields=["is_superuser"])
    response = signed_in(sam).get(f"/admin/stories/submission/{story.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET in html and "readers who don’t pledge to Alice Walker read up to" in html


# --- cost ----------------------------------------------------------------------------------------


def test_a_signed_in_reader_pays_one_query_for_the_check(story, bob, django_assert_num_queries):
    ordinary = make_story(creator=story.creator, community=story.community, title="Open")
    reader = signed_in(bob)
    reader.get(ordinary.get_absolute_url())
    reader.get(story.get_absolute_url())
    # test_pagecache pins 14 for the full page of an ordinary story
    with django_assert_num_queries(14):
        reader.get(ordinary.get_absolute_url())
    # The same, plus "is bob's pledge to alice paid up?" with alice's support settings, which
    # the card under the free part uses too (support.access).
    with django_assert_num_queries(15):
        reader.get(story.get_absolute_url())


# --- the page cache: the rest is never stored ----------------------------------------------------


@pytest.fixture
def page_cache(settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    pagecache.local.clear()
    pagecache.known_stamps.clear()


def everything_stored() -> str:
    """Every page and fragment stored for readers, as one text to search. (The story's own
    row is kept too, body and all, for the view: that is data, never shown as it is.)"""
    pieces = []
    for key in [*pagecache.local.items]:
        if not key.startswith((pagecache.FRAGMENT_PREFIX, pagecache.PAGE_PREFIX)):
            continue
        value = pagecache.local.get(key)
        pieces.append(repr(getattr(value, "content", value)))
    return "\n".join(pieces)


def test_the_anonymous_stored_page_holds_only_the_free_part(client, story, bob, page_cache):
    url = story.get_absolute_url()
    for _ in range(3):
        response = client.get(url)
    assert response[pagecache.CACHE_HEADER] == "hit"
    entry = cache.get(pagecache.page_key(response.wsgi_request))
    assert "how the garden began" in entry.content.decode()
    assert SECRET not in entry.content.decode() and CARD in entry.content.decode()
    # A pledger reading after them gets the rest, and it is not left behind for the next.
    pledge_create(supporter=bob, creator=story.creator, amount=299)
    assert SECRET in page(signed_in(bob), story)
    assert SECRET not in client.get(url).content.decode()


def test_a_non_supporters_fragments_are_shared_and_hold_only_the_free_part(
    story, bob, page_cache, django_assert_num_queries
):
    carol = make_user("carol", display_name="Carol")
    pledge_create(supporter=bob, creator=story.creator, amount=299)
    # A supporter stores the shared fragments first: the rest is a hole in them.
    supporter = signed_in(bob)
    assert SECRET in page(supporter, story)
    assert SECRET in page(supporter, story)
    stored = everything_stored()
    assert "how the garden began" in stored and SECRET not in stored
    reader = signed_in(carol)
    html = page(reader, story)
    assert SECRET not in html and CARD in html
    assert SECRET not in everything_stored()
    # Warm: test_pagecache pins 5 for an ordinary story; + 1, the check. The card is stored.
    with django_assert_num_queries(6):
        html = page(reader, story)
    assert SECRET not in html and CARD in html


# --- nothing else tells the rest -------------------------------------------------------------


@pytest.mark.parametrize("feed", ["/rss/", "/atom/", "/rss/authors/alice/"])
def test_feeds_carry_the_free_part_and_a_note(client, story, feed):
    xml = client.get(feed).content.decode()
    assert "how the garden began" in xml
    assert SECRET not in xml
    assert "This story is for Alice Walker’s supporters." in xml


def test_search_finds_the_free_part_only_and_its_snippets_hold_no_rest(client, story):
    assert "Tomatoes in August" in client.get("/search/", {"q": "garden"}).content.decode()
    html = client.get("/search/", {"q": "secret"}).content.decode()
    assert "Tomatoes in August" not in html and SECRET not in html
    # Opened to everyone, the whole story is found again.
    story.for_supporters = False
    story.save(update_fields=["for_supporters"])
    assert "Tomatoes in August" in client.get("/search/", {"q": "secret"}).content.decode()


def test_link_previews_and_search_engines_get_the_free_part(client, story):
    html = page(client, story)
    head = html[: html.index("</head>")]
    assert '<meta name="description" content="Tomatoes in August">' in head
    assert 'property="og:description" content="Everyone reads how the garden began' in head
    assert '"isAccessibleForFree": false' in head
    assert "Only supporters" not in head


def test_the_sitemap_lists_the_url_without_text(client, story):
    xml = client.get("/sitemap.xml").content.decode()
    assert story.get_absolute_url() in xml and SECRET not in xml


def test_the_new_story_email_and_notification_tell_no_rest(
    story, bob, sam, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    from notifications.models import Kind, Notification
    from stories.services import story_publish
    from subscriptions.services import subscription_create

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    subscription_create(subscriber=bob, creator=story.creator)
    story.status, story.published_at = Story.Status.SUBMITTED, None
    story.save(update_fields=["status", "published_at"])
    with django_capture_on_commit_callbacks(execute=True):
        story_publish(story=story, actor=sam)
    [email] = [m for m in mail.outbox if "Tomatoes in August" in m.subject and bob.email in m.to]
    texts = [email.body, *(content for content, _ in email.alternatives)]
    for text in texts:
        assert SECRET not in text and "Only supporters" not in text
        assert "For Alice Walker’s supporters" in text
    notification = Notification.objects.get(kind=Kind.NEW_STORY, recipient=bob)
    assert notification.summary == "Alice Walker published “Tomatoes in August” for supporters"
    html = signed_in(bob).get("/notifications/").content.decode()
    assert "Tomatoes in August" in html and SECRET not in html


# --- the editor: a setting of the story, applied when saved, recorded ----------------------------


def editor_form(story: Story, **overrides) -> dict:
    data = {
        "title": story.title,
        "subtitle": "",
        "community": story.community_id,
        "tags": "",
        "hero_caption": "",
        "hero_alt": "",
        "body": story.body,
        "action": "save",
    }
    data.update(overrides)
    return data


def test_the_creator_marks_a_published_story_for_supporters_at_once_and_it_is_recorded(
    accepting, lifehack, client
):
    from django.contrib.admin.models import LogEntry

    story = make_story(creator=accepting, community=lifehack, title="Open", body=FREE + REST)
    client.force_login(accepting)
    page = client.get(f"/write/{story.pk}/").content.decode()
    assert (
        'name="for_supporters"' in page
        and "checked" not in page.split('name="for_supporters"')[1][:40]
    )
    body = FREE + SUPPORTERS_BREAK + REST
    response = client.post(
        f"/write/{story.pk}/", editor_form(story, body=body, for_supporters="on")
    )
    assert response.status_code == 302
    story.refresh_from_db()
    # The setting applies now; the new break waits with the rest of the edit for review.
    assert story.for_supporters and story.status == Story.Status.PUBLISHED
    assert story.pending_edit.body == body
    entry = LogEntry.objects.get(object_id=str(story.pk))
    assert entry.user_id == accepting.pk and entry.change_message == "Made for supporters"
    assert SECRET not in Client().get(story.get_absolute_url()).content.decode()
    client.post(f"/write/{story.pk}/", editor_form(story, body=body))
    story.refresh_from_db()
    assert not story.for_supporters
    assert LogEntry.objects.filter(change_message="Opened to everyone").count() == 1


def test_a_draft_keeps_the_break_the_editor_sends(accepting, lifehack, client):
    client.force_login(accepting)
    body = FREE + SUPPORTERS_BREAK + REST
    data = editor_form(Story(title="New", community=lifehack, body=body), for_supporters="on")
    client.post("/write/new/", data)
    story = Story.objects.get(title="New")
    assert story.for_supporters and story.body == body


# --- conversions ------------------------------------------------------------------------------


def test_the_card_leads_to_a_pledge_page_that_records_the_story(client, story, bob):
    url = f"/support/pledge/alice/?story={story.pk}"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    reader = signed_in(bob)
    html = reader.get(url).content.decode()
    assert "Your pledge lets you read the whole of" in html and "not started" not in html
    assert f'name="story" value="{story.pk}"' in html
    response = reader.post(
        "/support/pledge/alice/",
        {"suggested": "2.99", "return_url": story.get_absolute_url(), "story": story.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{story.get_absolute_url()}?support=pledged"
    assert Pledge.objects.get(supporter=bob).story == story
    assert SECRET in page(reader, story)


def test_a_story_of_another_creator_is_not_recorded(story, bob):
    carol = make_user("carol", display_name="Carol")
    other = make_story(creator=carol, community=story.community, title="Carol's")
    signed_in(bob).post("/support/pledge/alice/", {"suggested": "2.99", "story": other.pk})
    assert Pledge.objects.get(supporter=bob).story is None


def test_the_creators_stats_count_pledges_started_from_stories_for_supporters(story, bob):
    carol = make_user("carol", display_name="Carol")
    open_story = make_story(creator=story.creator, community=story.community, title="Open one")
    for reader in (bob, carol):
        pledge_create(supporter=reader, creator=story.creator, amount=299, story=story)
    dave = make_user("dave", display_name="Dave")
    pledge_create(supporter=dave, creator=story.creator, amount=299)  # from the support box
    html = signed_in(story.creator).get("/write/stats/").content.decode()
    assert "Pledges from stories for supporters</dt><dd>2 " in html
    row = html[html.index("Tomatoes in August</a>") :]
    row = row[: row.index("</tr>")]
    assert "For supporters" in row and row.rstrip().endswith(">2</td>")
    other = html[html.index("Open one</a>") :]
    assert "Not for supporters" in other[: other.index("</tr>")]
    assert open_story.pledges_started.count() == 0


def test_cards_and_keep_reading_say_for_supporters_and_show_no_body(client, story):
    other = make_story(creator=story.creator, community=story.community, title="Another")
    for url in ("/", "/explore/", "/authors/alice/", other.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Tomatoes in August" in html, url
        assert "For supporters" in html and SECRET not in html and "garden began" not in html, url


def test_a_note_cannot_probe_the_rest_for_a_reader_who_does_not_pledge(story, bob):
    from django.core.exceptions import ValidationError

    from notes.services import note_create

    carol = make_user("carol", display_name="Carol")
    with pytest.raises(ValidationError) as refused:
        note_create(story=story, reader=carol, body="Lovely.", quote=SECRET)
    assert "couldn’t find this passage" in str(refused.value)
    note = note_create(story=story, reader=carol, body="Lovely.", quote="how the garden began")
    assert note.quote == "how the garden began"
    pledge_create(supporter=bob, creator=story.creator, amount=299)
    assert note_create(story=story, reader=bob, body="Yes!", quote=SECRET).quote == SECRET


def test_the_creators_own_export_keeps_the_whole_story(story):
    import zipfile

    from stories.export import build_export

    archive = zipfile.ZipFile(build_export(user=story.creator))
    document = archive.read(f"stories/{story.slug}.md").decode()
    assert "for_supporters: true" in document
    assert "how the garden began" in document and SECRET in document


def test_the_editor_tells_a_creator_who_takes_no_pledges_that_such_stories_are_open(
    accepting, client
):
    client.force_login(accepting)
    assert "You don’t take pledges now" not in client.get("/write/new/").content.decode()
    support_settings_update(creator=accepting, accepts_support=False)
    html = client.get("/write/new/").content.decode()
    assert "You don’t take pledges now" in html and 'name="for_supporters"' in html
