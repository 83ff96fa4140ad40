"""The one seam for background work (emails, fan-out): every app hands its jobs to `enqueue`.

Jobs run after the surrounding transaction commits, so they never see, or announce, work that
was rolled back. Where they run is a setting, BYLINE_TASKS:

- "celery" (the default when CELERY_BROKER_URL is set): a message naming the job goes to the
  broker and a Celery worker runs it, retrying with backoff when it fails
  (platform_site/celery.py);
- "thread" (the default otherwise): a worker thread in the same process, so the request that
  queued the job (approving a story for a creator with many subscribers) answers at once;
- "inline": in the request itself, right after commit; what the tests use, to see the results.

No caller changes between them; that is why jobs are module-level functions taking plain,
JSON-friendly arguments (ids, not objects): a worker finds the function again by its path.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, connections, transaction
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)

Job = tuple[Callable[..., Any], dict[str, Any]]

# The one Celery task every job travels in; defined in platform_site/celery.py.
RUN_JOB = "byline.run_job"

_jobs: queue.Queue[Job] = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


class JobRefused(ValueError):
    """A job path that names nothing a worker may run; retrying cannot help."""


def enqueue(job: Callable[..., Any], /, **kwargs: Any) -> None:
    mode = getattr(settings, "BYLINE_TASKS", "thread")
    if mode == "inline":
        transaction.on_commit(lambda: run(job, kwargs))
    elif mode == "thread":
        transaction.on_commit(lambda: _submit((job, kwargs)))
    elif mode == "celery":
        # Checked here, in the caller, so a job a worker could never find fails in the request
        # that wrote it rather than in a worker log minutes later.
        path = job_path(job)
        dumps(kwargs)  # TypeError now for an argument JSON cannot carry
        transaction.on_commit(lambda: _send(path, kwargs))
    else:
        raise ValueError(f"BYLINE_TASKS must be 'celery', 'thread' or 'inline', not {mode!r}")


def run(job: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    try:
        job(**kwargs)
    except Exception:
        # A failed notification must not turn the request that caused it into an error.
        logger.exception("Background job %s failed", getattr(job, "__name__", job))


def job_path(job: Callable[..., Any]) -> str:
    """The "module:function" path a worker finds ``job`` by; JobRefused if it could not."""
    path = f"{getattr(job, '__module__', '')}:{getattr(job, '__qualname__', '')}"
    if resolve_job(path) is not job:
        raise JobRefused(f"{path} is not the module-level function it names")
    return path


def resolve_job(path: str) -> Callable[..., Any]:
    """The function a job path names, if a worker may run it.

    Only a plain function defined at the top level of a module in BYLINE_TASK_PACKAGES: not a
    class, not a method, and not a name the module merely imported (``os.system`` brought in
    with ``from os import system`` stays out of reach).
    """
    module_name, _, name = path.partition(":")
    package = module_name.partition(".")[0]
    if package not in settings.BYLINE_TASK_PACKAGES or not name.isidentifier():
        raise JobRefused(
            f"Refusing to run {path!r}: a job is a module-level function in one of "
            + ", ".join(settings.BYLINE_TASK_PACKAGES)
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise JobRefused(f"Refusing to run {path!r}: {error}") from None
    function = getattr(module, name, None)
    if not inspect.isfunction(function) or function.__module__ != module_name:
        raise JobRefused(f"Refusing to run {path!r}: no such function defined in {module_name}")
    return function


def _send(path: str, kwargs: dict[str, Any]) -> None:
    try:
        current_app.send_task(RUN_JOB, args=(path, kwargs))
    except Exception:
        # The transaction is committed; an unreachable broker must not turn the request into
        # an error page for work that was done. The log is where the lost job shows.
        logger.exception("Could not queue background job %s", path)


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
