"""A reader selects a passage and sends its author a private note; the author finds it on the
dashboard with the passage, marks it done and replies; the reader reads the reply. On a phone
and a desk, under the enforced Content-Security-Policy, axe-clean at every step."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from notes.models import Note
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot
from tests.browser.test_csp import COLLECT_VIOLATIONS
from tests.conftest import make_community, make_story, make_user

CREATOR_PASSWORD = "creator-password-1234"
READER_PASSWORD = "reader-password-1234"
PASSAGE = "drink a glass of water"

BODY = (
    "<p>Wake up early and drink a glass of water before anything else. The kettle can wait, "
    "and so can the news: the first ten minutes of the day are yours.</p>"
    "<p>Open a window. Cold air is a better alarm clock than any phone, and it costs nothing. "
    "Then sit down with a notebook and write three lines about yesterday.</p>"
)

# Selects PASSAGE inside the story's first paragraph, as a reader's drag would.
SELECT = """(passage) => {
  const paragraph = document.querySelector(".story__body p");
  const text = paragraph.firstChild;
  const start = text.data.indexOf(passage);
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, start + passage.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  const box = range.getBoundingClientRect();
  return {x: box.x, y: box.y, bottom: box.bottom, right: box.right};
}"""


@pytest.fixture
def note_site(transactional_db, live_server):
    cache.clear()  # rate-limit counters from earlier tests in this process
    creator = make_user(
        "amelia",
        display_name="Amelia Wilson",
        password=CREATOR_PASSWORD,
        email="amelia@example.com",
    )
    make_user("ruth", display_name="Ruth Reader", password=READER_PASSWORD, email="ruth@ex.com")
    story = make_story(
        creator=creator, community=make_community("Lifehack"), title="Slow Mornings", body=BODY
    )
    yield live_server, story
    cache.clear()


def log_in(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_reader_notes_a_passage_and_the_author_deals_with_it(note_site, page_at, viewport):
    server, story = note_site
    width = viewport["width"]
    page = page_at(viewport)
    page.add_init_script(COLLECT_VIOLATIONS)

    # Anonymous: the invitation at the end of the story; the button waits for a selection.
    page.goto(server.url + story.get_absolute_url())
    invite = page.get_by_role("link", name="Send the author a note")
    assert invite.is_visible()
    button = page.get_by_role("link", name="Note to the author")
    assert button.count() == 0 or not button.is_visible()

    # Selecting a passage shows the button just under it, inside the screen.
    selection = page.evaluate(SELECT, PASSAGE)
    button.wait_for(state="visible")
    box = button.bounding_box()
    assert selection["bottom"] <= box["y"] <= selection["bottom"] + 40
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"notes-selection-{width}")
    assert_accessible(page)
    # Clearing the selection hides it again.
    page.evaluate("window.getSelection().removeAllRanges()")
    button.wait_for(state="hidden")
    page.evaluate(SELECT, PASSAGE)
    button.wait_for(state="visible")
    assert page.evaluate("window.__cspViolations") == []

    # The button is a link to the form: log in first, then the passage is there, not editable.
    button.click()
    page.wait_for_url("**/accounts/login/**")
    log_in(page, "ruth", READER_PASSWORD)
    page.wait_for_url(f"**/notes/new/{story.pk}/**")
    assert page.get_by_role("heading", name="A note to Amelia Wilson").is_visible()
    quoted = page.locator("blockquote.note-quote")
    assert quoted.inner_text() == PASSAGE
    assert page.get_by_label("The passage your note is about").count() == 0
    page.get_by_label("Your note", exact=True).fill(
        "Warm water works even better for me, by the way."
    )
    screenshot(page, f"notes-form-{width}")
    assert_accessible(page)
    page.get_by_role("button", name="Send the note").click()
    page.wait_for_url(f"**{story.get_absolute_url()}")
    assert "Your note is on its way to Amelia Wilson." in page.locator(".messages").inner_text()
    note = Note.objects.get()
    assert note.quote == PASSAGE and note.reader.username == "ruth"

    # The author: the note on the dashboard, with the passage and the story.
    author = page_at(viewport)
    author.goto(server.url + "/write/")
    log_in(author, "amelia", CREATOR_PASSWORD)
    author.wait_for_url("**/write/")
    notes = author.locator("section.notes-summary")
    assert notes.get_by_role("heading", name="Notes from readers").is_visible()
    card = notes.locator(f"#note-{note.pk}")
    assert card.locator("blockquote.note-quote").inner_text() == PASSAGE
    assert card.get_by_role("link", name="Slow Mornings").is_visible()
    assert "Warm water works even better" in card.inner_text()
    assert author.evaluate("document.documentElement.scrollWidth") <= width
    notes.scroll_into_view_if_needed()
    screenshot(author, f"notes-dashboard-{width}")
    assert_accessible(author)

    # Mark it done: it leaves the open notes.
    card.get_by_role("button", name="Mark done").click()
    author.wait_for_url("**/write/")
    assert "is marked done" in author.locator(".messages").inner_text()
    assert author.locator(f"section.notes-summary #note-{note.pk}").count() == 0
    assert "No open notes." in author.locator("section.notes-summary").inner_text()

    # Reply once, from the notes page.
    author.locator("section.notes-summary").get_by_role("link", name="All notes").click()
    author.wait_for_url("**/notes/")
    done = author.locator("section[aria-labelledby='notes-done']")
    assert done.locator(f"#note-{note.pk}").is_visible()
    screenshot(author, f"notes-inbox-{width}")
    assert_accessible(author)
    done.get_by_role("link", name="Reply").click()
    author.wait_for_url(f"**/notes/{note.pk}/**")
    author.get_by_label("Your reply").fill("Thank you, Ruth! I’ll try it tomorrow.")
    screenshot(author, f"notes-reply-{width}")
    assert_accessible(author)
    author.get_by_role("button", name="Send the reply").click()
    author.wait_for_url(f"**/notes/{note.pk}/")
    assert "Your reply is on its way to Ruth Reader." in author.locator(".messages").inner_text()
    assert "Thank you, Ruth!" in author.locator(f"#note-{note.pk}").inner_text()
    assert author.get_by_role("button", name="Send the reply").count() == 0

    # The reader reads the reply on their notes page.
    page.goto(server.url + "/notes/sent/")
    sent = page.locator(f"#note-{note.pk}")
    assert "Amelia Wilson replied" in sent.inner_text()
    assert "Thank you, Ruth!" in sent.inner_text()
    assert sent.locator("blockquote.note-quote").inner_text() == PASSAGE
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"notes-sent-{width}")
    assert_accessible(page)

    # The author turns notes off in Settings: the story offers none any more.
    author.goto(server.url + "/settings/#notes")
    switch = author.get_by_label("Accept private notes from readers")
    assert switch.is_checked()
    switch.uncheck()
    author.get_by_role("button", name="Save note choice").click()
    author.wait_for_url("**/settings/#notes")
    assert "Notes are off" in author.locator(".messages").inner_text()
    assert not author.get_by_label("Accept private notes from readers").is_checked()
    author.locator("#notes").scroll_into_view_if_needed()
    screenshot(author, f"notes-settings-{width}")
    assert_accessible(author)
    page.goto(server.url + story.get_absolute_url())
    assert page.get_by_role("link", name="Send the author a note").count() == 0
    # Neither the button nor its script is on the page, so a selection shows nothing.
    assert page.locator("[data-note-button], script[src*='story-notes']").count() == 0


def test_without_javascript_the_link_at_the_end_opens_the_form_to_paste_into(note_site, browser):
    server, story = note_site
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.url + "/accounts/login/")
        log_in(page, "ruth", READER_PASSWORD)
        page.wait_for_url("**/")
        page.goto(server.url + story.get_absolute_url())
        assert not page.get_by_role("link", name="Note to the author").is_visible()
        page.get_by_role("link", name="Send the author a note").click()
        page.wait_for_url(f"**/notes/new/{story.pk}/")
        # A passage not in the story: a clear error, and what was typed is kept.
        page.get_by_label("The passage your note is about").fill("drink a pint of water")
        page.get_by_label("Your note", exact=True).fill("Is it a glass or a pint?")
        page.get_by_role("button", name="Send the note").click()
        assert "Your note was not sent." in page.locator(".form-errors").inner_text()
        # The reason is next to the passage's field.
        assert page.get_by_text("We couldn’t find this passage in the story.").is_visible()
        passage = page.get_by_label("The passage your note is about")
        assert passage.input_value() == "drink a pint of water"
        assert (
            page.get_by_label("Your note", exact=True).input_value() == "Is it a glass or a pint?"
        )
        passage.fill(PASSAGE)
        page.get_by_role("button", name="Send the note").click()
        page.wait_for_url(f"**{story.get_absolute_url()}")
        assert Note.objects.get().quote == PASSAGE
    finally:
        context.close()
