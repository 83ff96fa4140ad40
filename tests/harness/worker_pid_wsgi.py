"""The site's WSGI application, with a header naming the gunicorn worker that answered: for
the tests that need to see every worker of a real server (tests/core/test_shared_cache.py)."""

from __future__ import annotations

import os

from platform_site.wsgi import application as site

HEADER = "X-Worker-Pid"


def application(environ, start_response):
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, (HEADER, str(os.getpid()))], exc_info)

    return site(environ, start)
