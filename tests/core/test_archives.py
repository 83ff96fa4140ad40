"""core.archives: a zip is checked whole, by its names and by what it unpacks to."""

from __future__ import annotations

import io
import zipfile

import pytest

from core import archives
from core.archives import ArchiveRefused, SafeZip, is_zip


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_plain_zip_is_read_member_by_member():
    archive = SafeZip(zip_of({"a/b.txt": b"bee", "c.txt": b"sea"}))
    assert archive.names() == ["a/b.txt", "c.txt"]
    assert archive.read("a/b.txt") == b"bee"
    assert "a/./b.txt" in archive
    assert "missing.txt" not in archive


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/etc/x", "C:/x", "a\\..\\x"])
def test_names_outside_the_archive_are_refused(name):
    with pytest.raises(ArchiveRefused, match="outside its own folders"):
        SafeZip(zip_of({name: b"x"}))


def test_a_symlink_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ArchiveRefused, match="symbolic link"):
        SafeZip(buffer.getvalue())


def test_a_bomb_is_refused_by_its_ratio():
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        SafeZip(zip_of({"zeros": b"\0" * (2 * 1024 * 1024)}))


def test_small_files_may_compress_well():
    assert SafeZip(zip_of({"zeros": b"\0" * 100_000})).read("zeros") == b"\0" * 100_000


def test_the_total_and_each_member_are_capped(monkeypatch):
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(ArchiveRefused, match="unpacks to more"):
        SafeZip(zip_of({"a": b"a" * 600, "b": b"b" * 600}))
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 500)
    with pytest.raises(ArchiveRefused, match="unpacks to more"):
        SafeZip(zip_of({"a": b"a" * 600}))


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    with pytest.raises(ArchiveRefused, match="more than 3 files"):
        SafeZip(zip_of({str(n): b"" for n in range(4)}))


def test_damage_is_refused():
    data = zip_of({"a": b"a" * 5000})
    with pytest.raises(ArchiveRefused, match="damaged"):
        SafeZip(data[: len(data) // 2])
    assert is_zip(data) and not is_zip(b"{}")
