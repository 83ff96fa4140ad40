"""The Celery app: configured from Django's settings (CELERY_*), running queued Byline jobs.

Every background job travels in one task, ``byline.run_job``, as its "module:function" path and
keyword arguments; core/jobs.py sends it and decides what a path may name. Start a worker
with ``celery -A platform_site worker``. Nothing here connects to the broker until a message is
sent or a worker starts, so processes without CELERY_BROKER_URL never need one.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

from core.jobs import RUN_JOB, JobRefused, resolve_job

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")

app = Celery("byline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(
    name=RUN_JOB,
    # Any failure is retried: an SMTP server or database that hiccups usually recovers. A path
    # that names no allowed job never will.
    autoretry_for=(Exception,),
    dont_autoretry_for=(JobRefused,),
    max_retries=5,
    # 1, 2, 4, 8, 16 s ceilings, each drawn at random below its ceiling so that a burst of
    # failures (the mail server down for everyone) does not come back as one burst.
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    acks_late=True,
)
def run_job(path: str, kwargs: dict[str, Any]) -> None:
    resolve_job(path)(**kwargs)
