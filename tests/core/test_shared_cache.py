"""The embedded default's page cache across processes: three gunicorn workers share stored
pages through the disk cache, and a write made in yet another process shows on the very next
request, whichever worker answers it."""

from __future__ import annotations

import time
import urllib.request

import pytest

from tests.core.workers import shell
from tests.harness.server import gunicorn

WORKERS = 3

pytestmark = pytest.mark.slow

SEED = """
from creators.models import User
from stories.models import Community, Story
from stories.services import story_publish, story_submit
creator = User.objects.create_user("ada", email="ada@example.com", password="x", display_name="Ada")
staff = User.objects.create_user("sam", is_staff=True, password="x")
community = Community.objects.create(name="Rivers", slug="rivers")
story = Story.objects.create(creator=creator, community=community, title="The first title",
                             body="<p>Water.</p>")
story_submit(story=story, actor=creator)
story_publish(story=story, actor=staff)
print(story.get_absolute_url())
"""

RETITLE = """
from stories.models import Story
story = Story.objects.get()
story.title = "The second title"
story.save(update_fields=["title"])
"""


def get(port: int, path: str) -> tuple[str, str, str]:
    """A new connection each time, so the kernel hands it to any of the workers."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return (
            response.headers["X-Worker-Pid"],
            response.headers.get("X-Page-Cache", ""),
            response.read().decode(),
        )


def test_a_write_shows_on_the_next_request_in_every_worker(worker_env, tmp_path):
    env = {**worker_env, "PAGE_CACHE_SECONDS": "300"}
    env.pop("REDIS_URL", None)  # the embedded default: the disk cache
    url = shell(SEED, env=env)
    with gunicorn(env, workers=WORKERS, log=tmp_path / "gunicorn.log") as server:
        port = server.port
        # Every worker serves the page from the shared cache: one stored it (a second after the
        # story was written, pagecache.SETTLE_SECONDS), the others find it there.
        hits: set[str] = set()
        deadline = time.monotonic() + 60
        while hits != server.workers() and time.monotonic() < deadline:
            pid, cache, body = get(port, url)
            assert "The first title" in body
            if cache == "hit":
                hits.add(pid)
            else:
                time.sleep(0.05)
        assert len(hits) == WORKERS, f"only workers {hits} served a stored page"

        shell(RETITLE, env=env)  # a write in a fourth process, as a staff edit in another worker

        answered: set[str] = set()
        deadline = time.monotonic() + 60
        while len(answered) < WORKERS and time.monotonic() < deadline:
            pid, _, body = get(port, url)
            assert "The second title" in body and "The first title" not in body, pid
            answered.add(pid)
        assert len(answered) == WORKERS, f"only workers {answered} answered after the write"
