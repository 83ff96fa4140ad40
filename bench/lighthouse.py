"""Lighthouse over every page type, signed in and out, at mobile and desktop: one table.

    .venv/bin/python bench/lighthouse.py [--pages home,story] [--presets mobile,desktop]
                                         [--data-dir DIR] [--json FILE]   (or: make lighthouse)

Serves the site as bench/site_benchmark.py does (gunicorn with gunicorn.conf.py, DJANGO_DEBUG
false, collectstatic into its own STATIC_ROOT) on a fresh SQLite database filled by the demo
commands (`make demo`'s), signs one demo creator in (a session made the way the test client
makes one, sent to Lighthouse with --extra-headers) and runs the npm `lighthouse` (12 or
later; `npm install -g lighthouse`) with CHROME_PATH set to Debian's Chromium, headless. It
prints performance, accessibility, best practices and SEO scores with LCP and TBT per page,
and under the table every audit that cost a point. CI does not run it: it takes minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import site_benchmark as bench  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PRESETS = ("mobile", "desktop")

# What the signed-in reader (the demo creator of the seed story) is shown; the public pages
# are run both ways.
PUBLIC = ("home", "explore", "community", "tag", "story", "profile", "search")
SIGNED_IN_ONLY = (
    "editor",
    "dashboard",
    "wallet",
    "stats",
    "feed",
    "settings",
    "notifications",
)

# Run in the server's environment: the URLs of each page type on the demo data, and a session
# for the seed story's creator.
DISCOVER = r"""
import json
import django
django.setup()
from django.test import Client
from django.urls import reverse
from stories.models import Story
story = (
    Story.objects.published().exclude(hero_image="").order_by("published_at").first()
    or Story.objects.published().order_by("published_at").first()
)
tag = story.tags.first()
client = Client()
client.force_login(story.creator)
urls = {
    "home": "/",
    "explore": "/explore/",
    "community": story.community.get_absolute_url(),
    "tag": reverse("stories:tag", args=[story.community.slug, tag.slug]) if tag else None,
    "story": story.get_absolute_url(),
    "profile": story.creator.get_absolute_url(),
    "search": "/search/?q=" + story.title.split()[0],
    "editor": reverse("stories:edit", args=[story.pk]),
    "dashboard": reverse("stories:dashboard"),
    "wallet": reverse("support:wallet"),
    "stats": reverse("stats:creator"),
    "feed": reverse("subscriptions:feed"),
    "settings": reverse("creators:settings"),
    "notifications": reverse("notifications:list"),
}
print("RESULT " + json.dumps({"urls": urls, "session": client.cookies["sessionid"].value}))
"""


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def discover(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", DISCOVER],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def chrome_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    sys.exit("No Chromium on the PATH: apt-get install chromium")


def lighthouse(url: str, preset: str, cookie: str | None, out: Path, chrome: str) -> dict:
    command = [
        shutil.which("lighthouse") or sys.exit("No lighthouse: npm install -g lighthouse"),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, env={**os.environ, "CHROME_PATH": chrome}, check=True)
    return json.loads(out.read_text())


def summarise(report: dict) -> dict:
    categories = report["categories"]
    audits = report["audits"]
    lost = []
    for name in CATEGORIES:
        for ref in categories[name]["auditRefs"]:
            audit = audits[ref["id"]]
            score = audit.get("score")
            mode = audit.get("scoreDisplayMode")
            if mode in ("notApplicable", "manual", "informative") or score is None:
                continue
            # Opportunities weigh nothing in the score, but say what is left to do.
            if score < 1 and (ref.get("weight", 0) > 0 or mode == "metricSavings"):
                lost.append(f"{name}: {audit['id']} ({audit.get('displayValue') or score})")
    return {
        "scores": {name: round((categories[name]["score"] or 0) * 100) for name in CATEGORIES},
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lost": lost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(PUBLIC + SIGNED_IN_ONLY))
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the results here too")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    presets = [p for p in args.presets.split(",") if p]
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="byline-lighthouse-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    chrome = chrome_path()

    options = SimpleNamespace(data_dir=data_dir, database="sqlite")
    port = bench.free_port()
    env = bench.base_env(options, "lighthouse")
    env.update(
        BYLINE_BENCHMARK="false",
        SITE_URL=f"http://127.0.0.1:{port}",
        HOST="127.0.0.1",
        PORT=str(port),
        GUNICORN_LOG_LEVEL="warning",
    )
    print(f"data in {data_dir}; collectstatic, migrate, demo data …", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    manage(env, "migrate", "--no-input")
    # One argument: a token that starts with "-" would read as an option.
    manage(env, "load_demo", "--password=" + secrets.token_urlsafe(16))
    manage(env, "load_demo_support")
    manage(env, "load_demo_reads")
    found = discover(env)
    urls, session = found["urls"], found["session"]

    command = [bench.gunicorn(), "platform_site.wsgi", "-c", "gunicorn.conf.py"]
    site = bench.start_server(command, ROOT, env, port, stdout=subprocess.DEVNULL)
    results = []
    try:
        runs = []
        for page in pages:
            if urls.get(page) is None:
                print(f"{page}: no such page in the demo data; skipped", flush=True)
                continue
            ways = [False, True] if page in PUBLIC else [True]
            runs += [(page, signed_in, preset) for signed_in in ways for preset in presets]
        for page, signed_in, preset in runs:
            url = f"http://127.0.0.1:{port}{urls[page]}"
            # Warm: the first request of each page fills the page cache, as a reader's would.
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=30):
                pass
            cookie = f"sessionid={session}" if signed_in else None
            out = data_dir / f"{page}-{'in' if signed_in else 'out'}-{preset}.json"
            who = "signed in" if signed_in else "anonymous"
            print(f"lighthouse {page} ({who}, {preset}) …", flush=True)
            # Lighthouse now and then fails to record the trace (NO_NAVSTART): up to twice more.
            summary = None
            for attempt in (1, 2, 3):
                try:
                    summary = summarise(lighthouse(url, preset, cookie, out, chrome))
                    break
                except (subprocess.CalledProcessError, OSError, ValueError, KeyError) as error:
                    print(f"   attempt {attempt} failed: {error}", flush=True)
            if summary is None:
                continue
            results.append({"page": page, "signed_in": signed_in, "preset": preset, **summary})
            scores = " ".join(str(summary["scores"][name]) for name in CATEGORIES)
            print(
                f"   {scores}  LCP {summary['lcp']:.2f} s  TBT {summary['tbt']:.0f} ms", flush=True
            )
    finally:
        bench.stop_server(site)
    print_table(
        results,
        subprocess.run(["lighthouse", "--version"], capture_output=True, text=True).stdout.strip(),
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def print_table(results: list[dict], version: str) -> None:
    print()
    print(f"Lighthouse {version}, Chromium headless, gunicorn with DJANGO_DEBUG=false")
    print()
    print("| page | reader | device | perf | a11y | best pr. | SEO | LCP s | TBT ms | CLS |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        s = r["scores"]
        print(
            f"| {r['page']} | {'signed in' if r['signed_in'] else 'anonymous'} | {r['preset']} "
            f"| {s['performance']} | {s['accessibility']} | {s['best-practices']} | {s['seo']} "
            f"| {r['lcp']:.2f} | {r['tbt']:.0f} | {r['cls']:.3f} |"
        )
    # One line per audit: where it cost a point, with the largest value it showed.
    by_audit: dict[str, list[str]] = {}
    for r in results:
        who = f"{r['page']} ({'in' if r['signed_in'] else 'out'}, {r['preset']})"
        for item in r["lost"]:
            by_audit.setdefault(item.split(" (")[0], []).append(f"{who}: {item.split(' (', 1)[-1]}")
    if by_audit:
        print()
        print("Audits below full marks:")
        for audit, where in sorted(by_audit.items()):
            print(f"- {audit}: " + "; ".join(w.rstrip(")") for w in where))


if __name__ == "__main__":
    main()
