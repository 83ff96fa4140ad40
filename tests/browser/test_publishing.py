"""From sign-up to a published story: a new writer, a staff reviewer and an anonymous reader."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from creators.models import User
from stories.models import Story
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, scripted
from tests.conftest import make_community, make_user

TITLE = "What the River Taught Me"


@pytest.fixture
def site(transactional_db, live_server):
    make_community("Lifehack", description="Tips for a better life.")
    make_user("sam", is_staff=True, is_superuser=True, password="staff-password-123")
    return live_server


def hero_png(tmp_path):
    path = tmp_path / "river.png"
    image = Image.new("RGB", (1200, 675), (40, 110, 160))
    image.paste((240, 200, 120), (0, 450, 1200, 675))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_new_writer_publishes_a_story_that_readers_then_find(site, browser, tmp_path):
    # 1. A new user signs up and lands on their dashboard.
    writer = scripted(browser.new_context(viewport=DESKTOP).new_page())
    writer.goto(site.url + "/accounts/signup/")
    writer.get_by_label("Username").fill("rivers")
    writer.get_by_label("Display name").fill("Rita Rivers")
    writer.get_by_label("Email").fill("rita@example.com")
    writer.get_by_label("Password", exact=True).fill("a long river password 42")
    writer.get_by_label("Password confirmation").fill("a long river password 42")
    writer.get_by_role("button", name="Create my account").click()
    writer.wait_for_url("**/write/")
    assert User.objects.filter(username="rivers", email="rita@example.com").exists()

    # 2. They write a story with a heading, a link and a list, and a hero image.
    writer.get_by_role("link", name="Write a story").first.click()
    writer.wait_for_url("**/write/new/")
    writer.get_by_label("Title", exact=True).fill(TITLE)
    writer.get_by_label("Subtitle").fill("Three summers on the water")
    writer.get_by_label("Community").select_option(label="Lifehack")  # no default: a choice
    body = writer.locator(".ProseMirror[contenteditable=true] >> visible=true").first
    body.click()
    writer.keyboard.type("## Where it began")
    writer.keyboard.press("Enter")
    writer.keyboard.type("I learned to paddle from https://example.com/paddling and my aunt. ")
    writer.keyboard.press("Enter")
    writer.keyboard.type("- patience")
    writer.keyboard.press("Enter")
    writer.keyboard.type("humility")
    writer.keyboard.press("Enter")
    writer.keyboard.press("Enter")
    writer.keyboard.type("The river does not hurry, and neither should we.")
    writer.get_by_label("Tags").fill("nature, water")
    writer.get_by_label("Hero image", exact=True).set_input_files(str(hero_png(tmp_path)))
    writer.get_by_label("Caption", exact=True).fill("The river at dawn")
    writer.get_by_label("Alt text", exact=True).fill("A wide blue river under a pale sky")
    screenshot(writer, "editor-filled-1280")
    assert_accessible(writer)
    writer.get_by_role("button", name="Submit for review").click()
    writer.wait_for_url("**/write/")
    assert "is submitted" in writer.locator(".messages").inner_text()
    story = Story.objects.get(title=TITLE)
    assert story.status == Story.Status.SUBMITTED
    assert story.hero_image and story.hero_alt == "A wide blue river under a pale sky"

    # Not public yet: an anonymous reader gets a 404.
    reader = scripted(browser.new_context(viewport=PHONE).new_page())
    assert reader.goto(site.url + story.get_absolute_url()).status == 404

    # 3. Staff publish it from the review queue in the admin.
    staff = scripted(browser.new_context(viewport=DESKTOP).new_page())
    staff.goto(site.url + "/admin/login/?next=/admin/stories/submission/")
    staff.get_by_label("Username").fill("sam")
    staff.get_by_label("Password").fill("staff-password-123")
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url("**/admin/stories/submission/")
    staff.get_by_role("link", name=TITLE).click()
    # content() during the navigation reads the page being left (or an empty one).
    staff.wait_for_url("**/admin/stories/submission/*/change/")
    staff.wait_for_load_state()
    assert "Where it began" in staff.content()
    screenshot(staff, "admin-review-preview-1280")
    staff.get_by_role("button", name="Publish", exact=True).click()
    staff.wait_for_url("**/admin/stories/submission/")
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED

    # 4. An anonymous reader finds it on Explore and reads it, formatted as written.
    reader.goto(site.url + "/explore/")
    reader.get_by_role("link", name=TITLE).click()
    reader.wait_for_url("**" + story.get_absolute_url())
    article = reader.locator("[data-block=body]")
    assert article.locator("h2").inner_text() == "Where it began"
    link = article.get_by_role("link", name="https://example.com/paddling")
    assert link.get_attribute("href") == "https://example.com/paddling"
    assert article.locator("ul li").all_inner_texts() == ["patience", "humility"]
    assert reader.locator("[data-block=hero] figcaption").inner_text() == "The river at dawn"
    hero = reader.locator("[data-block=hero] img")
    assert hero.get_attribute("alt") == "A wide blue river under a pale sky"
    assert hero.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "By Rita Rivers" in reader.locator("[data-block=byline]").inner_text()
    screenshot(reader, "published-story-390")
    assert_accessible(reader)
    # Closed here, or a page left open keeps sending requests into the next test's database.
    for page in (writer, staff, reader):
        page.context.close()


def test_autosave_keeps_a_draft_and_leaving_warns(site, browser):
    page = scripted(browser.new_context(viewport=PHONE).new_page())
    make_user("jo", password="jo-password-1234")
    page.goto(site.url + "/accounts/login/?next=/write/new/")
    page.get_by_label("Username").fill("jo")
    page.get_by_label("Password").fill("jo-password-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/write/new/")
    page.get_by_label("Title", exact=True).fill("Autosaved thoughts")
    page.get_by_label("Community").select_option(label="Lifehack")
    page.locator(".ProseMirror[contenteditable=true] >> visible=true").first.click()
    page.keyboard.type("Words that must not be lost.")
    status = page.locator("[data-autosave-status]")
    status.filter(has_text=re.compile(r"^Saved")).wait_for(timeout=10_000)
    story = Story.objects.get(title="Autosaved thoughts")
    assert story.status == Story.Status.DRAFT
    assert "Words that must not be lost." in story.body
    assert page.url.endswith(f"/write/{story.pk}/")  # later saves update this draft
    screenshot(page, "editor-autosaved-390")
    assert_accessible(page)

    # Typing more and leaving at once asks first.
    page.keyboard.type(" More.")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    with page.expect_event("dialog"):
        page.evaluate("window.location.href = '/explore/'")
    assert dialogs == ["beforeunload"]
    # Its autosave of " More." finishes here, not in the next test's database.
    status.filter(has_text=re.compile(r"^Saved")).wait_for(timeout=10_000)
    page.context.close()
