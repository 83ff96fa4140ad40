"""The one seam for background work (emails, fan-out): every app hands its jobs to `enqueue`.

Jobs run after the surrounding transaction commits, so they never see, or announce, work that
was rolled back. Today they run inline in the same process; a queue (Celery with Redis) slots in
here without any caller changing. Jobs take plain arguments (ids, not objects) for that reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(job: Callable[..., Any], /, **kwargs: Any) -> None:
    def run() -> None:
        try:
            job(**kwargs)
        except Exception:
            # A failed notification must not turn the request that caused it into an error.
            logger.exception("Background job %s failed", getattr(job, "__name__", job))

    transaction.on_commit(run)
