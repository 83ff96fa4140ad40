"""Images inside story bodies: where the editor keeps them, and which one a story card shows.

A story without a hero shows its body's first image on cards, if that image is one of ours:
an upload under UPLOAD_FOLDER, named in the sanitised body by its MEDIA_URL address. The
card never shows the body's URL itself; it shows display sizes made here, once, when a save
brings a new first image (Story.save), through the image module like every other image.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db.models.fields.files import FieldFile

from core.images import save_variants
from core.sanitizer import image_sources

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "story-images"
# A card is at most 360 CSS pixels wide on a desk and the phone's full width: 1x and 2x.
CARD_WIDTHS = (400, 800)
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
