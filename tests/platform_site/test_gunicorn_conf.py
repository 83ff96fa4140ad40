"""gunicorn.conf.py: its defaults, and the environment variables that change them."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
VARIABLES = [
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_THREADS",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "GUNICORN_ACCESS_LOG",
    "GUNICORN_LOG_LEVEL",
]


@pytest.fixture
def config(monkeypatch):
    """Reads gunicorn.conf.py as gunicorn does, with only the given variables set."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def read(**env: str) -> dict:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return read


def test_workers_are_not_recycled_every_thousand_requests(config):
    defaults = config()
    # Off, or at a count far past the 1,000 that cost most of a cheap page's throughput, with
    # jitter so the workers do not all restart together.
    assert defaults["max_requests"] == 0 or (
        defaults["max_requests"] >= 10_000 and defaults["max_requests_jitter"] > 0
    )
    assert config(GUNICORN_MAX_REQUESTS="0")["max_requests"] == 0


def test_the_access_log_is_switched_on_and_off_from_the_environment(config):
    assert config()["accesslog"] is None
    assert config(GUNICORN_ACCESS_LOG="true")["accesslog"] == "-"
    assert config(GUNICORN_ACCESS_LOG="false")["accesslog"] is None
    with pytest.raises(ImproperlyConfigured, match="GUNICORN_ACCESS_LOG"):
        config(GUNICORN_ACCESS_LOG="quiet")


def test_workers_threads_and_class_come_from_the_environment(config):
    chosen = config(WEB_CONCURRENCY="3", GUNICORN_THREADS="2", GUNICORN_WORKER_CLASS="gthread")
    assert (chosen["workers"], chosen["threads"], chosen["worker_class"]) == (3, 2, "gthread")
    assert config(GUNICORN_WORKER_CLASS="sync")["worker_class"] == "sync"


def test_gunicorn_accepts_the_file():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--check-config", "-c", str(CONFIG)]
        + ["platform_site.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_views_are_imported_before_the_workers_fork():
    # gunicorn imports platform_site.wsgi once, in its master (preload_app), then forks: the
    # URLconf and every view come with it, so no worker's first request pays for them, and no
    # database connection does (a forked one would be shared by every worker).
    code = (
        "import sys, platform_site.wsgi\n"
        "from django.db import connections\n"
        "print('platform_site.urls' in sys.modules, 'stories.views' in sys.modules,"
        " any(c.connection is not None for c in connections.all()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["True", "True", "False"], result.stdout + result.stderr
