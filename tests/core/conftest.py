"""Fixtures for the worker tests: a database of their own that worker subprocesses can see."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.workers import manage


def _postgres_admin(url: str):
    """Run one statement on the server's `postgres` database, outside any transaction."""
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))

    def run_admin(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    return run_admin


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_DEBUG": "true", "PYTHONUNBUFFERED": "1"}
    env.pop("TASKS_REDIS_URL", None)  # the database backend unless a test asks for RQ
    # A disk cache of their own, like their database (the pages and stamps describe its rows).
    env["CACHE_DIR"] = str(tmp_path / "cache")
    return env


@pytest.fixture(scope="session")
def _migrated_worker_database(tmp_path_factory, worker_id) -> Iterator[str]:
    """One database per test process, migrated once by `manage.py migrate`, that each worker
    test copies (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL): a migrate
    is seconds, a copy is milliseconds. Its name, or its SQLite file's path."""
    url = os.environ.get("DATABASE_URL", "")
    env = _base_env(tmp_path_factory.mktemp("worker-template"))
    if url.startswith(("postgres://", "postgresql://")):
        run_admin = _postgres_admin(url)
        suffix = "" if worker_id == "master" else f"_{worker_id}"
        name = f"{urlsplit(url).path.lstrip('/')}_worker_template{suffix}"
        run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run_admin(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
        manage("migrate", "--no-input", env=env)
        yield name
        run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env.pop("DATABASE_URL", None)
        path = Path(env["CACHE_DIR"]).parent / "worker.sqlite3"
        env["SQLITE_PATH"] = str(path)
        manage("migrate", "--no-input", env=env)
        # migrate's last connection closed, so its write-ahead log is folded into the file.
        assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
        yield str(path)


@pytest.fixture
def worker_env(tmp_path, worker_id, _migrated_worker_database) -> Iterator[dict[str, str]]:
    """Environment for manage.py processes sharing one migrated database of their own.

    On PostgreSQL one per pytest-xdist worker (worker_id is "master" without xdist), so
    parallel tests never drop each other's."""
    env = _base_env(tmp_path)
    url = os.environ.get("DATABASE_URL", "")
    drop = None
    if url.startswith(("postgres://", "postgresql://")):
        run_admin = _postgres_admin(url)
        suffix = "" if worker_id == "master" else f"_{worker_id}"
        name = f"{urlsplit(url).path.lstrip('/')}_worker_test{suffix}"
        run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        run_admin(f'CREATE DATABASE "{name}" TEMPLATE "{_migrated_worker_database}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp_path / "worker.sqlite3")
        shutil.copyfile(_migrated_worker_database, env["SQLITE_PATH"])
    yield env
    if drop:
        run_admin(drop)
