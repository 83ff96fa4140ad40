"""Background jobs: how every app defines a job (`@job`) and queues it (`enqueue`).

A job is a django-tasks task (the API of Django 6's `django.tasks`), so the backend is a
setting, TASKS: the database by default (`manage.py db_worker` runs it), RQ on Redis when
TASKS_REDIS_URL is set (`manage.py rqworker`), an immediate backend in the tests. What this
module adds on top:

- `enqueue` queues after the surrounding transaction commits, so a job never sees, or
  announces, work that was rolled back, and it checks the arguments in the caller, where a
  mistake is a traceback in the request rather than a worker log minutes later;
- `@job` retries a job that raises, a few times with growing delays (django-tasks has no
  retries of its own);
- `muted()` queues nothing at all, for code such as demo data that must not send mail.

What a job sends is recorded as it is handed over (core.mail), so a job run twice mails
nobody twice.
"""

from __future__ import annotations

import functools
import json
import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# Attempts in all, the first included; the retries wait about 10 s, 20 s, 40 s and 80 s,
# long enough for a mail server or database that hiccuped to come back.
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 10
# The retry counter travels with the job's keyword arguments under this name; `@job` takes
# it out again before the job's own function sees them.
ATTEMPT = "_attempt"

_muted: ContextVar[bool] = ContextVar("byline_jobs_muted", default=False)


class JobArgumentsError(TypeError):
    """Arguments a queued job could not carry: only JSON travels to a worker."""


def job(function: Callable[P, T]) -> Task[P, T]:
    """Make `function` a django-tasks task whose failures are retried with backoff.

    A failed attempt is still recorded as failed (with its traceback, in the admin or RQ)
    before the next one is queued to run later; after MAX_ATTEMPTS it stays failed.
    """

    @functools.wraps(function)
    def attempt(*args: Any, **kwargs: Any) -> T:
        number = kwargs.pop(ATTEMPT, 1)
        try:
            return function(*args, **kwargs)
        except Exception:
            if number < MAX_ATTEMPTS:
                try:
                    _retry(the_task, args, kwargs, number + 1)
                except Exception:
                    logger.exception("Could not queue a retry of job %s", the_task.name)
            else:
                logger.error("Job %s failed %d times; giving up", the_task.name, number)
            raise

    the_task: Task[P, T] = task(attempt)
    return the_task


def retry_delay(attempt: int) -> float:
    """Seconds before `attempt` (2 for the first retry): doubling, with up to a quarter more
    at random so that jobs that failed together (the mail server down) do not return together."""
    ceiling = RETRY_BASE_SECONDS * 2 ** (attempt - 2)
    return ceiling * (1 + random.random() / 4)  # noqa: S311 - spreading load, not secrecy


def _retry(the_task: Task, args: tuple, kwargs: dict[str, Any], attempt: int) -> None:
    retry = the_task
    if the_task.get_backend().supports_defer:
        run_after = timezone.now() + timedelta(seconds=retry_delay(attempt))
        retry = the_task.using(run_after=run_after)
    # A backend that cannot defer (the immediate one of the tests) runs the retry at once.
    retry.enqueue(*args, **kwargs, **{ATTEMPT: attempt})


def enqueue(the_task: Task[P, Any], /, **kwargs: Any) -> None:
    """Queue `the_task(**kwargs)` once the surrounding transaction commits; never if it rolls
    back, and never inside `muted()`.

    Arguments are plain JSON (ids, not objects): the job reads its rows afresh when it runs.
    """
    if not isinstance(the_task, Task):
        raise JobArgumentsError(f"{the_task!r} is not a task; decorate it with @core.jobs.job")
    try:
        json.dumps(kwargs, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise JobArgumentsError(f"{the_task.name}: {error}") from None
    if _muted.get():
        return
    transaction.on_commit(functools.partial(_send, the_task, kwargs))


def _send(the_task: Task, kwargs: dict[str, Any]) -> None:
    try:
        the_task.enqueue(**kwargs)
    except Exception:
        # The transaction is committed: an unreachable queue must not turn the request into
        # an error page for work that was done. The log is where the lost job shows.
        logger.exception("Could not queue background job %s", the_task.name)


@contextmanager
def muted() -> Iterator[None]:
    """Queue no job at all inside this block, in any backend (demo data sends no mail)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def enqueue_batches(
    the_task: Task[P, Any], pairs, /, *, batch_size: int, ids_argument: str, **kwargs: Any
) -> int:
    """Queue `the_task` once per batch of ids, for a fan-out; returns how many were queued.

    `pairs` is a queryset ordered by primary key; each batch is the second value of
    `values_list("pk", <id field>)` and goes to the task as `ids_argument`. Keyset batches (each
    starts after the last primary key), so the 200th batch costs what the first does (OFFSET
    would not).
    """
    batches, last_pk = 0, 0
    while True:
        rows = list(pairs.filter(pk__gt=last_pk)[:batch_size])
        if not rows:
            break
        last_pk = rows[-1][0]
        enqueue(the_task, **kwargs, **{ids_argument: [value for _, value in rows]})
        batches += 1
        if len(rows) < batch_size:
            break
    return batches
