"""The one HTML sanitiser: all user HTML (story bodies, comments, bios) goes through it on save."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from html import escape, unescape
from typing import Any
from urllib.parse import urlsplit

import html5lib
from bleach import html5lib_shim
from bleach.linkifier import Linker, build_url_re
from bleach.sanitizer import BleachSanitizerFilter
from django.conf import settings
from html5lib.filters.base import Filter

# --- The allowlist. Everything not named here is removed. -----------------------------------

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr",
        "h2", "h3", "h4",  # the page owns <h1>; see HEADING_RENAMES
        "strong", "b", "em", "i", "u", "s", "sub", "sup", "code", "pre",
        "a",
        "ul", "ol", "li",
        "blockquote", "figure", "figcaption", "img",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),  # rel is always set by us, never taken from input
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    # The creator's break before the supporters-only part of a story (stories.access), and
    # only with exactly that value: SUPPORTERS_BREAK is the one marker an <hr> may carry.
    "hr": frozenset({"data-break"}),
}

# The break a creator places in a story for supporters: what comes after it is theirs.
SUPPORTERS_BREAK = '<hr data-break="supporters">'

# Schemes a URL attribute may use; a URL without a scheme (relative) is always allowed.
# Images never load from mailto: or data: (data: can carry SVG and is a tracking-free
# way to smuggle content past review), nor from a host the site's CSP blocks (is_our_image).
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

LINK_REL = "nofollow noopener ugc"

# The page has its own <h1> and the allowlist stops at <h4>, so out-of-range headings are
# renamed to the nearest allowed level rather than flattened into body text.
HEADING_RENAMES = {"h1": "h2", "h5": "h4", "h6": "h4"}

# Removed together with everything inside them: their content is code, markup in another
# namespace, or form state, never prose a reader should see.
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes",
        "iframe", "object", "embed", "applet",
        "svg", "math",
        "textarea", "select", "xmp", "title",
    }
)  # fmt: skip

# ---------------------------------------------------------------------------------------------

_URL_ATTRIBUTES = frozenset({"href", "src"})
_DIMENSION = re.compile(r"[0-9]{1,5}")
# Controls (except tab, newline, form feed, carriage return) and lone surrogates: invisible,
# and a lone surrogate cannot even be stored as UTF-8.
_UNWANTED_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")
# Characters a browser skips, or that we refuse to reason about, when reading a URL's scheme:
# C0 controls and space (stripped at the ends, tab/newline removed anywhere by browsers),
# C1 controls, and Unicode spaces and invisible formatting characters.
_URL_IGNORABLE = re.compile(
    r"[\x00-\x20\x7f-\xa0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f"
    r"\u3000\ufeff\ufffd]+"
)
_HTML_NAMESPACE = html5lib_shim.namespaces["html"]
_MAX_PASSES = 4


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Bleach attribute filter: the allowlist above plus our own URL and size checks."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name in _URL_ATTRIBUTES:
        if tag == "img":
            return is_safe_url(value, IMAGE_SCHEMES) and is_our_image(value)
        return is_safe_url(value, LINK_SCHEMES)
    if name in {"width", "height"}:
        return _DIMENSION.fullmatch(value) is not None
    if name == "data-break":
        return value == "supporters"
    return True


def is_safe_url(value: str, schemes: frozenset[str] = LINK_SCHEMES) -> bool:
    """True if the URL is relative or its scheme is in ``schemes``.

    ``value`` is an attribute value as written in HTML (entities not yet decoded). The browser
    decodes it once; we also check the fully decoded form, and treat anything before the first
    ``:`` that comes before any ``/``, ``?`` or ``#`` as a scheme even when a browser would not,
    so ``jav&#x09;ascript:``, `` JaVaScRiPt:`` and ``javascript:123`` are all refused.
    """
    once = unescape(value)
    candidates = {once}
    decoded = once
    for _ in range(3):  # double-encoded entities: refuse what any decoding would reveal
        again = unescape(decoded)
        if again == decoded:
            break
        decoded = again
        candidates.add(decoded)
    return all(_scheme_allowed(candidate, schemes) for candidate in candidates)


def is_our_image(value: str) -> bool:
    """True if the image comes from a host the site's Content-Security-Policy lets pages load.

    A path is this site's own; a URL with a host must be on the site (SITE_URL) or on one of
    the hosts the policy's img-src names (the media host). Any other image would be blocked in
    the editor, the preview and the published story alike, so it is dropped, not stored.
    """
    try:
        parts = urlsplit(_URL_IGNORABLE.sub("", unescape(value)).replace("\\", "/"))
    except ValueError:
        return False
    if not parts.netloc:
        return True
    return f"{parts.scheme or 'https'}://{parts.netloc}".lower() in image_origins()


def image_origins() -> frozenset[str]:
    """This site's origin and every origin named in the policy's img-src."""
    origins = {_origin_of(getattr(settings, "SITE_URL", ""))}
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        policy = getattr(settings, name, None) or {}
        for source in policy.get("DIRECTIVES", {}).get("img-src", ()):
            origins.add(_origin_of(source))
    origins.discard(None)
    return frozenset(origins)


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}".lower()
    return None


def _scheme_allowed(url: str, schemes: frozenset[str]) -> bool:
    normalized = _URL_IGNORABLE.sub("", url).lower()
    end = len(normalized)
    for delimiter in "/?#":
        index = normalized.find(delimiter)
        if index != -1:
            end = min(end, index)
    colon = normalized.find(":", 0, end)
    if colon == -1:
        return True  # relative URL
    return normalized[:colon] in schemes


class _PrepareFilter(Filter):
    """Runs before bleach: drops dangerous subtrees whole and renames out-of-range headings.

    Bleach on its own strips a disallowed tag but keeps its text, so
    ``<script>alert(1)</script>`` would become the visible text ``alert(1)``.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        depth = 0  # > 0 while inside a dropped subtree
        for token in super().__iter__():
            kind = token["type"]
            if kind in {"StartTag", "EndTag", "EmptyTag"}:
                foreign = token.get("namespace") not in {None, _HTML_NAMESPACE}
                dropped = foreign or token["name"] in DROP_WITH_CONTENT
                if depth or dropped:
                    if kind == "StartTag":
                        depth += 1
                    elif kind == "EndTag":
                        depth -= 1
                    continue
                if token["name"] in HEADING_RENAMES:
                    token["name"] = HEADING_RENAMES[token["name"]]
            elif depth:
                continue
            yield token


class _FinishFilter(Filter):
    """Runs after bleach: sets rel on links, drops images left without a src, keeps <pre> stable.

    The parser swallows one newline right after ``<pre>`` and the serialiser does not put it
    back, so a <pre> whose text starts with a newline gets one more, or it would lose a line on
    every save.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        after_pre = False
        for token in super().__iter__():
            kind = token["type"]
            text = kind in {"Characters", "SpaceCharacters"}
            if after_pre and text and token["data"].startswith("\n"):
                token["data"] = "\n" + token["data"]
            after_pre = kind == "StartTag" and token["name"] == "pre"
            if kind == "StartTag" and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            elif (
                kind == "EmptyTag" and token["name"] == "img" and (None, "src") not in token["data"]
            ):
                continue
            yield token


def _only_explicit_web_links(attrs: dict[Any, str], new: bool = False) -> dict[Any, str] | None:
    """Linker callback: link only URLs written with http:// or https://, not bare domains."""
    if new and not attrs.get("_text", "").lower().startswith(("http://", "https://")):
        return None
    return attrs


class _Pipeline(threading.local):
    """Parser, serialiser and linker, built once per thread: bleach's parser is not thread-safe."""

    def __init__(self) -> None:
        # The parser must see the drop-with-content tags as elements (bleach's parser turns
        # every tag it is not told about into empty text before the tree is built) so that
        # _PrepareFilter can remove them with their content.
        self.parser = html5lib_shim.BleachHTMLParser(
            tags=ALLOWED_TAGS | DROP_WITH_CONTENT | HEADING_RENAMES.keys(),
            strip=True,
            consume_entities=False,
            namespaceHTMLElements=False,
        )
        self.walker = html5lib_shim.getTreeWalker("etree")
        # The same options bleach.Cleaner uses.
        self.serializer = html5lib_shim.BleachHTMLSerializer(
            quote_attr_values="always",
            omit_optional_tags=False,
            escape_lt_in_attrs=True,
            resolve_entities=False,
            sanitize=False,
            alphabetical_attributes=False,
        )
        self.linker = Linker(
            callbacks=[_only_explicit_web_links],
            url_re=build_url_re(protocols=["http", "https"]),
            parse_email=False,
        )

    def clean_once(self, text: str) -> str:
        fragment = self.parser.parseFragment(text)
        stream = BleachSanitizerFilter(
            source=_PrepareFilter(self.walker(fragment)),
            allowed_tags=ALLOWED_TAGS,
            attributes=_allow_attribute,
            allowed_protocols=LINK_SCHEMES,
            strip_disallowed_tags=True,
            strip_html_comments=True,
            css_sanitizer=None,
        )
        return self.serializer.render(_FinishFilter(stream))


_pipeline = _Pipeline()


def clean_html(html: str | None) -> str:
    """Sanitise rich HTML (a story body) down to the allowlist at the top of this module.

    The result is a fixed point: cleaning it again returns it unchanged. One pass is usually
    enough, but removing tags can leave markup that a browser would re-nest differently (a <p>
    that was inside a <button>, a heading inside a stripped <span> inside a heading), so we pass
    again until nothing changes. Input that is already clean costs a single pass.
    """
    if not html:
        return ""
    current = _UNWANTED_CHARS.sub("", html)
    for _ in range(_MAX_PASSES):
        cleaned = _pipeline.clean_once(current)
        if cleaned == current:
            return cleaned
        current = cleaned
    # Never seen on the test corpus; if markup keeps shifting, keep the words and no markup.
    return _pipeline.clean_once(f"<p>{escape(html_to_text(current), quote=False)}</p>")


def clean_text(text: str | None) -> str:
    """Turn plain text (a comment, a bio) into safe HTML: paragraphs, <br>, clickable links."""
    if not text:
        return ""
    text = _UNWANTED_CHARS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for paragraph in re.split(r"\n[ \t\f]*\n", text.strip()):
        lines = [escape(line.strip(), quote=False) for line in paragraph.strip().split("\n")]
        if any(lines):
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    # The linker's output goes through clean_html too, so plain text meets exactly the same
    # bar as rich text and gets the same rel on its links.
    return clean_html(_pipeline.linker.linkify("".join(paragraphs)))


# Elements whose boundaries do not separate words ("un<em>believ</em>able" is one word).
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "code", "del", "em", "i", "ins", "mark", "q", "s", "small", "span",
     "strong", "sub", "sup", "u"}
)  # fmt: skip
_WORD = re.compile(r"\w+(?:['’.\-]\w+)*")


def html_to_text(html: str) -> str:
    """The text of sanitised HTML, whitespace-normalised, with block boundaries as spaces.

    The result is plain text with entities decoded (for word counts and search), not HTML.
    """
    if not html:
        return ""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    parts: list[str] = []
    depth = 0  # > 0 inside an element whose content is not text (script, svg...)
    # The tree walker is not recursive, so deeply nested hostile input cannot overflow the stack.
    for token in html5lib.getTreeWalker("etree")(fragment):
        kind = token["type"]
        if kind in {"StartTag", "EndTag", "EmptyTag"}:
            name = token["name"]
            foreign = token.get("namespace") not in {None, _HTML_NAMESPACE}
            if depth or foreign or name in DROP_WITH_CONTENT:
                if kind == "StartTag":
                    depth += 1
                elif kind == "EndTag":
                    depth -= 1
                continue
            if name not in _INLINE_TAGS:
                parts.append(" ")
        elif kind in {"Characters", "SpaceCharacters"} and not depth:
            parts.append(token["data"])
    return " ".join("".join(parts).split())


def word_count(text: str) -> int:
    """Words in plain text; "don't", "well-known" and "3.5" count as one word each."""
    return len(_WORD.findall(text or ""))


def image_sources(html: str) -> Iterator[str]:
    """The ``src`` of each image in sanitised HTML, in the order a reader meets them.

    For reading what clean_html() kept (a story's first image, say), never for cleaning:
    what it yields is only as safe as the HTML it is given.
    """
    if not html or "<img" not in html:
        return
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    for token in html5lib.getTreeWalker("etree")(fragment):
        if token["type"] == "EmptyTag" and token["name"] == "img":
            src = token["data"].get((None, "src"))
            if src:
                yield src
