"""CPU per request of the pages that must be rendered, in one process, to find where it goes.

    .venv/bin/python bench/render_profile.py [--cache 0|300] [-n 300] [--profile ROW]

Seeds site_benchmark.py's small set (1,000 stories) into its own SQLite file once (under
--data-dir), then asks for each row's URL through django.test.Client with production settings
(DJANGO_DEBUG=false, so the cached template loader) and prints CPU milliseconds and queries per
request. `--cache 300` is the page cache on with one process's LocMemCache, as a shared cache
would serve it: fragments are stored after a first request and a pause of SETTLE_SECONDS.
Rows "not stored" carry an unknown session cookie, so the page cache passes them by.
`--profile ROW` prints cProfile's top functions for the first row whose label contains ROW.
No server, no network: these are render costs, not throughput (bench/site_benchmark.py is that).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def environment(args: argparse.Namespace) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="platform_site.settings",
        DJANGO_DEBUG="false",
        SECRET_KEY="profile-only-not-secret",
        ALLOWED_HOSTS="testserver",
        SITE_URL="http://testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        BYLINE_BENCHMARK="true",
        LOG_LEVEL="ERROR",
        SQLITE_PATH=str(args.data_dir / "small.sqlite3"),
        MEDIA_ROOT=str(args.data_dir / "media"),
        STATIC_ROOT=str(args.data_dir / "static"),
        PAGE_CACHE_SECONDS=str(args.cache),
    )
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    if args.redis:
        # The cache (stored pages, fragments, stamps, sessions' cache) on Redis, as past one
        # machine; emptied first, so nothing of an earlier run is served.
        os.environ["REDIS_URL"] = args.redis


def seed(args: argparse.Namespace) -> dict:
    marker = args.data_dir / "small-seed.json"
    if marker.exists():
        return json.loads(marker.read_text())
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, check=True
    )
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sys.path.insert(0, str(ROOT / "bench"))
    import site_benchmark

    seeded = site_benchmark.fill(site_benchmark.SETS["small"])
    marker.write_text(json.dumps(seeded))
    return seeded


def rows(seeded: dict) -> list[tuple[str, str, str]]:
    urls = seeded["urls"]
    bypass = "sessionid=not-a-session-of-ours"
    signed_in = f"sessionid={seeded['session_key']}"
    return [
        ("floor (constant view)", "/__bench__/floor/", ""),
        ("story, typical, not stored", urls["typical"], bypass),
        ("story, hot, not stored", urls["hot"], bypass),
        ("story, typical, signed in", urls["typical"], signed_in),
        ("story, hot, signed in", urls["hot"], signed_in),
        ("explore, first page, not stored", "/explore/", bypass),
        ("explore, deep page, not stored", urls["explore_deep"], bypass),
        ("explore, ?page=50, not stored", "/explore/?page=50", bypass),
        ("community, not stored", "/community-3/", bypass),
        ("profile, not stored", urls["profile"], bypass),
        ("story, typical, anonymous (stored)", urls["typical"], ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/byline-render-profile"))
    parser.add_argument("--cache", type=int, default=300, help="PAGE_CACHE_SECONDS")
    parser.add_argument("-n", type=int, default=300, help="measured requests per row")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure each row this many times, print the least"
    )
    parser.add_argument("--rows", default="", help="only rows whose label contains this")
    parser.add_argument("--profile", default="", help="cProfile the first row matching this")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--redis", default="", help="REDIS_URL, e.g. redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    environment(args)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    seeded = seed(args)
    if args.redis:
        from django.core.cache import cache

        cache.clear()

    from django.db import connection
    from django.test import Client

    from core import pagecache
    from platform_site.benchmark import QUERY_HEADER

    print(f"PAGE_CACHE_SECONDS={args.cache}, {args.n} requests per row")
    for label, url, cookie in rows(seeded):
        if args.rows and args.rows not in label:
            continue
        client = Client(HTTP_COOKIE=cookie) if cookie else Client()
        first = client.get(url)
        if first.status_code == 302:
            url = first["Location"]
            first = client.get(url)
        assert first.status_code == 200, (label, url, first.status_code)
        # Stamps made by the first request must settle before anything may be stored.
        time.sleep(pagecache.SETTLE_SECONDS + 0.05)
        for _ in range(3):
            client.get(url)
        # Counted inside the stack by platform_site.benchmark (the test client's request
        # signals clear connection.queries).
        queries = int(client.get(url)[QUERY_HEADER])
        profiler = None
        if args.profile and args.profile in label:
            profiler = cProfile.Profile()
            profiler.enable()
        # On a busy machine CPU time per request grows with the neighbours' load: the least of
        # a few runs is the one closest to what the page itself costs.
        runs = []
        for _ in range(args.repeat):
            started = time.process_time()
            for _ in range(args.n):
                client.get(url)
            runs.append((time.process_time() - started) * 1000 / args.n)
        cpu_ms = min(runs)
        if profiler is not None:
            profiler.disable()
        print(f"{label:<38} {cpu_ms:7.2f} ms CPU  {queries:3d} queries  {url}")
        if profiler is not None:
            seen = []

            def keep(execute, sql, params, many, context, seen=seen):
                seen.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(keep):
                client.get(url)
            for sql in seen:
                print("   ", sql[:300])
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            args.profile = ""


if __name__ == "__main__":
    main()
