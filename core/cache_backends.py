"""The cache backends: on one machine without Redis, the cache every process shares (diskcache's
Django backend, SQLite files in a directory, kept open across requests); with REDIS_URL,
Django's Redis backend, reusing its clients.

A well-kept library, and the one on-disk cache that is safe for many processes at once: its
SQLite files are read without locks (WAL) and written in transactions, so a stamp one gunicorn
worker writes is what every other worker reads on its next request. It reopens its connections
in a forked process by itself.
"""

from __future__ import annotations

from typing import Any

from diskcache import DjangoCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedDiskCache(DjangoCache):
    """diskcache's DjangoCache, but not closed at the end of every request.

    Django closes every cache when a request finishes; that suits a network connection pool,
    but here it would reopen (and re-configure) a SQLite connection per shard on the next
    request: most of the cost of a stored page. Connections stay open for the process.
    """

    def close(self, **kwargs) -> None:
        pass


class _OneClientPerPool(RedisCacheClient):
    """Django's Redis client, but one `redis.Redis` per connection pool instead of one per call.

    Django builds a new `redis.Redis` for every cache operation. With redis-py 8 that builds its
    table of about 170 response callbacks and an event dispatcher each time: a third of the CPU
    a signed-in story page spent on its two cache reads (bench/render_profile.py --redis). A
    `redis.Redis` on a pool is safe to share between threads (redis-py says so), and the pool
    still hands each command its own connection and reconnects after a fork.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache backend with `_OneClientPerPool`; everything else is Django's."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool
