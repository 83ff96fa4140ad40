"""Jobs on RQ (TASKS_REDIS_URL) with a real `manage.py rqworker` against a real Redis: queued
after commit, run once, retried later, and a fan-out batch that runs twice mails nobody twice.

Skipped without TASKS_REDIS_URL; `.ci/run` sets it. Point it at a Redis database kept for
tests: each test empties the `default` queue there.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core import jobs
from tests.core.jobs_for_tests import flaky, note, runs
from tests.core.workers import RQ_WORKER, manage, shell

pytestmark = [
    pytest.mark.slow,  # real worker processes, 5-10 s each
    pytest.mark.skipif(
        not os.environ.get("TASKS_REDIS_URL"),
        reason="TASKS_REDIS_URL is not set; .ci/run runs these against a real Redis",
    ),
]

RQ_BACKEND = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.fixture
def queue(settings):
    import django_rq
    from rq.registry import ScheduledJobRegistry

    settings.TASKS = RQ_BACKEND
    queue = django_rq.get_queue("default")
    queue.empty()
    scheduled = ScheduledJobRegistry(queue=queue)
    for job_id in scheduled.get_job_ids():
        scheduled.remove(job_id, delete_job=True)
    return queue


@pytest.fixture
def rq_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_DEBUG": "true"}


@pytest.fixture
def log(tmp_path) -> str:
    return str(tmp_path / "runs.log")


def test_a_committed_job_runs_once_in_the_worker_and_a_rolled_back_one_never(
    db, queue, rq_env, log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(note, path=log, text="committed")
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(note, path=log, text="rolled back")
        raise RuntimeError
    assert queue.count == 1
    assert runs(log) == []  # queued, not run: that is the worker's part
    manage(*RQ_WORKER, env=rq_env)
    assert runs(log) == ["committed"]
    assert queue.count == 0
    manage(*RQ_WORKER, env=rq_env)
    assert runs(log) == ["committed"]


def test_a_failing_job_is_retried_later_by_the_worker(queue, rq_env, log):
    from django_tasks_rq import Job
    from rq.registry import ScheduledJobRegistry

    first = flaky.enqueue(path=log, failures=1)
    manage(*RQ_WORKER, env=rq_env)
    assert runs(log) == ["ran"]
    assert flaky.get_result(first.id).status == "FAILED"
    # The retry waits in RQ's schedule, about ten seconds out, with its attempt counted.
    scheduled = ScheduledJobRegistry(queue=queue)
    (retry_id,) = scheduled.get_job_ids()
    wait = scheduled.get_scheduled_time(retry_id) - timezone.now()
    assert timedelta(seconds=5) < wait <= timedelta(seconds=jobs.RETRY_BASE_SECONDS * 1.25)
    retry = Job.fetch(retry_id, connection=queue.connection)
    assert retry.kwargs == {"path": log, "failures": 1, "_attempt": 2}
    # Time passes: the job is due, and the worker runs it.
    scheduled.remove(retry)
    queue.enqueue_job(retry)
    manage(*RQ_WORKER, env=rq_env)
    assert runs(log) == ["ran", "ran"]
    assert flaky.get_result(retry_id).status == "SUCCESSFUL"


PUBLISH = """
from django.utils import timezone
from core import jobs
from creators.models import User
from stories.models import Community, Story
from subscriptions import emails
from subscriptions.models import Subscription
alice = User.objects.create_user("alice", email="alice@example.com", password="x")
readers = [
    User.objects.create_user(name, email=f"{name}@example.com", password="x")
    for name in ("bob", "carol")
]
for reader in readers:
    Subscription.objects.create(subscriber=reader, creator=alice)
story = Story.objects.create(
    creator=alice,
    community=Community.objects.create(name="Lifehack", slug="lifehack"),
    title="Tomatoes in March",
    body="<p>Sow them indoors.</p>",
    status=Story.Status.PUBLISHED,
    published_at=timezone.now(),
)
jobs.enqueue(emails.fan_out_new_story, story_id=story.pk)
print(story.pk, " ".join(str(r.pk) for r in readers))
"""


def test_a_fan_out_batch_run_twice_mails_each_subscriber_once(worker_env, queue):
    env = {**worker_env, "TASKS_REDIS_URL": os.environ["TASKS_REDIS_URL"]}
    story_id, *reader_ids = shell(PUBLISH, env=env).split()
    # Development prints emails to the worker's output (the console email backend).
    first = manage(*RQ_WORKER, env=env)
    assert first.count("Subject: New from alice: Tomatoes in March") == 2
    # The same batch again, as a retry or a second worker would run it.
    shell(
        "from subscriptions import emails\n"
        f"emails.send_new_story_batch.enqueue(story_id={story_id}, subscriber_ids={reader_ids})",
        env=env,
    )
    again = manage(*RQ_WORKER, env=env)
    assert "Subject: New from" not in again
    sent = shell(
        "from subscriptions.models import NewStoryEmail\nprint(NewStoryEmail.objects.count())",
        env=env,
    )
    assert sent == "2"
