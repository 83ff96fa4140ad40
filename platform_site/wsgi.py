"""WSGI entry point for gunicorn and other WSGI servers."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")

application = get_wsgi_application()

# Import the URLconf, and with it every view, now rather than on a worker's first request:
# gunicorn loads this module before it forks (preload_app), so its workers start with them
# (70 ms a worker otherwise, and again each time max_requests replaces one). It reads no
# database and opens no connection.
get_resolver().url_patterns  # noqa: B018 (the import is the point)
