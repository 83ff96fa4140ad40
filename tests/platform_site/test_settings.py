"""Settings come from the environment, strictly: a wrong value is an error that names it."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from platform_site.settings import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


# Variables a developer's shell or a CI step may have set; each test names what it needs.
SWITCHES = {
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "REDIS_URL",
    "TASKS_REDIS_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_LOCATION",
    "MEDIA_URL",
    "SERVE_MEDIA",
    "STATIC_ROOT",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXY_COUNT",
    "RATE_LIMITS",
    "CSP_REPORT_ONLY",
    "CSP_REPORT_URI",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    # Set by tests/browser/conftest.py for Playwright when the browser tests share the run;
    # check --deploy rightly warns about it, and no deployment sets it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

# What a deployment sets at the least: debug off, a real key, its host name.
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "byline.example",
    "SITE_URL": "https://byline.example",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SWITCHES}
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "platform_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", code], **env)


def setting(expression: str, **env: str) -> str:
    """The repr of ``expression`` evaluated with the settings loaded from ``env``."""
    result = run_python(
        "import django; django.setup(); from django.conf import settings;"
        f"print(repr({expression}))",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("1", True), ("Off", False), ("no", False), ("", False)]
)
def test_env_bool_reads_the_usual_words(monkeypatch, raw, value):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=False) is value


def test_env_bool_refuses_anything_else_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", default=False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("A_NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="A_NUMBER"):
        env_int("A_NUMBER", 1)
    monkeypatch.setenv("HOSTS", " a.example, b.example ,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DJANGO_DEBUG="false",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="byline.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode');"
        "print(c.fetchone()[0], connection.transaction_mode)"
    )
    result = run_python(
        code, DJANGO_DEBUG="true", SQLITE_PATH=str(tmp_path / "t.sqlite3"), DATABASE_URL=""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_database_url_switches_to_postgresql():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_python(
        "import django; django.setup();" + code,
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://u:p@db.example:5432/byline",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_redis_url_switches_the_cache():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = run_python(
        "import django; django.setup();" + code,
        DJANGO_DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.stdout.strip() == "core.cache_backends.RedisCache"


def test_postgresql_keeps_connections_and_checks_them_before_reuse():
    url = "postgres://u:p@db.example:5432/byline"
    database = "settings.DATABASES['default']"
    expression = f"({database}['CONN_MAX_AGE'], {database}['CONN_HEALTH_CHECKS'])"
    assert setting(expression, DJANGO_DEBUG="true", DATABASE_URL=url) == "(60, True)"
    assert setting(expression, DJANGO_DEBUG="true", DATABASE_URL=url, DB_CONN_MAX_AGE="0") == (
        "(0, True)"
    )


# --- background jobs --------------------------------------------------------------------------


def test_jobs_are_kept_in_the_database_unless_redis_is_named_for_them():
    expression = "(settings.TASKS['default']['BACKEND'], 'django_rq' in settings.INSTALLED_APPS)"
    assert setting(expression, DJANGO_DEBUG="true") == (
        "('django_tasks_db.DatabaseBackend', False)"
    )
    # A Redis cache alone does not move the jobs: that would need a different worker.
    assert setting(expression, DJANGO_DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/1") == (
        "('django_tasks_db.DatabaseBackend', False)"
    )
    rq = {"DJANGO_DEBUG": "true", "TASKS_REDIS_URL": "redis://127.0.0.1:6379/9"}
    assert setting(expression, **rq) == "('django_tasks_rq.RQBackend', True)"
    assert setting("settings.RQ_QUEUES['default']['URL']", **rq) == "'redis://127.0.0.1:6379/9'"


# --- media on object storage ------------------------------------------------------------------


def test_a_bucket_puts_media_on_s3_and_variant_urls_still_work():
    code = (
        "from django.core.files.storage import storages; s = storages['default'];"
        "from core.images import variant_name;"
        "print(type(s).__module__ + '.' + type(s).__name__);"
        "print(s.url(variant_name('heroes/2026/05/a.jpg', 800)));"
        "print(settings.SERVE_MEDIA, settings.MEDIA_URL)"
    )
    result = run_python(
        "import django; django.setup(); from django.conf import settings;" + code,
        DJANGO_DEBUG="true",
        AWS_STORAGE_BUCKET_NAME="byline-media",
        AWS_S3_CUSTOM_DOMAIN="media.byline.example",
        AWS_LOCATION="uploads",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "storages.backends.s3.S3Storage",
        "https://media.byline.example/uploads/heroes/2026/05/a-800w.jpg",
        "False https://media.byline.example/uploads/",
    ]


def test_an_s3_compatible_endpoint_gives_unsigned_public_urls():
    code = "from django.core.files.storage import default_storage as s; print(s.url('a b.jpg'))"
    result = run_python(
        "import django; django.setup();" + code,
        DJANGO_DEBUG="true",
        AWS_STORAGE_BUCKET_NAME="byline-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="us-east-1",
        # Signing a URL needs keys even though nothing is sent; these reach no server.
        AWS_ACCESS_KEY_ID="test-key",
        AWS_SECRET_ACCESS_KEY="test-secret",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:9000/byline-media/a%20b.jpg"


def test_without_a_bucket_media_stays_on_the_local_disk():
    expression = "(settings.STORAGES['default']['BACKEND'], settings.SERVE_MEDIA)"
    assert setting(expression, DJANGO_DEBUG="true") == (
        "('django.core.files.storage.FileSystemStorage', True)"
    )


# --- production -------------------------------------------------------------------------------


def test_production_passes_the_deployment_checklist_without_a_warning():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_development_stays_on_plain_http():
    expression = (
        "(settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE,"
        " settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS,"
        " settings.STORAGES['staticfiles']['BACKEND'])"
    )
    assert setting(expression, DJANGO_DEBUG="true") == (
        "(False, False, False, 0, 'django.contrib.staticfiles.storage.StaticFilesStorage')"
    )


def test_production_redirects_to_https_except_for_the_health_probe(tmp_path):
    # The test client against the production settings: SELECT 1 needs no tables, so an empty
    # SQLite file is enough.
    code = (
        "import django; django.setup();"
        "from django.test import Client; c = Client(HTTP_HOST='byline.example');"
        "r = c.get('/explore/'); print(r.status_code, r['Location']);"
        "r = c.get('/healthz'); print(r.status_code, r.content.decode());"
        "r = c.get('/healthz', secure=True); print(r['Strict-Transport-Security'])"
    )
    result = run_python(code, **PRODUCTION, SQLITE_PATH=str(tmp_path / "empty.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "301 https://byline.example/explore/",
        '200 {"status": "ok", "database": "ok", "cache": "ok"}',
        "max-age=31536000; includeSubDomains; preload",
    ]


def test_a_proxy_header_is_trusted_only_when_named():
    assert setting("getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)", **PRODUCTION) == "None"
    assert (
        setting(
            "settings.SECURE_PROXY_SSL_HEADER",
            **PRODUCTION,
            SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        )
        == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_csrf_trusts_the_sites_own_origin():
    assert setting("settings.CSRF_TRUSTED_ORIGINS", **PRODUCTION) == "['https://byline.example']"


def test_collectstatic_hashes_and_compresses_every_file_for_production(tmp_path):
    # The editor's scripts and styles come from django-prose-editor's wheel, with source maps
    # the manifest storage must find too.
    result = run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        **PRODUCTION,
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("django_prose_editor/editor.js", "django_prose_editor/editor.css", "css/site.css"):
        hashed = tmp_path / manifest[name]
        assert hashed.exists() and hashed.name != Path(name).name
        assert hashed.with_name(hashed.name + ".gz").exists()


def test_the_site_hashes_passwords_with_djangos_default_hashers():
    # Tests swap in a fast hasher (tests/conftest.py); the site itself must not.
    from django.conf import global_settings

    import platform_site.settings as site_settings

    assert not hasattr(site_settings, "PASSWORD_HASHERS")
    assert global_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")


# --- logging ----------------------------------------------------------------------------------


def test_runserver_prints_each_line_once(tmp_path):
    # Django's "django" logger has a console handler of its own and passes records on to the
    # root's as well: every line of it came out twice. A real runserver, with its autoreloader.
    from tests.harness.fanout import free_port

    log = tmp_path / "runserver.log"
    env = {k: v for k, v in os.environ.items() if k not in SWITCHES}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{free_port()}"],
            cwd=ROOT,
            env={**env, "DJANGO_DEBUG": "true", "SQLITE_PATH": str(tmp_path / "db.sqlite3")},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the reloader's child too is stopped below
        )
    try:
        deadline = time.monotonic() + 60
        while "Quit the server with" not in log.read_text():
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert log.read_text().count("Watching for file changes with StatReloader") == 1
