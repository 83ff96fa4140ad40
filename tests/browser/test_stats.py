"""Creator stats in Chromium: a demo creator with reads, subscribers, insights and tips opens
/write/stats/ from the dashboard; the charts, their tables and the per-story table fit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from creators.models import User
from insights.models import Insight
from reactions.models import Like
from reactions.services import like_add
from stories.models import Story
from stories.services import story_set_for_supporters
from subscriptions.models import Subscription
from support.models import LedgerEntry
from support.services import support_settings_update, tip_create
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot
from tests.insights.insights_helpers import default_choices, make_readers

PASSWORD = "a creator's long password 9"


@pytest.fixture
def creator(demo_data, live_server, settings) -> User:
    """Amelia, the seed story's creator, after `make demo`, with a year of followers, insights
    and tips; built once per process (conftest.demo_data)."""
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.PLATFORM_FEE_BASIS_POINTS = 700
    settings.SUPPORT_CURRENCY = "usd"
    # On top of the demo, itself kept once built: the reads, followers, insights and tips.
    demo_data("stats-creator", lambda: (demo_data("demo", build_demo), add_to_the_demo()))
    return User.objects.get(username="ameliawilson")


def add_to_the_demo() -> None:
    call_command("load_demo_reads", verbosity=0)
    amelia = User.objects.get(username="ameliawilson")
    amelia.set_password(PASSWORD)
    amelia.save()
    now = timezone.now()
    readers = make_readers(40)
    stories = list(Story.objects.published().filter(creator=amelia))
    rating = default_choices().nice
    for i, reader in enumerate(readers):
        # More followers lately: reader i joined about (40 - i) * 9 days ago.
        joined = now - timedelta(days=(len(readers) - i) * 9)
        Subscription.objects.create(subscriber=reader, creator=amelia, created_at=joined)
        if i % 2:
            Insight.objects.create(
                story=stories[i % len(stories)], reader=reader, rating=rating, created_at=joined
            )
        # issue 16: likes, on the last 20 days
        if i < 20:
            story = stories[i % len(stories)]
            like_add(story=story, reader=reader)
            Like.objects.filter(story=story, reader=reader).update(
                created_at=now - timedelta(days=i)
            )
    support_settings_update(creator=amelia, accepts_support=True)
    # Issue 18: a story for supporters gives the per-story table its fifth column.
    story_set_for_supporters(story=stories[-1], actor=amelia, for_supporters=True)
    for months_ago, amount in enumerate([500, 300, 1000, 200, 700, 500, 1500]):
        tip, _ = tip_create(creator=amelia, supporter=readers[months_ago], amount=amount)
        backdate(now - timedelta(days=30 * months_ago), tip=tip)


def backdate(when, **source) -> None:
    """Move a payment's ledger rows in time, as tests/support does: a test-only shortcut past
    the ledger's append-only rule."""
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        for pk in LedgerEntry.objects.filter(**source).values_list("pk", flat=True):
            cursor.execute(f"UPDATE {table} SET created_at = %s WHERE id = %s", [when, pk])


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_creator_stats(creator, live_server, page_at, viewport):
    width = viewport["width"]
    page = page_at(viewport)
    log_in(page, live_server.url, creator.username, PASSWORD)
    page.goto(live_server.url + "/write/")
    page.get_by_role("link", name="Stats", exact=True).click()
    page.wait_for_url("**/write/stats/")

    figures = page.locator(".stats-figures").inner_text()
    assert "Total reads" in figures and "vs " in figures and "in the 30 days before" in figures
    assert "Subscribers\n40" in figures
    assert "Likes\n20" in figures
    # reads and (issue 16) likes per day; subscribers, insights and income per month
    assert page.locator("svg.bar-chart__svg").count() == 5
    assert page.locator("svg.bar-chart__svg rect.bar-chart__bar").count() == 2 * 30 + 3 * 12
    stories = Story.objects.published().filter(creator=creator).count()
    assert page.locator(".stats-stories tbody tr").count() == stories

    # The numbers read without the picture: each chart's table is one click away.
    table = page.locator(".bar-chart__details").first
    assert not table.locator("table").is_visible()
    table.locator("summary").click()
    assert table.locator("tbody tr").count() == 30
    table.locator("summary").click()

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"stats-{width}")
    assert_accessible(page)
