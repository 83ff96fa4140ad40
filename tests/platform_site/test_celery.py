"""Jobs through a real broker: a Celery worker (a thread of this process) consumes from the
CELERY_BROKER_URL Redis, fans a published story out to subscribers in batches, and retries a
failing job with backoff until it succeeds.

Skipped without CELERY_BROKER_URL; with it set, an unreachable broker is an error, not a skip.
`.ci/run` runs these with `make test PYTEST_ARGS="-m celery"`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction

from core import jobs as tasks
from platform_site.celery import app
from stories.models import Story
from stories.services import story_publish
from subscriptions import emails
from tests.conftest import make_story
from tests.subscriptions.helpers import many_readers, subscribe_all

pytestmark = [
    pytest.mark.celery,
    pytest.mark.skipif(
        not django_settings.CELERY_BROKER_URL,
        reason="CELERY_BROKER_URL is not set; .ci/run runs these against a real Redis",
    ),
    # The worker thread has its own database connection: it sees only committed rows.
    pytest.mark.django_db(transaction=True),
]


def flaky_job(*, key: str, failures: int) -> None:
    """Fails its first ``failures`` runs, then records which run succeeded (in the cache, which
    the worker and the test share)."""
    attempt = cache.incr(f"{key}:attempts")
    if attempt <= failures:
        raise ConnectionError(f"run {attempt} of {key} fails on purpose")
    cache.set(f"{key}:succeeded-on", attempt, timeout=300)


def wait_for(condition: Callable[[], object], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for the worker")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def worker() -> Iterator[object]:
    # A queue of the tests' own, so a worker of the site on the same broker (which consumes the
    # default queue) never takes these messages; emptied first of anything a killed earlier run
    # left behind.
    queue = "byline-tests"
    with app.connection_for_write() as connection:
        # Fails the tests (it does not skip them) when the broker CI named is not there.
        connection.ensure_connection(max_retries=3, interval_start=0.5)
        connection.default_channel.queue_purge(queue)
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, queues=[queue], perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ) as running:
            yield running
    finally:
        app.conf.task_default_queue = previous


@pytest.fixture
def celery_mode(settings, worker) -> None:
    settings.BYLINE_TASKS = "celery"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_publishing_fans_out_emails_through_the_worker(
    alice, sam, lifehack, celery_mode, monkeypatch
):
    # Three batches for five readers, so the fan-out job itself queues jobs for the worker.
    monkeypatch.setattr(emails, "BATCH_SIZE", 2)
    readers = many_readers(5)
    subscribe_all(readers, alice)
    story = make_story(
        creator=alice, community=lifehack, title="Seeds", status=Story.Status.SUBMITTED
    )

    story_publish(story=story, actor=sam)

    def sent() -> list[str]:
        return sorted(to for m in mail.outbox if m.subject.endswith(": Seeds") for to in m.to)

    wait_for(lambda: len(sent()) >= len(readers))
    time.sleep(0.3)  # a duplicate would arrive about now
    assert sent() == sorted(r.email for r in readers)


def test_a_failing_job_is_retried_with_backoff_until_it_succeeds(settings, celery_mode):
    settings.BYLINE_TASK_PACKAGES = [*settings.BYLINE_TASK_PACKAGES, "tests"]
    key = f"flaky-{uuid.uuid4().hex}"
    cache.set(f"{key}:attempts", 0, timeout=300)

    with transaction.atomic():
        tasks.enqueue(flaky_job, key=key, failures=2)

    wait_for(lambda: cache.get(f"{key}:succeeded-on"))
    assert cache.get(f"{key}:succeeded-on") == 3
    assert cache.get(f"{key}:attempts") == 3


def test_a_rolled_back_job_never_reaches_the_worker(settings, celery_mode):
    settings.BYLINE_TASK_PACKAGES = [*settings.BYLINE_TASK_PACKAGES, "tests"]
    rolled_back, committed = f"gone-{uuid.uuid4().hex}", f"kept-{uuid.uuid4().hex}"
    for key in (rolled_back, committed):
        cache.set(f"{key}:attempts", 0, timeout=300)

    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue(flaky_job, key=rolled_back, failures=0)
        raise RuntimeError
    with transaction.atomic():
        tasks.enqueue(flaky_job, key=committed, failures=0)

    # The worker takes one message at a time in order: once the later job ran, the earlier
    # one would have run too, had it been sent.
    wait_for(lambda: cache.get(f"{committed}:succeeded-on"))
    assert cache.get(f"{rolled_back}:attempts") == 0
