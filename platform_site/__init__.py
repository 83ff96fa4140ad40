"""Byline's site package: settings, root URLs, WSGI/ASGI, footer pages and health."""
