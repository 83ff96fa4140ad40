"""Requests per second of the public pages under gunicorn, as a share of a constant floor view.

    .venv/bin/python bench/site_benchmark.py [--sets small,large] [--database sqlite|postgresql]

For each data set (small: 1,000 stories; large: 100,000 stories, 10,000 creators, 1,000,000
comments, most of them on three stories) it seeds its own database (SQLite files under
--data-dir, /tmp by default; with --database postgresql, databases whose names must contain
"bench"; never db.sqlite3 or CI's), starts gunicorn with production settings
(DJANGO_DEBUG=false) and BYLINE_BENCHMARK=true, which adds the floor view at
/__bench__/floor/ (the same middleware, no template, no query) and a header with each request's
query count, counted inside the server. Then, row by row, a fixed number of keep-alive
connections (threads here) ask for one URL as fast as the server answers, and it prints per row:
requests per second, that as a share of the floor's, p50 and p99 latency, queries per request
(mean and on the first, cold request), the server's CPU per request and the page cache's hits.

The cache is a private redis-server when one is installed (as in production with several
workers), else each worker's memory. Rows are measured one after another on a machine that may
be doing other work: the floor is measured first and last, and the share uses their mean.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "byline-site-bench"
DEFAULT_POSTGRES_URL = "postgres://postgres:postgres@127.0.0.1:5432/byline_bench_site"
SEED = 7

# Stories, creators, comments, and how many of those comments each of three hot stories has.
SETS = {
    "small": {"stories": 1_000, "creators": 100, "comments": 10_000, "hot": [4_000, 2_000, 1_000]},
    "large": {
        "stories": 100_000,
        "creators": 10_000,
        "comments": 1_000_000,
        "hot": [400_000, 200_000, 100_000],
    },
}
# Every story gets up to this many insights, the hot ones HOT_INSIGHTS.
INSIGHTS_PER_STORY = 3
HOT_INSIGHTS = 2_000
# Of all comments, this share are replies to a comment on the same story.
REPLY_SHARE = 0.25
SUBSCRIPTIONS_PER_READER = 50
COMMUNITIES = 20
TAGS = [
    "health", "travel", "gardening", "cooking", "history", "science", "music", "money", "parenting",
    "fiction", "poetry", "technology", "design", "sports", "nature", "climate", "books", "film",
    "photography", "education", "work", "careers", "relationships", "mindfulness", "fitness",
    "programming", "startups", "politics", "economics", "philosophy", "art", "architecture",
]  # fmt: skip
FIRST = ["Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Theo", "Rosa"]
LAST = ["Wilson", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Castillo", "Byrne", "Novak"]
WORDS = """
the of and to in is that it was for on are with as his they be at one have this from or had by
word but what some we can out other were all there when up use your how said an each she which
do their time if will way about many then them write would like so these her long make thing see
him two has look more day could go come did number sound no most people my over know water than
call first who may down side been now find garden river stone light winter summer city family
history music science money health travel food coffee bread market village mountain ocean forest
story letter window kitchen morning evening teacher doctor engine machine harvest season memory
silence journey border island bridge station library museum theatre painting language
""".split()  # noqa: SIM905 (a paragraph of words reads better than a list of strings)
SEARCH_QUERY = "garden river"


# --- the parent: seed, serve, measure, print --------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="small,large", help="comma-separated: small, large")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="a database name with 'bench' in it; the set's name is appended",
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--cache", choices=["auto", "redis", "memory"], default="auto")
    parser.add_argument("--seconds", type=float, default=4.0, help="measured time per row")
    parser.add_argument(
        "--floor-seconds", type=float, default=1.5, help="the floor, measured before and after"
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured time per row")
    parser.add_argument("--connections", type=int, default=16)
    # gunicorn.conf.py's defaults: two workers per core and one, four threads each.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep a set seeded by an earlier run")
    parser.add_argument(
        "--rows", default="", help="only rows whose label contains this (and the floor rows)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child-seed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_seed:
        print("RESULT " + json.dumps(seed_child(args)), flush=True)
        return

    sets = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = set(sets) - set(SETS)
    if unknown:
        sys.exit(f"Unknown data set(s): {', '.join(sorted(unknown))}; choose from small, large.")
    if args.database == "postgresql":
        check_postgres_url(args.postgres_url)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    machine = describe_machine(args)
    print_machine(machine)
    redis = start_redis(args)
    results = []
    try:
        static_root = collect_static(args)
        for name in sets:
            print(f"\n== {name}: seeding", flush=True)
            seeded = seed(args, name)
            print(f"== {name}: serving", flush=True)
            rows = serve_and_measure(args, name, seeded, static_root, redis)
            results.append({"set": name, "seed": seeded, "rows": rows})
            print_table(name, seeded, rows)
    finally:
        if redis is not None:
            redis["process"].terminate()
            redis["process"].wait(10)
    print(f"\nTotal time: {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2))


def check_postgres_url(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    # The benchmark drops and re-creates its databases; they must never be ones that matter.
    if "bench" not in name:
        sys.exit(f"Refusing PostgreSQL database {name!r}: its name must contain 'bench'.")


def set_database_url(args: argparse.Namespace, name: str) -> str:
    parts = urlsplit(args.postgres_url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{name}"))


def base_env(args: argparse.Namespace, name: str) -> dict[str, str]:
    """The server's environment: production settings, plain http on the loopback."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="platform_site.settings",
        DJANGO_DEBUG="false",
        SECRET_KEY="benchmark-only-not-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        BYLINE_BENCHMARK="true",
        LOG_LEVEL="ERROR",
        MEDIA_ROOT=str(args.data_dir / "media"),
        STATIC_ROOT=str(args.data_dir / "static"),
    )
    if args.database == "postgresql":
        env["DATABASE_URL"] = set_database_url(args, name)
    else:
        env["SQLITE_PATH"] = str(args.data_dir / f"{name}.sqlite3")
    return env


def describe_machine(args: argparse.Namespace) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    django_version = subprocess.run(
        [sys.executable, "-c", "import django; print(django.get_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "django": django_version,
        "database": args.database,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def print_machine(machine: dict[str, str]) -> None:
    print(
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory']}; Python "
        f"{machine['python']}, Django {machine['django']}, {machine['database']}; "
        f"load average at start {machine['load']}; {machine['date']}",
        flush=True,
    )


def start_redis(args: argparse.Namespace) -> dict | None:
    binary = shutil.which("redis-server")
    if args.cache == "memory" or (args.cache == "auto" and not binary):
        print("cache: each worker's memory (no redis-server)", flush=True)
        return None
    if not binary:
        sys.exit("--cache redis needs redis-server on the PATH.")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port)
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    print(f"cache: a private redis-server on port {port} ({' '.join(version[:3])})", flush=True)
    return {"process": process, "url": f"redis://127.0.0.1:{port}/0"}


def collect_static(args: argparse.Namespace) -> Path:
    """Production serves hashed files from collectstatic's folder; the pages link to them."""
    env = base_env(args, "small")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return Path(env["STATIC_ROOT"])


def seed(args: argparse.Namespace, name: str) -> dict:
    env = base_env(args, name)
    command = [sys.executable, __file__, "--child-seed", name, "--database", args.database]
    command += ["--data-dir", str(args.data_dir), "--postgres-url", args.postgres_url]
    if args.reuse:
        command.append("--reuse")
    result = None
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
            else:
                print("   " + line.rstrip(), flush=True)
    if child.returncode or result is None:
        sys.exit(f"Seeding {name} failed (exit status {child.returncode}).")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


@dataclass
class Row:
    label: str
    path: str
    signed_in: bool = False
    # An unknown session cookie: the reader looks anonymous but the page cache must pass them
    # by, so the row shows what rendering the page costs.
    bypass: bool = False


FLOOR = Row("floor (constant view)", "/__bench__/floor/")


def rows_for(seeded: dict) -> list[Row]:
    urls = seeded["urls"]
    return [
        FLOOR,
        Row("story, typical, anonymous", urls["typical"]),
        Row("story, hot, anonymous", urls["hot"]),
        Row("story, typical, anonymous, not stored", urls["typical"], bypass=True),
        Row("story, hot, anonymous, not stored", urls["hot"], bypass=True),
        Row("story, typical, signed in", urls["typical"], signed_in=True),
        Row("story, hot, signed in", urls["hot"], signed_in=True),
        Row("explore, first page", "/explore/"),
        Row("explore, deep page", urls["explore_deep"]),
        Row("explore, deep page, not stored", urls["explore_deep"], bypass=True),
        Row("profile", urls["profile"]),
        Row("feed, signed in", "/feed/", signed_in=True),
        Row("search", urls["search"]),
    ]


def serve_and_measure(
    args: argparse.Namespace, name: str, seeded: dict, static_root: Path, redis: dict | None
) -> list[dict]:
    env = base_env(args, name)
    if redis is not None:
        env["REDIS_URL"] = redis["url"]
        # Each set starts from an empty cache.
        subprocess.run(
            [shutil.which("redis-cli") or "redis-cli", "-u", redis["url"], "FLUSHALL"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
    else:
        # One cache per worker: stale pages across workers are acceptable in a read-only run.
        env["PAGE_CACHE_SECONDS"] = "300"
    port = free_port()
    # Command-line settings only: an empty configuration file keeps gunicorn.conf.py (its
    # access log, its worker restarts every 1000 requests) out of it.
    empty_config = args.data_dir / "gunicorn-empty.conf.py"
    empty_config.write_text("")
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "platform_site.wsgi:application",
        "-c",
        str(empty_config),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "60",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_port(port)
        time.sleep(1)
        cookie = f"sessionid={seeded['session_key']}"
        results = []
        for row in rows_for(seeded):
            if args.rows and args.rows not in row.label and row is not FLOOR:
                continue
            if row.signed_in:
                headers = f"Cookie: {cookie}\r\n"
            elif row.bypass:
                headers = "Cookie: sessionid=not-a-session-of-ours\r\n"
            else:
                headers = ""
            # The machine may be busy with other work that comes and goes: each row is set
            # against the floor measured just before and just after it.
            floor = (args, port, FLOOR, "", server.pid, args.floor_seconds, 0.2)
            before = measure(*floor)
            result = measure(args, port, row, headers, server.pid, args.seconds, args.warmup)
            after = measure(*floor)
            floor_rps = statistics.fmean([before["rps"], after["rps"]])
            floor_cpu = statistics.fmean([before["server_cpu_ms"], after["server_cpu_ms"]])
            result["floor_rps"] = floor_rps
            result["x_floor"] = result["rps"] / floor_rps
            result["x_floor_cpu"] = floor_cpu / result["server_cpu_ms"]
            results.append(result)
            print(
                f"   {row.label:<40} {result['rps']:>8.0f} req/s ({result['x_floor']:.2f} of "
                f"the floor's {floor_rps:.0f})  p50 {result['p50_ms']:>6.1f} ms"
                f"  p99 {result['p99_ms']:>6.1f} ms  {result['queries_mean']:>5.1f} q/req"
                f"  statuses {result['statuses']}",
                flush=True,
            )
        return results
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- the load: keep-alive connections, one thread each --------------------------------------


class Connection:
    """Just enough HTTP/1.1 for Django's answers (Content-Length, no chunks), kept cheap so the
    client takes as little CPU from the server as it can."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.pending = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.pending = None, b""

    def request(self, raw: bytes) -> tuple[int, dict[bytes, bytes]]:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(raw)
        data = self.pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            chunk = self.sock.recv(262144)
            if not chunk:
                raise ConnectionError("closed before the headers")
            data += chunk
        lines = data[:end].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(b":")
            headers[key.strip().lower()] = value.strip()
        length = int(headers.get(b"content-length", b"0"))
        body_start = end + 4
        chunks, have = [data[body_start:]], len(data) - body_start
        while have < length:
            chunk = self.sock.recv(262144)
            if not chunk:
                raise ConnectionError("closed before the body")
            chunks.append(chunk)
            have += len(chunk)
        rest = b"".join(chunks)
        self.pending = rest[length:]
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, headers


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    queries: list[int] = field(default_factory=list)
    cache: Counter = field(default_factory=Counter)
    errors: int = 0


def measure(
    args: argparse.Namespace,
    port: int,
    row: Row,
    headers: str,
    server_pid: int,
    seconds: float,
    warmup: float,
) -> dict:
    raw = (
        f"GET {row.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: byline-bench\r\n"
        f"Accept: text/html\r\n{headers}\r\n"
    ).encode()
    # The first request alone: what a cold page costs in queries.
    probe = Connection(port)
    status, first_headers = probe.request(raw)
    probe.close()
    if status != 200:
        sys.exit(f"{row.label}: {row.path} answered {status}, not 200.")
    cold_queries = int(first_headers.get(b"x-byline-queries", b"-1"))

    def run(seconds: float, tally: Tally | None) -> None:
        deadline = time.perf_counter() + seconds
        threads = [
            threading.Thread(target=worker, args=(deadline, tally)) for _ in range(args.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def worker(deadline: float, tally: Tally | None) -> None:
        connection = Connection(port)
        local = Tally()
        try:
            while (now := time.perf_counter()) < deadline:
                try:
                    status, response_headers = connection.request(raw)
                except (ConnectionError, OSError):
                    connection.close()
                    local.errors += 1
                    continue
                local.latencies.append(time.perf_counter() - now)
                local.statuses[status] += 1
                local.queries.append(int(response_headers.get(b"x-byline-queries", b"-1")))
                local.cache[response_headers.get(b"x-page-cache", b"-").decode()] += 1
        finally:
            connection.close()
        if tally is not None:
            with lock:
                tally.latencies += local.latencies
                tally.statuses.update(local.statuses)
                tally.queries += local.queries
                tally.cache.update(local.cache)
                tally.errors += local.errors

    lock = threading.Lock()
    run(warmup, None)
    tally = Tally()
    cpu_before = server_cpu_seconds(server_pid)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    run(seconds, tally)
    elapsed = time.perf_counter() - started
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_after = server_cpu_seconds(server_pid)
    count = len(tally.latencies)
    ordered = sorted(tally.latencies)
    own_cpu = sum(getattr(own_after, f) - getattr(own_before, f) for f in ("ru_utime", "ru_stime"))
    return {
        "label": row.label,
        "path": row.path,
        "requests": count,
        "rps": count / elapsed,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else math.nan,
        "p99_ms": 1000 * ordered[min(count - 1, math.ceil(0.99 * count) - 1)] if ordered else 0,
        "queries_mean": statistics.fmean(tally.queries) if tally.queries else math.nan,
        "queries_cold": cold_queries,
        "server_cpu_ms": 1000 * (cpu_after - cpu_before) / count if count else math.nan,
        "client_cpu_share": own_cpu / elapsed,
        "statuses": dict(tally.statuses),
        "cache": dict(tally.cache),
        "errors": tally.errors,
    }


def server_cpu_seconds(master_pid: int) -> float:
    """User and system time of gunicorn's master and workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in [master_pid, *children(master_pid)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def print_table(name: str, seeded: dict, rows: list[dict]) -> None:
    counts = seeded["counts"]
    print(
        f"\n{name}: {counts['stories']:,} stories, {counts['creators']:,} creators, "
        f"{counts['comments']:,} comments (typical story {seeded['typical_comments']:,}, "
        f"hot story {seeded['hot_comments']:,}); seeded in {seeded['seed_seconds']:.0f} s"
    )
    print(
        f"{'page':<40}{'req/s':>7}{'x floor':>8}{'x cpu':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'q/req':>6}{'q cold':>7}{'cpu ms':>8}{'hits':>6}{'client':>7}"
    )
    for row in rows:
        hits = row["cache"].get("hit", 0) / max(1, row["requests"])
        print(
            f"{row['label']:<40}{row['rps']:>7.0f}{row['x_floor']:>8.2f}{row['x_floor_cpu']:>7.2f}"
            f"{row['p50_ms']:>8.1f}{row['p99_ms']:>8.1f}{row['queries_mean']:>6.1f}"
            f"{row['queries_cold']:>7}{row['server_cpu_ms']:>8.2f}{hits:>6.0%}"
            f"{row['client_cpu_share']:>7.0%}"
        )
    print(
        "x floor: requests per second over the floor view's, measured just before and after "
        "the row. x cpu: the floor's server CPU time per request over the row's. q/req: "
        "queries per request, counted in the server; q cold: of the first request. cpu ms: "
        "the server's CPU time per request. hits: answered from stored pages. client: the load "
        "generator's share of one core."
    )


# --- the seeding child: one data set in its own database ------------------------------------


def seed_child(args: argparse.Namespace) -> dict:
    name = args.child_seed
    spec = SETS[name]
    marker = args.data_dir / f"{name}-{args.database}.json"
    if args.database == "postgresql":
        if not (args.reuse and marker.exists()):
            recreate_postgres_database(os.environ["DATABASE_URL"])
    else:
        path = Path(os.environ["SQLITE_PATH"])
        if not (args.reuse and marker.exists()):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    database = str(settings.DATABASES["default"]["NAME"])
    assert database != str(ROOT / "db.sqlite3") and "byline_ci" not in database, database
    if args.reuse and marker.exists():
        seeded = json.loads(marker.read_text())
        if seeded.get("spec") == spec:
            print(f"reusing {database}", flush=True)
            return seeded
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seeded = fill(spec)
    from stories import search

    indexed = search.rebuild_index()
    print(f"indexed {indexed:,} stories for search", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seeded["seed_seconds"] = time.perf_counter() - started
    seeded["spec"] = spec
    marker.write_text(json.dumps(seeded))
    return seeded


def recreate_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    check_postgres_url(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


class Inserter:
    """Rows straight into a model's table with executemany, in batches: no model instances,
    no signals (the search index is built afterwards in one go). Fields not given get their
    model default."""

    def __init__(self, model, given: list[str]) -> None:
        from django.db import connection

        self.connection = connection
        fields = list(model._meta.concrete_fields)
        self.given = given
        self.defaults = {}
        for f in fields:
            # An id not given is the database's to number.
            if f.name in given or f.attname in given or f.primary_key:
                continue
            default = f.get_default()
            self.defaults[f.column] = self.adapt(f, default)
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
        self.fields = [by_name[name] for name in given]
        self.datetimes = [
            i for i, f in enumerate(self.fields) if f.get_internal_type() == "DateTimeField"
        ]
        columns = [f.column for f in self.fields] + list(self.defaults)
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        self.tail = tuple(self.defaults.values())

    def adapt(self, f, value):
        if value is not None and f.get_internal_type() == "DateTimeField":
            return self.connection.ops.adapt_datetimefield_value(value)
        return value

    def insert(self, rows, batch: int = 10_000) -> int:
        adapt = self.connection.ops.adapt_datetimefield_value
        done = 0
        chunk = []
        with self.connection.cursor() as cursor:
            for row in rows:
                if self.datetimes:
                    row = list(row)
                    for i in self.datetimes:
                        if row[i] is not None:
                            row[i] = adapt(row[i])
                chunk.append((*row, *self.tail))
                if len(chunk) >= batch:
                    cursor.executemany(self.sql, chunk)
                    done += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(self.sql, chunk)
                done += len(chunk)
        return done


def fill(spec: dict) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from comments.models import Comment
    from core import keyset
    from core.sanitizer import clean_text
    from creators.models import SocialLink, User
    from insights.models import Insight, Quality, Rating
    from stories.models import WORDS_PER_MINUTE, Community, Story
    from subscriptions.models import Subscription
    from support.models import SupportSettings

    rng = random.Random(SEED)
    now = timezone.now()
    n_stories, n_creators, n_comments = spec["stories"], spec["creators"], spec["comments"]
    started = time.perf_counter()

    def note(what: str) -> None:
        print(f"{time.perf_counter() - started:6.1f} s  {what}", flush=True)

    def sentence(k: int) -> str:
        return " ".join(rng.choices(WORDS, k=k)).capitalize()

    with transaction.atomic():
        # Creators, and one reader who is signed in for the benchmark's signed-in rows.
        password = make_password("benchmark")
        users = Inserter(
            User, ["id", "username", "display_name", "email", "password", "date_joined", "bio"]
        )
        bio = "Writes about gardens, rivers and the city at night."
        users.insert(
            (
                i,
                f"writer{i}",
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                f"writer{i}@example.com",
                password,
                now,
                bio,
            )
            for i in range(1, n_creators + 1)
        )
        reader_id = n_creators + 1
        users.insert([(reader_id, "benchreader", "Bench Reader", "", password, now, "")])
        User.objects.filter(bio=bio).update(bio_html=clean_text(bio))
        note(f"{n_creators:,} creators")
        SocialLink.objects.bulk_create(
            [
                SocialLink(user_id=i, network="website", url=f"https://writer{i}.example")
                for i in range(1, n_creators + 1, 3)
            ]
        )
        SupportSettings.objects.bulk_create(
            [SupportSettings(creator_id=i, accepts_support=True) for i in range(1, n_creators, 2)]
        )
        communities = Community.objects.bulk_create(
            [
                Community(name=f"Community {i}", slug=f"community-{i}", description="Stories.")
                for i in range(COMMUNITIES)
            ]
        )
        tags = Tag.objects.bulk_create([Tag(name=t, slug=t) for t in TAGS])

        # Stories: bodies of a few paragraphs, published over three years.
        stories = Inserter(
            Story,
            [
                "id", "title", "subtitle", "body", "word_count", "reading_time", "slug",
                "creator_id", "community_id", "status", "published_at", "created_at",
                "updated_at", "read_count",
            ],
        )  # fmt: skip
        community_of, creator_of, published = {}, {}, {}

        def story_rows():
            for i in range(1, n_stories + 1):
                length = rng.randint(250, 600)
                paragraphs = [sentence(rng.randint(40, 90)) for _ in range(length // 65 + 1)]
                body = "".join(f"<p>{p}.</p>" for p in paragraphs)
                creator = rng.randint(1, n_creators)
                community = communities[rng.randrange(COMMUNITIES)].pk
                when = now - timedelta(seconds=rng.randrange(3 * 365 * 24 * 3600))
                creator_of[i], community_of[i], published[i] = creator, community, when
                yield (
                    i, sentence(rng.randint(3, 7)), sentence(rng.randint(0, 9)), body, length,
                    max(1, math.ceil(length / WORDS_PER_MINUTE)), f"story-{i}", creator,
                    community, Story.Status.PUBLISHED, when, when, when, rng.randint(0, 5000),
                )  # fmt: skip

        stories.insert(story_rows(), batch=2000)
        # A few staff picks, so the home page has its Top Stories.
        Story.objects.filter(pk__in=range(1, 5)).update(
            picked_at=now, pick_reason="A staff favourite."
        )
        note(f"{n_stories:,} stories")
        story_type = ContentType.objects.get_for_model(Story).pk
        tagged = Inserter(TaggedItem, ["tag_id", "content_type_id", "object_id"])
        tagged.insert(
            (tag.pk, story_type, i)
            for i in range(1, n_stories + 1)
            for tag in rng.sample(tags, rng.randint(1, 3))
        )
        note("tags")

        # Comments: three hot stories hold most, a long tail holds the rest, and one typical
        # story has exactly three.
        hot_ids = [n_stories // 2 + k for k in range(3)]
        typical_id = n_stories // 3
        counts = dict.fromkeys(range(1, n_stories + 1), 0)
        for story_id, n in zip(hot_ids, spec["hot"], strict=True):
            counts[story_id] = n
        counts[typical_id] = 3
        rest = n_comments - sum(spec["hot"]) - 3
        tail = [i for i in range(1, n_stories + 1) if i not in hot_ids and i != typical_id]
        weights = [1 / (rank**1.1) for rank in range(1, len(tail) + 1)]
        rng.shuffle(tail)
        for story_id in rng.choices(tail, weights=weights, k=rest):
            counts[story_id] += 1
        bodies = [sentence(rng.randint(6, 40)) + "." for _ in range(300)]
        body_html = [clean_text(body) for body in bodies]
        comments = Inserter(
            Comment,
            ["id", "story_id", "author_id", "parent_id", "body", "body_html", "created_at"],
        )

        def comment_rows():
            next_id = 1
            for story_id, n in counts.items():
                if not n:
                    continue
                start = published[story_id]
                span = max(60.0, (now - start).total_seconds())
                top_level = []
                for k in range(n):
                    when = start + timedelta(seconds=span * (k + 1) / (n + 1))
                    parent = None
                    if top_level and rng.random() < REPLY_SHARE:
                        parent = top_level[rng.randrange(len(top_level))]
                    else:
                        top_level.append(next_id)
                    b = rng.randrange(len(bodies))
                    author = rng.randint(1, n_creators)
                    yield (next_id, story_id, author, parent, bodies[b], body_html[b], when)
                    next_id += 1

        comments.insert(comment_rows())
        note(f"{n_comments:,} comments")

        # Insights: a few readers on every story, many on the hot ones.
        ratings = list(Rating.objects.values_list("pk", flat=True))
        qualities = list(Quality.objects.values_list("pk", flat=True))
        insights = Inserter(
            Insight, ["id", "story_id", "reader_id", "rating_id", "created_at", "updated_at"]
        )
        links = Inserter(Insight.qualities.through, ["insight_id", "quality_id"])
        insight_rows, link_rows = [], []
        next_id = 1
        for story_id in range(1, n_stories + 1):
            n = HOT_INSIGHTS if story_id in hot_ids else rng.randint(0, INSIGHTS_PER_STORY)
            for reader in rng.sample(range(1, n_creators + 1), min(n, n_creators)):
                insight_rows.append((next_id, story_id, reader, rng.choice(ratings), now, now))
                for quality in rng.sample(qualities, rng.randint(0, 3)):
                    link_rows.append((next_id, quality))
                next_id += 1
        insights.insert(insight_rows)
        links.insert(link_rows)
        note(f"{len(insight_rows):,} insights")

        # The reader's feed, and subscribers for every profile.
        subscriptions = Inserter(Subscription, ["subscriber_id", "creator_id", "created_at"])
        pairs = {(reader_id, c) for c in rng.sample(range(1, n_creators + 1), 50)}
        while len(pairs) < SUBSCRIPTIONS_PER_READER + n_creators * 5:
            a, b = rng.randint(1, n_creators), rng.randint(1, n_creators)
            if a != b:
                pairs.add((a, b))
        subscriptions.insert((a, b, now) for a, b in sorted(pairs))
        note(f"{len(pairs):,} subscriptions")

        if connection.vendor == "postgresql":
            models = [User, Story, Comment, Insight]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)

    session = SessionStore()
    reader = User.objects.get(pk=reader_id)
    session["_auth_user_id"] = str(reader.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = reader.get_session_auth_hash()
    session.create()

    typical = Story.objects.select_related("community").get(pk=typical_id)
    hot = Story.objects.select_related("community").get(pk=hot_ids[0])
    deep = (
        Story.objects.published()
        .order_by(*keyset.ORDER)
        .only("pk", "published_at")[int(n_stories * 0.9)]
    )
    # A profile with a typical number of stories.
    per_creator = Counter(creator_of.values())
    profile = sorted(per_creator, key=lambda c: (abs(per_creator[c] - n_stories / n_creators), c))
    return {
        "urls": {
            "typical": typical.get_absolute_url(),
            "hot": hot.get_absolute_url(),
            "explore_deep": "/explore/?after=" + keyset.encode(deep),
            "profile": f"/authors/writer{profile[0]}/",
            "search": "/search/?q=" + SEARCH_QUERY.replace(" ", "+"),
        },
        "session_key": session.session_key,
        "typical_comments": counts[typical_id],
        "hot_comments": counts[hot_ids[0]],
        "counts": {"stories": n_stories, "creators": n_creators, "comments": n_comments},
    }


if __name__ == "__main__":
    main()
