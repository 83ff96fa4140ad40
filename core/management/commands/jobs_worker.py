"""`manage.py jobs_worker`: run background jobs with whichever backend TASKS names.

The database queue (the default) runs in core.workers.BeatingWorker, django-tasks-db's worker
with a heartbeat that hands dead workers' jobs back; with TASKS_REDIS_URL it is RQ's worker
(`rqworker`) with core.rq_worker.ReclaimingWorker, which does the same for RQ. Options are
django-tasks-db's `db_worker` options (`--batch`, `--interval`, `--no-reload`, …).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from core import rq_worker
from core.workers import BeatingWorker


def uses_rq() -> bool:
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq.")


class Command(db_worker.Command):
    help = "Run background jobs: the database queue's worker, or RQ's with TASKS_REDIS_URL."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # db_worker checks --backend names a database backend, even its default; with RQ
        # the option is not used, and must not stop the command.
        for action in parser._actions:
            if action.dest == "backend_name" and uses_rq():
                action.type = str

    def handle(self, *args: Any, **options: Any) -> None:
        if uses_rq():
            rq_options = ["--with-scheduler", "--job-class", "django_tasks_rq.Job"]
            rq_options += ["--worker-class", "core.rq_worker.ReclaimingWorker"]
            # An idle RQ worker looks at its queue, and runs maintenance (the reclaim), every
            # worker TTL less 15 s: 420 s unless told.
            rq_options += ["--worker-ttl", str(rq_worker.MAINTENANCE_SECONDS + 15)]
            if options["batch"]:
                rq_options.append("--burst")
            call_command("rqworker", "default", *rq_options)
            return
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = BeatingWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child, which runs the jobs
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
