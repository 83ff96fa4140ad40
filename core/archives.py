"""Opening a zip someone uploaded without letting it fill the disk, the memory or the tree.

`SafeZip` checks the whole archive when it is opened, before anything reads a member for
real: at most MAX_MEMBERS entries, no name that is absolute, climbs out (".."), names a drive
or is a symlink, and every member is decompressed once, counting bytes as they come, so a
member whose header lies about its size is caught too. The uncompressed total and each
member's compression ratio are capped; so is each member. Nothing is ever extracted to disk:
members are read into memory, one at a time, within those caps.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from typing import IO

MAX_MEMBERS = 5000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_MEMBER_BYTES = 50 * 1024 * 1024
# Text deflates to about a tenth, and a blank image further; a bomb is thousands to one.
MAX_RATIO = 200
# A member this small is never a bomb, whatever its ratio (an empty file deflates to 2 bytes).
RATIO_FREE_BYTES = 1024 * 1024
CHUNK = 64 * 1024


class ArchiveRefused(Exception):
    """An archive we will not open; the message is safe to show to whoever uploaded it."""


def is_zip(data: bytes) -> bool:
    return data[:4] in {b"PK\x03\x04", b"PK\x05\x06"}


def _bad_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name:
        return True
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in name.split("/"))


class SafeZip:
    """A checked zip archive held in memory: its member names and their bytes."""

    def __init__(self, source: bytes | IO[bytes]) -> None:
        data = source if isinstance(source, bytes) else source.read()
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise ArchiveRefused("This zip file is damaged and cannot be opened.") from None
        if len(infos) > MAX_MEMBERS:
            raise ArchiveRefused(f"This zip holds more than {MAX_MEMBERS} files; we refuse it.")
        self._files: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            if _bad_name(info.filename):
                raise ArchiveRefused(
                    "This zip names a file outside its own folders (an absolute path or “..”); "
                    "we refuse it."
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ArchiveRefused("This zip holds a symbolic link; we refuse it.")
            if info.flag_bits & 0x1:
                raise ArchiveRefused("This zip is encrypted; upload one without a password.")
            if info.is_dir():
                continue
            declared += info.file_size
            self._check_sizes(info.filename, info.file_size, info.compress_size, declared)
            self._files[posixpath.normpath(info.filename)] = info
        # The headers can lie: decompress everything once, counting, before anyone trusts them.
        total = 0
        for info in self._files.values():
            total += len(self._read(info, total))

    @staticmethod
    def _check_sizes(name: str, size: int, compressed: int, total: int) -> None:
        if size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise ArchiveRefused(
                "This zip unpacks to more than we accept "
                f"({MAX_TOTAL_BYTES // (1024 * 1024)} MB in all, "
                f"{MAX_MEMBER_BYTES // (1024 * 1024)} MB a file); we refuse it."
            )
        if size > RATIO_FREE_BYTES and size > MAX_RATIO * max(compressed, 1):
            raise ArchiveRefused(
                "This zip is compressed far more than real files are (a “zip bomb”); we refuse it."
            )

    def _read(self, info: zipfile.ZipInfo, total_before: int) -> bytes:
        out, size = bytearray(), 0
        try:
            with self._zip.open(info) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    self._check_sizes(info.filename, size, info.compress_size, total_before + size)
                    out += chunk
        except ArchiveRefused:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise ArchiveRefused("This zip file is damaged and cannot be opened.") from None
        return bytes(out)

    def names(self) -> list[str]:
        return sorted(self._files)

    def __contains__(self, name: str) -> bool:
        return posixpath.normpath(name) in self._files

    def read(self, name: str) -> bytes:
        """The bytes of member ``name`` (already checked when the archive was opened)."""
        info = self._files.get(posixpath.normpath(name))
        if info is None:
            raise KeyError(name)
        return self._read(info, 0)
