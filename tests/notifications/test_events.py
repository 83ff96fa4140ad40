"""Each kind of notification is made by its event, through the signal and the job runner, and
says what happened: a new story, a reply, insights, a subscriber, a tip, a pledge, each review
decision with its reason, a staff pick. Made once even when its job runs twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from comments.services import comment_create
from insights.services import insight_save
from notifications import jobs
from notifications.models import Kind, Notification
from stories.models import Story, StoryTransition
from stories.services import (
    story_pick,
    story_publish,
    story_request_changes,
    story_submit,
    story_unpublish,
    story_update,
)
from subscriptions.services import subscription_create
from support.services import pledge_create, pledge_renew, support_settings_update, tip_create
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import default_choices
from tests.notifications.conftest import unread

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline_payments(settings):
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.SUPPORT_CURRENCY = "usd"


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Tomatoes in March")


def only(user, kind: str) -> Notification:
    (notification,) = Notification.objects.filter(recipient=user, kind=kind)
    return notification


def test_a_new_story_reaches_every_subscriber(alice, bob, sam, lifehack, run_jobs):
    carol = make_user("carol")
    subscription_create(subscriber=bob, creator=alice)
    subscription_create(subscriber=carol, creator=alice)
    draft = make_story(
        creator=alice, community=lifehack, title="Seeds", status=Story.Status.SUBMITTED
    )
    with run_jobs():
        story_publish(story=draft, actor=sam)
    for reader in (bob, carol):
        notification = only(reader, Kind.NEW_STORY)
        assert notification.summary == "Alice Walker published “Seeds”"
        assert notification.get_absolute_url() == draft.get_absolute_url()
        assert unread(reader) == 1
    assert not Notification.objects.filter(recipient=alice, kind=Kind.NEW_STORY).exists()


def test_a_reply_tells_the_commenter_but_not_a_reply_to_oneself(alice, bob, story, run_jobs):
    with run_jobs():
        first = comment_create(story=story, author=bob, body="Lovely.")
        reply = comment_create(
            story=story, author=alice, body="Thank you, Bob!", parent_id=first.pk
        )
        comment_create(story=story, author=bob, body="Me again.", parent_id=first.pk)
    notification = only(bob, Kind.COMMENT_REPLY)
    assert notification.summary == "Alice Walker replied to your comment on “Tomatoes in March”"
    assert notification.detail == "Thank you, Bob!"
    assert notification.get_absolute_url().endswith(f"#comment-{reply.pk}")
    # Top-level comments are not replies: nobody else hears of them here.
    assert Notification.objects.count() == 1


def test_insights_tell_the_creator(alice, bob, story, run_jobs):
    rating = default_choices().nice  # made again if a flush removed them
    with run_jobs():
        insight_save(story=story, reader=bob, rating_id=rating.pk, quality_ids=[])
        # Changing one's insight is not a new one.
        insight_save(story=story, reader=bob, rating_id=rating.pk, quality_ids=[])
    notification = only(alice, Kind.INSIGHTS)
    assert notification.summary == "Bob Reader left an insight on “Tomatoes in March”"
    assert notification.count == 1


def test_a_subscription_tells_the_creator_once(alice, bob, run_jobs):
    with run_jobs():
        subscription_create(subscriber=bob, creator=alice)
        subscription_create(subscriber=bob, creator=alice)  # a second click
    notification = only(alice, Kind.SUBSCRIBER)
    assert notification.summary == "Bob Reader subscribed to you"
    assert notification.get_absolute_url() == bob.get_absolute_url()


def test_a_tip_on_a_story_tells_the_creator(alice, bob, story, run_jobs):
    support_settings_update(creator=alice, accepts_support=True)
    with run_jobs():
        tip_create(creator=alice, amount=500, supporter=bob, story=story, message="For the seeds")
        tip_create(creator=alice, amount=300, email="someone@example.com")
    tips = Notification.objects.filter(recipient=alice, kind=Kind.TIP).order_by("pk")
    assert [n.summary for n in tips] == [
        "Bob Reader tipped you $5.00 for “Tomatoes in March”",
        "An anonymous reader tipped you $3.00",
    ]
    assert tips[0].detail == "For the seeds"
    assert tips[0].get_absolute_url() == "/wallet/"


def test_a_new_pledge_tells_the_creator_but_its_renewals_do_not(alice, bob, run_jobs):
    support_settings_update(creator=alice, accepts_support=True)
    with run_jobs():
        pledge, _ = pledge_create(supporter=bob, creator=alice, amount=500)
    notification = only(alice, Kind.PLEDGE)
    assert notification.summary == "Bob Reader now supports you with $5.00 a month"
    pledge.refresh_from_db()
    with run_jobs():
        assert pledge_renew(pledge=pledge, now=pledge.current_period_end) == "renewed"
    assert pledge.payments.count() == 2
    assert Notification.objects.filter(recipient=alice, kind=Kind.PLEDGE).count() == 1


def test_each_review_decision_tells_the_creator_with_its_reason(alice, sam, lifehack, run_jobs):
    draft = make_story(
        creator=alice, community=lifehack, title="Seeds", status=Story.Status.SUBMITTED
    )
    with run_jobs():
        story_request_changes(story=draft, actor=sam, reason="Name your sources.")
    with run_jobs():
        story_submit(story=draft, actor=alice)
        story_publish(story=draft, actor=sam)
    with run_jobs():
        story_update(story=draft, data={"title": "Seeds, sown"})
        story_submit(story=draft, actor=alice)
        story_publish(story=draft, actor=sam)
    with run_jobs():
        story_unpublish(story=draft, actor=sam, reason="A copyright claim.")
    reviews = Notification.objects.filter(recipient=alice, kind=Kind.REVIEW).order_by("pk")
    # Each line names the story by its title now.
    assert [(n.summary, n.detail) for n in reviews] == [
        ("Changes were requested on “Seeds, sown”", "Name your sources."),
        ("“Seeds, sown” is published", ""),
        ("Your changes to “Seeds, sown” are published", ""),
        ("“Seeds, sown” was unpublished", "A copyright claim."),
    ]
    assert reviews[0].get_absolute_url() == f"/write/{draft.pk}/"
    # Submitting and withdrawing are the creator's own steps, not decisions.
    assert StoryTransition.objects.filter(story=draft).count() == 6
    assert unread(alice) == 4


def test_a_staff_pick_tells_the_creator_with_the_reason(alice, sam, story, run_jobs):
    with run_jobs():
        story_pick(story=story, actor=sam, reason="A gardener’s year in one page.")
    notification = only(alice, Kind.PICK)
    assert notification.summary == "“Tomatoes in March” was picked as a Top Story"
    assert notification.detail == "A gardener’s year in one page."


def test_a_job_run_twice_makes_one_notification(alice, bob, story, run_jobs):
    first = comment_create(story=story, author=alice, body="Hello.")
    with run_jobs():
        reply = comment_create(story=story, author=bob, body="Hi!", parent_id=first.pk)
    jobs.notify_reply.call(comment_id=reply.pk)
    assert Notification.objects.filter(recipient=alice, kind=Kind.COMMENT_REPLY).count() == 1
    assert unread(alice) == 1


def test_nothing_is_said_of_what_is_gone_before_the_job_runs(alice, bob, story, run_jobs):
    first = comment_create(story=story, author=alice, body="Hello.")
    reply = comment_create(story=story, author=bob, body="Hi!", parent_id=first.pk)
    reply.status = reply.Status.HIDDEN
    reply.save()
    jobs.notify_reply.call(comment_id=reply.pk)
    jobs.notify_reply.call(comment_id=10**9)  # a comment deleted since
    jobs.notify_pick.call(story_id=story.pk, picked_at=timezone.now().isoformat())  # not picked
    assert not Notification.objects.exists()


def test_suspended_readers_get_nothing(alice, bob, story, run_jobs):
    alice.is_active = False
    alice.save()
    with run_jobs():
        subscription_create(subscriber=bob, creator=make_user("carol"))
    jobs.notify_subscriber.call(subscription_id=10**9)
    jobs.notify_pick.call(story_id=story.pk, picked_at="x")
    assert not Notification.objects.filter(recipient=alice).exists()
