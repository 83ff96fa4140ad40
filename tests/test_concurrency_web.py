"""Fifty readers at once through a real threaded server: each logs in, then all post a comment
at the same moment, then all tip at the same moment. Nothing is lost, nothing is a 500, and the
ledger adds up; on SQLite (a file, as the site runs it) and on PostgreSQL alike."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from comments.models import Comment
from support.models import LedgerEntry, Tip
from support.money import split_fee
from support.selectors import balance_of
from support.services import support_settings_update
from tests.conftest import make_community, make_story, make_user
from tests.support.conftest import threads_share_the_database  # noqa: F401 (a fixture)

READERS = 50
PASSWORD = "a reader's password 50"
TIP_CENTS = 500


@pytest.fixture
def server(threads_share_the_database, settings) -> Iterator[str]:  # noqa: F811
    """A threaded server of our own, one thread per request, each on its own connection.

    pytest-django's live_server hands an in-memory SQLite test database's one connection to
    every request thread, which serialises them through it; here every request opens its own
    connection to the file copy threads_share_the_database made (on PostgreSQL, to the test
    database), as the site's workers do.
    """
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.PLATFORM_FEE_BASIS_POINTS = 700
    settings.SUPPORT_CURRENCY = "usd"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The readers come through one load balancer, which tells them apart by the address it
    # saw: the default per-address limits then hold each reader alone, as in production, and
    # the per-account ones too (one comment and one tip each).
    settings.TRUSTED_PROXY_COUNT = 1
    thread = LiveServerThread("localhost", _StaticFilesHandler, connections_override={})
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


@pytest.mark.slow  # fifty readers' requests at once
def test_fifty_readers_comment_and_tip_at_once(server):
    alice = make_user("alice", display_name="Alice Walker")
    support_settings_update(creator=alice, accepts_support=True)
    story = make_story(creator=alice, community=make_community("Lifehack"), title="Busy day")
    readers = [make_user(f"reader{i}", password=PASSWORD) for i in range(READERS)]
    comment_url = f"{server}/comments/{story.pk}/post/"
    tip_url = f"{server}/support/tip/{alice.username}/"

    together = threading.Barrier(READERS)
    statuses: dict[str, list[int]] = {"login": [], "comment": [], "tip": []}
    errors: list[BaseException] = []

    def post(browser: requests.Session, url: str, data: dict) -> int:
        data = {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        return browser.post(url, data=data, allow_redirects=False, timeout=60).status_code

    def reader(i: int) -> None:
        try:
            browser = requests.Session()
            browser.trust_env = False  # no proxy from the environment between us and localhost
            browser.headers["X-Forwarded-For"] = f"198.51.100.{i + 1}"  # as the balancer adds
            browser.get(f"{server}/accounts/login/", timeout=60)
            statuses["login"].append(
                post(
                    browser,
                    f"{server}/accounts/login/",
                    {"username": readers[i].username, "password": PASSWORD},
                )
            )
            together.wait(timeout=120)
            statuses["comment"].append(post(browser, comment_url, {"body": f"Comment {i}"}))
            together.wait(timeout=120)
            statuses["tip"].append(
                post(browser, tip_url, {"preset": str(TIP_CENTS), "message": f"Tip {i}"})
            )
        except BaseException as error:  # reported below, with the thread's number
            errors.append(error)
            together.abort()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # Every one answered with its redirect: no 500, no 429, no lost lock.
    assert statuses == {
        "login": [302] * READERS,
        "comment": [302] * READERS,
        "tip": [302] * READERS,
    }
    assert sorted(Comment.objects.values_list("body", flat=True)) == sorted(
        f"Comment {i}" for i in range(READERS)
    )
    assert set(Comment.objects.values_list("author__username", flat=True)) == {
        r.username for r in readers
    }
    tips = Tip.objects.filter(status=Tip.Status.SUCCEEDED, creator=alice)
    assert tips.count() == READERS
    assert set(tips.values_list("supporter__username", flat=True)) == {r.username for r in readers}
    # The ledger: one charge and one fee per tip, and the balance is every tip's net.
    fee, net = split_fee(TIP_CENTS, 700)
    entries = LedgerEntry.objects.filter(creator=alice)
    assert list(entries.filter(kind="charge").values_list("amount", flat=True)) == [TIP_CENTS] * 50
    assert list(entries.filter(kind="fee").values_list("amount", flat=True)) == [fee] * READERS
    assert entries.count() == 2 * READERS
    assert balance_of(creator_id=alice.pk, currency="usd") == net * READERS
