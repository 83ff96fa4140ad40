"""Jobs for the job tests: each leaves one line in a file per run, so a test (or a worker in
another process) can count exactly how often it ran."""

from __future__ import annotations

from pathlib import Path

from core.jobs import job


def runs(path: str) -> list[str]:
    file = Path(path)
    return file.read_text().splitlines() if file.exists() else []


@job
def note(*, path: str, text: str) -> str:
    with open(path, "a") as file:
        file.write(text + "\n")
    return text


@job
def flaky(*, path: str, failures: int) -> int:
    """Fails its first `failures` runs, then succeeds; returns how many runs it took."""
    with open(path, "a") as file:
        file.write("ran\n")
    count = len(runs(path))
    if count <= failures:
        raise ConnectionError(f"mail server away (run {count})")
    return count
