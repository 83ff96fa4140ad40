"""Time `core.images.process_upload` on every file of the test image corpus (tests/data/images).

    .venv/bin/python bench/image_corpus_benchmark.py [--repeat 3] [--limit 1.0]

The tests check the work each upload costs (pixels decoded, tests/core/test_images.py), which
is the same on any machine; the time it takes is measured here, where a busy machine makes a
slow number instead of a failed test. Prints each file's best time of `--repeat` runs, what
became of it (re-encoded or the refusal's code), the load average when it ran, and the files
over `--limit` seconds (exit status 1 if any).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "tests" / "data" / "images"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the best counts")
    parser.add_argument("--limit", type=float, default=1.0, help="seconds a file may take")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    from core.images import process_upload

    corpus = sorted(p for p in CORPUS_DIR.rglob("*") if p.is_file() and p.suffix != ".md")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    slow = []
    total = 0.0
    for path in corpus:
        data = path.read_bytes()
        best = float("inf")
        outcome = ""
        for _ in range(args.repeat):
            started = time.perf_counter()
            try:
                result = process_upload(data)
                outcome = f"re-encoded {Path(result.name).suffix}"
            except ValidationError as error:
                outcome = f"refused: {error.code}"
            best = min(best, time.perf_counter() - started)
        total += best
        name = str(path.relative_to(CORPUS_DIR))
        print(f"{best * 1000:9.1f} ms  {name:55} {outcome}")
        if best > args.limit:
            slow.append(name)
    print(f"{len(corpus)} files, {total:.2f} s in all (best of {args.repeat} each)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if slow:
        print(f"over {args.limit} s: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
