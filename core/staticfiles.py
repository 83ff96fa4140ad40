"""Static files in production: stylesheets minified before they are hashed, and hashed files
kept by browsers for a year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import rcssmin
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

YEAR = 365 * 24 * 60 * 60


def minify_css(text: str) -> str:
    return rcssmin.cssmin(text)


class _MinifiedCSS:
    """A finder's storage whose stylesheets read minified; everything else as it is.

    The manifest storage hashes what it reads from the finders' storages, so minifying here
    puts the minified bytes under the hashed name, the hash is of those bytes, and url()s in
    them are still rewritten to hashed names afterwards.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def open(self, name: str, mode: str = "rb") -> ContentFile:
        with self._storage.open(name, mode) as f:
            content = f.read()
        if name.endswith(".css") and not name.endswith(".min.css"):
            text = content.decode("utf-8") if isinstance(content, bytes) else content
            content = minify_css(text).encode("utf-8")
        return ContentFile(content, name=name)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._storage, attr)


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed copies, with every stylesheet minified first.

    ``import … from "../x.js"`` in our modules is rewritten to the hashed name too, so a module
    and what it imports are all cached a year (the editor imports its 145 KB bundle this way;
    unrewritten it was served unhashed, for 60 seconds).
    """

    support_js_module_import_aggregation = True

    def post_process(
        self, paths: dict[str, tuple[Storage, str]], dry_run: bool = False, **options: Any
    ) -> Iterator[tuple[str, str, bool]]:
        wrapped = {
            name: ((_MinifiedCSS(storage) if name.endswith(".css") else storage), path)
            for name, (storage, path) in paths.items()
        }
        yield from super().post_process(wrapped, dry_run=dry_run, **options)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with hashed files kept a year (``immutable``) rather than its ten: a year is
    what HTTP caches are told to treat as "never expires" (RFC 9111 5.3)."""

    FOREVER = YEAR
