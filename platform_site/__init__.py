"""Byline's site package; loads the Celery app with Django so `@shared_task` and workers find it."""

from __future__ import annotations

from platform_site.celery import app as celery_app

__all__ = ("celery_app",)
