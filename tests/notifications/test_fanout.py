"""A new story from a creator with 10,000 subscribers: notifications made in batches by the
job runner, one each, the bells counted; run again, nothing doubles."""

from __future__ import annotations

import pytest

from core import jobs as core_jobs
from creators.models import User
from notifications import jobs
from notifications.models import Kind, KindPreference, Notification
from stories.models import Story
from stories.services import story_publish
from tests.conftest import make_story
from tests.subscriptions.helpers import many_readers, subscribe_all

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

READERS = 10_000


def test_ten_thousand_subscribers_are_notified_in_batches(
    alice, sam, lifehack, run_jobs, monkeypatch
):
    # No new-story emails (subscriptions' own fan-out): these tests are about notifications.
    readers = many_readers(READERS, email_new_stories=False)
    subscribe_all(readers, alice)
    quiet = readers[:7]
    KindPreference.objects.bulk_create(
        [KindPreference(user=r, kind=Kind.NEW_STORY, in_app=False) for r in quiet]
    )
    suspended = readers[7:10]
    User.objects.filter(pk__in=[r.pk for r in suspended]).update(is_active=False)
    story = make_story(creator=alice, community=lifehack, status=Story.Status.SUBMITTED)

    batches: list[int] = []
    queue = core_jobs.enqueue

    def counting(task, /, **kwargs):
        if task is jobs.notify_new_story_batch:
            batches.append(len(kwargs["subscriber_ids"]))
        queue(task, **kwargs)

    monkeypatch.setattr(core_jobs, "enqueue", counting)  # enqueue_batches queues each batch
    with run_jobs():
        story_publish(story=story, actor=sam)

    # 10,000 less the 3 suspended, walked 500 at a time: 20 jobs, the last one short.
    assert batches == [500] * 19 + [497]
    wanted = READERS - 7 - 3
    made = Notification.objects.filter(kind=Kind.NEW_STORY, key=f"new_story:{story.pk}")
    assert made.count() == wanted
    assert made.values("recipient").distinct().count() == wanted
    assert not made.filter(recipient__in=quiet + suspended).exists()
    counters = User.objects.filter(subscriptions__creator=alice).values_list(
        "unread_notifications", flat=True
    )
    assert sorted(set(counters)) == [0, 1]
    assert sum(counters) == wanted

    # The whole fan-out again (a retry, a second worker): nothing doubles.
    with run_jobs():
        jobs.fan_out_new_story.call(story_id=story.pk)
    assert made.count() == wanted
    assert sum(counters) == wanted
