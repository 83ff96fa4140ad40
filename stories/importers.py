"""Reading other platforms' exports into a list of stories, before anything is written.

`parse_archive` recognises the format from the upload's content (a zip's listing, an XML
root, JSON keys), checks the whole archive (core.archives for zips, defusedxml for XML) and
returns every story it holds as an `Entry`. It writes nothing; stories.imports does that, in
a background job, from the same bytes. Everything an entry holds is untrusted: its HTML goes
through the sanitiser when the story is saved, its images through core.images.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import posixpath
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml
from bs4 import BeautifulSoup
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET  # noqa: N812
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from markdown_it import MarkdownIt

from core.archives import ArchiveRefused, SafeZip, is_zip

logger = logging.getLogger(__name__)

# What one story may bring at most; more is cut.
MAX_TAGS = 8  # what the editor allows (stories.forms.MAX_TAGS)
MAX_STORIES = 2000


class ImportRefused(Exception):
    """An upload we will not import; the message is safe to show as a form error."""


@dataclass
class Entry:
    """One story found in an archive, as the other platform had it."""

    key: str
    title: str
    html: str = ""
    subtitle: str = ""
    published: datetime | None = None
    created: datetime | None = None
    original_url: str = ""
    tags: list[str] = field(default_factory=list)
    community: str = ""  # a community's name (our own export only)
    hero: str = ""  # an http(s) address, or a path inside the archive
    hero_caption: str = ""
    hero_alt: str = ""
    for_supporters: bool = False  # our own export only (issue 18)
    # Relative image paths in `html` (and `hero`) resolve against this folder of the archive.
    folder: str = ""
    skip: str = ""  # why this one is not imported, if it is not


@dataclass
class Parsed:
    format: str
    entries: list[Entry]
    archive: SafeZip | None = None

    def read(self, path: str) -> bytes | None:
        """A file of the archive by its path, or None if there is no such file."""
        if self.archive is None or path not in self.archive:
            return None
        return self.archive.read(path)


def parse_archive(data: bytes) -> Parsed:
    """The stories in an upload, or ImportRefused saying why there are none to import."""
    if not data:
        raise ImportRefused("The file is empty.")
    try:
        parsed = _parse(data)
    except (
        RecursionError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        AssertionError,
    ):
        # Hostile nesting or a shape no export has: a form error, never a server error; logged,
        # since it is not one of the refusals we expect.
        logger.warning("Could not read an uploaded import", exc_info=True)
        raise ImportRefused("We could not read this file; it may be damaged.") from None
    if len(parsed.entries) > MAX_STORIES:
        raise ImportRefused(f"This archive holds more than {MAX_STORIES} stories; split it.")
    if not parsed.entries:
        raise ImportRefused("We found no stories in this file.")
    return parsed


def _parse(data: bytes) -> Parsed:
    if is_zip(data):
        try:
            archive = SafeZip(data)
        except ArchiveRefused as error:
            raise ImportRefused(str(error)) from None
        return _parse_zip(archive)
    return _parse_document(data)


_UNKNOWN = (
    "We don’t recognise this file. Upload the zip Medium or Substack sent you, a WordPress "
    "export (.xml, or a zip holding one), a Ghost export (.json), or a zip of Markdown files "
    "as our own export makes."
)


def _parse_zip(archive: SafeZip) -> Parsed:
    names = archive.names()
    csv_names = [name for name in names if posixpath.basename(name) == "posts.csv"]
    if csv_names:
        return Parsed("substack", _substack(archive, csv_names[0]), archive)
    medium = [name for name in names if re.fullmatch(r"(.*/)?posts/[^/]+\.html", name)]
    if medium and any(b"e-content" in archive.read(name) for name in medium[:20]):
        return Parsed("medium", _medium(archive, medium), archive)
    markdown = [name for name in names if name.endswith(".md") and "/." not in f"/{name}"]
    if markdown:
        return Parsed("markdown", _markdown(archive, markdown), archive)
    documents = [name for name in names if name.endswith((".xml", ".json"))]
    if len(documents) == 1 or (documents and all(name.endswith(".xml") for name in documents)):
        # WordPress splits a large site's export into several files: read them all.
        parts = [_parse_document(archive.read(name)) for name in documents]
        if len({part.format for part in parts}) == 1:
            entries = [entry for part in parts for entry in part.entries]
            return Parsed(parts[0].format, entries, archive)
    raise ImportRefused(_UNKNOWN)


def _parse_document(data: bytes) -> Parsed:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return Parsed("wordpress", _wordpress(data))
    if head.startswith(b"{"):
        return Parsed("ghost", _ghost(data))
    raise ImportRefused(_UNKNOWN)


# --- Dates and small helpers -----------------------------------------------------------------


def _date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
            if moment is None:
                day = parse_date(text)
                moment = datetime(day.year, day.month, day.day) if day else None
        except ValueError:
            return None
        if moment is None:
            return None
    else:
        return None
    if moment.year < 1900:  # WordPress writes 0000-00-00 00:00:00 for "never"
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _decode(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def _str_or_empty(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _tags(names: list[Any]) -> list[str]:
    tags: list[str] = []
    for name in names:
        # Strings only: str() of a nested list can be a YAML alias bomb ("billion laughs"
        # written with anchors), exponentially large once spelled out.
        if not isinstance(name, str):
            continue
        text = _text(name)[:100]
        if text and text.lower() not in {tag.lower() for tag in tags}:
            tags.append(text)
    return tags[:MAX_TAGS]


# --- Medium ----------------------------------------------------------------------------------


def _medium(archive: SafeZip, names: list[str]) -> list[Entry]:
    entries = []
    for name in names:
        soup = BeautifulSoup(_decode(archive.read(name)), "html5lib")
        body = soup.find(attrs={"data-field": "body"}) or soup.find(class_="e-content")
        if body is None:
            continue
        heading = soup.find(class_="p-name") or soup.find("title")
        title = _text(heading.get_text()) if heading else ""
        subtitle_el = soup.find(attrs={"data-field": "subtitle"})
        # Medium repeats the title (and subtitle) as the first lines of the body.
        for repeated in body.select(".graf--title, .graf--subtitle"):
            repeated.decompose()
        canonical = soup.find("a", class_="p-canonical")
        url = canonical.get("href", "") if canonical else ""
        draft = posixpath.basename(name).startswith("draft_")
        published = soup.find("time", class_="dt-published")
        moment = None if draft or published is None else _date(published.get("datetime"))
        entries.append(
            Entry(
                key=f"medium:{url or posixpath.basename(name)}",
                title=title,
                subtitle=_text(subtitle_el.get_text()) if subtitle_el else "",
                html=body.decode_contents(),
                published=moment,
                created=moment,
                original_url="" if draft else url,
            )
        )
    return entries


# --- Substack --------------------------------------------------------------------------------


def _substack(archive: SafeZip, csv_name: str) -> list[Entry]:
    folder = posixpath.dirname(csv_name)
    try:
        rows = list(csv.DictReader(io.StringIO(_decode(archive.read(csv_name)))))
    except csv.Error:
        raise ImportRefused("The posts.csv in this zip cannot be read.") from None
    entries = []
    for row in rows:
        post_id = (row.get("post_id") or "").strip()
        if not post_id:
            continue
        published = (row.get("is_published") or "").strip().lower() == "true"
        moment = _date(row.get("post_date")) if published else None
        path = posixpath.join(folder, "posts", f"{post_id}.html")
        entry = Entry(
            key=f"substack:{post_id}",
            title=_text(row.get("title")),
            subtitle=_text(row.get("subtitle")),
            published=moment,
            created=moment,
        )
        if path in archive:
            entry.html = _decode(archive.read(path))
        else:
            entry.skip = "its text is not in the zip"
        entries.append(entry)
    return entries


# --- WordPress -------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Any, name: str) -> Any:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _child_text(element: Any, name: str, namespace: str = "") -> str:
    """The text of the first child called ``name`` whose namespace URI contains ``namespace``:
    WXR has both content:encoded and excerpt:encoded."""
    for child in element:
        if _local(child.tag) == name and namespace in child.tag.split("}", 1)[0]:
            return child.text or ""
    return ""


def _autop(text: str) -> str:
    """WordPress keeps paragraphs as blank lines and adds <p> when it shows a post."""
    if re.search(r"<(p|div|h[1-6]|ul|ol|figure|blockquote)[\s>]", text, re.I):
        return text
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in paragraphs)


def _wordpress(data: bytes) -> list[Entry]:
    try:
        # No DTD at all: a WXR file has none, and a DTD is where entity bombs and external
        # entities live.
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImportRefused(
            "This XML file declares entities or a DTD (which can hide an “entity bomb” or read "
            "other files); WordPress exports have none, so we refuse it."
        ) from None
    except SafeET.ParseError:
        raise ImportRefused("This XML file is damaged and cannot be read.") from None
    channel = _child(root, "channel") if _local(root.tag) == "rss" else None
    if channel is None:
        raise ImportRefused(_UNKNOWN)
    entries = []
    for item in channel:
        if _local(item.tag) != "item" or _child_text(item, "post_type") != "post":
            continue
        status = _child_text(item, "status")
        if status not in {"publish", "draft", "pending", "private", "future"}:
            continue  # trash, auto-draft, inherit
        published = status == "publish"
        moment = _date(_child_text(item, "post_date_gmt")) if published else None
        tags = [
            child.text
            for child in item
            if _local(child.tag) == "category" and child.get("domain") == "post_tag"
        ]
        link = _child_text(item, "link").strip()
        guid = _child_text(item, "guid").strip() or _child_text(item, "post_id")
        entries.append(
            Entry(
                key=f"wordpress:{guid or link}",
                title=_text(_child_text(item, "title")),
                html=_autop(_child_text(item, "encoded", "/content/")),
                subtitle=_text(_child_text(item, "encoded", "/excerpt/")),
                published=moment,
                created=moment,
                original_url=link if published else "",
                tags=_tags(tags),
            )
        )
    return entries


# --- Ghost -----------------------------------------------------------------------------------


def _ghost(data: bytes) -> list[Entry]:
    try:
        document = json.loads(_decode(data))
        database = document["db"][0]["data"]
        posts = database["posts"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        raise ImportRefused(_UNKNOWN) from None
    if not isinstance(posts, list):
        raise ImportRefused(_UNKNOWN)
    tag_names = {
        tag.get("id"): tag.get("name")
        for tag in database.get("tags") or []
        if isinstance(tag, dict)
    }
    post_tags: dict[Any, list[str]] = {}
    for link in database.get("posts_tags") or []:
        if isinstance(link, dict) and link.get("tag_id") in tag_names:
            post_tags.setdefault(link.get("post_id"), []).append(tag_names[link["tag_id"]])
    entries = []
    for post in posts:
        if not isinstance(post, dict) or post.get("type", "post") != "post":
            continue
        published = post.get("status") == "published"
        moment = _date(post.get("published_at")) if published else None
        entry = Entry(
            key=f"ghost:{post.get('uuid') or post.get('id')}",
            title=_text(post.get("title")),
            subtitle=_text(post.get("custom_excerpt")),
            html=_str_or_empty(post.get("html")),
            published=moment,
            created=_date(post.get("created_at")) or moment,
            tags=_tags(post_tags.get(post.get("id"), [])),
            hero=_str_or_empty(post.get("feature_image")),
            hero_alt=_text(_str_or_empty(post.get("feature_image_alt"))),
        )
        if not entry.html:
            entry.skip = "it has no HTML in the export (only Mobiledoc or Lexical)"
        entries.append(entry)
    return entries


# --- Markdown with front matter (our own export, stories/export.py) --------------------------

_FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n?(.*)\Z", re.S)
MAX_FRONT_MATTER = 64 * 1024
_markdown_renderer = MarkdownIt("commonmark")


def _string(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return _text(value) if isinstance(value, str | int | float) else ""


def _markdown(archive: SafeZip, names: list[str]) -> list[Entry]:
    entries = []
    for name in names:
        if name.endswith(".pending-edit.md"):
            continue  # unpublished changes to a story in the same archive
        text = _decode(archive.read(name))
        match = _FRONT_MATTER.match(text)
        meta: Any = {}
        body = text
        if match and len(match.group(1)) <= MAX_FRONT_MATTER:
            try:
                meta = yaml.safe_load(match.group(1)) or {}
            except (yaml.YAMLError, RecursionError):
                meta = {}
            body = match.group(2)
        if not isinstance(meta, dict):
            meta = {}
        # A story that came to us from elsewhere first appeared there, not here.
        published = _date(meta.get("first_published_elsewhere")) or _date(meta.get("published"))
        url = _string(meta, "original_url") or _string(meta, "url")
        tags = meta.get("tags")
        title = _string(meta, "title") or posixpath.splitext(posixpath.basename(name))[0]
        entries.append(
            Entry(
                key=f"markdown:{_string(meta, 'url') or name}",
                title=title,
                subtitle=_string(meta, "subtitle"),
                html=_render_markdown(body),
                published=published,
                created=_date(meta.get("created")) or published,
                original_url=url if published else "",
                tags=_tags(tags if isinstance(tags, list) else []),
                community=_string(meta, "community"),
                hero=_string(meta, "hero_image"),
                hero_caption=_string(meta, "hero_caption"),
                hero_alt=_string(meta, "hero_alt"),
                for_supporters=meta.get("for_supporters") is True,
                folder=posixpath.dirname(name),
            )
        )
    return entries


def _render_markdown(text: str) -> str:
    try:
        return _markdown_renderer.render(text)
    except RecursionError:
        return ""


# Ghost writes its own images as "__GHOST_URL__/content/images/..."; a zip of a Ghost export
# with its content/ folder has them at that path.
GHOST_URL = "__GHOST_URL__/"


def archive_path(folder: str, src: str) -> str | None:
    """Where a relative image path written in a file of ``folder`` points inside the archive."""
    if src.startswith(GHOST_URL):
        folder, src = "", src[len(GHOST_URL) :]
    if not src or "://" in src or src.startswith(("/", "data:", "#")):
        return None
    path = posixpath.normpath(posixpath.join(folder, src.split("?", 1)[0].split("#", 1)[0]))
    return None if path.startswith("../") or path == ".." else path
