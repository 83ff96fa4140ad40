"""`make run` as a new developer meets it: in a fresh copy of the checkout, twice, with a sign-up
in between, on a port of its own. Real make, honcho, runserver and worker processes; no mocks.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.fanout import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)

# What a clone does not have: the developer's own state and what `make` builds.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", ".env", "db.sqlite3*", "media", "staticfiles", "artifacts", "cache",
    "__pycache__", ".pytest_cache", ".ruff_cache", ".import_linter_cache",
)  # fmt: skip
# The environment of the test run that a developer's shell would not have.
NOT_IN_A_SHELL = {
    "DJANGO_DEBUG", "SECRET_KEY", "SITE_URL", "HOST", "PORT", "ALLOWED_HOSTS", "DATABASE_URL",
    "REDIS_URL", "TASKS_REDIS_URL", "SQLITE_PATH", "CACHE_DIR", "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL",
}  # fmt: skip


@pytest.fixture
def clone(tmp_path) -> Path:
    """The checkout as `git clone` gives it, with this test run's virtualenv as its .venv."""
    if sys.prefix == sys.base_prefix or not (VENV / "bin" / "honcho").exists():
        pytest.skip("needs the tests to run from a virtualenv with honcho (make install)")
    if shutil.which("make") is None:
        pytest.skip("needs make")
    checkout = tmp_path / "byline"
    shutil.copytree(ROOT, checkout, ignore=NOT_IN_A_CLONE, symlinks=True)
    # The packages are installed already: a .venv made of links to this one, and the stamp that
    # tells make so (installing from the network is not what this test is about).
    venv = checkout / ".venv"
    venv.mkdir()
    for entry in VENV.iterdir():
        if not entry.name.startswith("."):
            (venv / entry.name).symlink_to(entry)
    (venv / ".installed").touch()
    return checkout


def shell_env(**extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in NOT_IN_A_SHELL},
        **extra,
    }


@contextlib.contextmanager
def make_run(checkout: Path, port: int, log: Path) -> Iterator[None]:
    """`PORT=<port> make run` until the site answers; Ctrl-C (SIGINT to its group) afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=checkout,
            env=shell_env(PORT=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 300  # the first run migrates and draws the demo
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"make run did not serve:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + 30
    while _answers(port):  # honcho stops runserver and the worker before it exits
        assert time.monotonic() < deadline, "the server outlived Ctrl-C"
        time.sleep(0.3)


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
    except OSError:
        return False
    return True


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def sign_up(site: str, username: str) -> None:
    """The sign-up form, filled in and posted as a browser would (CSRF cookie and token)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = opener.open(f"{site}/accounts/signup/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": username,
            "display_name": username.title(),
            "email": f"{username}@example.com",
            "password1": "a long and unguessable password",
            "password2": "a long and unguessable password",
        }
    ).encode()
    with opener.open(f"{site}/accounts/signup/", data=data, timeout=30) as response:
        # Signed up and signed in: the form sends the new creator on to the dashboard.
        assert urllib.parse.urlsplit(response.url).path != "/accounts/signup/", (
            response.read().decode()
        )


def canonical(page: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)


@pytest.mark.slow  # two make runs, the first loading the demo: about a minute
def test_make_run_serves_twice_with_a_sign_up_between_on_the_given_port(clone, tmp_path):
    port = free_port()
    site = f"http://127.0.0.1:{port}"

    first = tmp_path / "first-run.log"
    with make_run(clone, port, first):
        printed = first.read_text()
        # load_demo's report names this port, and the seed story it names is served here.
        assert f"URL:      {site}/admin/" in printed
        seed_url = re.search(r"The seed story: (\S+)", printed).group(1)
        assert seed_url.startswith(f"{site}/")
        assert canonical(get(seed_url)) == seed_url
        assert f"<loc>{seed_url}</loc>" in get(f"{site}/sitemap.xml")
        sign_up(site, "alice")
    assert ":8000" not in first.read_text()
    # runserver's autoreloader says once, not twice, that it watches the files.
    web_lines = [line for line in first.read_text().splitlines() if " web.1 " in line]
    assert sum("Watching for file changes" in line for line in web_lines) == 1

    second = tmp_path / "second-run.log"
    with make_run(clone, port, second):
        assert canonical(get(seed_url)) == seed_url
        assert "Alice" in get(f"{site}/authors/alice/")  # the sign-up outlived the restart
    printed = second.read_text()
    skipped = [line for line in printed.splitlines() if "Demo data not loaded" in line]
    assert len(skipped) == 1 and "(alice)" in skipped[0], printed
    # Nothing went wrong on the way to serving (make's "Error 130" at the end is the Ctrl-C).
    assert "Error" not in printed.partition("Serving Byline on")[0]
    assert "Traceback" not in printed and ":8000" not in printed

    # The command that line prints works as copied, in a shell with nothing set.
    command = re.search(r"`(\.venv/bin/python manage\.py load_demo --force)`", skipped[0])
    result = subprocess.run(
        command.group(1).split(),
        cwd=clone,
        env=shell_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Demo data already complete" in result.stdout
