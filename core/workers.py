"""The database queue's worker, with a heartbeat so that no job is left behind by a dead one.

django-tasks-db's worker marks a job "running" when it takes it and "successful" or "failed"
when it is done. A worker killed in between (`kill -9`, the kernel's OOM killer, a lost host)
leaves the job "running" for ever. Here each worker also writes a beat (`core.WorkerBeat`)
every JOBS_BEAT_SECONDS from a thread of its own, and every beat also looks for running jobs
whose worker has not beaten for JOBS_STALE_SECONDS and puts them back in the queue (both are
settings: the crash tests shorten them, so a reclaim takes seconds there, not twenty). Jobs are
written to be run twice (they record what they sent), so running one again is safe.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker

from core.models import WorkerBeat

logger = logging.getLogger(__name__)


def reclaim_abandoned(*, backend_name: str, now=None) -> int:
    """Put back in the queue the running jobs whose worker has stopped beating; how many."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=stale).values_list("worker_id", flat=True))
    reclaimed = 0
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, backend_name=backend_name, started_at__lt=stale
    ).only("id", "worker_ids")
    for result in running:
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        # Only if it is still running: it may have finished since it was read.
        reclaimed += DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING
        ).update(status=TaskResultStatus.READY, started_at=None)
        logger.warning("Job %s was left running by a dead worker; queued again", result.pk)
    return reclaimed


class BeatingWorker(Worker):
    """django-tasks-db's worker, with a heartbeat thread that also reclaims dead workers' jobs."""

    def run(self) -> None:
        stop = threading.Event()
        self._beat()  # before the first job: a new worker reclaims at once what it can
        beat = threading.Thread(target=self._beat_until, args=(stop,), daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            stop.set()
            beat.join(timeout=settings.JOBS_BEAT_SECONDS * 2)
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()

    def _beat_until(self, stop: threading.Event) -> None:
        try:
            while not stop.wait(settings.JOBS_BEAT_SECONDS):
                self._beat()
        finally:
            connections.close_all()

    def _beat(self) -> None:
        try:
            close_old_connections()
            WorkerBeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "seen_at": timezone.now(),
                },
            )
            reclaim_abandoned(backend_name=self.backend_name)
        except Exception:
            # A locked or unreachable database: the next beat tries again.
            logger.exception("Worker %s could not beat", self.worker_id)
