"""Template helpers every app's pages share: relative dates, creator avatars, images, and the
first-paint script."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from django import template
from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core import first_paint
from core.images import MODERN_TYPE, has_modern_copies, modern_name, variant_name

register = template.Library()

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MONTH = 30 * DAY
YEAR = 365 * DAY


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def distance(seconds: float) -> str:
    """Words for a span of time, as readers say it: "about a year", "3 days", "almost 2 years"."""
    s = abs(seconds)
    if s < 45:
        return "less than a minute"
    if s < 90:
        return "a minute"
    if s < 45 * MINUTE:
        return _plural(round(s / MINUTE), "minute")
    if s < 90 * MINUTE:
        return "about an hour"
    if s < DAY:
        return "about " + _plural(round(s / HOUR), "hour")
    if s < 42 * HOUR:
        return "a day"
    if s < 30 * DAY:
        return _plural(round(s / DAY), "day")
    if s < 45 * DAY:
        return "about a month"
    if s < YEAR:
        return _plural(max(2, round(s / MONTH)), "month")
    years, rest = divmod(s, YEAR)
    years = int(years)
    if rest < 3 * MONTH:
        return "about a year" if years == 1 else f"about {years} years"
    if rest < 9 * MONTH:
        return "over a year" if years == 1 else f"over {years} years"
    return f"almost {years + 1} years"


@register.filter
def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """ "about a year ago" for a past moment, "in 3 days" for a future one."""
    if value is None:
        return ""
    delta = ((now or timezone.now()) - value).total_seconds()
    words = distance(delta)
    if words == "less than a minute":
        return "just now"
    return f"{words} ago" if delta >= 0 else f"in {words}"


AVATAR_SIZES = {"sm": 32, "md": 48, "lg": 72}


@register.inclusion_tag("partials/_avatar.html")
def avatar(user, size: str = "md") -> dict[str, object]:
    """The creator's picture, or their initials in a circle when they have none."""
    return {"person": user, "size": size, "pixels": AVATAR_SIZES[size]}


@register.simple_tag
def srcset(image, width: int | None, widths: str = "400 800 1360") -> str:
    """The ``srcset`` of a stored image: its display sizes (see images.save_variants) and itself.

    ``width`` is the original's width, which the models keep so no file is opened here.
    """
    if not image or not width:
        return ""
    storage = image.storage
    sizes = [int(w) for w in widths.split() if int(w) < width]
    parts = [f"{storage.url(variant_name(image.name, w))} {w}w" for w in sizes]
    parts.append(f"{image.url} {width}w")
    return ", ".join(parts)


@register.simple_tag
def webp_srcset(image, width: int | None, widths: str = "400 800 1360") -> str:
    """The ``srcset`` of a stored image's WebP copies (images.save_variants), for a <source>
    ahead of the JPEG or PNG; empty while they have not been made (backfill_images)."""
    if not image or not width or not has_modern_copies(image):
        return ""
    storage = image.storage
    sizes = [int(w) for w in widths.split() if int(w) < width]
    parts = [f"{storage.url(modern_name(image.name, w))} {w}w" for w in sizes]
    parts.append(f"{storage.url(modern_name(image.name))} {width}w")
    return ", ".join(parts)


@register.simple_tag
def webp_source(image, width: int | None, widths: str = "400 800 1360", sizes: str = "") -> str:
    """A <picture>'s <source> of the WebP copies, before its <img> of the JPEG or PNG."""
    candidates = webp_srcset(image, width, widths)
    if not candidates:
        return ""
    return format_html('<source type="{}" srcset="{}" sizes="{}">', MODERN_TYPE, candidates, sizes)


def _display_widths(image) -> tuple[int, ...]:
    """The display sizes its model makes of a stored image (DisplaySizesMixin.display_sizes)."""
    instance = getattr(image, "instance", None)
    field = getattr(getattr(image, "field", None), "name", None)
    return tuple(getattr(instance, "display_sizes", {}).get(field, ()))


@register.simple_tag
def sized_webp_source(image, sizes: str | int) -> str:
    """A <picture>'s <source> of the WebP display sizes of an image whose own width is not
    kept (logos, avatars, covers): only the sizes its model makes, so the whole upload never
    goes to a small badge. ``sizes`` is the ``sizes`` attribute, or a number of CSS pixels.
    Empty while the copies have not been made (backfill_images): the <img> alone is used."""
    widths = _display_widths(image)
    if not image or not widths or not has_modern_copies(image):
        return ""
    storage = image.storage
    candidates = ", ".join(f"{storage.url(modern_name(image.name, w))} {w}w" for w in widths)
    if isinstance(sizes, int):
        sizes = f"{sizes}px"
    return format_html('<source type="{}" srcset="{}" sizes="{}">', MODERN_TYPE, candidates, sizes)


@register.filter
def variant(image, width: int) -> str:
    """The URL of one display size of a stored image (see images.save_variants)."""
    if not image:
        return ""
    return image.storage.url(variant_name(image.name, int(width)))


@register.simple_tag
def first_paint_script() -> SafeString:
    """The inline <script> of core/first_paint.js, whose hash the CSP allows (base.html's head)."""
    return mark_safe(f"<script>{first_paint.SCRIPT}</script>")  # our own file, no user input


@register.simple_tag
@lru_cache(maxsize=8)
def data_uri(path: str) -> str:
    """A small static SVG as a data: URI (base.html's favicon): one request fewer on every page."""
    found = finders.find(path)
    if not found or not path.endswith(".svg"):
        raise ValueError(f"data_uri: no static SVG {path!r}")
    svg = Path(found).read_text(encoding="utf-8").strip()
    return "data:image/svg+xml," + quote(svg, safe=" =:/,")
