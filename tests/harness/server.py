"""A real gunicorn server of several workers for tests about what processes share (the cache,
rate limits): each response names the worker that answered (tests/harness/worker_pid_wsgi.py)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.harness.fanout import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log: Path) -> Iterator[Server]:
    """Serve the site from `workers` sync workers (no configuration file) until the block ends."""
    port = free_port()
    empty_config = log.parent / "gunicorn-empty.conf.py"
    empty_config.write_text("")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "tests.harness.worker_pid_wsgi:application",
            "-c",
            str(empty_config),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"gunicorn did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield Server(process, port)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def workers(self) -> set[str]:
        """The worker processes' ids, as the X-Worker-Pid header gives them."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return set(children.read_text().split())
