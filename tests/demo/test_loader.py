"""demo/loader.py: the data files in demo/content/ read back as the demo data they always were."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import loader as demo
from demo.loader import DemoStory, read_story

# Written out here on purpose, as in test_load_demo.py: a slip in the data files must not be
# able to hide behind the same slip in the test.
SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
SEED_FIRST = (
    "Ketamine infusion therapy is a relatively new treatment option for individuals suffering "
    "from depression, anxiety, and other mental health conditions. Unlike traditional "
    "antidepressant medication, Ketamine works by targeting a different pathway in the brain, "
    "known as the NMDA receptor."
)
# The page Byline mirrors lives beside the repository (DESIGN.md), not in it.
SEED_PAGE = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "story-page.txt"


def test_seed_story_is_the_seed_page():
    seed = demo.SEED_STORY
    assert seed.title == demo.SEED_TITLE == SEED_TITLE
    assert (seed.subtitle, seed.creator, seed.community) == ("", "ameliawilson", "lifehack")
    assert (seed.tags, seed.days_ago, seed.status) == (("health",), 380, "published")
    assert seed.hero_caption == "ketamine infusion treatment orange county"
    assert seed.body[0] == SEED_FIRST
    assert len(seed.body) == 11
    assert sum(len(paragraph.split()) for paragraph in seed.body) == 615


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="the seed page is not beside this checkout")
def test_seed_story_body_is_the_seed_page_word_for_word():
    lines = [line for line in SEED_PAGE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[1] == SEED_TITLE
    start = lines.index(SEED_FIRST)
    assert tuple(lines[start : start + 11]) == demo.SEED_STORY.body


def test_everything_loads_in_order():
    assert len(demo.STORIES) == 34
    assert demo.STORIES[0].title == "What I Learned from Tracking My Sleep for Ninety Days"
    assert demo.STORIES[-1].status == "submitted"
    assert [c.username for c in demo.CREATORS][:2] == ["ameliawilson", "jonahreyes"]
    assert demo.CREATORS[1].bio == (
        "Short fiction about small towns, night buses and the people who never quite leave.\n\n"
        "One new story a month in my newsletter: https://jonahreyes.example.com/letters"
    )
    assert demo.CREATORS[1].links == (
        ("website", "https://jonahreyes.example.com/"),
        ("bluesky", "https://bsky.app/profile/jonahreyes.example.com"),
    )
    assert [c.slug for c in demo.COMMUNITIES] == [
        "lifehack", "fiction", "travel", "technology", "food", "poets"
    ]  # fmt: skip
    assert demo.COMMUNITIES[0].colour == "#e8743b"
    assert demo.PICKS[0] == (
        "The Lighthouse Keeper's Daughter",
        "A quiet story about duty that stays with you long after the light goes out.",
    )
    titles = {story.title for story in (demo.SEED_STORY, *demo.STORIES)}
    assert {title for title, _reason in demo.PICKS} <= titles
    usernames = {c.username for c in demo.CREATORS}
    slugs = {c.slug for c in demo.COMMUNITIES}
    for story in demo.STORIES:
        assert story.creator in usernames and story.community in slugs, story.title


def test_verse_keeps_its_lines():
    poems = next(s for s in demo.STORIES if s.title == "Five Poems for the End of Winter")
    assert poems.body[0] == (
        "I. Thaw\n"
        "The gutters speak again at night,\n"
        "a small, continuous argument\n"
        "between the roof and the ground\n"
        "about who the water belongs to."
    )


def test_a_story_file_reads_prose_and_verse(tmp_path):
    text = (
        "---\n"
        "title: 'Colons: fine'\n"
        "subtitle: A test\n"
        "creator: someone\n"
        "community: lifehack\n"
        "tags: [a, b]\n"
        "days_ago: 3\n"
        "hero_caption: Caption\n"
        "status: draft\n"
        "---\n"
        "\n"
        "One paragraph\n  wrapped   over lines.\n"
        "\n"
        "Two.\n"
    )
    path = tmp_path / "story.md"
    path.write_text(text)
    story, seed = read_story(path)
    assert not seed
    assert story == DemoStory(
        title="Colons: fine",
        subtitle="A test",
        creator="someone",
        community="lifehack",
        tags=("a", "b"),
        days_ago=3,
        hero_caption="Caption",
        body=("One paragraph wrapped over lines.", "Two."),
        status="draft",
    )
    path.write_text(text.replace("status: draft\n", "status: draft\nform: verse\n"))
    assert read_story(path)[0].body == ("One paragraph\nwrapped   over lines.", "Two.")


def test_a_story_file_without_front_matter_or_with_unknown_fields_is_refused(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("title: no dashes\n\nBody.\n")
    with pytest.raises(ValueError, match="front matter"):
        read_story(path)
    path.write_text("---\ntitle: x\nauthor: y\n---\n\nBody.\n")
    with pytest.raises(ValueError, match="author"):
        read_story(path)
