"""Fixtures for the worker tests: a database of their own that worker subprocesses can see."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.workers import manage


@pytest.fixture
def worker_env(tmp_path, worker_id) -> Iterator[dict[str, str]]:
    """Environment for manage.py processes sharing one migrated database of their own.

    On PostgreSQL one per pytest-xdist worker (worker_id is "master" without xdist), so
    parallel tests never drop each other's."""
    env = {**os.environ, "DJANGO_DEBUG": "true", "PYTHONUNBUFFERED": "1"}
    env.pop("TASKS_REDIS_URL", None)  # the database backend unless a test asks for RQ
    # A disk cache of their own, like their database (the pages and stamps describe its rows).
    env["CACHE_DIR"] = str(tmp_path / "cache")
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        suffix = "" if worker_id == "master" else f"_{worker_id}"
        name = f"{parts.path.lstrip('/')}_worker_test{suffix}"
        admin = urlunsplit(parts._replace(path="/postgres"))

        def run_admin(sql: str) -> None:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(sql)

        run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run_admin(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp_path / "worker.sqlite3")
    manage("migrate", "--no-input", env=env)
    yield env
    if drop:
        run_admin(drop)
