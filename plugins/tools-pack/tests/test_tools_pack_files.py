"""``files.read`` and ``files.list``: confined to one root; traversal, absolute paths and symlinks out
are refused, and so are files too big or not text."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_resolver_tools_pack import files
from llm_resolver_tools_pack.files import ROOT_ENV, FilesError, list_files, read


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    base = tmp_path / "root"
    (base / "docs").mkdir(parents=True)
    (base / "docs" / "notes.md").write_text("# Notes\nhello")
    (base / "top.txt").write_text("top level")
    (tmp_path / "secret.txt").write_text("do not read")
    files.configure(base)
    yield base
    files.configure(None)


def test_reads_text_files_under_the_root(root: Path) -> None:
    assert read("docs/notes.md") == "# Notes\nhello"
    assert read("./docs/../top.txt") == "top level"
    assert read(str(root / "top.txt")) == "top level"  # absolute, but inside


def test_lists_directories_relative_to_the_root(root: Path) -> None:
    assert list_files() == ["docs/", "top.txt"]
    assert list_files("docs") == ["docs/notes.md"]
    with pytest.raises(FilesError, match=r"'top\.txt' is not a directory"):
        list_files("top.txt")


@pytest.mark.parametrize("path", ["../secret.txt", "docs/../../secret.txt", "..", "/etc/passwd"])
def test_paths_outside_the_root_are_refused(root: Path, path: str) -> None:
    with pytest.raises(FilesError, match=r"outside the files root|does not exist"):
        read(path)


def test_an_absolute_path_to_an_outside_file_is_refused(root: Path) -> None:
    with pytest.raises(FilesError, match="is outside the files root"):
        read(str(root.parent / "secret.txt"))


def test_symlinks_leading_out_are_refused_and_inside_ones_followed(root: Path) -> None:
    (root / "escape.txt").symlink_to(root.parent / "secret.txt")
    (root / "escape_dir").symlink_to(root.parent)
    (root / "alias.md").symlink_to(root / "docs" / "notes.md")

    for path in ("escape.txt", "escape_dir/secret.txt"):
        with pytest.raises(FilesError, match="outside the files root"):
            read(path)
    assert read("alias.md") == "# Notes\nhello"
    assert "escape.txt" not in list_files()
    assert "escape_dir/" not in list_files()


def test_size_cap_binary_and_missing_files(root: Path) -> None:
    (root / "big.txt").write_text("x" * 101)
    (root / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    files.configure(root, max_bytes=100)

    with pytest.raises(FilesError, match=r"'big\.txt' is 101 bytes; the limit is 100"):
        read("big.txt")
    with pytest.raises(FilesError, match="not a UTF-8 text file"):
        read("image.bin")
    with pytest.raises(FilesError, match=r"'nope\.txt' does not exist under the files root"):
        read("nope.txt")
    with pytest.raises(FilesError, match="'docs' is not a regular file"):
        read("docs")
    with pytest.raises(FilesError, match="NUL"):
        read("top\x00.txt")


def test_the_root_comes_from_the_environment_when_not_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files.configure(None)
    monkeypatch.delenv(ROOT_ENV, raising=False)
    with pytest.raises(FilesError, match=f"no files root is configured; set {ROOT_ENV}"):
        read("anything.txt")

    (tmp_path / "a.txt").write_text("from env")
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    assert read("a.txt") == "from env"

    monkeypatch.setenv(ROOT_ENV, str(tmp_path / "missing"))
    with pytest.raises(FilesError, match="is not a directory"):
        read("a.txt")


def test_configure_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a directory"):
        files.configure(tmp_path / "missing")
    with pytest.raises(ValueError, match="max_bytes must be at least 1"):
        files.configure(tmp_path, max_bytes=0)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_not_read(root: Path) -> None:
    os.mkfifo(root / "pipe")
    with pytest.raises(FilesError, match="not a regular file"):
        read("pipe")
