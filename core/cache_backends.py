"""The cache every process of one machine shares when there is no Redis: diskcache's Django
backend (SQLite files in a directory), kept open across requests.

A well-kept library, and the one on-disk cache that is safe for many processes at once: its
SQLite files are read without locks (WAL) and written in transactions, so a stamp one gunicorn
worker writes is what every other worker reads on its next request. It reopens its connections
in a forked process by itself.
"""

from __future__ import annotations

from diskcache import DjangoCache


class SharedDiskCache(DjangoCache):
    """diskcache's DjangoCache, but not closed at the end of every request.

    Django closes every cache when a request finishes; that suits a network connection pool,
    but here it would reopen (and re-configure) a SQLite connection per shard on the next
    request: most of the cost of a stored page. Connections stay open for the process.
    """

    def close(self, **kwargs) -> None:
        pass
