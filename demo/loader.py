"""The words behind `manage.py load_demo`, read from the data files in demo/content/.

demo/content/ holds creators.yaml, communities.yaml and picks.yaml, and one Markdown file per
story in stories/, loaded in file-name order (the order decides each story's picture). A story
file starts with YAML front matter between two `---` lines:

    title, subtitle, creator (a username), community (a slug), tags (a list),
    days_ago (published that many days ago; for a draft or submitted story, when it was
    started), hero_caption, status (published, submitted or draft),
    seed: true (the one story Byline's seed page mirrors), form: verse (optional, see below)

and its body follows: plain-text paragraphs separated by blank lines. In prose the lines of a
paragraph are joined with spaces, so they may be wrapped anywhere; with `form: verse` each line
is kept, and load_demo renders the line breaks as <br>. The body is text, not Markdown markup:
load_demo escapes it, and the story's save runs it through the sanitiser like any other body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent / "content"

STAFF_USERNAME = "editor"
STAFF_DISPLAY_NAME = "Byline Editor"


@dataclass(frozen=True)
class DemoCreator:
    username: str
    display_name: str
    bio: str
    # (network, url); network is a creators.models.SocialLink.Network value.
    links: tuple[tuple[str, str], ...] = ()
    avatar: bool = False


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    slug: str
    description: str
    colour: str  # the logo's background
    mark: str  # the letters on the logo


@dataclass(frozen=True)
class DemoStory:
    title: str
    subtitle: str
    creator: str  # username
    community: str  # slug
    tags: tuple[str, ...]
    # Published this many days ago; for a draft or submitted story, when it was started.
    days_ago: int
    hero_caption: str
    body: tuple[str, ...]
    status: str = "published"  # a stories.models.Story.Status value


def paragraphs(text: str) -> tuple[str, ...]:
    """Prose: blocks separated by blank lines, each block's wrapped lines joined by spaces."""
    return tuple(" ".join(block.split()) for block in re.split(r"\n\s*\n", text.strip()))


def stanzas(text: str) -> tuple[str, ...]:
    """Verse: like paragraphs(), but each line is kept; the command renders newlines as <br>."""
    return tuple(
        "\n".join(line.strip() for line in block.strip().splitlines())
        for block in re.split(r"\n\s*\n", text.strip())
    )


STORY_FIELDS = frozenset(
    {"title", "subtitle", "creator", "community", "tags", "days_ago", "hero_caption", "status"}
)
FRONT_MATTER = re.compile(r"\A---\n(?P<meta>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_story(path: Path) -> tuple[DemoStory, bool]:
    """One story file: the story, and whether it is the seed story."""
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path}: no front matter between two '---' lines at the top")
    meta = yaml.safe_load(match["meta"])
    seed = meta.pop("seed", False)
    form = meta.pop("form", "prose")
    if form not in ("prose", "verse") or set(meta) - STORY_FIELDS:
        raise ValueError(f"{path}: unknown form {form!r} or fields {set(meta) - STORY_FIELDS}")
    body = (stanzas if form == "verse" else paragraphs)(match["body"])
    return DemoStory(**{**meta, "tags": tuple(meta["tags"]), "body": body}), bool(seed)


def load_creators() -> tuple[DemoCreator, ...]:
    return tuple(
        DemoCreator(**{**spec, "links": tuple(spec.get("links", {}).items())})
        for spec in _yaml(CONTENT / "creators.yaml")
    )


def load_communities() -> tuple[DemoCommunity, ...]:
    return tuple(DemoCommunity(**spec) for spec in _yaml(CONTENT / "communities.yaml"))


def load_stories() -> tuple[DemoStory, tuple[DemoStory, ...]]:
    """The seed story, and the others in file-name order."""
    seeds, others = [], []
    for path in sorted((CONTENT / "stories").glob("*.md")):
        story, seed = read_story(path)
        (seeds if seed else others).append(story)
    if len(seeds) != 1:
        raise ValueError(f"{len(seeds)} demo stories say `seed: true`; exactly one must")
    return seeds[0], tuple(others)


def load_picks() -> tuple[tuple[str, str], ...]:
    return tuple((pick["title"], pick["reason"]) for pick in _yaml(CONTENT / "picks.yaml"))


CREATORS = load_creators()
COMMUNITIES = load_communities()
SEED_STORY, STORIES = load_stories()
SEED_TITLE = SEED_STORY.title
# Top Stories on the demo home page: staff picks, each with the reason readers are shown.
PICKS = load_picks()
