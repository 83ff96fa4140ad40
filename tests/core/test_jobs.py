"""Background jobs (core.jobs): queued after commit, never on rollback, arguments checked in the
caller, retried with growing delays, silenced by `muted()`, and sends recorded so a job that
runs again does not repeat them. Workers in other processes: test_job_workers.py."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core import jobs
from tests.core import jobs_for_tests
from tests.core.jobs_for_tests import flaky, note, runs

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def log(tmp_path) -> str:
    return str(tmp_path / "runs.log")


@pytest.fixture
def database_backend(settings) -> None:
    settings.TASKS = DATABASE_BACKEND


def work_off_queue() -> None:
    """What `manage.py db_worker --batch` does, in this process. The worker closes a connection
    left inside a transaction, so its tests use `transactional_db`."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


# --- queuing ------------------------------------------------------------------------------------


def test_a_job_is_queued_after_commit_and_not_on_rollback(transactional_db, log):
    with transaction.atomic():
        jobs.enqueue(note, path=log, text="committed")
        assert runs(log) == []  # not before the commit
    assert runs(log) == ["committed"]
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(note, path=log, text="rolled back")
        raise RuntimeError
    assert runs(log) == ["committed"]


def test_the_database_backend_keeps_the_job_until_a_worker_runs_it(
    transactional_db, database_backend, log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(note, path=log, text="kept")
    (row,) = DBTaskResult.objects.all()
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "tests.core.jobs_for_tests.note"
    assert runs(log) == []
    work_off_queue()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "kept"
    assert runs(log) == ["kept"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": object(), "text": "x"}, "not JSON serializable"),
        ({"path": "x", "text": float("nan")}, "Out of range float"),
    ],
)
def test_arguments_a_worker_could_not_receive_fail_in_the_caller(kwargs, message):
    with pytest.raises(jobs.JobArgumentsError, match=message):
        jobs.enqueue(note, **kwargs)


def test_a_plain_function_is_refused_in_the_caller():
    with pytest.raises(jobs.JobArgumentsError, match="not a task"):
        jobs.enqueue(runs, path="x")


# --- muted --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_muted_queues_nothing_and_only_inside_the_block(
    database_backend, log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, jobs.muted():
        jobs.enqueue(note, path=log, text="demo data")
    assert callbacks == []
    assert not DBTaskResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(note, path=log, text="real")
    assert DBTaskResult.objects.count() == 1


def test_muted_still_checks_the_arguments():
    with jobs.muted(), pytest.raises(jobs.JobArgumentsError):
        jobs.enqueue(note, path=object(), text="x")


# --- retries ------------------------------------------------------------------------------------


def test_a_failing_job_is_retried_until_it_succeeds(transactional_db, log):
    with transaction.atomic():
        jobs.enqueue(flaky, path=log, failures=2)
    assert runs(log) == ["ran"] * 3


def test_a_job_that_keeps_failing_gives_up_after_max_attempts(transactional_db, log, caplog):
    with transaction.atomic():
        jobs.enqueue(flaky, path=log, failures=99)
    assert len(runs(log)) == jobs.MAX_ATTEMPTS == 5
    assert "Job flaky failed 5 times; giving up" in caplog.text


def test_a_retry_waits_longer_each_time_in_the_database(
    transactional_db, database_backend, log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(flaky, path=log, failures=2)
    waits = []
    for attempt in (2, 3):
        before = timezone.now()
        work_off_queue()  # runs the attempt that is due, which fails and queues the next
        retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
        assert retry.args_kwargs["kwargs"] == {"path": log, "failures": 2, "_attempt": attempt}
        waits.append((retry.run_after - before).total_seconds())
        assert runs(log) == ["ran"] * (attempt - 1)  # not run again before it is due
        work_off_queue()
        assert len(runs(log)) == attempt - 1
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    work_off_queue()
    assert 10 <= waits[0] <= 12.6 and 20 <= waits[1] <= 25.1
    statuses = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))
    # Each failed attempt stays on record, with its traceback, for the admin.
    assert statuses == ["FAILED", "FAILED", "SUCCESSFUL"]
    first = DBTaskResult.objects.failed().order_by("enqueued_at").first()
    assert "mail server away (run 1)" in first.traceback


def test_retry_delays_double_with_at_most_a_quarter_added():
    for attempt in range(2, jobs.MAX_ATTEMPTS + 1):
        ceiling = jobs.RETRY_BASE_SECONDS * 2 ** (attempt - 2)
        delays = [jobs.retry_delay(attempt) for _ in range(50)]
        assert all(ceiling <= d <= ceiling * 1.25 for d in delays)
        assert len(set(delays)) > 1  # spread out, not in lockstep


def test_the_job_function_never_sees_the_attempt_counter(log):
    assert flaky.call(path=log, failures=0) == 1
    assert jobs_for_tests.flaky.func.__name__ == "flaky"
