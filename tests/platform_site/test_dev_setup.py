"""A checkout's development setup: the `.env` that `make` writes and manage.py reads, the address
`make run` links to, and the commands README prints, run as a developer would copy them.

Production stays as strict as before: gunicorn and wsgi.py never read `.env`, so without
SECRET_KEY and with debug off the site still refuses to start.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables a developer's shell may have set, or the test run sets, that each test controls.
SWITCHES = {
    "DJANGO_DEBUG", "SECRET_KEY", "SITE_URL", "HOST", "PORT", "DATABASE_URL", "REDIS_URL",
    "TASKS_REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "MAKEFLAGS",
    "MFLAGS", "MAKELEVEL",
}  # fmt: skip
DEVELOPMENT = "DJANGO_DEBUG=true\n"


def shell(args: list[str], *, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SWITCHES}
    return subprocess.run(
        args, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A checkout of its own: manage.py and the Makefile beside an empty database; the code
    itself is this one's, on PYTHONPATH."""
    directory = tmp_path / "byline"
    directory.mkdir()
    shutil.copy(ROOT / "manage.py", directory)
    shutil.copy(ROOT / "Makefile", directory)
    return directory


def manage(checkout: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return shell(
        [sys.executable, "manage.py", *args],
        cwd=checkout,
        PYTHONPATH=str(ROOT),
        SQLITE_PATH=str(checkout / "db.sqlite3"),
        **env,
    )


DEBUG_AND_SITE = "from django.conf import settings; print(settings.DEBUG, settings.SITE_URL)"


# --- .env ---------------------------------------------------------------------------------------


def test_make_writes_the_development_env_once_and_keeps_a_developers_edits(checkout):
    result = shell(["make", ".env"], cwd=checkout)
    assert result.returncode == 0, result.stderr
    dotenv = checkout / ".env"
    assert "DJANGO_DEBUG=true" in dotenv.read_text().splitlines()
    read = manage(checkout, "shell", "-v", "0", "-c", DEBUG_AND_SITE)
    assert read.stdout.split() == ["True", "http://127.0.0.1:8000"], read.stderr
    dotenv.write_text(dotenv.read_text() + "SITE_NAME=My Byline\n")
    assert shell(["make", ".env"], cwd=checkout).returncode == 0
    assert dotenv.read_text().endswith("SITE_NAME=My Byline\n")


def test_env_is_not_committed():
    ignored = shell(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0, "add /.env to .gitignore"


def test_manage_py_reads_the_development_settings_from_env(checkout):
    # Without it, as before: debug is off and there is no key.
    refused = manage(checkout, "shell", "-v", "0", "-c", DEBUG_AND_SITE)
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    assert ".env" in refused.stderr  # and the message says how a checkout gets one

    (checkout / ".env").write_text(
        "# written by make\n\nDJANGO_DEBUG=true\nexport SITE_URL='http://127.0.0.1:8101'\n"
    )
    result = manage(checkout, "shell", "-v", "0", "-c", DEBUG_AND_SITE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "http://127.0.0.1:8101"]


def test_the_environment_wins_over_env(checkout):
    (checkout / ".env").write_text(DEVELOPMENT + "SITE_URL=http://127.0.0.1:8000\n")
    result = manage(
        checkout, "shell", "-v", "0", "-c", DEBUG_AND_SITE, SITE_URL="http://127.0.0.1:8101"
    )
    assert result.stdout.split() == ["True", "http://127.0.0.1:8101"]
    # A deployment that says debug is off gets the production rules, .env or not.
    refused = manage(checkout, "check", DJANGO_DEBUG="false")
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr


def test_a_malformed_env_line_is_named(checkout):
    (checkout / ".env").write_text(DEVELOPMENT + "just some words\n")
    result = manage(checkout, "check")
    assert result.returncode != 0
    assert ".env:2: expected NAME=value" in result.stderr


def test_gunicorn_never_reads_env_and_refuses_to_start_without_a_secret_key(checkout):
    # A checkout where `make` wrote .env, deployed as it is: the WSGI application, as gunicorn
    # loads it (from this directory), still refuses debug-off without a key.
    (checkout / ".env").write_text(DEVELOPMENT)
    shutil.copy(ROOT / "gunicorn.conf.py", checkout)
    imported = shell(
        [sys.executable, "-c", "import platform_site.wsgi"], cwd=checkout, PYTHONPATH=str(ROOT)
    )
    assert imported.returncode != 0
    assert "SECRET_KEY must be set" in imported.stderr
    gunicorn = Path(sys.executable).parent / "gunicorn"
    checked = shell(
        [str(gunicorn), "--check-config", "platform_site.wsgi"],
        cwd=checkout,
        PYTHONPATH=str(ROOT),
    )
    assert checked.returncode != 0
    assert "SECRET_KEY must be set" in checked.stdout + checked.stderr


def test_a_python_without_django_is_told_the_command_that_works(checkout):
    # -S: no site-packages, as with the system's python3 outside the virtualenv.
    result = shell([sys.executable, "-S", "manage.py", "changepassword", "editor"], cwd=checkout)
    assert result.returncode != 0
    assert "this Python has no Django" in result.stderr
    assert ".venv/bin/python manage.py changepassword editor" in result.stderr


# --- make run's address ---------------------------------------------------------------------


def site_url_make_exports(checkout: Path, *args: str, **env: str) -> str:
    """$SITE_URL as the commands of a make target in this Makefile see it."""
    result = shell(
        ["make", "-s", "--eval", "show-site-url: ; @echo $$SITE_URL", "show-site-url", *args],
        cwd=checkout,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_links_to_the_host_and_port_it_serves_on(checkout):
    assert site_url_make_exports(checkout) == "http://127.0.0.1:8000"
    assert site_url_make_exports(checkout, PORT="8101") == "http://127.0.0.1:8101"
    assert site_url_make_exports(checkout, "PORT=8102") == "http://127.0.0.1:8102"
    assert site_url_make_exports(checkout, HOST="localhost", PORT="8101") == (
        "http://localhost:8101"
    )
    # A public address named outright wins.
    named = site_url_make_exports(checkout, PORT="8101", SITE_URL="https://dev.byline.example")
    assert named == "https://dev.byline.example"


# --- what README tells a developer to type ----------------------------------------------------


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return sorted(set(re.findall(r"\.venv/bin/python manage\.py ([a-z_]+)", readme)))


def test_readme_prints_manage_py_commands_only_as_they_work_when_copied():
    readme = (ROOT / "README.md").read_text()
    # Plain `python` has no Django outside the virtualenv.
    assert not re.search(r"(?<![/\w])python3? manage\.py", readme)
    assert {"load_demo", "changepassword", "renew_pledges", "jobs_worker"} <= set(readme_commands())


def test_every_manage_py_command_readme_names_runs_in_a_checkout_with_env(checkout):
    # Through manage.py with nothing in the environment, as typed: the settings load from .env
    # and each command README names exists.
    (checkout / ".env").write_text(DEVELOPMENT)
    code = (
        "from django.core.management import get_commands, load_command_class;"
        f"names = {readme_commands()!r};"
        "[load_command_class(get_commands()[name], name) for name in names];"
        "print(len(names))"
    )
    result = manage(checkout, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(readme_commands()))


def test_readme_links_only_to_files_in_the_project():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if "://" not in target:
            assert (ROOT / target).resolve().is_relative_to(ROOT), target
            assert (ROOT / target).exists(), target
    assert "../shared" not in readme


def test_readme_says_how_to_run_part_of_the_tests():
    readme = (ROOT / "README.md").read_text()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    markers = [m.split(":")[0] for m in pyproject["tool"]["pytest"]["ini_options"]["markers"]]
    assert sorted(markers) == ["browser", "slow"]
    for marker in markers:
        assert f"`{marker}`" in readme, marker
    fast = re.search(r'^test-fast:.*\n\t.*-m "([^"]+)"', (ROOT / "Makefile").read_text(), re.M)
    assert f'`make test-fast` is `-m "{fast.group(1)}"`' in readme
    for example in ('PYTEST_ARGS="-k ', "PYTEST_ARGS=\"-m 'not browser'\"", 'PYTEST_ARGS="-n 0'):
        assert example in readme, example


def test_readme_describes_the_passes_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    task_tests = re.search(r'TASK_TESTS="([^"]+)"', ci).group(1).replace("\\\n", " ").split()
    for path in task_tests:
        assert Path(path).name in readme, path
    runs = [line for line in ci.splitlines() if "make test" in line.split("#")[0]]
    assert len(runs) == 4, runs
    assert "four\npasses" in readme or "four passes" in readme
    for service in ("Chromium", "PostgreSQL", "Redis", "BYLINE_REQUIRE_BROWSER=1"):
        assert service in readme
    assert "celery" not in ci.lower()
