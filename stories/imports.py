"""Importing stories from another platform: start an import, run it as a job, cancel it.

The upload is checked whole when it arrives (stories.importers.parse_archive) and kept in the
StoryImport row; the job `run_import` parses it again and makes one draft per story, between
stories checking whether the creator asked to stop. Each story's HTML is saved through
Story.save, so the one sanitiser cleans it, and the report says what it dropped; each image,
in the archive or at an address it names, goes through core.images, and one that cannot is
left out and named in the report, while the story still comes in.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.fetch import FetchBudget, FetchRefused
from core.images import max_upload_bytes, process_upload
from core.jobs import enqueue, job
from core.sanitizer import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DROP_WITH_CONTENT,
    HEADING_RENAMES,
    clean_html,
)
from creators.models import User
from stories.forms import MAX_BODY_CHARS
from stories.importers import Entry, ImportRefused, Parsed, archive_path, parse_archive
from stories.models import Community, Story, StoryImport
from stories.uploads import upload_save

logger = logging.getLogger(__name__)

# Markup that cleans down to MAX_BODY_CHARS can be longer (attributes, wrappers); past this
# it is not even parsed.
RAW_BODY_CHARS = 5 * MAX_BODY_CHARS

# How a report names what the sanitiser removed; anything else is named by its tag.
_TAG_NAMES = {
    "iframe": "iframe (embed)",
    "embed": "embed",
    "object": "object (embed)",
    "script": "script",
    "style": "style (CSS)",
    "svg": "svg (drawing)",
    "form": "form",
    "input": "form field",
    "button": "button",
    "video": "video",
    "audio": "audio",
    "table": "table (its text kept)",
}


# --- Starting, cancelling --------------------------------------------------------------------


def import_start(
    *, creator: User, community: Community, data: bytes, filename: str, parsed: Parsed
) -> StoryImport:
    """Keep the checked upload and queue the job that imports it."""
    with transaction.atomic():
        story_import = StoryImport.objects.create(
            creator=creator,
            community=community,
            format=parsed.format,
            filename=filename[:255],
            total=len(parsed.entries),
            archive=data,
        )
        enqueue(run_import, import_id=story_import.pk)
    return story_import


def import_cancel(*, story_import: StoryImport) -> None:
    """Ask the job to stop after the story it is on; one not started yet stops at once."""
    with transaction.atomic():
        locked = StoryImport.objects.select_for_update().get(pk=story_import.pk)
        if locked.is_finished:
            return
        locked.cancel_requested = True
        if locked.status == StoryImport.Status.QUEUED:
            _finish(locked, StoryImport.Status.CANCELLED, "Cancelled before it started.")
        else:
            locked.save(update_fields=["cancel_requested"])


def _finish(story_import: StoryImport, status: str, message: str) -> None:
    story_import.status = status
    story_import.message = message
    story_import.archive = b""  # the upload is not kept once the import is over
    story_import.finished_at = timezone.now()
    story_import.save(update_fields=["status", "message", "archive", "finished_at"])


# --- The job ---------------------------------------------------------------------------------


@job
def run_import(*, import_id: int) -> None:
    with transaction.atomic():
        # Only the import's own row is locked: PostgreSQL will not lock the nullable side of
        # the outer join its community (SET_NULL) needs.
        story_import = (
            StoryImport.objects.select_for_update(of=("self",))
            .select_related("creator", "community")
            .get(pk=import_id)
        )
        if story_import.is_finished:
            return
        # A running one is taken again too: the queue only hands a job out twice when the
        # worker that had it died (core/workers.py), and the import keys make it resume
        # rather than duplicate.
        story_import.status = StoryImport.Status.RUNNING
        story_import.save(update_fields=["status"])
    try:
        _run(story_import)
    except Exception:
        # Not retried: a bug on one archive would fail the same way again. What was imported
        # stays, and importing the archive again skips it.
        logger.exception("Import %s failed", import_id)
        _finish(
            story_import,
            StoryImport.Status.FAILED,
            "Something went wrong on our side; the stories listed below were imported.",
        )


def _run(story_import: StoryImport) -> None:
    if story_import.community is None:
        _finish(
            story_import,
            StoryImport.Status.FAILED,
            "The community you chose was removed before the import started; import again.",
        )
        return
    try:
        parsed = parse_archive(bytes(story_import.archive))
    except ImportRefused as error:
        _finish(story_import, StoryImport.Status.FAILED, str(error))
        return
    budget = FetchBudget(
        count=settings.IMPORT_REMOTE_IMAGES_MAX,
        total_bytes=settings.IMPORT_REMOTE_BYTES_MAX,
        max_bytes=max_upload_bytes(),
        seconds=settings.IMPORT_REMOTE_SECONDS_MAX,
    )
    story_import.total = len(parsed.entries)
    story_import.done = 0
    story_import.report = []
    story_import.save(update_fields=["total", "done", "report"])
    for entry in parsed.entries:
        if StoryImport.objects.filter(pk=story_import.pk, cancel_requested=True).exists():
            imported = sum(1 for line in story_import.report if line["outcome"] == "imported")
            _finish(
                story_import,
                StoryImport.Status.CANCELLED,
                f"Cancelled after {story_import.done} of {story_import.total} stories; the "
                f"{imported} imported stay as drafts.",
            )
            return
        story_import.report.append(_import_one(story_import, parsed, entry, budget))
        story_import.done += 1
        story_import.save(update_fields=["report", "done"])
    imported = sum(1 for line in story_import.report if line["outcome"] == "imported")
    _finish(
        story_import,
        StoryImport.Status.DONE,
        f"{imported} of {story_import.total} stories imported as drafts.",
    )


@dataclass
class _Line:
    title: str
    outcome: str = "imported"
    story_id: int | None = None
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "outcome": self.outcome,
            "story_id": self.story_id,
            "dropped": self.dropped,
            "notes": self.notes,
        }


def _import_one(
    story_import: StoryImport, parsed: Parsed, entry: Entry, budget: FetchBudget
) -> dict:
    line = _Line(title=(entry.title or "Untitled")[:200])
    creator = story_import.creator
    if entry.skip:
        line.outcome = "skipped"
        line.notes.append(f"Skipped: {entry.skip}.")
        return line.as_dict()
    if Story.objects.filter(creator=creator, import_key=entry.key[:500]).exists():
        line.outcome = "already imported"
        return line.as_dict()
    # The editor refuses a body over MAX_BODY_CHARS, so a longer one could never be saved
    # again; far longer is not worth parsing at all (a megabyte of markup takes seconds).
    if len(entry.html) > RAW_BODY_CHARS:
        return _too_long(line)
    try:
        community = _community(story_import, entry, line)
        html = _bring_images(parsed, entry, budget, creator, line)
        cleaned = clean_html(html)
        if len(cleaned) > MAX_BODY_CHARS:
            return _too_long(line)
        line.dropped = dropped_markup(html, cleaned)
        story = Story(
            creator=creator,
            community=community,
            status=Story.Status.DRAFT,
            title=(entry.title or "Untitled")[:200],
            subtitle=entry.subtitle[:300],
            # Story.save cleans it again (a no-op); stripped here of the blank lines the
            # other platform's wrappers (<section>, <div>) leave behind.
            body=cleaned.strip(),
            hero_caption=entry.hero_caption[:300],
            hero_alt=entry.hero_alt[:300],
            first_published_elsewhere=entry.published,
            original_url=_valid_url(entry.original_url),
            import_key=entry.key[:500],
            for_supporters=entry.for_supporters,
            created_at=entry.created or timezone.now(),
        )
        if entry.hero:
            hero = _image(parsed, entry, entry.hero, budget, line)
            if hero is not None:
                story.hero_image = hero
        with transaction.atomic():
            story.save()
            if entry.tags:
                story.tags.add(*entry.tags)
    except IntegrityError:
        # Another import of the same archive took it between our check and our save.
        line.outcome = "already imported"
        return line.as_dict()
    except Exception:
        # One story the code cannot handle must not cost the creator the others; logged,
        # since it is a bug to fix, not a refusal we expect.
        logger.exception("Import %s: story %r failed", story_import.pk, entry.key)
        line.outcome = "failed"
        line.notes.append("This story could not be read.")
        return line.as_dict()
    line.story_id = story.pk
    return line.as_dict()


def _too_long(line: _Line) -> dict:
    line.outcome = "skipped"
    line.notes.append(
        f"Skipped: it is longer than a story here may be ({MAX_BODY_CHARS:,} characters of "
        "text and markup)."
    )
    return line.as_dict()


def _community(story_import: StoryImport, entry: Entry, line: _Line) -> Community:
    if entry.community:
        named = Community.objects.filter(name__iexact=entry.community).first()
        if named is not None:
            return named
        line.notes.append(
            f"The community “{entry.community}” does not exist here; "
            f"the draft is in {story_import.community.name}."
        )
    return story_import.community


def _valid_url(url: str) -> str:
    if not url or len(url) > 500:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url


def _image(parsed: Parsed, entry: Entry, src: str, budget: FetchBudget, line: _Line):
    """The image ``src`` names, processed by core.images, or None with a note saying why."""
    shown = src if len(src) <= 120 else src[:119] + "…"
    try:
        if src.startswith(("http://", "https://")):
            data = budget.fetch(src)
        else:
            path = archive_path(entry.folder, src)
            data = parsed.read(path) if path else None
            if data is None:
                line.notes.append(f"Image {shown} left out: it is not in the archive.")
                return None
        return process_upload(data)
    except FetchRefused as error:
        line.notes.append(f"Image {shown} left out: {error}.")
    except ValidationError as error:
        line.notes.append(f"Image {shown} left out: {' '.join(error.messages)}")
    return None


def _bring_images(
    parsed: Parsed, entry: Entry, budget: FetchBudget, creator: User, line: _Line
) -> str:
    """``entry.html`` with every image stored through core.images and pointing at our copy;
    an image that cannot be brought in is removed from the body (the report names it)."""
    if "<img" not in entry.html.lower():
        return entry.html
    soup = _soup(entry.html)
    for img in soup.find_all("img"):
        src = (img.get("src") or "").strip()
        image = _image(parsed, entry, src, budget, line) if src else None
        if image is None:
            img.decompose()
            continue
        name = upload_save(user_id=creator.pk, image=image, suffix=_suffix(image.name))
        img["src"] = default_storage.url(name)
        # Our copy has its own size; the other platform's would stretch it.
        for attribute in ("width", "height", "srcset", "sizes"):
            if attribute in img.attrs:
                del img[attribute]
    return soup.body.decode_contents() if soup.body else str(soup)


def _soup(html: str) -> BeautifulSoup:
    # html5lib, not html.parser: it reads markup as a browser does and never gives up on it
    # (html.parser raises on "<![", which the XSS corpus has).
    return BeautifulSoup(html, "html5lib")


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


# --- What the sanitiser dropped --------------------------------------------------------------


# What the parser wraps every fragment in.
_DOCUMENT = frozenset({"html", "head", "body"})


def _markup(html: str) -> tuple[Counter, Counter, Counter]:
    """Elements (outside dropped subtrees), elements dropped whole, and attributes by name."""
    soup = _soup(html)
    tags: Counter = Counter()
    removed: Counter = Counter()
    attributes: Counter = Counter()
    for element in soup.find_all(True):
        if element.name in _DOCUMENT or any(
            parent.name in DROP_WITH_CONTENT for parent in element.parents
        ):
            continue
        name = HEADING_RENAMES.get(element.name, element.name)
        if name in DROP_WITH_CONTENT:
            removed[name] += 1
            continue
        tags[name] += 1
        for attribute in element.attrs:
            if name in ALLOWED_TAGS and attribute not in ALLOWED_ATTRIBUTES.get(name, ()):
                if name == "a" and attribute == "rel":
                    continue  # we set rel ourselves
                attributes["data-*" if attribute.startswith("data-") else attribute] += 1
    return tags, removed, attributes


def dropped_markup(before: str, after: str) -> list[str]:
    """What sanitising ``before`` into ``after`` removed, in words: one line per kind."""
    tags_before, removed, attributes = _markup(before)
    tags_after, _, _ = _markup(after)
    lost = tags_before - tags_after
    lines = []
    if removed:
        lines.append("Removed with its content: " + _counted(removed))
    unwrapped = Counter({name: n for name, n in lost.items() if name not in ALLOWED_TAGS})
    if unwrapped:
        lines.append("Formatting removed, text kept: " + _counted(unwrapped))
    other = Counter({name: n for name, n in lost.items() if name in ALLOWED_TAGS})
    if other:
        # Allowed elements the sanitiser still took out (an image from another site, a link
        # to javascript:): not kept because of what they pointed at.
        lines.append("Removed as unsafe: " + _counted(other))
    if attributes:
        names = ", ".join(f"{name} attribute" for name in sorted(attributes))
        lines.append(f"Attributes removed: {names}")
    return lines


def _counted(counter: Counter) -> str:
    parts = []
    for name, count in sorted(counter.items()):
        label = _TAG_NAMES.get(name, name)
        parts.append(label if count == 1 else f"{label} ×{count}")
    return ", ".join(parts)
