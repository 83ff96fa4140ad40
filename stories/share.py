"""Share links for a story: each network's own share address, plain links with no scripts.

Nothing here loads anything from another site, so the Content-Security-Policy stays as it is;
the reader's browser leaves for the network only when they follow a link. Mastodon has no one
address, so the reader names their server and stories.views.share_mastodon sends them there,
after checking that what they typed is a domain name and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator

from core.links import absolute
from stories.models import Story

# A domain name is at most 253 characters (RFC 1035); an address typed with it, a little more.
INSTANCE_MAX_LENGTH = 300

_domain = DomainNameValidator(accept_idna=True)
_HANDLE = re.compile(r"@?[^@\s/:]+@([^@\s/]+)")


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def _query(**params: str) -> str:
    # quote(), not urlencode(): spaces become %20, which every network and mail client reads,
    # where "+" is a space only in form data (a mail client shows it as a plus).
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())


def share_text(*, title: str, url: str) -> str:
    """What networks that take one piece of text get: the title, then the address."""
    return f"{title} {url}"


def story_share_url(story: Story) -> str:
    """The story's canonical address, as its <link rel="canonical"> gives it."""
    return absolute(story.get_absolute_url())


def share_links(*, title: str, url: str) -> list[ShareLink]:
    """The plain links of the share block, in the order it shows them (Mastodon apart)."""
    text = share_text(title=title, url=url)
    return [
        ShareLink("email", "Email", "mailto:?" + _query(subject=title, body=f"{title}\n\n{url}")),
        ShareLink("x", "X", "https://x.com/intent/post?" + _query(text=title, url=url)),
        ShareLink("bluesky", "Bluesky", "https://bsky.app/intent/compose?" + _query(text=text)),
        ShareLink(
            "facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + _query(u=url)
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + _query(url=url),
        ),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + _query(text=text)),
    ]


def clean_instance(value: str) -> str:
    """The Mastodon server a reader typed, as a bare domain name (IDNA-encoded), or an error.

    Readers type a server as they know it: "mastodon.social", "https://mastodon.social/", or
    their handle "@me@mastodon.social". All of those are accepted; anything that is not, in
    the end, one domain name (a path, a port, credentials, an IP address, "localhost") is
    refused, so the redirect can only ever go to https://<a domain>/share.
    """
    text = value.strip()
    lowered = text.lower()
    for scheme in ("https://", "http://"):
        if lowered.startswith(scheme):
            text = text[len(scheme) :]
            break
    text = text.rstrip("/")
    handle = _HANDLE.fullmatch(text)  # @name@server, or name@server
    if handle:
        text = handle.group(1)
    text = text.rstrip(".")
    error = ValidationError(
        "Enter your Mastodon server’s name, such as mastodon.social.", code="bad_instance"
    )
    if not text or len(text) > 253:
        raise error
    try:
        _domain(text)
        domain = text.encode("idna").decode("ascii").lower()
    except (ValidationError, UnicodeError):
        raise error from None
    return domain


def mastodon_share_url(*, instance: str, title: str, url: str) -> str:
    """Mastodon's share page on the reader's server; `instance` must come from clean_instance."""
    return f"https://{instance}/share?" + _query(text=share_text(title=title, url=url))
