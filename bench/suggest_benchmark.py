"""Type-ahead suggestion latency on 100,000 stories: seeds a database, fills the prefixes, times
GET /search/suggest/ through django.test.Client for a few hundred prefixes a reader would type.

    .venv/bin/python bench/suggest_benchmark.py [--stories 100000]          # SQLite
    .venv/bin/python bench/suggest_benchmark.py --database-url postgres://.../byline_bench_suggest

SQLite runs in a temporary file (or --sqlite-path); PostgreSQL in a database whose name must
contain "bench", dropped and created afresh unless --reuse. The stories, creators and tags are
bench/search_benchmark.py's (imported, the same seed), so the two benchmarks see the same data.

Every request runs the lookup: the page cache and the kept answers are off (PAGE_CACHE_SECONDS=0)
so what is timed is the database's path, not a cache's; the rate limit is on but high, so its
counting is timed too. Each request's wall and CPU time (time.process_time, this process: on
SQLite that includes the database's work, on PostgreSQL the server's CPU is another process's).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import search_benchmark  # noqa: E402  (bench/ is not a package; its seeding is reused as is)

SEED = 19


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL; without it, SQLite")
    parser.add_argument("--sqlite-path", help="keep the SQLite database in this file")
    parser.add_argument("--prefixes", type=int, default=200)
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the prefixes")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already seeded with --stories"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="byline-suggest-bench-") as tmp:
        if args.database_url:
            name = urlsplit(args.database_url).path.lstrip("/")
            if "bench" not in name:
                sys.exit(f"Refusing PostgreSQL database {name!r}: its name must contain 'bench'.")
            if not args.reuse:
                search_benchmark.recreate_postgres_database(args.database_url)
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
            path = args.sqlite_path or str(Path(tmp) / "bench.sqlite3")
            if os.path.exists(path) and not args.reuse:
                sys.exit(f"{path} exists; pass --reuse to use it, or remove it.")
            os.environ["SQLITE_PATH"] = path
        run(args)


def run(args: argparse.Namespace) -> None:
    os.environ["DJANGO_DEBUG"] = "false"  # with DEBUG on, Django keeps every query in memory
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["DJANGO_SETTINGS_MODULE"] = "platform_site.settings"
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ["RATE_LIMITS"] = "suggest.address=1000000/m"

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    name = str(settings.DATABASES["default"]["NAME"])
    assert name != str(ROOT / "db.sqlite3") and "byline_ci" not in name, name
    call_command("migrate", verbosity=0)

    from search.models import Suggestion
    from search.suggest_index import rebuild_suggestions
    from stories.models import Story

    vendor = connection.vendor
    print(f"== {vendor}, {args.stories:,} stories", flush=True)
    seed_seconds = fill_seconds = 0.0
    if args.reuse and Story.objects.published().count() == args.stories:
        print("reusing the seeded database", flush=True)
    elif Story.objects.exists():
        sys.exit("The benchmark database holds other stories; run without --reuse.")
    else:
        started = time.perf_counter()
        search_benchmark.seed(args.stories)  # bulk_create: no signal, so no prefix yet
        seed_seconds = time.perf_counter() - started
        print(f"seeded in {seed_seconds:.1f} s", flush=True)
    if not (args.reuse and Suggestion.objects.exists()):
        started = time.perf_counter()
        rows = rebuild_suggestions()
        fill_seconds = time.perf_counter() - started
        print(f"kept {rows:,} prefixes in {fill_seconds:.1f} s", flush=True)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    prefixes = typed_prefixes(args.prefixes)
    print(f"{len(prefixes)} prefixes, e.g. {', '.join(prefixes[:12])}", flush=True)
    time_requests(prefixes, args.passes)


def typed_prefixes(count: int) -> list[str]:
    """What readers type: the start (1 to 6 characters) of a title's word, Zipf-weighted as the
    titles are, of a writer's name or a tag, now and then a word and the start of the next."""
    rng = random.Random(SEED)
    words = search_benchmark.vocabulary(random.Random(search_benchmark.SEED))[:3000]
    weights = [1 / (rank**search_benchmark.ZIPF_EXPONENT) for rank in range(1, len(words) + 1)]
    names = search_benchmark.FIRST_NAMES + search_benchmark.LAST_NAMES
    prefixes: list[str] = []
    while len(prefixes) < count:
        roll = rng.random()
        if roll < 0.6:
            word = rng.choices(words, weights=weights)[0]
        elif roll < 0.75:
            word = rng.choice(names)
        elif roll < 0.9:
            word = rng.choice(search_benchmark.TAGS)
        else:
            first, second = rng.choices(words, weights=weights, k=2)
            prefixes.append(f"{first} {second[: rng.randint(1, 3)]}")
            continue
        prefixes.append(word[: rng.randint(1, 6)])
    return prefixes


def time_requests(prefixes: list[str], passes: int) -> None:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")

    def get(prefix: str) -> tuple[float, float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get("/search/suggest/", {"q": prefix}, secure=True)
        cpu_ms = (time.process_time() - cpu) * 1000
        wall_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (prefix, response.status_code)
        return wall_ms, cpu_ms, len(response.json()["suggestions"])

    for prefix in prefixes:  # warm: a live site's caches are warm
        get(prefix)
    print("load average before timing: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    wall: list[float] = []
    cpu: list[float] = []
    by_length: dict[str, list[float]] = {}
    found: list[int] = []
    for _ in range(passes):
        for prefix in prefixes:
            ms, cpu_ms, n = get(prefix)
            wall.append(ms)
            cpu.append(cpu_ms)
            found.append(n)
            length = len(prefix)
            key = "1" if length == 1 else "2-3" if length <= 3 else "4-6" if length <= 6 else "7+"
            by_length.setdefault(key, []).append(ms)
    print("load average after timing:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    w, c = summary(wall), summary(cpu)
    print(
        f"\n{len(wall)} requests: wall median {w['median']:.2f} ms, p95 {w['p95']:.2f} ms, "
        f"max {w['max']:.2f} ms; CPU median {c['median']:.2f} ms, p95 {c['p95']:.2f} ms; "
        f"median {statistics.median(found):.0f} suggestions"
    )
    for key in ["1", "2-3", "4-6", "7+"]:
        if key in by_length:
            s = summary(by_length[key])
            print(
                f"  {key:>3} characters: {len(by_length[key]):>4} requests, median "
                f"{s['median']:.2f} ms, p95 {s['p95']:.2f} ms, max {s['max']:.2f} ms"
            )


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
    }


if __name__ == "__main__":
    main()
