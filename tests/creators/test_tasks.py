"""The background seam: jobs run after commit, never on rollback, and never break a request."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from creators import tasks

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
