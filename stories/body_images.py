"""Images inside story bodies: where the editor keeps them, and which one a story card shows.

A story without a hero shows its body's first image on cards, if that image is one of ours:
an upload under UPLOAD_FOLDER, named in the sanitised body by its MEDIA_URL address. The
card never shows the body's URL itself; it shows display sizes made here, once, when a save
brings a new first image (Story.save), through the image module like every other image.

Every upload also gets WebP copies for the reading column (make_body_sizes, at upload), and
the story page offers them (with_webp_sources) around the body's own <img>, at render time:
the stored body, and so what the sanitiser lets a writer put there, stays plain <img src>.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html

from core.images import MODERN_TYPE, modern_name, save_variants, stored_width
from core.sanitizer import image_sources

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "story-images"
# A card is at most 360 CSS pixels wide on a desk and the phone's full width: 1x and 2x.
CARD_WIDTHS = (400, 800)
# Inside the body: the reading column (680 CSS pixels, the phone's width less its margins)
# at 1x and 2x. The card's widths are among them, so the first image's copies serve both.
BODY_WIDTHS = (400, 800, 1360)
COLUMN = 680
COLUMN_MARGINS = 32
# What save_variants names a display size: "<stem>-<width>w<suffix>". An upload's own stem
# ends in hex digits (stories.uploads.upload_save), never in "w".
_VARIANT = re.compile(r"^(?P<stem>.+)-[0-9]+w(?P<suffix>\.[A-Za-z0-9]+)?$")


def upload_name(src: str) -> str | None:
    """The storage name of a body image's URL when it is one of our uploads, else None.

    Relative to this site's MEDIA_URL, on this site or the media host, inside UPLOAD_FOLDER,
    with no path part a file system would read as anything but a name.
    """
    try:
        url, media, site = urlsplit(src), urlsplit(settings.MEDIA_URL), urlsplit(settings.SITE_URL)
    except ValueError:
        return None
    if url.scheme not in {"", "http", "https"} or url.query or url.fragment:
        return None
    if url.netloc and url.netloc != (media.netloc or site.netloc):
        return None
    if not media.path or not url.path.startswith(media.path):
        return None
    name = unquote(url.path[len(media.path) :])
    parts = name.split("/")
    if parts[0] != UPLOAD_FOLDER or len(parts) < 2:
        return None
    if any(part in {"", ".", ".."} or "\\" in part or "\x00" in part for part in parts):
        return None
    return name


def first_upload(html: str) -> str:
    """The storage name of the first image in sanitised HTML, if it is one of our uploads.

    Only the first image counts: a remote or foreign first image means no body image at all,
    rather than a later one the writer did not put first.
    """
    for src in image_sources(html):
        return upload_name(src) or ""
    return ""


def make_card_sizes(field_file: FieldFile) -> bool:
    """Store the card's display sizes of a body image; False if it is missing or not an image.

    A file deleted since the body named it (stories.uploads deletes unused ones) or one that
    the image module refuses costs the card its image, never the save.
    """
    try:
        save_variants(field_file, CARD_WIDTHS)
    except (OSError, ValidationError, SuspiciousOperation):
        # Said at info: every save of the story tries again while its body names the file.
        logger.info("No card image from %r", field_file.name, exc_info=True)
        return False
    return True


def original_of(name: str) -> str | None:
    """For a display size ("a/b-400w.jpg"), the stored image it was made from ("a/b.jpg")."""
    head, _, base = name.rpartition("/")
    match = _VARIANT.match(base)
    if match is None:
        return None
    original = match["stem"] + (match["suffix"] or "")
    return f"{head}/{original}" if head else original


class StoredImage:
    """A stored file known by its name alone (a body image has no model field), as
    core.images.save_variants takes one."""

    def __init__(self, name: str, storage: Any = None) -> None:
        self.name = name
        self.storage = storage or default_storage

    def open(self, mode: str = "rb") -> Any:
        return self.storage.open(self.name, mode)


def make_body_sizes(name: str) -> bool:
    """Store the WebP copies of a body image for the reading column; the body's <img> keeps
    the original, so no JPEG or PNG sizes are made. False if it is missing or not an image."""
    try:
        save_variants(StoredImage(name), BODY_WIDTHS, plain=False)
    except (OSError, ValidationError, SuspiciousOperation):
        logger.info("No WebP copies of %r", name, exc_info=True)
        return False
    return True


def has_body_sizes(name: str) -> bool:
    """Whether make_body_sizes has run for ``name``: its widest copy is written after the
    original's and before the others (save_variants), and no card size has that width."""
    return default_storage.exists(modern_name(name, max(BODY_WIDTHS)))


def body_image_width(name: str) -> int | None:
    """The width of a body image whose WebP copies are made, else None. Kept in this process
    once known (a stored name never gets other bytes); a miss is asked again (backfill)."""
    if name in _widths:
        return _widths[name]
    if not has_body_sizes(name):
        return None
    width = stored_width(default_storage, modern_name(name))
    if width is not None:
        if len(_widths) > 10_000:
            _widths.clear()
        _widths[name] = width
    return width


_widths: dict[str, int] = {}


def with_webp_sources(html: str) -> str:
    """Sanitised body HTML with each of our uploads' <img> inside a <picture> whose WebP
    <source> names its copies; every other image, and every image without copies yet, as it
    was. Only markup made here is added, around tags left byte for byte as they were."""
    if not html or "<img" not in html or UPLOAD_FOLDER not in html:
        return html
    finder = _Images(html)
    parts, last = [], 0
    for start, end, src in finder.images:
        tag = html[start:end]
        source = _webp_source(src) if tag.startswith("<img") and tag.endswith(">") else ""
        if not source:
            continue
        parts += [html[last:start], "<picture>", source, tag, "</picture>"]
        last = end
    if not parts:
        return html
    parts.append(html[last:])
    return "".join(parts)


def _webp_source(src: str) -> str:
    name = upload_name(src)
    width = body_image_width(name) if name else None
    if not name or not width:
        return ""
    url = default_storage.url
    candidates = [f"{url(modern_name(name, w))} {w}w" for w in BODY_WIDTHS if w < width]
    candidates.append(f"{url(modern_name(name))} {width}w")
    # As wide as the image or the column, whichever is less: an image narrower than the
    # column keeps its own size, as the <img> alone would.
    shown = min(width, COLUMN)
    sizes = f"(max-width: {shown + COLUMN_MARGINS}px) 100vw, {shown}px"
    return format_html(
        '<source type="{}" srcset="{}" sizes="{}">', MODERN_TYPE, ", ".join(candidates), sizes
    )


class _Images(HTMLParser):
    """Where each <img> of an HTML fragment starts and ends, with its src."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
        self.images: list[tuple[int, int, str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img":
            return
        src = dict(attrs).get("src") or ""
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        self.images.append((start, start + len(self.get_starttag_text() or ""), src))
