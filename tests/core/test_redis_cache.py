"""core.cache_backends.RedisCache, the cache with REDIS_URL: Django's Redis backend with one
client per connection pool, against a real Redis (skipped where none answers on 127.0.0.1)."""

from __future__ import annotations

import os
import threading

import pytest
import redis

from core.cache_backends import RedisCache

# A database of its own, so other tests' (and a developer's) keys are left alone; under
# pytest-xdist, one per test process.
DATABASE = 12 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 4


@pytest.fixture
def cache():
    url = f"redis://127.0.0.1:6379/{DATABASE}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    backend = RedisCache(url, {"OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}})
    backend.clear()
    yield backend
    backend.clear()


def test_every_operation_goes_through_one_client_per_pool(cache):
    clients = {id(cache._cache.get_client(write=write)) for write in (True, False, True, False)}
    assert len(clients) == 1


def test_it_is_still_a_cache(cache):
    assert cache.get("missing", "default") == "default"
    cache.set("key", {"a": [1, 2]}, 30)
    assert cache.get("key") == {"a": [1, 2]}
    assert cache.add("key", "other", 30) is False
    assert cache.add("new", 1, 30) is True
    assert cache.incr("new") == 2
    assert cache.get_many(["key", "new", "missing"]) == {"key": {"a": [1, 2]}, "new": 2}
    cache.delete("key")
    assert cache.get("key") is None


def test_the_shared_client_serves_many_threads_at_once(cache):
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"t{n}:{i}", n * 1000 + i, 30)
                assert cache.get(f"t{n}:{i}") == n * 1000 + i
        except Exception as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
