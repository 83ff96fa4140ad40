"""A creator imports their Substack export from Settings and finds the drafts on the dashboard."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from stories.imports import run_import
from stories.models import Story, StoryImport
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot
from tests.conftest import make_community, make_user
from tests.stories.import_archives import substack_zip

PASSWORD = "importer-password-1234"


@pytest.fixture
def site(transactional_db, live_server):
    cache.clear()  # rate-limit counters from earlier tests in this process
    make_community("Lifehack")
    make_community("Poems")
    make_user("writer", display_name="Wren Writer", password=PASSWORD)
    yield live_server
    cache.clear()


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_creator_imports_an_export_and_finds_the_drafts(site, page_at, viewport, tmp_path):
    width = viewport["width"]
    archive = tmp_path / "substack-export.zip"
    archive.write_bytes(
        substack_zip(
            [
                {
                    "post_id": "1.tides",
                    "post_date": "2021-06-01T08:00:00.000Z",
                    "is_published": "true",
                    "title": "Reading the Tides",
                    "subtitle": "Notes from the shore",
                },
                {"post_id": "2.later", "is_published": "false", "title": "Later, Maybe"},
            ],
            {
                "1.tides": "<p>The sea keeps time.</p><script>alert(1)</script>",
                "2.later": "<p>A draft.</p>",
            },
        )
    )
    page = page_at(viewport)
    page.goto(site.url + "/accounts/login/?next=/settings/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/settings/")

    page.get_by_role("link", name="Import your stories").click()
    page.wait_for_url("**/settings/import/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"import-form-{width}")

    page.get_by_label("Your export file").set_input_files(str(archive))
    page.get_by_label("Community").select_option(label="Poems")
    page.get_by_role("button", name="Import my stories").click()
    page.wait_for_url("**/settings/import/*/")
    # The job runs at once in the tests; on a site, the page polls until it says this.
    status = page.locator("[data-import-text]")
    status.get_by_text("Done.").wait_for()
    progress = page.locator("[data-import-progress]")
    assert "2 of 2 stories imported as drafts." in progress.inner_text()
    report = page.get_by_role("region", name="Report")
    assert "Removed with its content: script" in report.inner_text()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"import-report-{width}")

    page.get_by_role("link", name="Your stories").click()
    page.wait_for_url("**/write/")
    drafts = page.get_by_role("region", name="Drafts")
    assert drafts.get_by_role("link", name="Reading the Tides").is_visible()
    assert drafts.get_by_role("link", name="Later, Maybe").is_visible()
    assert "First published elsewhere on 1 June 2021" in drafts.inner_text()
    assert Story.objects.filter(creator__username="writer", status="draft").count() == 2

    # The story as readers will see it says where it first appeared.
    item = drafts.get_by_role("listitem").filter(has_text="Reading the Tides")
    item.get_by_role("link", name="Preview").click()
    page.wait_for_url("**/preview/")
    meta = page.locator(".byline__meta")
    assert "First published elsewhere on 1 June 2021" in meta.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"import-preview-{width}", of=page.locator(".byline"))


@pytest.mark.slow
def test_the_progress_page_follows_the_job_until_it_is_done(site, browser, settings, tmp_path):
    # Jobs wait in the database queue here, as on a site, so the page sees them run. The
    # page's clock is Playwright's: the test decides when the script polls, so a poll never
    # meets the job at work on the one in-memory database both use.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    archive = tmp_path / "substack-export.zip"
    archive.write_bytes(
        substack_zip(
            [{"post_id": "1", "title": "First"}, {"post_id": "2", "title": "Second"}],
            {"1": "<p>One.</p>", "2": "<p>Two.</p>"},
        )
    )
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(site.url + "/accounts/login/?next=/settings/import/")
        page.get_by_label("Username").fill("writer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/settings/import/")
        page.get_by_label("Your export file").set_input_files(str(archive))
        page.get_by_label("Community").select_option(label="Lifehack")
        page.get_by_role("button", name="Import my stories").click()
        page.wait_for_url("**/settings/import/*/")
        status = page.locator("[data-import-text]")
        assert status.inner_text() == "Waiting to start: 2 stories to import."
        assert_accessible(page)

        story_import = StoryImport.objects.get()
        StoryImport.objects.filter(pk=story_import.pk).update(status="running", done=1)
        page.clock.run_for(1500)
        status.get_by_text("Importing story 2 of 2.").wait_for()
        assert page.locator("[data-import-bar]").evaluate("(bar) => bar.value") == 1

        StoryImport.objects.filter(pk=story_import.pk).update(status="queued", done=0)
        run_import.call(import_id=story_import.pk)
        with page.expect_navigation():
            page.clock.run_for(2500)
        status.get_by_text("Done.").wait_for()
        assert page.get_by_role("region", name="Report").get_by_text("First").is_visible()
        assert Story.objects.filter(creator__username="writer").count() == 2
    finally:
        context.close()
