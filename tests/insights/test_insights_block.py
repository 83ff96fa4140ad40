"""The story page's "Reader insights" card: the summary, the form, and a constant query count."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.models import Quality, Rating
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import (
    add_insight,
    bulk_insights,
    default_choices,
    make_readers,
)

pytestmark = pytest.mark.django_db

EMPTY = "Be the first to share your insights about this piece."


@pytest.fixture
def choices(db):
    return default_choices()


@pytest.fixture
def story(alice, lifehack):
    return make_story(creator=alice, community=lifehack, title="Tomatoes in winter")


def block_html(client, story) -> str:
    html = client.get(story.get_absolute_url()).content.decode()
    found = re.search(r'<section class="card insights".*?</section>', html, re.S)
    assert found, "no insights block on the page"
    return found.group(0)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def checked_values(html: str, name: str) -> set[str]:
    inputs = re.findall(rf'<input type="\w+" name="{name}" value="(\d+)"[^>]*>', html)
    checked = re.findall(rf'<input type="\w+" name="{name}" value="(\d+)"[^>]* checked>', html)
    assert set(checked) <= set(inputs)
    return set(checked)


def offered(html: str, name: str) -> set[str]:
    return set(re.findall(rf'<input type="\w+" name="{name}" value="(\d+)"', html))


# --- what each viewer sees ---------------------------------------------------------------------


def test_with_no_insights_the_seed_texts(client, choices, story):
    html = block_html(client, story)
    assert 'data-block="insights"' in html and 'id="insights"' in html
    assert 'aria-labelledby="insights-title"' in html
    words = text(html)
    for seed in ("Reader insights", EMPTY, "How does it work?", "Add your insights"):
        assert seed in words
    assert "<details" in html and "<summary>How does it work?</summary>" in html


def test_anonymous_readers_get_a_login_link_back_to_the_block(client, choices, story):
    html = block_html(client, story)
    assert "<form" not in html
    assert "Log in to add your insights" in html
    login = reverse("creators:login")
    assert f'href="{login}?next={quote(story.get_absolute_url(), safe="")}%23insights"' in html


def test_the_leading_rating_its_phrase_and_the_qualities_by_count(client, choices, story):
    eye, heart, proof = (
        choices.q("Eye opening"),
        choices.q("Heartfelt and relatable"),
        choices.q("Masterful proofreading"),
    )
    readers = make_readers(5)
    add_insight(story, readers[0], choices.outstanding, eye, heart)
    add_insight(story, readers[1], choices.outstanding, eye)
    add_insight(story, readers[2], choices.outstanding, eye)
    add_insight(story, readers[3], choices.nice, heart)
    add_insight(story, readers[4], choices.good)
    html = block_html(client, story)
    words = text(html)
    assert "Outstanding Excellent work. Looking forward to reading more!" in words
    assert "Chosen by 3 of 5 readers" in words
    assert EMPTY not in words
    # Only chosen qualities, most chosen first; the staff's order breaks no tie here.
    listed = re.findall(r'insights__quality-name">([^<]+)<', html)
    assert listed == ["Eye opening", "Heartfelt and relatable"]
    assert "Eye opening chosen by 3 readers" in words
    assert "Heartfelt and relatable chosen by 2 readers" in words
    assert proof.name not in re.sub(r"<fieldset.*</fieldset>", "", html, flags=re.S)


def test_a_tie_goes_to_the_higher_position(client, choices, story):
    a, b = make_readers(2)
    add_insight(story, a, choices.good)
    add_insight(story, b, choices.nice)
    assert "Nice Work Very well written" in text(block_html(client, story))
    Rating.objects.filter(pk=choices.good.pk).update(position=99)
    assert "Good Effort You have potential" in text(block_html(client, story))


def test_one_reader_reads_naturally(client, choices, story):
    add_insight(story, make_readers(1)[0], choices.nice)
    assert "From the one reader who shared their insights so far" in text(block_html(client, story))


def test_suspended_readers_do_not_count(client, choices, story):
    mallory = make_user("mallory")
    add_insight(story, mallory, choices.good, choices.q("Eye opening"))
    mallory.is_active = False
    mallory.save()
    words = text(block_html(client, story))
    assert EMPTY in words and "Eye opening chosen" not in words


def test_retired_choices_stay_in_the_counts_but_are_not_offered(client, choices, story, bob):
    eye = choices.q("Eye opening")
    add_insight(story, make_readers(1)[0], choices.good, eye)
    Rating.objects.filter(pk=choices.good.pk).update(is_active=False)
    Quality.objects.filter(pk=eye.pk).update(is_active=False)
    client.force_login(bob)
    html = block_html(client, story)
    words = text(html)
    assert "Good Effort You have potential" in words
    assert "Eye opening chosen by 1 reader" in words
    assert str(choices.good.pk) not in offered(html, "rating")
    assert offered(html, "rating") == {str(choices.nice.pk), str(choices.outstanding.pk)}
    assert str(eye.pk) not in offered(html, "qualities")
    assert len(offered(html, "qualities")) == 7


def test_a_reader_with_retired_choices_keeps_them_checked(client, choices, story, bob):
    eye = choices.q("Eye opening")
    add_insight(story, bob, choices.good, eye)
    Rating.objects.filter(pk=choices.good.pk).update(is_active=False)
    Quality.objects.filter(pk=eye.pk).update(is_active=False)
    client.force_login(bob)
    html = block_html(client, story)
    assert checked_values(html, "rating") == {str(choices.good.pk)}
    assert checked_values(html, "qualities") == {str(eye.pk)}
    assert "Good Effort (no longer offered)" in text(html)


def test_a_signed_in_reader_gets_the_form(client, choices, story, bob):
    client.force_login(bob)
    html = block_html(client, story)
    assert f'action="/insights/{story.pk}/"' in html
    assert "<legend>Overall rating</legend>" in html
    assert "Qualities" in html and "<legend>" in html
    assert offered(html, "rating") == {str(r.pk) for r in choices.ratings.values()}
    assert len(offered(html, "qualities")) == 8
    assert checked_values(html, "rating") == set()
    words = text(html)
    assert "Add your insights" in words and "Add my insight" in words
    assert "Very well written. Keep up the good work!" in words
    assert "Withdraw my insight" not in words
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_form_is_filled_in_with_the_readers_insight(client, choices, story, bob):
    add_insight(
        story, bob, choices.nice, choices.q("Eye opening"), choices.q("Masterful proofreading")
    )
    client.force_login(bob)
    html = block_html(client, story)
    assert checked_values(html, "rating") == {str(choices.nice.pk)}
    assert checked_values(html, "qualities") == {
        str(choices.q("Eye opening").pk),
        str(choices.q("Masterful proofreading").pk),
    }
    words = text(html)
    assert "You rated this piece Nice Work" in words
    assert "Update my insight" in words and "Withdraw my insight" in words
    assert f'action="/insights/{story.pk}/withdraw/"' in html


def test_the_creator_gets_a_note_and_their_dashboard(client, choices, story, alice):
    add_insight(story, make_readers(1)[0], choices.nice)
    client.force_login(alice)
    html = block_html(client, story)
    assert "<form" not in html
    assert 'href="/write/"' in html and "See who left which on your dashboard" in html
    assert "Chosen by" in text(html) or "From the one reader" in text(html)


def test_an_unpublished_story_takes_no_insights(client, alice, lifehack, sam, choices):
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    sam.is_superuser = True
    sam.save()
    client.force_login(sam)  # staff may look at a draft, but not praise it
    html = block_html(client, draft)
    assert "<form" not in html
    assert "once the story is published" in html


def test_the_creators_preview_shows_the_block(client, alice, lifehack, choices):
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    client.force_login(alice)
    html = client.get(f"/write/{draft.pk}/preview/").content.decode()
    assert 'data-block="insights"' in html and EMPTY in html


# --- queries -----------------------------------------------------------------------------------


def render_block(story, user) -> str:
    request = RequestFactory().get(story.get_absolute_url())
    request.user = user
    template = Template("{% load insights_tags %}{% insights_block story %}")
    return template.render(RequestContext(request, {"story": story}))


def block_queries(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if "comments_rating" in q["sql"] or "comments_quality" in q["sql"]
    ]


def test_the_page_and_block_queries_are_constant(
    client, choices, story, alice, bob, django_assert_num_queries
):
    """0, 10 and 500 insights: the same number of queries for every kind of viewer.

    The block itself is two queries (ratings with their counts and whether they are the
    viewer's; the same for qualities), whoever looks and however many insights there are.
    """
    from django.contrib.auth.models import AnonymousUser

    carol = make_user("carol")
    ratings = list(choices.ratings.values())
    qualities = list(choices.qualities.values())
    viewers = {"anonymous": None, "reader": bob, "another reader": carol, "creator": alice}
    baseline: dict[str, int] = {}
    for n in (0, 10, 500):
        if n and not story.insights.filter(reader=bob).exists():
            add_insight(story, bob, choices.nice, choices.q("Eye opening"))
        bulk_insights(story, make_readers(n - story.insights.count()), ratings, qualities)
        assert story.insights.count() == n
        for label, user in viewers.items():
            with django_assert_num_queries(2):
                html = render_block(story, user or AnonymousUser())
            assert 'data-block="insights"' in html
            client.logout()
            if user:
                client.force_login(user)
            if label not in baseline:
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(story.get_absolute_url()).status_code == 200
                baseline[label] = len(captured)
                assert len(block_queries(captured)) == 2, label
            else:
                with django_assert_num_queries(baseline[label]):
                    assert client.get(story.get_absolute_url()).status_code == 200
