"""Real workers for the job tests: `manage.py` subprocesses against a database of their own.

pytest-django's test database is in memory on SQLite and inside a transaction, where another
process cannot see it; a worker test gets its own SQLite file or, when DATABASE_URL names
PostgreSQL, its own database beside the test one, migrated by `manage.py migrate`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DB_WORKER = ["db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
RQ_WORKER = ["rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job"]


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run `manage.py args` to the end; its standard output, or the test fails with its errors."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def shell(code: str, *, env: dict[str, str]) -> str:
    """Run Python code in a fresh Django process (the web process that queues, and exits)."""
    return manage("shell", "--verbosity", "0", "-c", code, env=env).strip()
