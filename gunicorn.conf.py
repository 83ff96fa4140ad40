"""Gunicorn's settings for Byline, read from the working directory: `gunicorn platform_site.wsgi`.

Every value can be changed from the environment; the strict readers are the settings module's,
so a mistyped number fails with the variable's name, as it does for Django's settings.
"""

from __future__ import annotations

import os

from platform_site.settings import env_bool, env_int, env_str

bind = f"{env_str('HOST', '0.0.0.0')}:{env_int('PORT', 8000)}"

# Sync workers, two per core and one, chosen by measurement (bench/site_benchmark.py, issue 13;
# a 2-core machine, SQLite, pages cached in each worker's memory, wrk -t1 -c8, the machine
# busy with other work, so only the larger differences count). Against the bare Django floor,
# sync workers, like gthread with one thread, served a cached anonymous story for about twice
# the floor's CPU per request; gthread with 4 threads in 5 workers (the old default) needed a
# third more CPU than that. A signed-in story reached 0.05-0.07 of the floor's requests per
# second with sync workers, 0.03-0.04 with gthread and one thread, 0.04-0.07 with 2 or 4:
# threads bought nothing for pages that keep the CPU busy, and cost the hand-offs of the GIL
# and the thread pool. Between 2, 3 and 5 sync workers the machine's other work hid any
# difference; more processes than cores keep the CPU busy while one waits on a SQLite lock, the
# cache or SMTP.
# A sync worker holds one connection at a time and never keeps it alive, so slow clients must
# meet a buffering proxy first (the load balancer or CDN that ends HTTPS); without one, or when
# each request waits long on a distant PostgreSQL, set GUNICORN_WORKER_CLASS=gthread and
# GUNICORN_THREADS=4. Threads above 1 make gunicorn use gthread whatever the class. Each thread
# keeps its own persistent database connection (DB_CONN_MAX_AGE): workers × threads is the
# connection count one server needs from PostgreSQL.
worker_class = env_str("GUNICORN_WORKER_CLASS", "sync")
workers = env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = env_int("GUNICORN_THREADS", 1)

# A request still running after this long is killed with its worker: better one error than a
# server whose workers all hang on a stuck upstream.
timeout = env_int("GUNICORN_TIMEOUT", 30)
# On a restart or deploy, requests in flight get this long to finish.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# For gthread workers: longer than a typical load balancer's idle timeout is not needed;
# shorter drops reused connections under it. Sync workers close every connection.
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Workers restart after this many requests, at staggered counts so they never all restart at
# once: whatever memory a long-lived process accumulates is given back. A new worker pays again
# for what the old one had warmed (compiled templates, cached fragments, its database
# connection): restarting every 1,000 requests cost a cached page a third more CPU (1.9 ms a
# request against 1.2-1.6 ms, both with the access log). At 50,000 it is spread 50 times thinner.
# Gunicorn cannot restart on memory use; 0 turns restarts off.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 50_000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 5_000)

# Load Django once in the master: a broken setting stops the server before it forks, and the
# workers share the loaded code's memory.
preload_app = env_bool("GUNICORN_PRELOAD", default=True)

# A line per request on stdout when GUNICORN_ACCESS_LOG is true. Off by default: the proxy in
# front (which ends HTTPS) logs every request already, and gunicorn's line added about a third
# to a cached page's CPU (1.2-1.6 ms a request with it, 0.8-1.3 ms without). Errors always go to
# stderr.
accesslog = "-" if env_bool("GUNICORN_ACCESS_LOG", default=False) else None
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")
