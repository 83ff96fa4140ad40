"""Search latency on 100,000 stories: seeds SQLite and PostgreSQL, builds the index, times queries.

    .venv/bin/python bench/search_benchmark.py [--stories 100000] [--postgres-url URL]

Each database is benchmarked in its own child process (Django's settings are fixed once set
up): SQLite in a temporary file, PostgreSQL in a database whose name must contain "bench"
(default `byline_bench_search`, dropped and created afresh). Neither the development database
(db.sqlite3) nor CI's (byline_ci) is ever opened. Queries go through
`search.results.search_stories`, the function the search page calls, so each timing is the
first results page as the page gets it: count, ranked page, highlights, stories and tags.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgres://postgres:postgres@127.0.0.1:5432/byline_bench_search"
SEED = 20_26

# Real words take the most frequent ranks, so common queries look like what readers type;
# made-up words fill the long tail that rare queries hit.
_COMMON = """
the of and to in is that it was for on are with as his they be at one have this from or had by
word but what some we can out other were all there when up use your how said an each she which
do their time if will way about many then them write would like so these her long make thing see
him two has look more day could go come did number sound no most people my over know water than
call first who may down side been now find garden river stone light winter summer city family
history music science money health travel food coffee bread market village mountain ocean forest
story letter window kitchen morning evening teacher doctor engine machine garden harvest season
memory silence journey border island bridge station library museum theatre painting language
"""
COMMON_WORDS = _COMMON.split()
SYLLABLES = [
    "ka", "lo", "mi", "ra", "ven", "tor", "sel", "du", "pra", "nix", "qua", "bel", "sho", "ter",
    "vin", "ga", "lum", "dra", "fen", "ko", "ru", "zan", "pel", "mor", "tis", "oba", "ul", "wen",
]  # fmt: skip
COMMON_QUERIES = [
    "time", "people", "water", "number", "sound", "garden", "river", "stone", "light", "winter",
    "city", "family", "history", "music", "market",
]  # fmt: skip
VOCABULARY_SIZE = 30_000
ZIPF_EXPONENT = 1.07
TAGS = [
    "health", "travel", "gardening", "cooking", "history", "science", "music", "money", "parenting",
    "fiction", "poetry", "technology", "design", "sports", "nature", "climate", "books", "film",
    "photography", "education", "work", "careers", "relationships", "mindfulness", "fitness",
    "programming", "startups", "politics", "economics", "philosophy", "art", "architecture",
]  # fmt: skip
FIRST_NAMES = [
    "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Theo", "Rosa",
    "Felix", "Nora", "Hugo", "Ada", "Otto", "Clara", "Jonah", "Edith", "Milo", "Iris", "Silas",
]  # fmt: skip
LAST_NAMES = [
    "Wilson", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Castillo", "Byrne", "Novak", "Haddad",
    "Petrov", "Quispe", "Mbeki", "Sorensen", "Dubois", "Kowalski", "Farouk", "Ramsey", "Oyelaran",
]  # fmt: skip


# --- the parent: one child per database, then the table ------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the queries")
    parser.add_argument(
        "--sqlite-path", help="keep the SQLite database in this file (default: a temporary one)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database already seeded with --stories stories (the index is rebuilt)",
    )
    parser.add_argument(
        "--keep-index",
        action="store_true",
        help="with --reuse: keep the index too if it is complete, and only time the queries",
    )
    parser.add_argument(
        "--no-gunicorn", action="store_true", help="skip the searches through gunicorn"
    )
    parser.add_argument(
        "--index-while-seeding",
        action="store_true",
        help="write the index's rows from the generated text as the stories are seeded, instead"
        " of rebuild_index afterwards (which parses every body's HTML: 91 min at 1,000,000);"
        " a sample is checked against rebuild_index's rows",
    )
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_child(args)
        print("RESULT " + json.dumps(result), flush=True)
        return

    check_postgres_url(args.postgres_url)
    results = []
    for vendor in ["sqlite", "postgresql"]:
        if args.only and vendor != args.only:
            continue
        with tempfile.TemporaryDirectory(prefix="byline-bench-") as tmp:
            sqlite_path = args.sqlite_path or str(Path(tmp) / "bench.sqlite3")
            command = [
                sys.executable,
                __file__,
                "--child",
                vendor,
                "--stories",
                str(args.stories),
                "--passes",
                str(args.passes),
                "--postgres-url",
                args.postgres_url,
                "--sqlite-path",
                sqlite_path,
                *(["--reuse"] if args.reuse else []),
                *(["--keep-index"] if args.keep_index else []),
                *(["--no-gunicorn"] if args.no_gunicorn else []),
                *(["--index-while-seeding"] if args.index_while_seeding else []),
            ]
            print(f"== {vendor}, {args.stories:,} stories", flush=True)
            with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as child:
                for line in child.stdout:
                    if line.startswith("RESULT "):
                        results.append(json.loads(line[len("RESULT ") :]))
                    else:
                        print("   " + line.rstrip(), flush=True)
            if child.returncode:
                sys.exit(f"The {vendor} benchmark failed (exit status {child.returncode}).")
    print()
    print_table(results)


def check_postgres_url(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    # The benchmark drops and re-creates its database; it must never be one that matters.
    if "bench" not in name:
        sys.exit(f"Refusing PostgreSQL database {name!r}: its name must contain 'bench'.")


def print_table(results: list[dict]) -> None:
    print(
        f"{'database':<11}{'stories':>9}{'seed s':>9}{'index s':>9}{'queries':>9}"
        f"{'median ms':>11}{'p95 ms':>9}{'max ms':>9}"
    )
    for r in results:
        print(
            f"{r['vendor']:<11}{r['stories']:>9,}{r['seed_seconds']:>9.1f}"
            f"{r['index_seconds']:>9.1f}{r['timings']:>9}{r['median_ms']:>11.1f}"
            f"{r['p95_ms']:>9.1f}{r['max_ms']:>9.1f}"
        )
    print(
        "\nCPU ms per search: time.process_time() in the benchmark's process around"
        " search_stories and its page (on SQLite that includes the database's work, on"
        " PostgreSQL it does not: the server's CPU is another process's)."
    )
    for r in results:
        c = r["cpu"]
        server = r.get("server_cpu_ms")
        print(
            f"  {r['vendor']:<11} median {c['median_ms']:.1f}  p95 {c['p95_ms']:.1f}"
            f"  max {c['max_ms']:.1f}"
            + (f"   + the server's CPU, mean {server:.1f} per search" if server is not None else "")
        )
    print(
        "\nThrough the real view (django.test.Client GET /search/?q=..., anonymous, warm;"
        " every 7th query): wall ms and CPU ms per request."
    )
    for r in results:
        v = r["view"]
        print(
            f"  {r['vendor']:<11} {v['requests']} requests: wall median {v['median_ms']:.1f}"
            f" p95 {v['p95_ms']:.1f}; CPU median {v['cpu']['median_ms']:.1f}"
            f" p95 {v['cpu']['p95_ms']:.1f}"
        )
    print(
        "\nThrough gunicorn (platform_site.wsgi, gunicorn.conf.py, one sync worker, DEBUG off,"
        " collectstatic's hashed files; every query once, one at a time, after a warm-up pass):"
        " wall ms per request, and CPU ms per request of the worker and of its database"
        " connection's PostgreSQL backend (from /proc; means)."
    )
    for r in results:
        for key, label in [("gunicorn", "uncached"), ("gunicorn_cached", "kept results")]:
            g = r.get(key)
            if g:
                server = g["server_cpu_ms"]
                print(
                    f"  {r['vendor']:<11} {label:<13} {g['requests']} requests: wall median"
                    f" {g['median_ms']:.1f} p95 {g['p95_ms']:.1f}; worker CPU"
                    f" {g['worker_cpu_ms']:.1f}"
                    + (
                        f" + server CPU {server:.1f} = {g['worker_cpu_ms'] + server:.1f}"
                        if server is not None
                        else ""
                    )
                )
    for r in results:
        print(
            f"\n{r['vendor']}: median / p95 / max ms by kind of query; CPU median / p95 ms"
            " (this process's)"
        )
        for kind, row in r["by_kind"].items():
            print(
                f"  {kind:<12} {row['median_ms']:>8.1f} {row['p95_ms']:>8.1f} "
                f"{row['max_ms']:>8.1f}   CPU {row['cpu']['median_ms']:>6.1f}"
                f" {row['cpu']['p95_ms']:>6.1f}   ({row['queries']} queries, "
                f"median {row['median_results']:,} results)"
            )


# --- the child: one database ----------------------------------------------------------------


def run_child(args: argparse.Namespace) -> dict:
    if args.child == "postgresql":
        if not args.reuse:
            recreate_postgres_database(args.postgres_url)
        os.environ["DATABASE_URL"] = args.postgres_url
    else:
        os.environ.pop("DATABASE_URL", None)
        if not args.reuse and os.path.exists(args.sqlite_path):
            sys.exit(f"{args.sqlite_path} exists; pass --reuse to use it, or remove it.")
        os.environ["SQLITE_PATH"] = args.sqlite_path
    # DEBUG off: with it on, Django keeps every query in memory.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["DJANGO_SETTINGS_MODULE"] = "platform_site.settings"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    name = str(settings.DATABASES["default"]["NAME"])
    assert name != str(ROOT / "db.sqlite3") and "byline_ci" not in name, name
    call_command("migrate", verbosity=0)

    from stories.models import Story

    seed_seconds = 0.0
    if args.reuse and Story.objects.published().count() == args.stories:
        print("reusing the seeded database", flush=True)
    elif Story.objects.exists():
        sys.exit("The benchmark database holds other stories; run without --reuse.")
    else:
        started = time.perf_counter()
        seed(args.stories, index=args.index_while_seeding)
        seed_seconds = time.perf_counter() - started
        print(f"seeded in {seed_seconds:.1f} s", flush=True)

    from search.backends import backend_for
    from search.index import rebuild_index

    index_seconds = 0.0
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {backend.table}")
        complete = cursor.fetchone()[0] == args.stories
    if args.reuse and args.keep_index and complete:
        print("reusing the index", flush=True)
    elif args.index_while_seeding and seed_seconds:
        check_index_sample(connection, backend)
        print("indexed while seeding (a sample matches rebuild_index's rows)", flush=True)
    else:
        started = time.perf_counter()
        indexed = rebuild_index()
        index_seconds = time.perf_counter() - started
        print(f"indexed {indexed:,} stories in {index_seconds:.1f} s", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            # What the next migrate does on SQLite (core.apps._analyze_sqlite); the benchmark
            # migrated before it seeded, when every table was empty.
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")

    found = queries()
    result = time_queries(args, found, seed_seconds, index_seconds)
    if not args.no_gunicorn:
        everything = [q for qs in found.values() for q in qs]
        result["gunicorn"] = time_gunicorn(args, everything, cached=False)
        result["gunicorn_cached"] = time_gunicorn(args, everything, cached=True)
    return result


def recreate_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    check_postgres_url(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def vocabulary(rng: random.Random) -> list[str]:
    words = list(dict.fromkeys(COMMON_WORDS))
    seen = set(words)
    while len(words) < VOCABULARY_SIZE:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def seed(n: int, *, index: bool = False) -> None:
    """Bulk-insert n published stories, their creators, communities and tags.

    bulk_create sends no post_save or m2m_changed, so no story is indexed one at a time; the
    index is built afterwards in one go, or with `index`, batch by batch as the stories are
    written, from the text they were made of (through the backend's own writes).
    """
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag, TaggedItem

    from creators.models import User
    from search import spelling
    from search.backends import backend_for
    from search.index import _known_words, creator_text
    from search.marks import plain
    from stories.models import WORDS_PER_MINUTE, Community, Story

    rng = random.Random(SEED)
    words = vocabulary(rng)
    weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, len(words) + 1)]
    # One long Zipf-distributed stream; each story reads a window of it.
    stream = rng.choices(words, weights=weights, k=2_000_000)

    password = make_password(None)
    creators = write(
        [
            User(
                id=i + 1,
                username=f"writer{i}",
                display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                password=password,
            )
            for i in range(1000)
        ]
    )
    communities = write(
        [Community(id=i + 1, name=f"Community {i}", slug=f"community-{i}") for i in range(20)]
    )
    tags = write([Tag(id=i + 1, name=name, slug=slugify(name)) for i, name in enumerate(TAGS)])
    story_type = ContentType.objects.get_for_model(Story)
    now = timezone.now()

    backend = backend_for(connection)
    if index:
        with connection.cursor() as cursor:
            backend.clear(cursor)
    batch_size = 2000
    tagged = 0
    for start in range(0, n, batch_size):
        stories, texts = [], {}
        for i in range(start, min(start + batch_size, n)):
            length = rng.randint(200, 500)
            offset = rng.randrange(len(stream) - length)
            body_words = stream[offset : offset + length]
            paragraphs, j = [], 0
            while j < length:
                size = rng.randint(40, 120)
                paragraphs.append(" ".join(body_words[j : j + size]).capitalize() + ".")
                j += size
            texts[i + 1] = " ".join(paragraphs)
            title_words = rng.choices(words[:3000], weights=weights[:3000], k=rng.randint(3, 7))
            stories.append(
                Story(
                    id=i + 1,
                    title=" ".join(title_words).capitalize(),
                    subtitle=" ".join(rng.choices(words[:5000], k=rng.randint(0, 9))).capitalize(),
                    body="".join(f"<p>{p}</p>" for p in paragraphs),
                    word_count=length,
                    reading_time=max(1, math.ceil(length / WORDS_PER_MINUTE)),
                    slug=f"story-{i}",
                    creator=rng.choice(creators),
                    community=rng.choice(communities),
                    status=Story.Status.PUBLISHED,
                    published_at=now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
                    created_at=now,
                )
            )
        write(stories)
        pairs = [(story, tag) for story in stories for tag in rng.sample(tags, rng.randint(0, 3))]
        write(
            [
                TaggedItem(id=tagged + k + 1, tag=tag, content_type=story_type, object_id=story.pk)
                for k, (story, tag) in enumerate(pairs)
            ]
        )
        tagged += len(pairs)
        if index:
            # search.index.index_rows's columns, from the text html_to_text would find.
            names: dict[int, list[str]] = {}
            for story, tag in pairs:
                names.setdefault(story.pk, []).append(tag.name)
            rows = [
                (
                    story.pk,
                    plain(story.title),
                    plain(story.subtitle),
                    plain(texts[story.pk]),
                    plain(" ".join(sorted(names.get(story.pk, [])))),
                    creator_text(story.creator.display_name, story.creator.username, ""),
                    story.published_at,
                )
                for story in stories
            ]
            with connection.cursor() as cursor:
                backend.upsert(cursor, rows, fresh=True)
            spelling.remember(_known_words(rows))
        if (start // batch_size) % 50 == 0:
            print(f"  {start + len(stories):,} stories", flush=True)
    if index:
        with connection.cursor() as cursor:
            backend.optimize(cursor)
    reset_sequences([User, Community, Tag, Story, TaggedItem])


def check_index_sample(connection, backend, size: int = 500) -> None:
    """Index rows written while seeding must be what rebuild_index would have written."""
    from taggit.models import TaggedItem

    from search.index import _story_type_id, index_rows
    from stories.models import Story

    ids = random.Random(SEED).sample(range(1, Story.objects.count() + 1), size)
    expected = list(
        index_rows(
            Story.objects.published().filter(id__in=ids), TaggedItem.objects.all(), _story_type_id()
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT story_id, title, subtitle, body_text, tags, creator, published_at "
            f"FROM {backend.table} WHERE {backend.key} = ANY(%s) ORDER BY {backend.key}"
            if connection.vendor == "postgresql"
            else "SELECT rowid, title, subtitle, body_text, tags, creator, NULL "
            f"FROM {backend.table} "
            f"WHERE rowid IN ({','.join(map(str, ids))}) ORDER BY rowid",
            [ids] if connection.vendor == "postgresql" else [],
        )
        written = [tuple(row) for row in cursor.fetchall()]
    if connection.vendor != "postgresql":
        expected = [row[:6] + (None,) for row in expected]
    if written != expected:
        sys.exit("The index written while seeding differs from rebuild_index's rows.")


def write(objects: list) -> list:
    """Insert model instances whose ids are set: COPY on PostgreSQL (a million stories in
    minutes, not an hour), bulk_create elsewhere. No save() and no signals, as bulk_create."""
    from django.db import connection

    if not objects:
        return objects
    model = type(objects[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects, batch_size=500)
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    copy_sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    return objects


def reset_sequences(models: list) -> None:
    """After write() chose the ids: the next id each table hands out follows the last."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def queries() -> dict[str, list[str]]:
    """The queries to time, by kind; the same for every run on the same seed."""
    from core.sanitizer import html_to_text
    from creators.models import User
    from search.query import STOP_WORDS
    from stories.models import Story

    words = vocabulary(random.Random(SEED))
    phrases = []
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))[::7000][:15]
    for body in Story.objects.filter(pk__in=ids).order_by("pk").values_list("body", flat=True):
        text = html_to_text(body).lower().replace(".", "").split()
        # Two adjacent words that are not stop words, as a reader would quote them.
        pairs = zip(text[100:], text[101:], strict=False)
        first, second = next((a, b) for a, b in pairs if not STOP_WORDS & {a, b})
        phrases.append(f'"{first} {second}"')
    creators = list(User.objects.order_by("pk").values_list("display_name", flat=True))[::97][:10]
    return {
        # Content words: the most frequent words are English stop words, which PostgreSQL
        # ignores, so they would time no search at all there.
        "common": COMMON_QUERIES,
        "middling": words[300:320],
        "rare": words[8000:8020],
        "two words": [f"{a} {b}" for a, b in zip(COMMON_QUERIES, words[1000:1015], strict=True)],
        "phrase": phrases,
        "tag": TAGS[::3],
        "creator": list(creators),
        "no match": [f"zzq{i}xv" for i in range(5)] + ["-garden", "!!!", "NEAR(", '"', "*"],
    }


def time_queries(
    args: argparse.Namespace,
    queries: dict[str, list[str]],
    seed_seconds: float,
    index_seconds: float,
) -> dict:
    from django.db import connection

    from search.results import search_stories

    def run(query: str) -> tuple[float, float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        page = search_stories(query, page_number=1)
        results = list(page.object_list)  # the page's highlights, stories and tags
        for result in results:
            str(result.title_html), str(result.excerpt_html), list(result.story.tags.all())
        cpu_ms = (time.process_time() - cpu) * 1000
        return (time.perf_counter() - started) * 1000, cpu_ms, page.paginator.count

    everything = [(kind, q) for kind, qs in queries.items() for q in qs]
    for _, query in everything:  # warm caches: a live site's are warm
        run(query)
    # Timings on a shared machine mean little without how busy it was.
    print("load average before timing: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    server_cpu_started = server_cpu_seconds()
    timings: dict[str, list[float]] = {kind: [] for kind in queries}
    cpu: list[float] = []
    cpu_by_kind: dict[str, list[float]] = {kind: [] for kind in queries}
    counts: dict[str, list[int]] = {kind: [] for kind in queries}
    for _ in range(args.passes):
        for kind, query in everything:
            ms, cpu_ms, count = run(query)
            timings[kind].append(ms)
            cpu.append(cpu_ms)
            cpu_by_kind[kind].append(cpu_ms)
            counts[kind].append(count)
    server_cpu = server_cpu_seconds()
    server_cpu_ms = (
        (server_cpu - server_cpu_started) * 1000 / (args.passes * len(everything))
        if server_cpu is not None and server_cpu_started is not None
        else None
    )
    view_ms, view_cpu = time_view([q for _, q in everything][::7])
    print("load average after timing:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    all_ms = [ms for kind in timings for ms in timings[kind]]
    return {
        "vendor": connection.vendor,
        "stories": args.stories,
        "seed_seconds": seed_seconds,
        "index_seconds": index_seconds,
        "timings": len(all_ms),
        **summary(all_ms),
        "cpu": summary(cpu),
        "server_cpu_ms": server_cpu_ms,
        "view": {**summary(view_ms), "cpu": summary(view_cpu), "requests": len(view_ms)},
        "by_kind": {
            kind: {
                **summary(timings[kind]),
                "cpu": summary(cpu_by_kind[kind]),
                "queries": len(queries[kind]),
                "median_results": int(statistics.median(counts[kind])),
            }
            for kind in queries
        },
    }


def server_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, from /proc (so only
    when the server runs on this machine); None elsewhere. Clock ticks are 10 ms, so only a
    mean over many searches means anything."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime, fields 14 and 15 of stat(5); the first two fields were split off.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_view(queries: list[str]) -> tuple[list[float], list[float]]:
    """A few searches through the real page (URL, middleware, view, template) as an anonymous
    reader, with django.test.Client: wall and CPU ms per request, warm."""
    from django.conf import settings
    from django.test import Client, override_settings

    # As the deployed site sees it: a known host, over HTTPS (no redirect to it). Static URLs
    # unhashed, as the benchmark runs no collectstatic; the rest of the page is as deployed.
    client = Client(HTTP_HOST="localhost")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    wall, cpu = [], []
    with override_settings(STORAGES=storages):
        for query in queries:
            response = client.get("/search/", {"q": query}, secure=True)
            assert response.status_code == 200, (query, response.status_code)
        for query in queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get("/search/", {"q": query}, secure=True)
            cpu.append((time.process_time() - cpu_started) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (query, response.status_code)
    return wall, cpu


def time_gunicorn(args: argparse.Namespace, queries: list[str], *, cached: bool) -> dict:
    """Every query once through the site as deployed: gunicorn with gunicorn.conf.py and one
    sync worker, production settings, hashed static files. CPU per request is the worker's
    (and on PostgreSQL the server's processes') from /proc over the timed pass, divided by the
    requests: their clock ticks are 10 ms, so it is a mean, never a percentile.

    Uncached (PAGE_CACHE_SECONDS=0), every request searches: what a query nobody asked in the
    last minutes costs. Cached (the default), the timed pass repeats the warm-up's queries, so
    each is a kept result: what a popular query costs a signed-in reader (a session cookie
    makes the page the reader's own, so only the results are kept, not the whole page)."""
    import urllib.parse
    import urllib.request

    sys.path.insert(0, str(ROOT / "bench"))
    from django.conf import settings
    from django.db import connection
    from site_benchmark import free_port, gunicorn, start_server, stop_server

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="byline-bench-static-") as static_root:
        env = {k: v for k, v in os.environ.items() if k not in {"GUNICORN_CMD_ARGS"}}
        env.update(
            DJANGO_DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=f"http://127.0.0.1:{port}",
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
            STATIC_ROOT=static_root,
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY="1",
            GUNICORN_LOG_LEVEL="warning",
            CACHE_DIR=str(Path(static_root) / "cache"),
        )
        if not cached:
            env["PAGE_CACHE_SECONDS"] = "0"
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        server = start_server([gunicorn(), "platform_site.wsgi"], ROOT, env, port)
        try:
            # A session cookie, as a signed-in reader sends: the page cache leaves the page
            # alone (is_anonymous_request), the kept results still serve it. No session row
            # holds it, so the view sees an anonymous reader; what is kept is the same.
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}=benchmark"}

            def get(query: str) -> float:
                url = f"http://127.0.0.1:{port}/search/?" + urllib.parse.urlencode({"q": query})
                started = time.perf_counter()
                request = urllib.request.Request(url, headers=headers)
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    assert response.status == 200, (query, response.status)
                return (time.perf_counter() - started) * 1000

            # Warm: the worker's caches, prepared statements and (cached) the kept results;
            # twice, as results read in the first second of new stamps are not kept.
            for query in queries * 2:
                get(query)
            workers = process_tree_cpu(server.process.pid)
            backends = site_backends() if connection.vendor == "postgresql" else None
            database = backends_cpu(backends) if backends else None
            wall = [get(query) for query in queries]
            worker_cpu = process_tree_cpu(server.process.pid) - workers
            server_cpu = backends_cpu(backends) - database if backends else None
        finally:
            stop_server(server)
    return {
        **summary(wall),
        "requests": len(wall),
        "worker_cpu_ms": worker_cpu * 1000 / len(wall),
        "server_cpu_ms": server_cpu * 1000 / len(wall) if server_cpu is not None else None,
    }


def _proc_cpu(pid: int) -> tuple[float, int | None, str]:
    """A process's CPU seconds so far, its parent and its name, from /proc/PID/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, int(fields[1]), name


def _processes() -> list[tuple[int, float, int | None, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError):
                found.append((int(entry.name), *_proc_cpu(int(entry.name))))
    return found


def process_tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its descendants (gunicorn's master and workers)."""
    processes = _processes()
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, _, parent, _ in processes:
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(cpu for pid, cpu, _, _ in processes if pid in tree)


def site_backends() -> list[int]:
    """The PostgreSQL backends serving the site: every client connection to this database but
    the benchmark's own (gunicorn's worker keeps its connection open between requests)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def backends_cpu(pids: list[int]) -> float:
    """CPU seconds so far of these PostgreSQL backends (the server runs on this machine)."""
    return sum(_proc_cpu(pid)[0] for pid in pids)


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)],
        "max_ms": ordered[-1],
    }


if __name__ == "__main__":
    main()
