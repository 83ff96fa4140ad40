"""The database backend with a real `manage.py db_worker`: a job queued by one process and
left unrun survives it, and a worker started afterwards runs it exactly once."""

from __future__ import annotations

import pytest

from tests.core.jobs_for_tests import runs
from tests.core.workers import DB_WORKER, manage, shell

# Real manage.py processes on a freshly migrated database: several seconds each.
pytestmark = pytest.mark.slow

QUEUE_A_NOTE = """
from core import jobs
from tests.core.jobs_for_tests import note
jobs.enqueue(note, path={log!r}, text="sent once")
"""

STATUSES = """
from django_tasks_db.models import DBTaskResult
print(sorted(DBTaskResult.objects.values_list("status", flat=True)))
"""


def test_a_job_queued_before_a_restart_runs_once_in_a_worker_started_after(worker_env, tmp_path):
    log = str(tmp_path / "runs.log")
    # The web process queues the job and goes away (a restart, a recycled gunicorn worker).
    shell(QUEUE_A_NOTE.format(log=log), env=worker_env)
    assert runs(log) == []
    assert shell(STATUSES, env=worker_env) == "['READY']"
    # A worker that starts afterwards finds it in the database and runs it.
    manage(*DB_WORKER, env=worker_env)
    assert runs(log) == ["sent once"]
    assert shell(STATUSES, env=worker_env) == "['SUCCESSFUL']"
    # Another worker finds nothing left to do.
    manage(*DB_WORKER, env=worker_env)
    assert runs(log) == ["sent once"]


def test_a_failing_job_is_kept_for_a_retry_with_its_attempt_counted(worker_env, tmp_path):
    log = str(tmp_path / "runs.log")
    shell(
        "from core import jobs\nfrom tests.core.jobs_for_tests import flaky\n"
        f"jobs.enqueue(flaky, path={log!r}, failures=1)",
        env=worker_env,
    )
    manage(*DB_WORKER, env=worker_env)
    assert runs(log) == ["ran"]  # the retry waits; a batch worker does not wait for it
    retry = shell(
        "from django.utils import timezone\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "r = DBTaskResult.objects.get(status='READY')\n"
        # From when the retry was queued, not from now: a busy machine can take longer than
        # the wait to start this shell.
        "wait = (r.run_after - r.enqueued_at).total_seconds()\n"
        "print(r.args_kwargs['kwargs']['_attempt'], wait >= 10)\n"
        "DBTaskResult.objects.filter(pk=r.pk).update(run_after=timezone.now())",  # time passes
        env=worker_env,
    )
    assert retry == "2 True"
    manage(*DB_WORKER, env=worker_env)
    assert runs(log) == ["ran", "ran"]
    assert shell(STATUSES, env=worker_env) == "['FAILED', 'SUCCESSFUL']"
