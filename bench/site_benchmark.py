"""Requests per second of the public pages under gunicorn, as a share of a bare Django floor.

    .venv/bin/python bench/site_benchmark.py [--sets small,large] [--database sqlite|postgresql]
                                             [--redis]

For each data set (small: 1,000 stories; large: 100,000 stories, 10,000 creators, 1,000,000
comments, most of them on three stories) it seeds its own database (SQLite files under
--data-dir, /tmp by default; with --database postgresql, databases whose names must contain
"bench"; never db.sqlite3 or CI's) and serves the site as the README deploys it,
`gunicorn platform_site.wsgi -c gunicorn.conf.py`, with gunicorn.conf.py's workers, threads,
worker class, worker restarts and access log (to /dev/null here; --workers, --threads and
--worker-class override them through the variables the file reads), production settings
(DJANGO_DEBUG=false) and BYLINE_BENCHMARK=true, which adds the old floor view at
/__bench__/floor/ (Byline's middleware, no template, no query) and a header with each
request's query count, counted inside the server. The cache is the embedded default (no
REDIS_URL, PAGE_CACHE_SECONDS left to the settings); --redis measures every row a second time
with REDIS_URL set to a private redis-server.

Beside it, the bare Django floor (bench/bare_floor/: no apps, no middleware, one constant view)
runs under `gunicorn -w 2 -k sync` with an empty configuration file. Then, row by row, wrk
(when it is on the PATH; else a small Python client, and the script says so) keeps a fixed
number of connections asking for one URL as fast as the server answers, and it prints per row:
requests per second, that as a share of the bare floor's and of the old middleware floor's,
p50 and p99 latency, queries per request (mean, and on the first, cold request), the server's
CPU per request and the page cache's hits.

Rows are measured one after another on a machine that may be doing other work: both floors
are measured between every two rows, and each row is set against the mean of the floors
measured just before and just after it.
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
import string
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
    parser.add_argument(
        "--redis",
        action="store_true",
        help="also measure every row with REDIS_URL set to a private redis-server",
    )
    parser.add_argument("--seconds", type=int, default=5, help="measured seconds per row")
    parser.add_argument(
        "--floor-seconds", type=int, default=2, help="each floor, measured between every two rows"
    )
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured seconds per row")
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="the load generator: wrk when it is on the PATH (auto), or the Python client",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--client-threads", type=int, default=1, help="wrk's -t")
    # None: what gunicorn.conf.py makes of the environment, as deployed.
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY for the site")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS for the site")
    parser.add_argument(
        "--worker-class", choices=["sync", "gthread"], help="GUNICORN_WORKER_CLASS for the site"
    )
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
    args.client = pick_client(args.client)
    started = time.perf_counter()
    machine = describe_machine(args)
    print_machine(machine)
    variants = ["embedded", "redis"] if args.redis else ["embedded"]
    redis = start_redis() if args.redis else None
    bare = start_bare_floor(args)
    results = []
    try:
        static_root = collect_static(args)
        for name in sets:
            print(f"\n== {name}: seeding", flush=True)
            seeded = seed(args, name)
            for variant in variants:
                print(f"== {name}: serving, {VARIANTS[variant]}", flush=True)
                served = serve_and_measure(args, name, seeded, static_root, bare, redis, variant)
                results.append({"set": name, "variant": variant, "seed": seeded, **served})
                print_table(name, seeded, variant, served)
    finally:
        stop_server(bare)
        if redis is not None:
            redis["process"].terminate()
            redis["process"].wait(10)
    print(f"\nTotal time: {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=2))


VARIANTS = {
    "embedded": "the embedded default (no REDIS_URL)",
    "redis": "with REDIS_URL (a private redis-server)",
}


def pick_client(choice: str) -> str:
    found = shutil.which("wrk")
    if choice == "wrk" and not found:
        sys.exit("--client wrk needs wrk on the PATH (apt-get install wrk).")
    if choice == "auto":
        choice = "wrk" if found else "python"
        if not found:
            print(
                "wrk is not on the PATH (apt-get install wrk): measuring with the Python client; "
                "its numbers are not comparable with wrk's.",
                flush=True,
            )
    return choice


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
    # GUNICORN_CMD_ARGS would reach past gunicorn.conf.py; the rest of the environment (the
    # variables gunicorn.conf.py reads, say) passes through.
    dropped = {"DATABASE_URL", "REDIS_URL", "GUNICORN_CMD_ARGS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
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
        "client": describe_client(args),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def print_machine(machine: dict[str, str]) -> None:
    print(
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory']}; Python "
        f"{machine['python']}, Django {machine['django']}, {machine['database']}; "
        f"load average at start {machine['load']}; {machine['date']}\nclient: {machine['client']}",
        flush=True,
    )


def describe_client(args: argparse.Namespace) -> str:
    if args.client == "wrk":
        version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        name = " ".join((version.stdout or version.stderr).split()[:2])
        return f"{name}, -t{args.client_threads} -c{args.connections}"
    return f"the Python client, {args.connections} connections (one thread each)"


def start_redis() -> dict:
    binary = shutil.which("redis-server")
    if not binary:
        sys.exit("--redis needs redis-server on the PATH.")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port)
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    print(f"redis: a private redis-server on port {port} ({' '.join(version[:3])})", flush=True)
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


BARE_FLOOR = Row("bare Django floor (-w 2, sync)", "/")
FLOOR = Row("old floor (Byline's middleware)", "/__bench__/floor/")


def rows_for(seeded: dict) -> list[Row]:
    urls = seeded["urls"]
    return [
        Row("story, typical, anonymous", urls["typical"]),
        Row("story, hot, anonymous", urls["hot"]),
        Row("story, typical, anonymous, not stored", urls["typical"], bypass=True),
        Row("story, hot, anonymous, not stored", urls["hot"], bypass=True),
        Row("story, typical, signed in", urls["typical"], signed_in=True),
        Row("story, hot, signed in", urls["hot"], signed_in=True),
        Row("explore, first page", "/explore/"),
        Row("explore, deep page", urls["explore_deep"]),
        Row("explore, first page, not stored", "/explore/", bypass=True),
        Row("explore, deep page, not stored", urls["explore_deep"], bypass=True),
        Row("community", urls["community"]),
        Row("tag", urls["tag"]),
        Row("profile", urls["profile"]),
        Row("feed, signed in", "/feed/", signed_in=True),
        Row("search", urls["search"]),
    ]


@dataclass
class Server:
    """A gunicorn master (in its own process group) and the port it answers on."""

    process: subprocess.Popen
    port: int


def start_server(command: list[str], cwd: Path, env: dict[str, str], port: int, **kw) -> Server:
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True, **kw)
    try:
        wait_for_port(port)
    except RuntimeError:
        stop_server(Server(process, port))
        raise
    time.sleep(1)
    return Server(process, port)


def stop_server(server: Server) -> None:
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def gunicorn() -> str:
    return str(Path(sys.executable).parent / "gunicorn")


def start_bare_floor(args: argparse.Namespace) -> Server:
    """bench/bare_floor under two sync workers, with an empty configuration file: gunicorn's own
    defaults (no access log, no worker restarts) and nothing of Byline's."""
    empty_config = args.data_dir / "gunicorn-empty.conf.py"
    empty_config.write_text("")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"GUNICORN_CMD_ARGS"}}
    command = [gunicorn(), "bare_floor.wsgi:application", "-c", str(empty_config)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync"]
    command += ["--log-level", "warning"]
    print(f"bare floor: {' '.join(command[1:])} (in bench/)", flush=True)
    return start_server(command, ROOT / "bench", env, port)


def site_config(env: dict[str, str]) -> dict:
    """What gunicorn.conf.py makes of this environment, read the way gunicorn reads it."""
    keys = ["worker_class", "workers", "threads", "max_requests", "max_requests_jitter"]
    keys += ["accesslog", "keepalive", "preload_app"]
    code = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        f"print(json.dumps({{k: c[k] for k in {keys!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def serve_and_measure(
    args: argparse.Namespace,
    name: str,
    seeded: dict,
    static_root: Path,
    bare: Server,
    redis: dict | None,
    variant: str,
) -> dict:
    env = base_env(args, name)
    if variant == "redis":
        env["REDIS_URL"] = redis["url"]
        # Each set starts from an empty cache.
        subprocess.run(
            [shutil.which("redis-cli") or "redis-cli", "-u", redis["url"], "FLUSHALL"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
    port = free_port()
    env.update(HOST="127.0.0.1", PORT=str(port), GUNICORN_LOG_LEVEL="warning")
    for variable, value in [
        ("WEB_CONCURRENCY", args.workers),
        ("GUNICORN_THREADS", args.threads),
        ("GUNICORN_WORKER_CLASS", args.worker_class),
    ]:
        if value is not None:
            env[variable] = str(value)
    config = site_config(env)
    page_cache = env.get("PAGE_CACHE_SECONDS", "the settings' default")
    print(
        f"   site: gunicorn platform_site.wsgi -c gunicorn.conf.py: {config}; "
        f"PAGE_CACHE_SECONDS {page_cache}",
        flush=True,
    )
    # As the README deploys it. The access log, if gunicorn.conf.py keeps it on, goes to
    # /dev/null: written, but nobody reads it.
    command = [gunicorn(), "platform_site.wsgi", "-c", "gunicorn.conf.py"]
    site = start_server(command, ROOT, env, port, stdout=subprocess.DEVNULL)
    try:
        # A browser that has been here keeps its CSRF cookie (32 letters and digits): without
        # it every signed-in request would make and set a new one, which no reader's does.
        csrf = "".join(random.Random(SEED).choices(string.ascii_letters + string.digits, k=32))
        cookie = f"sessionid={seeded['session_key']}; csrftoken={csrf}"

        def floors(warmup: int = 0) -> tuple[dict, dict]:
            return (
                measure(args, bare, BARE_FLOOR, {}, args.floor_seconds, warmup),
                measure(args, site, FLOOR, {}, args.floor_seconds, warmup),
            )

        # The machine may be busy with other work that comes and goes: both floors are
        # measured between every two rows, and each row is set against those on either side.
        gaps = [floors(warmup=args.warmup)]
        results = []
        for row in rows_for(seeded):
            if args.rows and args.rows not in row.label:
                continue
            if row.signed_in:
                headers = {"Cookie": cookie}
            elif row.bypass:
                headers = {"Cookie": "sessionid=not-a-session-of-ours"}
            else:
                headers = {}
            result = measure(args, site, row, headers, args.seconds, args.warmup)
            gaps.append(floors())
            around = gaps[-2:]
            bare_rps = statistics.fmean(gap[0]["rps"] for gap in around)
            bare_cpu = statistics.fmean(gap[0]["server_cpu_ms"] for gap in around)
            floor_rps = statistics.fmean(gap[1]["rps"] for gap in around)
            result.update(
                bare_rps=bare_rps,
                floor_rps=floor_rps,
                x_bare=result["rps"] / bare_rps,
                x_floor=result["rps"] / floor_rps,
                x_bare_cpu=bare_cpu / result["server_cpu_ms"],
            )
            results.append(result)
            print(
                f"   {row.label:<40} {result['rps']:>6.0f} req/s: {result['x_bare']:.3f} of the "
                f"bare floor's {bare_rps:.0f}, {result['x_floor']:.3f} of the old floor's "
                f"{floor_rps:.0f}; {result['queries_mean']:.1f} q/req; statuses "
                f"{result['statuses']}",
                flush=True,
            )
        return {"config": config, "floors": summarise_floors(gaps), "rows": results}
    finally:
        stop_server(site)


def summarise_floors(gaps: list[tuple[dict, dict]]) -> list[dict]:
    """Each floor as one row: the means of its measurements, and each of its ratios the mean of
    the ratios measured side by side."""
    rows = []
    for i in (0, 1):
        runs = [gap[i] for gap in gaps]
        row = {k: runs[0][k] for k in ("label", "path")}
        for key in ("rps", "p50_ms", "p99_ms", "server_cpu_ms", "client_cpu_share"):
            row[key] = statistics.fmean(run[key] for run in runs)
        row["queries_mean"] = statistics.fmean(run["queries_mean"] for run in runs)
        row["queries_cold"] = runs[0]["queries_cold"]
        row["requests"] = sum(run["requests"] for run in runs)
        row["statuses"] = dict(sum((Counter(run["statuses"]) for run in runs), Counter()))
        row["cache"] = dict(sum((Counter(run["cache"]) for run in runs), Counter()))
        row["measurements"] = len(runs)
        to_bare = [gap[i]["rps"] / gap[0]["rps"] for gap in gaps]
        to_floor = [gap[i]["rps"] / gap[1]["rps"] for gap in gaps]
        cpu = [gap[0]["server_cpu_ms"] / gap[i]["server_cpu_ms"] for gap in gaps]
        row.update(
            x_bare=statistics.fmean(to_bare),
            x_floor=statistics.fmean(to_floor),
            x_bare_cpu=statistics.fmean(cpu),
        )
        rows.append(row)
    return rows


# --- the load: wrk, or keep-alive connections in threads -------------------------------------


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
    server: Server,
    row: Row,
    headers: dict[str, str],
    seconds: int,
    warmup: int,
) -> dict:
    lines = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
    raw = (
        f"GET {row.path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUser-Agent: byline-bench"
        f"\r\nAccept: text/html\r\n{lines}\r\n"
    ).encode()
    # The first request alone: what a cold page costs in queries.
    probe = Connection(server.port)
    status, first_headers = probe.request(raw)
    probe.close()
    if status != 200:
        sys.exit(f"{row.label}: {row.path} answered {status}, not 200.")
    if args.client == "wrk":
        result = measure_wrk(args, server, row, headers, seconds, warmup)
    else:
        result = measure_python(args, server, raw, seconds, warmup)
    result.update(
        label=row.label,
        path=row.path,
        queries_cold=int(first_headers.get(b"x-byline-queries", b"-1")),
    )
    return result


WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_count.lua"
# Warm-up goes on, --warmup seconds at a time (ten times at most), until this many answers.
WARMUP_REQUESTS = 50


def settle(server: Server, timeout: float = 15) -> None:
    """Waits until the server has finished the requests wrk left behind: wrk stops at its
    deadline with a request in flight on every connection, and each worker finishes its own
    before it notices, so a slow page's last requests would take the CPU of the next row."""
    deadline = time.monotonic() + timeout
    last = server_cpu_seconds(server.process.pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = server_cpu_seconds(server.process.pid)
        # Under a clock tick or so in 0.2 s: idle.
        if now - last <= 0.011:
            return
        last = now


def run_wrk(command: list[str], row: Row) -> dict:
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = [line for line in out.splitlines() if line.startswith("BENCH ")]
    if not found:
        sys.exit(f"wrk printed no result for {row.label}:\n{out}")
    return json.loads(found[0][len("BENCH ") :])


def measure_wrk(
    args: argparse.Namespace,
    server: Server,
    row: Row,
    headers: dict[str, str],
    seconds: int,
    warmup: int,
) -> dict:
    """wrk with bench/wrk_count.lua, which counts statuses, query counts and page cache hits."""
    url = f"http://127.0.0.1:{server.port}{row.path}"
    command = ["wrk", f"-t{args.client_threads}", f"-c{args.connections}", "--timeout", "10s"]
    for key, value in {"Accept": "text/html", **headers}.items():
        command += ["-H", f"{key}: {value}"]
    command += ["-s", str(WRK_SCRIPT)]
    # Every worker must have served the page before it is measured: a worker's first request
    # compiles templates and fills its own caches, and sync workers take each request on a new
    # connection, so a slow page needs more than a second to reach all of them.
    warmed = spent = 0
    while warmup and spent < 10 * warmup and (not spent or warmed < WARMUP_REQUESTS):
        warmed += run_wrk([*command, f"-d{warmup}s", url], row)["requests"]
        spent += warmup
        settle(server)
    own_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = server_cpu_seconds(server.process.pid)
    run = run_wrk([*command, f"-d{seconds}s", url], row)
    cpu_after = server_cpu_seconds(server.process.pid)
    own_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    settle(server)
    count, elapsed = run["requests"], run["duration_us"] / 1e6
    own_cpu = sum(getattr(own_after, f) - getattr(own_before, f) for f in ("ru_utime", "ru_stime"))
    return {
        "requests": count,
        "rps": count / elapsed,
        "p50_ms": run["p50_us"] / 1000,
        "p99_ms": run["p99_us"] / 1000,
        "queries_mean": run["queries"] / run["counted"] if run["counted"] else math.nan,
        "server_cpu_ms": 1000 * (cpu_after - cpu_before) / count if count else math.nan,
        "client_cpu_share": own_cpu / elapsed,
        "statuses": {int(k): v for k, v in run["statuses"].items()},
        "cache": run["cache"],
        "errors": run["errors"],
    }


def measure_python(
    args: argparse.Namespace, server: Server, raw: bytes, seconds: float, warmup: float
) -> dict:
    """The fallback without wrk: one thread per keep-alive connection."""
    port, server_pid = server.port, server.process.pid

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
                if (queries := response_headers.get(b"x-byline-queries")) is not None:
                    local.queries.append(int(queries))
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
        "requests": count,
        "rps": count / elapsed,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else math.nan,
        "p99_ms": 1000 * ordered[min(count - 1, math.ceil(0.99 * count) - 1)] if ordered else 0,
        "queries_mean": statistics.fmean(tally.queries) if tally.queries else math.nan,
        "server_cpu_ms": 1000 * (cpu_after - cpu_before) / count if count else math.nan,
        "client_cpu_share": own_cpu / elapsed,
        "statuses": dict(tally.statuses),
        "cache": dict(tally.cache),
        "errors": tally.errors,
    }


def server_cpu_seconds(master_pid: int) -> float:
    """User and system time of gunicorn's master and workers so far (Linux /proc), counting the
    workers that have exited: a worker restarted after max_requests takes its time with it,
    but the master, which waited for it, carries that time in its children's fields."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in [master_pid, *children(master_pid)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime and stime; for the master also cutime and cstime, its exited workers'.
        used = fields[11:15] if pid == master_pid else fields[11:13]
        total += sum(int(x) for x in used) / ticks
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


def print_table(name: str, seeded: dict, variant: str, served: dict) -> None:
    counts = seeded["counts"]
    print(
        f"\n{name}, {VARIANTS[variant]}: {counts['stories']:,} stories, "
        f"{counts['creators']:,} creators, {counts['comments']:,} comments (typical story "
        f"{seeded['typical_comments']:,}, hot story {seeded['hot_comments']:,}); seeded in "
        f"{seeded['seed_seconds']:.0f} s\ngunicorn.conf.py: {served['config']}"
    )
    print(
        f"{'page':<40}{'req/s':>7}{'x bare':>8}{'x old':>7}{'x cpu':>7}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'q/req':>6}{'q cold':>7}{'cpu ms':>8}{'hits':>6}{'client':>7}"
    )
    for row in served["floors"] + served["rows"]:
        hits = row["cache"].get("hit", 0) / max(1, row["requests"])
        queries = "–" if math.isnan(row["queries_mean"]) else f"{row['queries_mean']:.1f}"
        cold = "–" if row["queries_cold"] < 0 else str(row["queries_cold"])
        print(
            f"{row['label']:<40}{row['rps']:>7.0f}{row['x_bare']:>8.3f}{row['x_floor']:>7.3f}"
            f"{row['x_bare_cpu']:>7.3f}{row['p50_ms']:>8.1f}{row['p99_ms']:>8.1f}{queries:>6}"
            f"{cold:>7}{row['server_cpu_ms']:>8.2f}{hits:>6.0%}{row['client_cpu_share']:>7.0%}"
        )
    print(
        "x bare: requests per second over the bare Django floor's (bench/bare_floor under "
        "gunicorn -w 2, sync workers, no configuration file), measured just before and after "
        "the row. x old: the same over the old floor's, a constant view behind all of Byline's "
        "middleware and gunicorn.conf.py. The two floor rows are the means of their "
        f"{served['floors'][0]['measurements']} measurements. x cpu: the bare floor's server CPU "
        "time per request over the row's. q/req: queries per request, counted in the server; "
        "q cold: of the first request. cpu ms: the server's CPU time per request. hits: "
        "answered from stored pages. client: the load generator's share of one core."
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
            # Brought up to the code's migrations: a set seeded before a new column would
            # otherwise answer every page with a 500.
            call_command("migrate", verbosity=0)
            print(f"reusing {database}", flush=True)
            return seeded
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seeded = fill(spec)
    from search import index as search

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
            "community": f"/{typical.community.slug}/",
            # The typical story's community and one of its tags: a page with stories on it.
            "tag": f"/{typical.community.slug}/tag/{typical.tags.order_by('slug').first().slug}/",
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
