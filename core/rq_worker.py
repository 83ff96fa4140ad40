"""RQ's worker for Byline's jobs (`manage.py jobs_worker` with TASKS_REDIS_URL): no job is left
behind by a work horse or a worker that died.

- A work horse (the child that runs one job) killed mid-job: RQ marks the job failed; here it
  is given one more run at once, up to core.jobs.MAX_ATTEMPTS kills.
- A whole worker killed (the horse with it): its job stays in RQ's started registry until the
  worker's heartbeat key expires (job_monitoring_interval + 60 s) and maintenance runs. Here a
  worker starting on the same machine, and every maintenance pass (every MAINTENANCE_SECONDS),
  hands back at once the jobs of workers on this machine whose process is gone; RQ's own
  registry cleanup remains the net for workers on other machines.
"""

from __future__ import annotations

import logging
import os

from rq.exceptions import NoSuchJobError
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.worker import Worker

from core.jobs import MAX_ATTEMPTS

logger = logging.getLogger(__name__)

MAINTENANCE_SECONDS = 15
KILLS = "byline_kills"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ReclaimingWorker(Worker):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("maintenance_interval", MAINTENANCE_SECONDS)
        # An idle worker blocks on the queue for its TTL less 15 s before it looks again (405 s
        # by default), and maintenance waits for that: keep the wait near MAINTENANCE_SECONDS.
        kwargs.setdefault("worker_ttl", MAINTENANCE_SECONDS + 15)
        super().__init__(*args, **kwargs)
        # Per queue, the intermediate queue's jobs at the last maintenance pass.
        self._stuck_seen: dict[str, set[str]] = {}

    def handle_work_horse_killed(self, job: Job, retpid, ret_val, rusage) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        kills = int(job.meta.get(KILLS, 0)) + 1
        job.meta[KILLS] = kills
        job.save_meta()
        if kills < MAX_ATTEMPTS:
            # RQ retries a failed job that has retries left; this failure was no fault of the
            # job's (it is written to be run again), so give it one, to run at once.
            job.retries_left = 1
            job.retry_intervals = [0]

    def run_maintenance_tasks(self) -> None:
        try:
            self.reclaim_orphans()
        except Exception:
            # Never let the reclaim stop the worker: RQ's own cleanup still runs below.
            logger.exception("Worker %s could not reclaim orphaned jobs", self.name)
        super().run_maintenance_tasks()

    def reclaim_orphans(self) -> int:
        """Queue again the jobs that dead workers on this machine left behind; how many.

        Two places: the started registry (a job being run when its worker died) and the
        intermediate queue, where a job waits for the instant between being taken off the
        queue and being started: one still there at a second look, MAINTENANCE_SECONDS
        later, lost its worker in that instant (RQ itself fails it after a minute).
        """
        reclaimed = 0
        for queue in self.queues:
            registry = StartedJobRegistry(queue=queue)
            for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
                reclaimed += self._reclaim_started(queue, registry, job_id, execution_id)
            reclaimed += self._reclaim_stuck(queue, registry)
        return reclaimed

    def _reclaim_started(self, queue, registry, job_id: str, execution_id: str) -> int:
        # The execution names its worker from the moment it is registered; the job only once
        # the horse has started it, so a worker killed in between left a job still "queued"
        # but registered as started, which RQ's own cleanup passes over for ever.
        try:
            execution = Execution.fetch(execution_id, job_id, self.connection)
            worker_name = execution.worker_name
        except ValueError:
            execution, worker_name = None, ""
        try:
            job = Job.fetch(job_id, connection=self.connection, serializer=self.serializer)
        except NoSuchJobError:
            return 0
        worker_name = worker_name or job.worker_name
        if not worker_name or worker_name == self.name or not self._orphaned(worker_name):
            return 0
        if job.get_status() in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELED):
            return 0  # a leftover entry, not a job left behind
        if execution is not None:
            registry.remove_execution(execution)
        else:
            registry.remove_executions(job)
        queue.intermediate_queue.remove(job_id)
        queue.enqueue_job(job)
        logger.warning("Job %s was left started by a dead worker; queued again", job.id)
        return 1

    def _reclaim_stuck(self, queue, registry: StartedJobRegistry) -> int:
        waiting = queue.intermediate_queue
        seen = self._stuck_seen.setdefault(queue.name, set())
        now_there = {job_id for job_id in waiting.get_job_ids() if job_id not in registry}
        stuck, self._stuck_seen[queue.name] = now_there & seen, now_there
        reclaimed = 0
        for job_id in stuck:
            job = queue.fetch_job(job_id)
            # Only a job nobody started: with several queues RQ leaves finished ones there.
            if job is None or job.get_status() != JobStatus.QUEUED:
                continue
            waiting.remove(job_id)
            queue.enqueue_job(job)
            reclaimed += 1
            logger.warning("Job %s was stuck between queue and worker; queued again", job_id)
        return reclaimed

    def _orphaned(self, worker_name: str) -> bool:
        worker = Worker.find_by_key(
            self.redis_worker_namespace_prefix + worker_name,
            connection=self.connection,
            job_class=self.job_class,
            queue_class=self.queue_class,
            serializer=self.serializer,
        )
        if worker is None:
            return True  # its key expired: RQ's own cleanup would say the same, later
        return worker.hostname == self.hostname and not _process_alive(worker.pid)
