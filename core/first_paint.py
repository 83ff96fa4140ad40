"""The one inline script every page carries, and the CSP hash that lets it run (issue 21).

The policy (platform_site/settings.py) runs only this site's files, with one exception: this
script, allowed by its SHA-256 rather than by 'unsafe-inline', so markup that got past the
sanitiser still cannot run anything. Inline because a file in <head> would hold the first
paint back by a round trip of its own; what it does is in core/first_paint.js. The text is
read once, at import: the hash in the header and the script in the page are the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

SOURCE = Path(__file__).with_name("first_paint.js")


def compact(source: str) -> str:
    """The script as sent: without its comment lines and indentation (a fifth of the bytes)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


SCRIPT = compact(SOURCE.read_text(encoding="utf-8"))
CSP_SOURCE = "'sha256-{}'".format(
    base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
)
