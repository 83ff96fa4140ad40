"""Gunicorn's settings for Byline, read from the working directory: `gunicorn platform_site.wsgi`.

Every value can be changed from the environment; the strict readers are the settings module's,
so a mistyped number fails with the variable's name, as it does for Django's settings.
"""

from __future__ import annotations

import os

from platform_site.settings import env_bool, env_int, env_str

bind = f"{env_str('HOST', '0.0.0.0')}:{env_int('PORT', 8000)}"

# Processes for the CPU, threads for the time a request spends waiting on the database, the
# cache or SMTP. Each thread keeps its own persistent database connection (DB_CONN_MAX_AGE), so
# workers × threads is the connection count one server needs from PostgreSQL.
workers = env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = env_int("GUNICORN_THREADS", 4)

# A request still running after this long is killed with its worker: better one error than a
# server whose workers all hang on a stuck upstream.
timeout = env_int("GUNICORN_TIMEOUT", 30)
# On a restart or deploy, requests in flight get this long to finish.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than a typical load balancer's idle timeout is not needed; shorter drops reused
# connections under it.
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Workers restart after this many requests, at staggered counts so they never all restart at
# once: whatever memory a long-lived process accumulates is given back.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load Django once in the master: a broken setting stops the server before it forks, and the
# workers share the loaded code's memory.
preload_app = env_bool("GUNICORN_PRELOAD", default=True)

accesslog = "-"
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
