"""A creator's stories as one zip of Markdown files and their images: their words are theirs."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime
from tempfile import SpooledTemporaryFile
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import slugify
from markdownify import ATX, BACKSLASH, MarkdownConverter

from core.links import absolute
from core.sanitizer import SUPPORTERS_BREAK
from creators.models import User
from stories.models import Story, StoryEdit

# Archives up to this size are built in memory; bigger ones spill to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024

# Characters YAML does not allow raw in a document, or reads as line breaks (YAML 1.1 treats
# NEL, LS and PS as newlines); json.dumps leaves them as they are with ensure_ascii=False.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def yaml_value(value: Any) -> str:
    """``value`` as a YAML scalar or flow list: JSON, which YAML reads as it is.

    Strings become double-quoted scalars, so a title like ``no: yes # [x]`` stays a string.
    """
    text = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_filename(*, user: User) -> str:
    day = timezone.localdate().isoformat()
    return f"{slugify(settings.SITE_NAME) or 'byline'}-{user.username}-{day}.zip"


class _Markdown(MarkdownConverter):
    """Our sanitised HTML as Markdown, with images pointing into the zip and links absolute.

    ``image_path`` maps an image's src to its path relative to the Markdown file, or None to
    leave the src as it is; ``base`` is what relative links resolve against.
    """

    def __init__(self, *, image_path: Callable[[str], str | None], base: str) -> None:
        super().__init__(
            heading_style=ATX, bullets="-", newline_style=BACKSLASH, escape_underscores=False
        )
        self.image_path = image_path
        self.base = base

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        src = el.get("src") or ""
        # An image that is not in the zip (someone else's, or a missing file) stays a link to it.
        el["src"] = self.image_path(src) or urljoin(self.base, src)
        return super().convert_img(el, text, parent_tags)

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        href = el.get("href") or ""
        # A link to another page of the site must still work outside it; "#section" stays.
        if href and not href.startswith("#"):
            el["href"] = urljoin(self.base, href)
        return super().convert_a(el, text, parent_tags)

    def convert_hr(self, el: Any, text: str, parent_tags: set[str]) -> str:
        # Issue 18: the supporters break stays itself (raw HTML, which Markdown keeps), so
        # importing the zip puts the free part's end back where the creator had it.
        if el.get("data-break") == "supporters":
            return f"\n\n{SUPPORTERS_BREAK}\n\n"
        return super().convert_hr(el, text, parent_tags)

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return self.convert_div(el, text, parent_tags)

    def convert_figcaption(self, el: Any, text: str, parent_tags: set[str]) -> str:
        # Markdown has no captions; the common convention is an emphasised line under the image.
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""


class _Archive:
    """The zip being written, and the images already copied into it."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.zip = archive
        self.stamp = timezone.localtime().timetuple()[:6]
        self.images: dict[str, str | None] = {}  # storage name -> path in the zip, or None
        self.missing: list[str] = []

    def _entry(self, path: str, *, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        # Images are already compressed; deflating them again costs time and saves nothing.
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        return info

    def write_text(self, path: str, text: str) -> None:
        self.zip.writestr(self._entry(path, compress=True), text.encode())

    def add_image(self, name: str, storage: Storage) -> str | None:
        """Copy a stored image into images/; its path in the zip, or None if it can't be."""
        if name in self.images:
            return self.images[name]
        path = _zip_image_path(name)
        if path is not None:
            try:
                source = storage.open(name, "rb")
            except (OSError, ValueError, SuspiciousFileOperation):
                # Missing, a folder, a name no file system takes (a null byte, too long): the
                # body's link is whatever the creator's HTML said, so skip it and say so.
                path = None
            else:
                with source, self.zip.open(self._entry(path, compress=False), "w") as target:
                    shutil.copyfileobj(source, target)
        if path is None:
            self.missing.append(name)
        self.images[name] = path
        return path


def _zip_image_path(name: str) -> str | None:
    """Where a stored file goes in the zip: under images/, and never anywhere else."""
    parts = name.replace("\\", "/").split("/")
    if not name or any(part in {"", ".", ".."} for part in parts):
        return None
    return posixpath.join("images", *parts)


def _media_name(src: str) -> str | None:
    """The storage name of an image URL that points into MEDIA_URL on this site, else None."""
    url, media, site = urlsplit(src), urlsplit(settings.MEDIA_URL), urlsplit(settings.SITE_URL)
    if url.scheme not in {"", "http", "https"}:
        return None
    if url.netloc and url.netloc != (media.netloc or site.netloc):
        return None
    if not media.path or not url.path.startswith(media.path):
        return None
    return unquote(url.path[len(media.path) :]) or None


def _relative_to_story(path: str) -> str:
    # Markdown files live in stories/, images in images/.
    return posixpath.join("..", path)


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A name in the README is cut to this many characters; it is there to be recognised.
NOTED_NAME_CHARS = 200


def _noted(name: str) -> str:
    """A storage name as one printable README line: control characters escaped, long cut."""
    text = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return text if len(text) <= NOTED_NAME_CHARS else text[: NOTED_NAME_CHARS - 1] + "…"


def _hero(archive: _Archive, image: FieldFile) -> str | None:
    if not image:
        return None
    path = archive.add_image(image.name, image.storage)
    return _relative_to_story(path) if path else None


def _markdown(archive: _Archive, html: str, *, base: str) -> str:
    def image_path(src: str) -> str | None:
        name = _media_name(src)
        path = archive.add_image(name, default_storage) if name else None
        return _relative_to_story(path) if path else None

    return _Markdown(image_path=image_path, base=base).convert(html).strip() + "\n"


def _document(front_matter: dict[str, Any], body: str) -> str:
    lines = ["---", *(f"{key}: {yaml_value(value)}" for key, value in front_matter.items())]
    return "\n".join([*lines, "---", "", body])


def _story_file(archive: _Archive, story: Story) -> str:
    published = story.status == Story.Status.PUBLISHED
    url = absolute(story.get_absolute_url())
    front_matter = {
        "title": story.title,
        "subtitle": story.subtitle,
        "status": story.status,
        "community": story.community.name,
        "tags": sorted(tag.name for tag in story.tags.all()),
        "created": _iso(story.created_at),
        "updated": _iso(story.updated_at),
        "published": _iso(story.published_at) if published else None,
        "url": url if published else None,
        # Issue 18: the export is the creator's own, so it has the whole body either way.
        "for_supporters": story.for_supporters,
        # Issue 18: where an imported story first appeared, so importing the zip keeps it.
        "first_published_elsewhere": _iso(story.first_published_elsewhere),
        "original_url": story.original_url or None,
        "reading_time": story.reading_time,
        "word_count": story.word_count,
        "hero_image": _hero(archive, story.hero_image),
        "hero_caption": story.hero_caption,
        "hero_alt": story.hero_alt,
    }
    return _document(front_matter, _markdown(archive, story.body, base=url))


def _edit_file(archive: _Archive, edit: StoryEdit, *, story_file: str, base: str) -> str:
    tags = sorted({name.strip() for name in edit.tag_names.split(",") if name.strip()})
    front_matter = {
        "title": edit.title,
        "subtitle": edit.subtitle,
        "status": f"pending edit: {edit.get_status_display().lower()}",
        "edit_of": story_file,
        "community": edit.community.name,
        "tags": tags,
        "created": _iso(edit.created_at),
        "updated": _iso(edit.updated_at),
        "reading_time": edit.reading_time,
        "word_count": edit.word_count,
        "hero_image": _hero(archive, edit.hero_image),
        "hero_caption": edit.hero_caption,
        "hero_alt": edit.hero_alt,
    }
    return _document(front_matter, _markdown(archive, edit.body, base=base))


def _unique_stem(slug: str, used: set[str]) -> str:
    # Slugs are unique within a community, not across a creator's stories.
    base = slugify(slug) or "untitled"
    stem, n = base, 2
    while stem in used:
        stem, n = f"{base}-{n}", n + 1
    used.add(stem)
    return stem


README = """\
Your stories on {site}, exported for @{username} on {day}.

stories/
  One Markdown file per story, drafts and stories under review included
  ({count} in all). Each starts with YAML front matter between two "---" lines:
  title, subtitle, status, community, tags, the dates it was created, last
  updated and published (ISO 8601), its address if it is published, when and
  where it was first published elsewhere if it came from another platform,
  reading time in minutes, word count, and its hero image with caption and alt
  text.
  A published story with changes that are not published yet has those changes
  next to it, in <name>.pending-edit.md.

images/
  Hero images and the images in your stories, at the largest size we keep.
  The Markdown files link to them with relative paths (../images/...), so keep
  the two folders side by side.
{missing}
Your words are yours: use them wherever you like.
"""


def build_export(*, user: User) -> SpooledTemporaryFile:
    """Every story of ``user`` as a zip, in a temporary file positioned at its start."""
    # Returned open: the caller (a FileResponse) closes it.
    out = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        with zipfile.ZipFile(out, "w") as zip_file:
            _write_archive(_Archive(zip_file), user=user)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _write_archive(archive: _Archive, *, user: User) -> None:
    stories = (
        Story.objects.filter(creator=user)
        .select_related("community", "pending_edit__community")
        .prefetch_related("tags")
        .order_by("created_at", "pk")
    )
    used: set[str] = set()
    count = 0
    for story in stories:
        count += 1
        stem = _unique_stem(story.slug, used)
        archive.write_text(f"stories/{stem}.md", _story_file(archive, story))
        edit = getattr(story, "pending_edit", None)
        if edit is not None:
            base = absolute(story.get_absolute_url())
            text = _edit_file(archive, edit, story_file=f"{stem}.md", base=base)
            archive.write_text(f"stories/{stem}.pending-edit.md", text)
    missing = ""
    if archive.missing:
        names = "\n".join(f"  {_noted(name)}" for name in archive.missing)
        missing = (
            "\nThese images could not be read and are not included (missing, or an image "
            f"link that names no file we keep):\n{names}\n"
        )
    readme = README.format(
        site=settings.SITE_NAME,
        username=user.username,
        day=timezone.localdate().isoformat(),
        count=count,
        missing=missing,
    )
    archive.write_text("README.txt", readme)
