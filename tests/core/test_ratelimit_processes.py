"""Rate limits hold across processes on the embedded default (issue 14, item 9): a reader who
posts comments as fast as they can, each request landing on any of three gunicorn workers,
gets the five a minute the limit allows and a 429 for the rest."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.core.workers import shell
from tests.harness.server import gunicorn

pytestmark = pytest.mark.slow

SEED = """
from creators.models import User
from stories.models import Community, Story
from stories.services import story_publish, story_submit
creator = User.objects.create_user("ada", email="ada@example.com", password="x")
staff = User.objects.create_user("sam", is_staff=True, password="x")
User.objects.create_user("rita", email="rita@example.com", password="a long river password 42")
story = Story.objects.create(creator=creator, community=Community.objects.create(
    name="Rivers", slug="rivers"), title="Currents", body="<p>Water.</p>")
story_submit(story=story, actor=creator)
story_publish(story=story, actor=staff)
print(story.pk)
"""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_five_comments_a_minute_across_three_workers(worker_env, tmp_path):
    env = {**worker_env, "RATE_LIMITS": "comment.user=5/m,comment.address=100/m"}
    env.pop("REDIS_URL", None)  # the embedded default: limits counted in the disk cache
    story_id = shell(SEED, env=env)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirects)
    with gunicorn(env, workers=3, log=tmp_path / "gunicorn.log") as server:
        login_page = browser.open(f"{server.url}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        _post(browser, f"{server.url}/accounts/login/", token, "rita", "a long river password 42")
        cookies = {cookie.name: cookie.value for cookie in jar}
        assert "sessionid" in cookies, "the login did not take"
        token = cookies["csrftoken"]  # a login rotates it; the cookie's secret is a valid token

        statuses, workers = [], set()
        for n in range(16):
            try:
                response = _post_comment(browser, server.url, story_id, token, n)
            except urllib.error.HTTPError as refused:
                response = refused
            statuses.append(response.status)
            workers.add(response.headers["X-Worker-Pid"])
            if response.status == 429:
                assert "faster than we allow" in response.read().decode()
        # The kernel hands each connection to whichever worker accepts first: not always all
        # three in sixteen, but the count must have crossed processes for the test to mean it.
        assert len(workers) >= 2, f"one worker took every comment: {workers}"
    assert statuses.count(302) == 5, statuses
    assert statuses.count(429) == 11, statuses
    count = "from comments.models import Comment; print(Comment.objects.count())"
    assert shell(count, env=env) == "5"


def _post(browser, url: str, token: str, username: str, password: str):
    data = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    try:
        return browser.open(url, urllib.parse.urlencode(data).encode())
    except urllib.error.HTTPError as redirect:
        assert redirect.status == 302, redirect.read().decode()[:500]
        return redirect


def _post_comment(browser, base: str, story_id: str, token: str, n: int):
    data = {"csrfmiddlewaretoken": token, "body": f"Comment number {n}."}
    return browser.open(f"{base}/comments/{story_id}/post/", urllib.parse.urlencode(data).encode())
