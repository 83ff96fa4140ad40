"""The one seam for background work (emails, fan-out): every app hands its jobs to `enqueue`.

Jobs run after the surrounding transaction commits, so they never see, or announce, work that
was rolled back. Where they run is a setting, BYLINE_TASKS:

- "thread" (the default): a worker thread in the same process, so the request that queued the
  job (approving a story for a creator with many subscribers) answers at once;
- "inline": in the request itself, right after commit; what the tests use, to see the results.

A queue (Celery with Redis) slots in here without any caller changing; that is why jobs take
plain arguments (ids, not objects).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)

Job = tuple[Callable[..., Any], dict[str, Any]]

_jobs: queue.Queue[Job] = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def enqueue(job: Callable[..., Any], /, **kwargs: Any) -> None:
    mode = getattr(settings, "BYLINE_TASKS", "thread")
    if mode == "inline":
        transaction.on_commit(lambda: run(job, kwargs))
    elif mode == "thread":
        transaction.on_commit(lambda: _submit((job, kwargs)))
    else:
        raise ValueError(f"BYLINE_TASKS must be 'thread' or 'inline', not {mode!r}")


def run(job: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    try:
        job(**kwargs)
    except Exception:
        # A failed notification must not turn the request that caused it into an error.
        logger.exception("Background job %s failed", getattr(job, "__name__", job))


def _submit(item: Job) -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="byline-tasks", daemon=True)
            _worker.start()
    _jobs.put(item)


def _work() -> None:
    while True:
        job, kwargs = _jobs.get()
        close_old_connections()
        try:
            run(job, kwargs)
        finally:
            # The thread keeps no connection between jobs: it may wait a long time for the next.
            connections.close_all()
            _jobs.task_done()


def wait_for_jobs() -> None:
    """Block until every job queued so far has run (for shutdown and tests)."""
    _jobs.join()
