"""The story editor in a browser (issue 15): images upload, spelling, placeholder, links,
the toolbar's names, typography as published, the community choice and the phone layout."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from creators.models import User
from stories.models import Community, Story
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot
from tests.conftest import make_community, make_story, make_user

PASSWORD = "writer-password-1234"


@pytest.fixture
def site(transactional_db, live_server):
    make_community("Aardvarks", description="First alphabetically.")
    make_community("Lifehack", description="Tips for a better life.")
    make_user("rita", password=PASSWORD, display_name="Rita Rivers")
    return live_server


def open_editor(page_at, site, viewport):
    page = page_at(viewport)
    problems: list[str] = []
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(message.text),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(site.url + "/accounts/login/?next=/write/new/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/write/new/")
    page.locator(".prose-menubar__selected[aria-label]").wait_for()
    return page, problems


def body_of(page):
    return page.locator(".ProseMirror[contenteditable=true] >> visible=true").first


def png_file(tmp_path, name="garden.png", size=(640, 400)):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", size, (60, 140, 80)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_empty_editor_checks_spelling_prompts_and_names_its_tools(site, page_at, viewport):
    page, problems = open_editor(page_at, site, viewport)
    body = body_of(page)
    assert body.get_attribute("spellcheck") == "true"
    assert page.locator("[spellcheck=false]").count() == 0
    empty = body.locator("p.is-editor-empty")
    assert empty.get_attribute("data-placeholder") == "Tell your story…"
    assert empty.evaluate("p => getComputedStyle(p, '::before').content") == '"Tell your story…"'
    # Every tool has a name for screen readers and a tooltip that says the same.
    buttons = page.locator(".prose-menubar__button[data-name]")
    names = {}
    for button in buttons.all():
        label, title = button.get_attribute("aria-label"), button.get_attribute("title")
        assert label and label == title, button.evaluate("b => b.outerHTML")
        names[button.get_attribute("data-name")] = label
    assert names["bold"] == "Bold (Ctrl+B)"
    assert names["figure"] == "Image: upload from your device"
    face = page.locator(".prose-menubar__selected")
    assert face.get_attribute("role") == "button"
    assert face.get_attribute("aria-label") == "Block type: Paragraph"
    # The dropdown's arrow is drawn, not a character the fonts may lack (it was U+23F7).
    arrow = face.evaluate("el => getComputedStyle(el, '::after')")
    assert arrow["content"] == '""' and arrow["borderRightStyle"] == "solid"
    # The community is chosen, never defaulted to the first one alphabetically.
    assert page.get_by_label("Community").input_value() == ""
    screenshot(page, f"editor-empty-{viewport['width']}")
    assert_accessible(page)
    assert problems == []


def test_typing_after_a_link_does_not_extend_it(site, page_at):
    page, problems = open_editor(page_at, site, DESKTOP)
    body = body_of(page)
    body.click()
    page.keyboard.type("Visit the garden")
    # Select "garden" (the last six characters) and link it through the toolbar's dialog.
    page.evaluate(
        """() => {
            const editor = document.querySelector(".ProseMirror[contenteditable=true]").editor;
            const end = editor.state.selection.to;
            editor.chain().focus().setTextSelection({from: end - 6, to: end}).run();
        }"""
    )
    page.get_by_role("button", name="Link (Ctrl+K): select text first").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("URL").fill("https://example.com/garden")
    dialog.locator("button[type=submit], button:has-text('Update')").first.click()
    # The editor takes the focus back from the closing dialog a moment later; a key pressed
    # before that is lost, and the next ones then replace the still-selected "garden" (the
    # test failed about every other run alone). A person's next key comes long after.
    body.locator("a").wait_for()
    page.wait_for_function("() => document.activeElement?.closest('.ProseMirror') != null")
    page.keyboard.press("End")
    page.keyboard.type("s are open today.")
    assert body.locator("a").inner_text() == "garden"
    assert body.inner_text().strip() == "Visit the gardens are open today."
    # And a pasted address that autolinks stops where the address does.
    page.keyboard.press("Enter")
    page.keyboard.type("See https://example.com/beds ")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("and")
    assert body.locator("a").all_inner_texts() == ["garden", "https://example.com/beds"]
    assert problems == []


def test_the_image_button_uploads_and_never_asks_for_a_url(site, page_at, tmp_path):
    page, problems = open_editor(page_at, site, DESKTOP)
    page.get_by_label("Title", exact=True).fill("A garden in pictures")
    page.get_by_label("Community").select_option(label="Lifehack")
    body = body_of(page)
    body.click()
    page.keyboard.type("Before the picture.")
    page.get_by_role("button", name="Image: upload from your device").click()
    dialog = page.locator("dialog[open]")
    assert dialog.get_by_role("heading").inner_text() == "Add an image"
    assert dialog.locator("input[type=url], input[name=imageUrl]").count() == 0
    # Alt text is asked for before anything is uploaded.
    dialog.get_by_label("Image file").set_input_files(str(png_file(tmp_path)))
    dialog.get_by_role("button", name="Upload and insert").click()
    assert "alt text" in dialog.get_by_role("status").inner_text()
    dialog.get_by_label("Image description (alt text)").fill("Rows of green beans")
    dialog.get_by_label("Caption under the image (optional)").fill("The beans in June")
    screenshot(page, "editor-image-dialog-1280")
    dialog.get_by_role("button", name="Upload and insert").click()
    image = body.locator("figure img")
    image.wait_for()
    assert image.get_attribute("src").startswith("/media/story-images/")
    assert image.get_attribute("alt") == "Rows of green beans"
    assert body.locator("figcaption").inner_text() == "The beans in June"
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    # With the cursor on the figure, the block-type dropdown says "Image", not "?".
    image.click()
    face = page.locator(".prose-menubar__selected")
    assert face.get_attribute("aria-label") == "Block type: Image"
    assert "question_mark" not in face.inner_text()

    # An image file pasted from the clipboard, or dropped, opens the same dialog with it.
    # (The figure's own "Add caption" bubble covers the line above it: place the cursor.)
    at_end_of_first_line = """() => {
        const editor = document.querySelector(".ProseMirror[contenteditable=true]").editor;
        editor.chain().focus().setTextSelection(editor.state.doc.firstChild.nodeSize - 1).run();
    }"""
    page.evaluate(at_end_of_first_line)
    pasted = png_file(tmp_path, "pasted.png", (320, 200)).read_bytes()
    for event in ("paste", "drop"):
        page.evaluate(
            """([bytes, kind]) => {
                const file = new File([new Uint8Array(bytes)], "clip.png", {type: "image/png"});
                const data = new DataTransfer();
                data.items.add(file);
                const area = document.querySelector(".ProseMirror[contenteditable=true]");
                const rect = area.getBoundingClientRect();
                const init = {bubbles: true, cancelable: true, clientX: rect.left + 20,
                              clientY: rect.top + 20};
                area.dispatchEvent(kind === "paste"
                    ? new ClipboardEvent("paste", {...init, clipboardData: data})
                    : new DragEvent("drop", {...init, dataTransfer: data}));
            }""",
            [list(pasted), event],
        )
        dialog = page.locator("dialog[open]")
        assert "clip.png" in dialog.get_by_role("status").inner_text()
        assert dialog.get_by_label("Image file").evaluate("input => input.files.length") == 1
        dialog.get_by_label("Image description (alt text)").fill(f"A {event}d bean")
        dialog.get_by_role("button", name="Upload and insert").click()
        body.locator(f"img[alt='A {event}d bean']").wait_for()
        page.evaluate(at_end_of_first_line)
    assert body.locator("img").count() == 3
    assert all(
        src.startswith("/media/story-images/")
        for src in body.locator("img").evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    )

    # The dropped one went after the line it was dropped on, not into the middle of it.
    assert body.locator("p").first.inner_text() == "Before the picture."
    # Pasted HTML with an image from elsewhere keeps its words and drops the image.
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData("text/html",
                '<p>Copied words</p><img src="https://elsewhere.example/a.png" alt="x">');
            data.setData("text/plain", "Copied words");
            document.querySelector(".ProseMirror[contenteditable=true]").dispatchEvent(
                new ClipboardEvent(
                    "paste", {bubbles: true, cancelable: true, clipboardData: data}));
        }"""
    )
    assert "Copied words" in body.inner_text()
    assert body.locator("img[src*='elsewhere']").count() == 0

    # Saved and previewed: every image loads under the site's own policy.
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/preview/")
    story = Story.objects.get(title="A garden in pictures")
    assert story.community.name == "Lifehack"
    assert story.body.count("<img") == 3 and "elsewhere" not in story.body
    images = page.locator("[data-block=body] img")
    assert images.count() == 3
    assert images.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, "editor-images-preview-1280")
    assert problems == []


def test_headings_look_in_the_editor_as_in_the_preview(site, page_at):
    page, problems = open_editor(page_at, site, DESKTOP)
    page.get_by_label("Title", exact=True).fill("Same type")
    page.get_by_label("Community").select_option(label="Lifehack")
    body = body_of(page)
    body.click()
    page.keyboard.type("## A heading")
    page.keyboard.press("Enter")
    page.keyboard.type("A paragraph under it.")

    def looks(locator):
        return locator.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return [s.fontFamily, s.fontSize, s.fontWeight, s.lineHeight]; }"
        )

    in_editor = looks(body.locator("h2")), looks(body.locator("p"))
    assert "serif" in in_editor[1][0] and in_editor[0][0] != in_editor[1][0]
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/preview/")
    article = page.locator("[data-block=body]")
    assert (looks(article.locator("h2")), looks(article.locator("p"))) == in_editor
    assert problems == []


def test_a_missing_community_is_an_error_that_keeps_the_words(site, page_at):
    page, problems = open_editor(page_at, site, DESKTOP)
    page.get_by_label("Title", exact=True).fill("Nowhere yet")
    body_of(page).click()
    page.keyboard.type("Words I do not want to lose.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    community = page.get_by_label("Community")
    assert (
        "Choose the community your story belongs to."
        in page.locator(".field").filter(has=community).inner_text()
    )
    assert community.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Title", exact=True).input_value() == "Nowhere yet"
    assert "Words I do not want to lose." in body_of(page).inner_text()
    assert not Story.objects.exists()
    screenshot(page, "editor-community-error-1280")
    assert_accessible(page)
    assert problems == [] or all("400" in problem for problem in problems)


def test_on_a_phone_the_toolbar_and_actions_make_room_while_writing(site, page_at):
    page, problems = open_editor(page_at, site, PHONE)
    body = body_of(page)

    def sticky_share():
        """The share of the screen that the sticky toolbar and action bar cover."""
        return page.evaluate(
            """() => {
                const cover = (el) => {
                    if (!el || getComputedStyle(el).position !== "sticky") return 0;
                    const r = el.getBoundingClientRect();
                    return Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
                };
                const bar = document.querySelector(".prose-menubar");
                const actions = document.querySelector(".editor-actions");
                return (bar.getBoundingClientRect().height
                        + cover(actions)) / innerHeight;
            }"""
        )

    # Before writing: one row of tools and one of actions (it was 24 % of the screen).
    screenshot(page, "editor-idle-390")
    idle = sticky_share()
    assert idle < 0.13, idle
    assert page.locator(".editor-actions").evaluate("el => el.getBoundingClientRect().height") < 60
    body.click()
    page.keyboard.type("A first line on the phone. " * 12)
    page.mouse.wheel(0, 200)
    share = sticky_share()
    assert share < 0.08, share
    assert page.locator(".editor-actions").evaluate("el => getComputedStyle(el).position") == (
        "static"
    )
    # One row of tools, scrolled sideways, every tool still there.
    bar = page.locator(".prose-menubar")
    assert bar.evaluate("el => el.getBoundingClientRect().height") < 48
    assert bar.evaluate("el => el.scrollWidth > el.clientWidth")
    screenshot(page, "editor-writing-390")
    # Leaving the body brings the action bar back within reach.
    page.get_by_label("Title", exact=True).click()
    assert page.locator(".editor-actions").evaluate("el => getComputedStyle(el).position") == (
        "sticky"
    )
    assert problems == []


# --- issue 21: the body is painted before the editor mounts, and the editor takes its place ---

BUNDLE = "**/django_prose_editor/editor*.js"


def rita_story():
    return make_story(
        creator=User.objects.get(username="rita"),
        community=Community.objects.get(name="Lifehack"),
        status=Story.Status.DRAFT,
        title="Small hours",
        body="<p>Three a.m.<br>The fridge hums.</p><h2>Later</h2><p>Blackbirds first.</p>",
    )


def fieldset_top(page):
    return page.locator("fieldset").first.evaluate("el => el.getBoundingClientRect().top")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_body_is_painted_first_and_the_editor_mounts_in_its_place(site, page_at, viewport):
    page, problems = open_editor(page_at, site, viewport)
    story = rita_story()
    held = []

    def hold(route):
        held.append(route)

    page.route(BUNDLE, hold)
    try:
        page.goto(f"{site.url}/write/{story.pk}/")
        painted = page.locator(".editor-static__body")
        assert "The fridge hums." in painted.inner_text()
        assert page.locator("textarea[name=body]").is_hidden()
        before = fieldset_top(page)
        screenshot(page, f"editor-painted-{viewport['width']}")
        # The loader asks for the bundle once the page has painted and loaded: held till now.
        page.wait_for_function("() => document.readyState === 'complete'")
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(50)
        assert held
        for route in held:
            route.continue_()
        page.locator(".prose-menubar__selected[aria-label]").wait_for()
    finally:
        page.unroute(BUNDLE)
    assert page.locator("[data-editor-static]").count() == 0
    assert fieldset_top(page) == before  # nothing below the body moved
    body = body_of(page)
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Then a car.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    page.reload()
    page.locator(".prose-menubar__selected[aria-label]").wait_for()
    assert "Blackbirds first. Then a car." in body_of(page).inner_text()
    story.refresh_from_db()
    assert story.body.count("Three a.m.") == 1 and "Then a car." in story.body
    screenshot(page, f"editor-mounted-{viewport['width']}")
    assert problems == []


def test_without_the_editor_the_textarea_takes_its_place_and_saves(site, page_at):
    page, problems = open_editor(page_at, site, DESKTOP)
    story = rita_story()
    page.route(BUNDLE, lambda route: route.abort())
    try:
        page.goto(f"{site.url}/write/{story.pk}/")
        textarea = page.locator("textarea[name=body]")
        textarea.wait_for(state="visible")
        assert page.locator("[data-editor-static]").count() == 0
        assert textarea.input_value() == story.body
        textarea.fill(story.body + "<p>Typed without the editor.</p>")
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_load_state()
    finally:
        page.unroute(BUNDLE)
    story.refresh_from_db()
    assert story.body.endswith("<p>Typed without the editor.</p>")
    assert story.body.count("Three a.m.") == 1


def test_a_story_with_a_hero_fits_a_phone(site, page_at):
    # The file field's "Currently: heroes/2026/12/<32 hex digits>.jpg" link is one long word;
    # it made the page 125 px wider than a 390 px screen.
    from django.core.files.base import ContentFile

    from core.images import process_upload

    page, problems = open_editor(page_at, site, PHONE)
    story = rita_story()
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (60, 140, 80)).save(buffer, "JPEG")
    clean = process_upload(buffer.getvalue())
    story.hero_image.save("a" * 32 + ".jpg", ContentFile(clean.read()), save=True)
    page.goto(f"{site.url}/write/{story.pk}/")
    page.locator(".prose-menubar__selected[aria-label]").wait_for()
    assert page.locator("fieldset a[href*='/media/heroes/']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []
