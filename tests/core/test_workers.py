"""The database queue's heartbeat: a job left running by a worker that stopped beating goes back
to the queue; one whose worker still beats, or that finished meanwhile, stays as it is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.models import WorkerBeat
from core.workers import reclaim_abandoned

pytestmark = pytest.mark.django_db


def running(worker_id: str, *, started_ago: float) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tests.core.jobs_for_tests.note",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now() - timedelta(seconds=started_ago),
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=[worker_id],
    )


def beat(worker_id: str, *, ago: float) -> None:
    WorkerBeat.objects.create(
        worker_id=worker_id, hostname="here", pid=1, seen_at=timezone.now() - timedelta(seconds=ago)
    )


def test_a_dead_workers_job_goes_back_to_the_queue_and_a_live_ones_stays():
    stale = settings.JOBS_STALE_SECONDS + 5
    beat("dead", ago=stale)
    beat("alive", ago=1)
    orphan = running("dead", started_ago=stale + 10)
    busy = running("alive", started_ago=stale + 10)
    never_beat = running("vanished", started_ago=stale + 10)
    just_taken = running("dead", started_ago=1)  # too fresh to judge
    assert reclaim_abandoned(backend_name="default") == 2
    statuses = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert statuses[orphan.pk] == statuses[never_beat.pk] == TaskResultStatus.READY
    assert statuses[busy.pk] == statuses[just_taken.pk] == TaskResultStatus.RUNNING
    # Taken again by a worker, then reclaimed again only if that one dies too.
    assert reclaim_abandoned(backend_name="default") == 0


def test_a_job_that_finished_is_never_put_back():
    done = running("dead", started_ago=settings.JOBS_STALE_SECONDS + 10)
    DBTaskResult.objects.filter(pk=done.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert reclaim_abandoned(backend_name="default") == 0
    assert DBTaskResult.objects.get(pk=done.pk).status == TaskResultStatus.SUCCESSFUL
