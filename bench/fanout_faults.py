"""New-story emails under worker faults: how many of N subscribers got the email, how many never
did, and how many got it twice, when the worker is restarted or killed mid-fan-out.

    .venv/bin/python bench/fanout_faults.py                       # RQ on Redis, PostgreSQL
    .venv/bin/python bench/fanout_faults.py --backend db --database sqlite

A creator with --subscribers subscribers (5,000) publishes a story; a real `manage.py
jobs_worker` sends through a local SMTP server (aiosmtpd) that counts what each address
receives. Each case runs in a fresh database of its own:

- normal: one worker, no fault;
- graceful restart: SIGTERM to the worker while jobs wait, a new worker;
- kill -9 worker: the worker and its children killed halfway (mid-batch), a new worker started;
- the same, then waiting --late seconds more for anything sent late (a redelivery);
- kill -9 children: only RQ's work horse killed, the worker lives (RQ only).

Nothing here is a test: it prints a table. Needs Redis (TASKS_REDIS_URL, default
redis://127.0.0.1:6379/12) for RQ and PostgreSQL (127.0.0.1:5432) for --database postgresql.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.core.workers import manage  # noqa: E402
from tests.harness.fanout import SmtpSink, Worker, mail_env, seed  # noqa: E402

PG_ADMIN = "postgres://postgres:postgres@127.0.0.1:5432/postgres"


def fresh_env(args, workdir: Path, slug: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_DEBUG": "true", "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("TASKS_REDIS_URL", None)
    if args.backend == "rq":
        env["TASKS_REDIS_URL"] = args.redis
        import redis

        redis.Redis.from_url(args.redis).flushdb()
    if args.database == "postgresql":
        import psycopg

        name = f"byline_bench_fanout_{slug}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    else:
        env["SQLITE_PATH"] = str(workdir / f"{slug}.sqlite3")
    manage("migrate", "--no-input", env=env, timeout=600)
    return env


def run_case(args, workdir: Path, case: str, slug: str) -> tuple[int, int, int, float]:
    env = fresh_env(args, workdir, slug)
    n = args.subscribers
    with SmtpSink() as sink:
        env = mail_env(env, sink)
        started = time.monotonic()
        seed(env, count=n)
        workers = [Worker(env, workdir / f"{slug}-1.log")]
        try:
            if case != "normal":
                # About half, and mid-batch (batches are 500): not between two batches.
                sink.wait_for(lambda s: s.total >= n // 2 + 250, timeout=600)
                if case == "graceful restart":
                    workers[0].process.send_signal(signal.SIGTERM)
                    workers[0].process.wait(timeout=120)
                elif case == "kill -9 children":
                    workers[0].kill(children_only=True)
                else:
                    workers[0].kill()
                if case != "kill -9 children":
                    workers.append(Worker(env, workdir / f"{slug}-2.log"))
            sink.wait_until_quiet(expected=n + 1, timeout=args.timeout, quiet=3)
            if case.endswith("then wait"):
                time.sleep(args.late)
        finally:
            for worker in workers:
                worker.stop()
        elapsed = time.monotonic() - started
        received = {a: c for a, c in sink.snapshot().items() if a.startswith("reader")}
    expected = {f"reader{i}@example.com" for i in range(n)}
    lost = len(expected - set(received))
    twice = sum(c - 1 for c in received.values() if c > 1)
    return sum(1 for a in received if a in expected), lost, twice, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["rq", "db"], default="rq")
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--late", type=float, default=60, help="extra wait for late copies")
    parser.add_argument("--only", action="append", help="run only this case (repeatable)")
    args = parser.parse_args()
    cases = ["normal", "graceful restart", "kill -9 worker", "kill -9 worker, then wait"]
    if args.backend == "rq":
        cases.append("kill -9 children")
    cases = [case for case in cases if not args.only or case in args.only]
    print(f"{args.subscribers:,} subscribers, {args.backend} backend, {args.database}")
    print("| case | received | lost | duplicated | seconds |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for index, case in enumerate(cases):
            got, lost, twice, seconds = run_case(args, Path(tmp), case, f"case{index}")
            print(f"| {case} | {got:,} | {lost:,} | {twice:,} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
