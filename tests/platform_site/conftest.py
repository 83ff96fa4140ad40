"""The `celery` marker: tests that need a real broker (CELERY_BROKER_URL) and a Celery worker."""

from __future__ import annotations


def pytest_configure(config) -> None:
    # Registered here rather than in pyproject.toml, next to the only tests that use it.
    config.addinivalue_line(
        "markers",
        "celery: runs jobs through a real Celery worker and broker; skipped without "
        "CELERY_BROKER_URL (.ci/run sets it)",
    )
