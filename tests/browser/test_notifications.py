"""Notifications in Chromium: a demo creator sees the bell's count in the header, opens the
list (grouped likes, insights, subscribers, a review decision, a pick), marks one and then all
as read, and finds the switches in Settings; at both widths, without axe violations."""

from __future__ import annotations

import pytest

from creators.models import User
from notifications import receivers, services
from notifications.models import Kind
from stories.models import Story
from stories.services import story_pick
from subscriptions.services import subscription_create
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, build_demo, screenshot
from tests.conftest import make_user

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
PASSWORD = "a creator's long password 9"


@pytest.fixture
def creator(demo_data, live_server) -> User:
    demo_data("demo", build_demo)
    amelia = User.objects.get(username="ameliawilson")
    amelia.set_password(PASSWORD)
    amelia.save()
    return amelia


def notify_the_creator(creator: User) -> int:
    """Events of each kind, through the receivers and jobs (the live server's database commits,
    so the jobs run as each event commits). Returns the unread count they make."""
    story = Story.objects.get(title=SEED_TITLE)
    readers = [make_user(f"fan{i}", display_name=f"Fan Number {i}") for i in range(12)]
    for reader in readers:
        receivers.story_liked(sender=None, like=None, story=story, reader=reader)  # one group
    for reader in readers[:3]:
        receivers.grouped(Kind.INSIGHTS, story_id=story.pk, actor_id=reader.pk)  # another
    for reader in readers[:2]:
        subscription_create(subscriber=reader, creator=creator)  # two lines
    staff = User.objects.filter(is_staff=True).first()
    story_pick(story=story, actor=staff, reason="A clear guide to a hard choice.")  # one line
    return 1 + 1 + 2 + 1


def bell(page):
    return page.locator(".site-header .bell")


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_bell_the_list_and_mark_all_read(creator, live_server, page_at, viewport):
    unread = notify_the_creator(creator)
    assert User.objects.get(pk=creator.pk).unread_notifications == unread
    width = viewport["width"]
    page = page_at(viewport)
    log_in(page, live_server.url, creator.username, PASSWORD)
    page.goto(live_server.url + "/")

    # The bell, in the header, with its number on it, named for screen readers.
    assert bell(page).is_visible()
    assert bell(page).get_attribute("href") == "/notifications/"
    count = bell(page).locator(".bell__count")
    assert count.inner_text().strip() == str(unread)
    assert page.get_by_role("link", name=f"Notifications, {unread} unread").is_visible()
    header = page.locator(".site-header").bounding_box()
    badge = count.bounding_box()
    icon = bell(page).locator("svg").bounding_box()
    assert (
        header["y"] <= badge["y"] and badge["y"] + badge["height"] <= header["y"] + header["height"]
    )
    assert badge["x"] + badge["width"] <= width
    # The number sits on the bell's top right, overlapping it.
    assert icon["x"] < badge["x"] < icon["x"] + icon["width"] + 4
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"notifications-bell-{width}")
    assert_accessible(page)

    bell(page).click()
    page.wait_for_url("**/notifications/")
    items = page.locator(".notification-list > li")
    assert items.count() == unread
    assert page.locator(".notification--unread").count() == unread
    text = page.locator(".notification-list").inner_text()
    assert f"12 people liked “{SEED_TITLE}”" in text
    assert f"3 readers left insights on “{SEED_TITLE}”" in text
    assert "Fan Number 1 subscribed to you" in text
    assert "was picked as a Top Story" in text and "A clear guide to a hard choice." in text
    # Newest first: the pick came last.
    assert "Top Story" in items.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"notifications-list-{width}")
    assert_accessible(page)

    # Mark one as read: it loses its mark, and the bell counts one fewer.
    first = items.first
    first.get_by_role("button", name="Mark as read").click()
    page.wait_for_url("**/notifications/?page=1")
    assert page.locator(".notification--unread").count() == unread - 1
    assert bell(page).locator(".bell__count").inner_text().strip() == str(unread - 1)

    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_url("**/notifications/**")
    assert page.locator(".notification--unread").count() == 0
    assert bell(page).locator(".bell__count").count() == 0
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    assert "All read" in page.locator("main").inner_text()
    assert User.objects.get(pk=creator.pk).unread_notifications == 0
    screenshot(page, f"notifications-read-{width}")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_switches_in_settings(creator, live_server, page_at, viewport):
    width = viewport["width"]
    page = page_at(viewport)
    log_in(page, live_server.url, creator.username, PASSWORD)
    page.goto(live_server.url + "/settings/#notifications")
    section = page.locator("#notifications")
    assert section.is_visible()
    tips_by_email = page.get_by_label("Tips: by email")
    assert not tips_by_email.is_checked()
    assert page.get_by_label("Likes on my stories: on this site").is_checked()
    table = section.locator("table").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    section.scroll_into_view_if_needed()
    screenshot(page, f"notifications-settings-{width}")
    assert_accessible(page)

    tips_by_email.check()
    page.get_by_label("One email a day with the day’s notifications").check()
    page.get_by_role("button", name="Save notification choices").click()
    page.wait_for_url("**/settings/#notifications")
    assert "Your notification choices were saved." in page.locator(".messages").inner_text()
    assert page.get_by_label("Tips: by email").is_checked()
    assert page.get_by_label("One email a day with the day’s notifications").is_checked()
    switches, mode = services.preferences_of(creator)
    assert switches[Kind.TIP].email and mode == "digest"
