"""Review transparency (issue 16, part 6): a submission's place in the queue and the wait to
expect, on the dashboard, in the submission email and in the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from stories import review
from stories.models import Story, StoryEdit, StoryTransition
from stories.services import (
    story_publish,
    story_request_changes,
    story_submit,
    story_update,
    story_withdraw,
)
from tests.conftest import make_story

pytestmark = pytest.mark.django_db
Status = Story.Status
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def backdate(story: Story, to_status: str, when) -> None:
    """Move the latest step of `story` to `to_status` back to `when`."""
    step = story.transitions.filter(to_status=to_status).order_by("-created_at", "-pk").first()
    StoryTransition.objects.filter(pk=step.pk).update(created_at=when)


def submitted(creator, community, *, ago: timedelta = timedelta(0), **fields) -> Story:
    story = make_story(creator=creator, community=community, status=Status.DRAFT, **fields)
    story_submit(story=story, actor=creator)
    backdate(story, Status.SUBMITTED, timezone.now() - ago)
    return story


def reviewed(
    creator, community, staff, *, took: timedelta, decided_ago: timedelta = HOUR, publish=True
) -> Story:
    """A story submitted, then published (or sent back) `took` later, `decided_ago` ago."""
    decided = timezone.now() - decided_ago
    story = submitted(creator, community)
    if publish:
        story_publish(story=story, actor=staff)
        backdate(story, Status.PUBLISHED, decided)
    else:
        story_request_changes(story=story, actor=staff, reason="Cite a source.")
        backdate(story, Status.CHANGES_REQUESTED, decided)
    backdate(story, Status.SUBMITTED, decided - took)
    return story


# --- the wait in words, at its boundaries -----------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "words"),
    [
        (None, "no recent reviews to estimate from"),
        (timedelta(0), "usually within a day"),
        (timedelta(minutes=5), "usually within a day"),
        (DAY - timedelta(seconds=1), "usually within a day"),
        (DAY, "about a day"),
        (DAY + 11 * HOUR, "about a day"),
        (DAY + 12 * HOUR, "about 2 days"),
        (2 * DAY + 11 * HOUR, "about 2 days"),
        (2 * DAY + 12 * HOUR, "about 3 days"),
        (9 * DAY + 23 * HOUR, "about 10 days"),
    ],
)
def test_the_wait_in_words(wait, words):
    assert review.wait_in_words(wait) == words


# --- the median of the last 30 days -----------------------------------------------------------


def test_no_history_gives_no_estimate(alice, lifehack, django_assert_num_queries):
    submitted(alice, lifehack)  # waiting, not decided
    with django_assert_num_queries(1):
        assert review.median_review_time() is None
    assert review.expected_wait() == "no recent reviews to estimate from"


def test_the_median_of_publications_and_change_requests(alice, sam, lifehack):
    for hours, publish in ((2, True), (5, False), (80, True)):
        reviewed(alice, lifehack, sam, took=hours * HOUR, publish=publish)
    assert review.median_review_time() == 5 * HOUR
    reviewed(alice, lifehack, sam, took=7 * HOUR)
    assert review.median_review_time() == 6 * HOUR  # the middle two, averaged


def test_one_query_whatever_the_number_of_reviews(alice, sam, lifehack, django_assert_num_queries):
    for i in range(12):
        reviewed(alice, lifehack, sam, took=(i + 1) * HOUR)
    with django_assert_num_queries(1):
        assert review.median_review_time() == timedelta(hours=6, minutes=30)


def test_only_the_last_30_days_count(alice, sam, lifehack):
    reviewed(alice, lifehack, sam, took=10 * DAY, decided_ago=31 * DAY)
    assert review.median_review_time() is None
    reviewed(alice, lifehack, sam, took=3 * HOUR, decided_ago=29 * DAY)
    assert review.median_review_time() == 3 * HOUR


def test_a_withdrawal_is_not_a_decision_and_a_resubmission_counts_from_itself(alice, sam, lifehack):
    story = submitted(alice, lifehack, ago=10 * DAY)
    story_withdraw(story=story, actor=alice)
    assert review.median_review_time() is None
    story_submit(story=story, actor=alice)
    backdate(story, Status.SUBMITTED, timezone.now() - 5 * HOUR)
    story_publish(story=story, actor=sam)
    assert 5 * HOUR <= review.median_review_time() < 5 * HOUR + timedelta(minutes=1)


def test_changes_to_a_published_story_count_from_their_own_submission(alice, sam, lifehack):
    story = reviewed(alice, lifehack, sam, took=2 * DAY, decided_ago=3 * DAY)
    story_update(story=story, data={"title": "A better title"})
    story_submit(story=story, actor=alice)
    backdate(story, Status.SUBMITTED, timezone.now() - 4 * HOUR)
    story_publish(story=story, actor=sam)
    times = sorted(review.review_times())
    assert 4 * HOUR <= times[0] < 4 * HOUR + timedelta(minutes=1)
    assert times[1] == 2 * DAY


def test_the_estimate_is_kept_for_a_few_minutes(alice, sam, lifehack, django_assert_num_queries):
    reviewed(alice, lifehack, sam, took=3 * DAY)
    with django_assert_num_queries(1):
        assert review.expected_wait() == "about 3 days"
    with django_assert_num_queries(0):
        assert review.expected_wait() == "about 3 days"
    cache.delete(review.WAIT_CACHE_KEY)
    reviewed(alice, lifehack, sam, took=1 * HOUR)
    reviewed(alice, lifehack, sam, took=2 * HOUR)
    assert review.expected_wait() == "usually within a day"


# --- the queue --------------------------------------------------------------------------------


def test_queue_places_are_oldest_first_and_count_changes_to_published_stories(
    alice, bob, sam, lifehack, django_assert_num_queries
):
    newest = submitted(bob, lifehack, ago=HOUR)
    oldest = submitted(alice, lifehack, ago=3 * DAY)
    published = make_story(creator=alice, community=lifehack)
    story_update(story=published, data={"title": "Changed"})
    story_submit(story=published, actor=alice)
    backdate(published, Status.SUBMITTED, timezone.now() - DAY)
    make_story(creator=alice, community=lifehack, status=Status.DRAFT)  # not in the queue
    with django_assert_num_queries(1):
        places = review.queue_places()
    assert places == {
        oldest.pk: review.QueuePlace(position=1, total=3),
        published.pk: review.QueuePlace(position=2, total=3, is_edit=True),
        newest.pk: review.QueuePlace(position=3, total=3),
    }


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (timedelta(seconds=30), "0 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (59 * timedelta(minutes=1), "59 minutes"),
        (HOUR, "1 hour"),
        (23 * HOUR, "23 hours"),
        (DAY, "1 day"),
        (3 * DAY + 23 * HOUR, "3 days"),
        (-HOUR, "0 minutes"),
    ],
)
def test_age_in_words(age, words):
    assert review.age_in_words(age) == words


# --- the dashboard ----------------------------------------------------------------------------


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def review_line(html: str) -> str:
    start = html.index('class="review-place"')
    return " ".join(html[start : html.index("</p>", start)].replace("<strong>", "").split())


def test_the_dashboard_shows_the_place_and_no_estimate_without_history(as_alice, alice, lifehack):
    submitted(alice, lifehack, ago=2 * DAY, title="Mine")
    html = as_alice.get("/write/").content.decode()
    assert "Position 1 of 1</strong> in the review queue." in html
    assert "Expected wait: no recent reviews to estimate from." in html


def test_the_dashboard_says_within_a_day_when_reviews_are_quick(
    as_alice, alice, bob, sam, lifehack
):
    for hours in (1, 3, 23):
        reviewed(bob, lifehack, sam, took=hours * HOUR)
    submitted(bob, lifehack, ago=DAY)
    submitted(alice, lifehack, ago=HOUR, title="Mine")
    submitted(bob, lifehack, ago=timedelta(minutes=5))
    html = as_alice.get("/write/").content.decode()
    assert "Position 2 of 3</strong> in the review queue." in html
    assert "Expected wait: usually within a day." in html


def test_the_dashboard_says_about_n_days_when_reviews_take_days(
    as_alice, alice, bob, sam, lifehack
):
    for days in (2, 3, 5):
        reviewed(bob, lifehack, sam, took=days * DAY + 2 * HOUR)
    submitted(alice, lifehack, title="Mine")
    html = as_alice.get("/write/").content.decode()
    assert "Expected wait: about 3 days." in html


def test_the_dashboard_shows_the_place_of_changes_under_review(as_alice, alice, lifehack):
    submitted(alice, lifehack, ago=DAY)
    story = make_story(creator=alice, community=lifehack, title="Live")
    story_update(story=story, data={"title": "Live, better"})
    story_submit(story=story, actor=alice)
    html = as_alice.get("/write/").content.decode()
    changes = html.index("Your changes: <strong>Awaiting review")
    assert changes < html.index("Position 2 of 2</strong>")
    assert "Position 1 of 2</strong>" in html


def test_a_story_no_longer_in_review_shows_no_place(as_alice, alice, sam, lifehack):
    story = submitted(alice, lifehack)
    story_publish(story=story, actor=sam)
    StoryEdit.objects.create(story=story, community=lifehack, title="Draft change")
    assert "review queue" not in as_alice.get("/write/").content.decode()


# --- the submission email ---------------------------------------------------------------------


def test_submitting_emails_the_place_and_the_wait(
    alice, bob, sam, lifehack, mailoutbox, django_capture_on_commit_callbacks, settings
):
    alice.email = "alice@example.com"
    alice.save()
    reviewed(bob, lifehack, sam, took=2 * DAY)
    submitted(bob, lifehack, ago=HOUR)
    story = make_story(creator=alice, community=lifehack, status=Status.DRAFT, title="Tomatoes")
    with django_capture_on_commit_callbacks(execute=True):
        story_submit(story=story, actor=alice)
    [mail] = mailoutbox
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "“Tomatoes” is in the review queue"
    body = mail.body
    assert "Thank you for submitting “Tomatoes”." in body
    assert "It is number 2 of 2 in the review queue." in body
    assert "Expected wait: about 2 days (half the reviews of the last 30 days took less)." in body
    assert settings.SITE_URL.rstrip("/") + "/write/" in body


def test_the_email_without_history_says_so(
    alice, lifehack, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    story = make_story(creator=alice, community=lifehack, status=Status.DRAFT, title="Tomatoes")
    with django_capture_on_commit_callbacks(execute=True):
        story_submit(story=story, actor=alice)
    [mail] = mailoutbox
    assert "It is number 1 of 1 in the review queue." in mail.body
    assert "Expected wait: no recent reviews to estimate from.\n" in mail.body


def test_submitting_changes_to_a_published_story_says_so(
    alice, lifehack, mailoutbox, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.com"
    alice.save()
    story = make_story(creator=alice, community=lifehack, title="Tomatoes")
    story_update(story=story, data={"subtitle": "Now with sources"})
    with django_capture_on_commit_callbacks(execute=True):
        story_submit(story=story, actor=alice)
    [mail] = mailoutbox
    assert mail.subject == "Your changes to “Tomatoes” are in the review queue"
    assert "your changes to “Tomatoes”" in mail.body
    assert "keep seeing the published version" in mail.body


def test_no_email_once_the_story_has_left_the_queue_or_without_an_address(
    alice, lifehack, mailoutbox
):
    from stories.emails import send_submitted

    alice.email = "alice@example.com"
    alice.save()
    story = submitted(alice, lifehack)
    story_withdraw(story=story, actor=alice)
    send_submitted.call(story_id=story.pk)
    assert mailoutbox == []
    story_submit(story=story, actor=alice)
    alice.email = ""
    alice.save()
    send_submitted.call(story_id=story.pk)
    assert mailoutbox == []


# --- the admin's review queue -----------------------------------------------------------------


@pytest.fixture
def staff_client(client, sam):
    sam.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_story", "change_story"])
    )
    client.force_login(sam)
    return client


def test_the_queue_shows_how_long_each_has_waited_oldest_first(
    staff_client, alice, bob, sam, lifehack
):
    submitted(alice, lifehack, ago=3 * DAY + 2 * HOUR, title="Old one")
    submitted(bob, lifehack, ago=5 * HOUR, title="New one")
    reviewed(bob, lifehack, sam, took=2 * DAY)
    response = staff_client.get(reverse("admin:stories_submission_changelist"))
    html = response.content.decode()
    assert "Oldest submission waiting for <strong>3 days</strong>." in html
    assert "Typical review time (the median of the last 30 days): about 2 days." in html
    assert html.index("waiting for 3 days") < html.index("waiting for 5 hours")
    assert html.index("Old one") < html.index("New one")
    assert "<th" in html and ">Waiting<" in html


def test_an_empty_queue_says_so(staff_client):
    html = staff_client.get(reverse("admin:stories_submission_changelist")).content.decode()
    assert "Nothing is waiting for review." in html
    assert "no recent reviews to estimate from" in html
