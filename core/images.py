"""The one gate every uploaded image passes through: verify, bound, re-encode, resize."""

from __future__ import annotations

import contextlib
import io
import logging
import struct
import uuid
import warnings
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps

logger = logging.getLogger(__name__)

# Formats are decided from the file's content, never from its name. "MPO" is what Pillow
# calls a JPEG carrying a multi-picture index (many phone cameras write one).
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_OPENED_AS = frozenset((*ALLOWED_FORMATS, "MPO"))

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Checked against the header before any pixel is decoded. Well under Pillow's own
# MAX_IMAGE_PIXELS (about 89 MP), so anything that would make Pillow warn is refused here.
MAX_PIXELS = 40_000_000
# The pixels one upload may decode, by format, checked after JPEG's reduced-size decode has
# shrunk the image (draft); only JPEG has one, so for the others this is the limit itself. A
# small compressed file (a one-colour 6320x6320 PNG is 128 KB) cannot turn into more than
# this. JPEG: any photo under MAX_PIXELS decodes at 1/2, 1/4 or 1/8 to at most 4800x4800.
# PNG and GIF: 4000x4000, more than a 5K screenshot. WebP: Pillow's decoder holds about three
# RGBA copies at once, so a 4K frame (about 8 MP) is its share. Measured peaks: README.
MAX_DECODED_PIXELS = {
    "JPEG": 24_000_000,
    "MPO": 24_000_000,
    "PNG": 16_000_000,
    "GIF": 16_000_000,
    "WEBP": 8_000_000,
}
# Every stored image also gets WebP copies (the original's size and each display size) that
# pages offer before the JPEG or PNG, through <picture>. WebP, not AVIF: Pillow here writes
# both, but AVIF took four times as long to encode a 2400 px photo (2.4 s against 0.6 s) for
# about the same size, and display sizes are made while the uploader waits.
MODERN_FORMAT = "WEBP"
MODERN_TYPE = "image/webp"
MODERN_SUFFIX = ".webp"
MODERN_QUALITY = 80
# Longest side of the stored original; bigger uploads are downscaled.
MAX_SIDE = 2400
JPEG_QUALITY = 85

# Everything Pillow and its decoders are known to raise on hostile or broken input.
_DECODE_ERRORS = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    SyntaxError,
    ValueError,
    TypeError,
    struct.error,
    EOFError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    MemoryError,
)

_MESSAGES = {
    "unsupported": _("Upload a JPEG, PNG, WebP or GIF image."),
    "too_many_pixels": _("This image is too large (max %(megapixels)d megapixels)."),
    "too_large": _("This file is too large (max %(size)s)."),
    "damaged": _("The file is empty or damaged."),
}


class ImageRejected(ValidationError):
    """An upload that is not an image Byline will store; the message is safe to show."""

    def __init__(self, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(_MESSAGES[code], code=code, params=params)


def max_upload_bytes() -> int:
    value = getattr(settings, "BYLINE_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ImproperlyConfigured(
            f"BYLINE_IMAGE_MAX_BYTES must be a positive number of bytes, not {value!r}."
        )
    return value


def process_upload(f: IO[bytes] | bytes) -> ContentFile:
    """Return ``f`` re-encoded with no metadata, or raise ImageRejected.

    Opaque images become progressive JPEG, images with transparency PNG. Animated GIF, PNG
    and WebP keep their first frame only. The name is random, with the extension of the
    format actually written.
    """
    image = _open_clean(_read_bounded(f))
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return _encode(image, uuid.uuid4().hex)


def make_variant(image_file: IO[bytes] | bytes, width: int) -> ContentFile:
    """Return a copy of an image at most ``width`` pixels wide, for ``srcset``.

    Never upscales: asking for more than the image's own width gives it at its own width. The
    source goes through the same checks as an upload, so a file that did not come from
    process_upload is still safe to pass. The name is the source's stem plus ``-<width>w``.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width <= 0:
        raise ValueError(f"width must be a positive integer, not {width!r}")
    image = _open_clean(_read_bounded(image_file))
    # thumbnail() keeps the aspect ratio and never enlarges.
    image.thumbnail((width, image.height), Image.Resampling.LANCZOS)
    source_name = getattr(image_file, "name", None) or ""
    stem = PurePath(str(source_name)).stem or uuid.uuid4().hex
    return _encode(image, f"{stem}-{width}w")


def variant_name(name: str, width: int) -> str:
    """Where the ``width``-pixel copy of the stored image ``name`` lives: ``a/b-800w.jpg``."""
    path = PurePath(name)
    return str(path.with_name(f"{path.stem}-{width}w{path.suffix}"))


def modern_name(name: str, width: int | None = None) -> str:
    """Where the WebP copy of the stored image ``name`` (at ``width``, else its own size)
    lives: ``a/b-800w.webp``, ``a/b.webp``."""
    path = PurePath(name)
    stem = f"{path.stem}-{width}w" if width else path.stem
    return str(path.with_name(stem + MODERN_SUFFIX))


def save_variants(field_file: Any, widths: Iterable[int], *, plain: bool = True) -> list[int]:
    """Store the display sizes of a just-saved image next to it; returns the widths made.

    Every width gets a file, so a page can name any of them; a width the image does not reach
    gets the image at its own size (never enlarged). Each size, and the original, also gets a
    WebP copy (modern_name); ``plain=False`` makes only those (the backfill).
    """
    with field_file.open("rb") as f:
        image = _open_clean(_read_bounded(f))  # decoded once for every size
    storage = field_file.storage
    _replace(storage, modern_name(field_file.name), _encode_modern(image))
    made = []
    # Largest first, each made from the one before: resizing is most of the cost.
    for width in sorted(set(widths), reverse=True):
        if width < image.width:
            image = image.copy()
            image.thumbnail((width, image.height), Image.Resampling.LANCZOS)
        if plain:
            name = variant_name(field_file.name, width)
            _replace(storage, name, _encode(image, PurePath(name).stem))
        _replace(storage, modern_name(field_file.name, width), _encode_modern(image))
        made.append(width)
    return sorted(made)


def has_modern_copies(field_file: Any) -> bool:
    """Whether the WebP copies of a stored image exist (images stored before they were made
    have none until `manage.py backfill_images`). Kept in this process once true: a name
    never gets other bytes; a miss is asked again, at the storage's cost (a stat on disk)."""
    name = field_file.name
    if name in _modern_known:
        return True
    if field_file.storage.exists(modern_name(name)):
        if len(_modern_known) > 10_000:
            _modern_known.clear()
        _modern_known.add(name)
        return True
    return False


_modern_known: set[str] = set()


def stored_width(storage: Any, name: str) -> int | None:
    """The width of an image this module stored (a WebP copy, say), read from its header
    alone; None when it is missing or unreadable. For pages that must know a size no model
    keeps (images inside story bodies)."""
    try:
        with (
            storage.open(name, "rb") as f,
            _strict_decoding(),
            Image.open(f, formats=(MODERN_FORMAT, "JPEG", "PNG")) as image,
        ):
            return image.width
    except FileNotFoundError:
        return None
    except _DECODE_ERRORS:
        logger.warning("Unreadable stored image %r", name, exc_info=True)
        return None


def _replace(storage: Any, name: str, content: ContentFile) -> None:
    storage.delete(name)
    storage.save(name, content)


def _encode_modern(image: Image.Image) -> ContentFile:
    """The WebP copy: transparency kept, no metadata."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    image.info = {}
    out = io.BytesIO()
    image.save(out, MODERN_FORMAT, quality=MODERN_QUALITY, method=4)
    return ContentFile(out.getvalue())


class DisplaySizesMixin:
    """For models: after a save that stored a new image, make its display sizes.

    Set ``display_sizes = {"field_name": (width, ...)}`` on the model class.
    """

    display_sizes: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_image_names = {
            field: getattr(instance, field).name
            for field in cls.display_sizes
            if field in field_names
        }
        return instance

    def save(self, *args, **kwargs) -> None:
        saved = getattr(self, "_saved_image_names", {})
        new = [
            field
            for field in self.display_sizes
            if getattr(self, field) and getattr(self, field).name != saved.get(field)
        ]
        super().save(*args, **kwargs)
        for field in new:
            save_variants(getattr(self, field), self.display_sizes[field])
        self._saved_image_names = {field: getattr(self, field).name for field in self.display_sizes}


class SafeImageField(forms.ImageField):
    """An ImageField whose cleaned value is process_upload's re-encoded ContentFile.

    Use it for every image a user can upload, e.g. in the admin through
    ``formfield_overrides = {models.ImageField: {"form_class": SafeImageField}}``. An existing
    image with no new upload, and the "clear" checkbox, behave as in Django's ImageField.
    """

    def to_python(self, data: Any) -> ContentFile | None:
        # FileField's checks (no file, no name, empty file) but not ImageField's own Pillow
        # pass: process_upload is the only place an upload is decoded.
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return process_upload(upload)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif"
        return attrs


def _read_bounded(f: IO[bytes] | bytes) -> bytes:
    """Read the whole upload, refusing it as soon as it is known to be over the limit."""
    limit = max_upload_bytes()
    too_large = ImageRejected("too_large", {"size": filesizeformat(limit)})
    if isinstance(f, bytes | bytearray | memoryview):
        data = bytes(f)
    else:
        declared = getattr(f, "size", None)
        if isinstance(declared, int) and declared > limit:
            raise too_large
        if getattr(f, "closed", False) and hasattr(f, "open"):
            # A stored FieldFile, say: open it for this read only.
            f.open("rb")
            with contextlib.closing(f):
                data = f.read(limit + 1)
        else:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                f.seek(0)
            data = f.read(limit + 1)
        if not isinstance(data, bytes):
            raise ImageRejected("damaged")
    if len(data) > limit:
        raise too_large
    if not data:
        raise ImageRejected("damaged")
    return data


def _open_clean(data: bytes) -> Image.Image:
    """Decode the first frame of ``data`` into an upright RGB or RGBA image."""
    kind = _sniff(data)
    if kind is None:
        # Refused by content before any parser sees it: SVG, HTML, BMP, PSD, EPS, text...
        raise ImageRejected("unsupported")
    try:
        with _strict_decoding():
            _verify(data, kind)
            with Image.open(io.BytesIO(data), formats=(kind,)) as source:
                _check_header(source)
                if source.format in ("JPEG", "MPO") and max(source.size) > MAX_SIDE:
                    # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves the
                    # longest side at least MAX_SIDE: far less memory and time for big photos.
                    scale = MAX_SIDE / max(source.size)
                    wanted = (round(source.width * scale), round(source.height * scale))
                    source.draft(None, (max(1, wanted[0]), max(1, wanted[1])))
                if source.width * source.height > MAX_DECODED_PIXELS[source.format]:
                    raise _too_many_pixels(MAX_DECODED_PIXELS[source.format])
                source.load()
                image = _bounded(source)
                _apply_orientation(image)
                image = _to_rgb_or_rgba(image)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit, reached only if something lowered MAX_IMAGE_PIXELS below ours,
        # or for a header so large Pillow refuses it in open() before we can look.
        raise _too_many_pixels(_header_limit(kind)) from None
    except _DECODE_ERRORS:
        raise ImageRejected("damaged") from None
    except Exception:
        # A decoder bug on hostile input must still be a form error, never a server error;
        # log it, since it is not one of the failures we expect.
        logger.warning("Unexpected error decoding an uploaded image", exc_info=True)
        raise ImageRejected("damaged") from None
    return image


def _verify(data: bytes, kind: str) -> None:
    """Run Pillow's verify(): what a plugin can check without decoding (PNG chunk CRCs...).

    It leaves the image unusable, hence its own open, separate from the real decode.
    """
    with Image.open(io.BytesIO(data), formats=(kind,)) as probe:
        _check_header(probe)
        probe.verify()


def _check_header(image: Image.Image) -> None:
    if image.format not in _OPENED_AS:
        raise ImageRejected("unsupported")
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageRejected("damaged")
    limit = _header_limit(image.format)
    if width * height > limit:
        raise _too_many_pixels(limit)


def _header_limit(image_format: str) -> int:
    # Only a JPEG can be decoded smaller than its header says.
    return MAX_PIXELS if image_format in ("JPEG", "MPO") else MAX_DECODED_PIXELS[image_format]


def _too_many_pixels(limit: int) -> ImageRejected:
    return ImageRejected("too_many_pixels", {"megapixels": round(limit / 1_000_000)})


def _bounded(image: Image.Image) -> Image.Image:
    """``image`` with its longest side at most MAX_SIDE, before anything copies it.

    Turning, converting and encoding then work on at most MAX_SIDE squared pixels, not on
    the full decode. The square bound makes it the same whichever way the EXIF turns it.
    """
    if max(image.size) <= MAX_SIDE:
        return image
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette and 1-bit images only resize by nearest neighbour: convert them first.
        image = _to_rgb_or_rgba(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def _sniff(data: bytes) -> str | None:
    """The format the file's first bytes claim, if it is one we accept at all.

    Pillow is then asked to open the file as that format and nothing else.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Make Pillow behave the same whatever the process has configured.

    Pillow's warnings (corrupt EXIF, malformed MPO...) are noise on hostile input and would be
    errors under ``-W error``, so they are ignored, except DecompressionBombWarning, which is
    always an error. Truncated files are always refused: LOAD_TRUNCATED_IMAGES is Pillow
    module state with no per-image switch; Byline never turns it on, so normally nothing is
    written here, and if something did, it is off only while we decode. Both are process
    state on Python < 3.14, so a decode in another thread at the same moment sees them too.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if not ImageFile.LOAD_TRUNCATED_IMAGES:
            yield
            return
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = True


def _apply_orientation(image: Image.Image) -> None:
    """Turn the image the way its EXIF orientation says, in place."""
    # Unreadable EXIF costs the orientation, not the upload.
    with contextlib.suppress(*_DECODE_ERRORS):
        ImageOps.exif_transpose(image, in_place=True)


def _to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    """RGBA for anything that can carry transparency, RGB otherwise."""
    if image.mode.startswith("I;16"):
        # 16-bit greyscale: keep the high byte, rather than clipping everything to white.
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _encode(image: Image.Image, stem: str) -> ContentFile:
    """PNG if any pixel is see-through, otherwise progressive JPEG; never any metadata."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    # The info dict is what Pillow's writers copy comments, ICC profiles and the like from.
    image.info = {}
    out = io.BytesIO()
    if image.mode == "RGBA":
        image.save(out, "PNG")
        extension = "png"
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{stem}.{extension}")
