"""The background seam: jobs run after commit, never on rollback, and never break a request."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from celery import current_app
from celery.signals import task_retry
from django.core.cache import cache
from django.db import transaction

from core import jobs as tasks
from platform_site.celery import run_job
from subscriptions import emails

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_runs_after_commit_and_not_on_rollback(settings):
    settings.BYLINE_TASKS = "inline"
    ran = []

    def note(*, what: str) -> None:
        ran.append(what)

    with transaction.atomic():
        tasks.enqueue(note, what="committed")
        assert ran == []  # not before the commit
    assert ran == ["committed"]
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue(note, what="rolled back")
        raise RuntimeError
    assert ran == ["committed"]


def test_thread_mode_answers_at_once_and_runs_the_job_elsewhere(settings):
    settings.BYLINE_TASKS = "thread"
    release, seen = threading.Event(), []

    def slow_job(*, marker: str) -> None:
        release.wait(5)
        seen.append((marker, threading.current_thread().name))

    with transaction.atomic():
        tasks.enqueue(slow_job, marker="fan-out")
    assert seen == []  # the caller did not wait for the job
    release.set()
    tasks.wait_for_jobs()
    assert seen == [("fan-out", "byline-tasks")]


def test_a_failing_job_is_logged_not_raised(settings, caplog):
    settings.BYLINE_TASKS = "inline"

    def broken() -> None:
        raise ValueError("smtp down")

    with transaction.atomic():
        tasks.enqueue(broken)
    assert "Background job broken failed" in caplog.text


def test_an_unknown_mode_is_a_clear_error(settings):
    settings.BYLINE_TASKS = "celery-someday"
    with pytest.raises(ValueError, match="BYLINE_TASKS"):
        tasks.enqueue(print)


# --- celery mode: what a worker may run, and how it retries (no broker needed) ----------------


def flaky_job(*, key: str, failures: int) -> None:
    """Fails its first ``failures`` runs; counts runs in the cache."""
    attempt = cache.incr(key)
    if attempt <= failures:
        raise ConnectionError(f"run {attempt} fails on purpose")


@pytest.fixture
def test_jobs_allowed(settings):
    settings.BYLINE_TASK_PACKAGES = [*settings.BYLINE_TASK_PACKAGES, "tests"]


def test_a_job_path_names_a_module_level_function():
    path = tasks.job_path(emails.fan_out_new_story)
    assert path == "subscriptions.emails:fan_out_new_story"
    assert tasks.resolve_job(path) is emails.fan_out_new_story


@pytest.mark.parametrize(
    "path",
    [
        "os:system",  # outside the project's packages
        "subprocess:run",
        "platform_site.celery:run_job",  # the task itself is no job
        "subscriptions.emails:get_connection",  # imported into an allowed module, not defined there
        "subscriptions.emails:User",  # a class
        "subscriptions.emails:BATCH_SIZE",  # not callable
        "creators.tasks:JobRefused",  # a class defined there
        "subscriptions.emails:fan_out_new_story.__globals__",
        "subscriptions.nothing_here:job",
        "subscriptions.emails",
        "",
    ],
)
def test_a_worker_refuses_anything_but_a_job_of_the_project(path):
    with pytest.raises(tasks.JobRefused):
        tasks.resolve_job(path)


def test_celery_mode_refuses_a_job_a_worker_could_not_find_in_the_caller(settings):
    settings.BYLINE_TASKS = "celery"

    def local_job() -> None:
        pass

    with pytest.raises(tasks.JobRefused, match="local_job"), transaction.atomic():
        tasks.enqueue(local_job)


def test_celery_mode_refuses_arguments_json_cannot_carry(settings):
    settings.BYLINE_TASKS = "celery"
    with pytest.raises(TypeError), transaction.atomic():
        tasks.enqueue(emails.fan_out_new_story, story_id=object())


@pytest.fixture
def retries() -> Iterator[list[str]]:
    """The failure behind every retry Celery schedules while the test runs."""
    seen: list[str] = []

    def note(sender, reason, **kwargs) -> None:
        seen.append(str(reason.exc))

    task_retry.connect(note)
    yield seen
    task_retry.disconnect(note)


def test_the_celery_task_retries_a_failing_job_until_it_succeeds(test_jobs_allowed, retries):
    # apply() runs the task and its retries here, at once; the backoff between them is the
    # worker's part, tested against a real broker in tests/platform_site/test_celery.py.
    cache.set("flaky-twice", 0)
    result = run_job.apply(
        args=["tests.core.test_tasks:flaky_job", {"key": "flaky-twice", "failures": 2}]
    )
    assert result.successful()
    assert cache.get("flaky-twice") == 3
    assert retries == ["run 1 fails on purpose", "run 2 fails on purpose"]


def test_the_celery_task_gives_up_after_five_retries(test_jobs_allowed, retries):
    cache.set("flaky-always", 0)
    result = run_job.apply(
        args=["tests.core.test_tasks:flaky_job", {"key": "flaky-always", "failures": 99}]
    )
    assert result.failed()
    assert isinstance(result.result, ConnectionError)
    assert cache.get("flaky-always") == 1 + 5
    assert len(retries) == 5


def test_the_celery_task_does_not_retry_a_refused_path(retries):
    result = run_job.apply(args=["os:system", {"command": "true"}])
    assert result.failed()
    assert isinstance(result.result, tasks.JobRefused)
    assert retries == []


def test_a_request_thread_sends_through_the_sites_celery_app():
    # Celery's current app is per thread; gunicorn's request threads are not the one that
    # created the app, and must not fall back to an unconfigured one (amqp://localhost). Celery's
    # Django fixup makes the site's app the default for every thread.
    seen = []
    thread = threading.Thread(target=lambda: seen.append(current_app.main))
    thread.start()
    thread.join()
    assert seen == ["byline"]
