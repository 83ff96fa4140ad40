"""Finding stories: Top Stories with their reasons, keep reading, and read counts where the
creator shows them. Trending lives with the reads, in tests/stats/test_trending.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from stats.models import Read
from stats.services import read_record
from stories.models import Story
from stories.services import story_pick, story_unpick, story_unpublish
from tests.conftest import make_community, make_story, make_user

pytestmark = pytest.mark.django_db


def add_reads(story: Story, n: int, *, days_ago: int = 0) -> None:
    """n readers reading `story` on one day, counted the way the beacon counts them."""
    day = timezone.localdate() - timedelta(days=days_ago)
    Read.objects.bulk_create(
        Read(story=story, reader_key=f"test-{story.pk}-{days_ago}-{i}", day=day) for i in range(n)
    )
    Story.objects.filter(pk=story.pk).update(read_count=story.read_count + n)
    story.refresh_from_db()


# --- Top Stories --------------------------------------------------------------------------------


def test_a_pick_leads_the_home_page_with_its_reason(client, alice, sam, lifehack):
    make_story(creator=alice, community=lifehack, title="Plain latest", published_ago=timedelta(0))
    picked = make_story(creator=alice, community=lifehack, title="The one to read")
    story_pick(story=picked, actor=sam, reason="  The clearest guide to  night gardens we have. ")
    html = client.get("/").content.decode()
    top = html.index('data-block="top-stories"')
    latest = html.index('data-block="latest"')
    assert top < html.index("The one to read") < latest < html.index("Plain latest")
    assert "Why we picked it:</span> The clearest guide to night gardens we have." in html
    # Not repeated under Latest.
    assert html.count(">The one to read</a>") == 1


def test_newest_pick_first_and_only_published_stories(client, alice, sam, lifehack):
    first = make_story(creator=alice, community=lifehack, title="Picked first")
    second = make_story(creator=alice, community=lifehack, title="Picked second")
    story_pick(story=first, actor=sam, reason="One.")
    story_pick(story=second, actor=sam, reason="Two.")
    html = client.get("/").content.decode()
    assert html.index("Picked second") < html.index("Picked first")
    alice.is_active = False
    alice.save()
    assert 'data-block="top-stories"' not in client.get("/").content.decode()


def test_a_pick_needs_a_published_story_and_a_reason(alice, sam, lifehack):
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    with pytest.raises(ValidationError, match="Only a published story"):
        story_pick(story=draft, actor=sam, reason="Great.")
    story = make_story(creator=alice, community=lifehack)
    with pytest.raises(ValidationError, match="why readers should read it"):
        story_pick(story=story, actor=sam, reason="   ")
    story.refresh_from_db()
    assert story.picked_at is None


def test_unpublishing_and_unpicking_take_it_off_the_top(client, alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Briefly on top")
    story_pick(story=story, actor=sam, reason="Because.")
    story_unpick(story=story)
    story.refresh_from_db()
    assert (story.picked_at, story.pick_reason, story.picked_by) == (None, "", None)
    story_pick(story=story, actor=sam, reason="Again.")
    story_unpublish(story=story, actor=sam)
    story.refresh_from_db()
    assert story.picked_at is None and story.pick_reason == ""


@pytest.fixture
def staff_client(client, sam):
    sam.is_superuser = True
    sam.save()
    client.force_login(sam)
    return client


def test_staff_pick_from_the_admin_with_a_reason(staff_client, alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Worth it")
    changelist = reverse("admin:stories_story_changelist")
    selection = {"action": "pick", ACTION_CHECKBOX_NAME: [story.pk]}
    # First the confirmation page, asking for the reason.
    page = staff_client.post(changelist, selection)
    assert page.status_code == 200
    assert "Pick as Top Stories" in page.content.decode()
    # No reason: the page again, with an error and the selection kept.
    again = staff_client.post(changelist, {**selection, "post": "yes", "reason": ""})
    assert again.status_code == 200
    assert "This field is required" in again.content.decode()
    story.refresh_from_db()
    assert story.picked_at is None
    # Too long a reason is refused too, keeping what was typed.
    long = "x" * 201
    again = staff_client.post(changelist, {**selection, "post": "yes", "reason": long})
    assert long in again.content.decode()
    done = staff_client.post(
        changelist, {**selection, "post": "yes", "reason": "Funny and true."}, follow=True
    )
    assert "Picked 1 story as Top Stories." in done.content.decode()
    story.refresh_from_db()
    assert story.pick_reason == "Funny and true." and story.picked_by == sam
    listed = staff_client.get(changelist + "?top=yes").content.decode()
    assert "Worth it" in listed


def test_picking_a_draft_from_the_admin_is_refused_with_a_message(staff_client, alice, lifehack):
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT, title="Nope")
    response = staff_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "pick", ACTION_CHECKBOX_NAME: [draft.pk], "post": "yes", "reason": "Good."},
        follow=True,
    )
    assert "“Nope”: Only a published story can be a Top Story." in response.content.decode()


def test_unpick_from_the_admin(staff_client, alice, sam, lifehack):
    story = make_story(creator=alice, community=lifehack)
    story_pick(story=story, actor=sam, reason="Good.")
    staff_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "unpick", ACTION_CHECKBOX_NAME: [story.pk]},
    )
    story.refresh_from_db()
    assert story.picked_at is None


# --- keep reading -----------------------------------------------------------------------------


def test_keep_reading_offers_the_creator_then_the_community(client, alice, bob, lifehack):
    story = make_story(creator=alice, community=lifehack, title="This one")
    make_story(creator=alice, community=make_community("Travel"), title="Alice elsewhere")
    make_story(creator=bob, community=lifehack, title="Bob in Lifehack")
    make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT, title="Alice draft")
    html = client.get(story.get_absolute_url()).content.decode()
    block = html[html.index('data-block="keep-reading"') :]
    creator_part, community_part = block.split('id="more-community-heading"')
    assert "Alice elsewhere" in creator_part and "Bob in Lifehack" not in creator_part
    assert "Bob in Lifehack" in community_part and "Alice elsewhere" not in community_part
    assert "Alice draft" not in block
    assert ">This one</a>" not in block


def test_a_lone_story_has_no_keep_reading(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    assert 'data-block="keep-reading"' not in client.get(story.get_absolute_url()).content.decode()


# --- read counts ------------------------------------------------------------------------------


def test_read_counts_show_on_cards_and_the_story_page(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack, title="Counted")
    add_reads(story, 1234)
    for url in (story.get_absolute_url(), "/", "/explore/", "/authors/alice/"):
        assert "1,234 reads" in client.get(url).content.decode(), url


def test_read_counts_hidden_when_the_creator_says_so(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    add_reads(story, 7)
    alice.show_read_counts = False
    alice.save()
    for url in (story.get_absolute_url(), "/", "/explore/", "/authors/alice/"):
        assert "7 reads" not in client.get(url).content.decode(), url


def test_one_read_is_singular(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    assert read_record(story=story, reader_key="someone", user=None)
    assert "1 read<" in client.get(story.get_absolute_url()).content.decode()


def test_the_settings_page_turns_read_counts_off_and_keeps_the_profile(client, alice):
    client.force_login(alice)
    page = client.get(reverse("creators:settings")).content.decode()
    assert 'name="show_read_counts"' in page and "checked" in page
    from tests.creators.test_profile_settings import settings_data

    data = settings_data(display_name="Alice W.")
    response = client.post(reverse("creators:settings"), data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.show_read_counts is False and alice.display_name == "Alice W."
    client.post(reverse("creators:settings"), {**data, "show_read_counts": "on"})
    alice.refresh_from_db()
    assert alice.show_read_counts is True


def test_home_queries_stay_constant_with_picks(
    client, alice, sam, lifehack, django_assert_num_queries
):
    for i in range(6):
        story = make_story(creator=make_user(), community=lifehack, tags=[f"t{i}"])
        story_pick(story=story, actor=sam, reason=f"Reason {i}.")
    # top stories and their tags, latest stories and their tags, communities, open challenges
    with django_assert_num_queries(6):
        assert client.get("/").status_code == 200
