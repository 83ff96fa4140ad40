"""Real processes for the crash tests of the new-story fan-out: an SMTP sink that counts what
each address receives, a story published to many subscribers in a database worker processes
can see, and job workers to start and kill (`kill -9`).

Used by tests/subscriptions/test_fanout_crash.py and bench/fanout_faults.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SEED = """
from django.db import transaction
from creators.models import User
from stories.models import Community, Story
from stories.services import story_publish, story_submit
from subscriptions.models import Subscription

creator = User.objects.create_user("fanout-creator", email="creator@example.com", password="x")
staff = User.objects.create_user("fanout-staff", is_staff=True, password="x")
readers = User.objects.bulk_create(
    User(username=f"reader{{i}}", email=f"reader{{i}}@example.com") for i in range({count})
)
Subscription.objects.bulk_create(Subscription(subscriber=r, creator=creator) for r in readers)
community = Community.objects.create(name="Fan-out", slug="fan-out")
story = Story.objects.create(creator=creator, community=community, title="News", body="<p>Hi</p>")
story_submit(story=story, actor=creator)
with transaction.atomic():
    story_publish(story=story, actor=staff)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """A local SMTP server (aiosmtpd) that counts the messages each recipient received.

    A message counts only once the client has ended its DATA: a connection that drops before
    that (a killed worker) delivers nothing, as with any SMTP server.
    """

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = None
        self._trip: tuple[str, int, Callable[[], object]] | None = None
        self.tripped = threading.Event()

    def trip(self, stage: str, *, at: int, action: Callable[[], object]) -> None:
        """Run `action` once, inside the SMTP conversation, before answering the client:

        - "end": when the `at`-th message has ended (the dot read, the message counted): the
          client has handed it over and waits for the answer;
        - "rcpt": when a recipient is named while `at` messages have arrived: the message after
          the `at`-th is under way and nothing of it is handed over.

        The client is blocked on the answer, so `action` (a `kill -9`) finds it at exactly that
        point of the conversation, every run.
        """
        assert stage in ("end", "rcpt")
        self._trip = (stage, at, action)

    def _maybe_trip(self, stage: str) -> None:
        if self._trip is None or self._trip[0] != stage or self.total < self._trip[1]:
            return
        action, self._trip = self._trip[2], None
        action()
        self.tripped.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        self._maybe_trip("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.received.update(envelope.rcpt_tos)
        self._maybe_trip("end")
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())

    def snapshot(self) -> Counter[str]:
        with self.lock:
            return Counter(self.received)

    def wait_for(self, condition: Callable[[SmtpSink], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return True
            time.sleep(0.05)
        return condition(self)

    def wait_until_quiet(self, *, expected: int, timeout: float, quiet: float = 2.0) -> None:
        """Until `expected` messages arrived and then `quiet` seconds passed with no more (a
        duplicate would arrive late), or `timeout`."""
        deadline = time.monotonic() + timeout
        self.wait_for(lambda sink: sink.total >= expected, timeout)
        last, since = self.total, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - since < quiet:
            time.sleep(0.1)
            if self.total != last:
                last, since = self.total, time.monotonic()


def mail_env(env: dict[str, str], sink: SmtpSink) -> dict[str, str]:
    return {**env, "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}?tls=false"}


def seed(env: dict[str, str], *, count: int) -> None:
    """Make a creator with `count` subscribers and publish a story: the fan-out is queued."""
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", SEED.format(count=count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


class Worker:
    """`manage.py jobs_worker` as a process of its own, to start, stop or kill."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "jobs_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def children(self) -> list[int]:
        """Process ids of the worker's children (RQ's work horse)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except (FileNotFoundError, ValueError):
            return []

    def kill(self, *, children_only: bool = False) -> list[int]:
        """`kill -9` the worker and its children, or its children alone; the pids killed."""
        targets = self.children() if children_only else [self.process.pid, *self.children()]
        killed = []
        for pid in targets:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except ProcessLookupError:
                pass
        if not children_only:
            self.process.wait(timeout=10)
        return killed

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        # Whatever is left of its session (a work horse or RQ's scheduler whose parent was
        # killed) must not go on taking jobs from the next run's queue.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()
