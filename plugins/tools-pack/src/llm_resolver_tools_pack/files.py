"""``files.read`` and ``files.list``: text files under one root directory, and nothing outside it.

The root comes from ``configure(root)`` or the ``LLM_RESOLVER_FILES_ROOT`` environment variable; with
neither, the tools refuse to run. Paths are resolved (``..`` and symlinks followed) and must land inside
the root, so traversal, absolute paths elsewhere and symlinks pointing out are all refused. Files over
the size cap are refused rather than cut, so the model never mistakes a part for the whole.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NamedTuple

from llm_resolver import hookimpl

ROOT_ENV = "LLM_RESOLVER_FILES_ROOT"
DEFAULT_MAX_BYTES = 256 * 1024
MAX_LISTED = 500


class FilesError(ValueError):
    """A path the file tools refuse, or a file they cannot return; the message says why."""


class _Settings(NamedTuple):
    """A named tuple: a frozen dataclass compiles six methods as this module loads, at every resolve."""

    root: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


_lock = threading.Lock()
_settings = _Settings()


def configure(root: str | os.PathLike[str] | None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Confine the tools to ``root`` (an existing directory); ``None`` goes back to the environment."""
    global _settings
    if max_bytes < 1:
        raise ValueError("max_bytes must be at least 1")
    resolved = None
    if root is not None:
        resolved = Path(root).resolve()
        if not resolved.is_dir():
            raise ValueError(f"the files root {str(root)!r} is not a directory")
    with _lock:
        _settings = _Settings(resolved, max_bytes)


def _root() -> tuple[Path, int]:
    settings = _settings
    if settings.root is not None:
        return settings.root, settings.max_bytes
    configured = os.environ.get(ROOT_ENV, "").strip()
    if not configured:
        raise FilesError(
            f"no files root is configured; set {ROOT_ENV} or call llm_resolver_tools_pack.files.configure(root)"
        )
    root = Path(configured).resolve()
    if not root.is_dir():
        raise FilesError(f"the files root {configured!r} ({ROOT_ENV}) is not a directory")
    return root, settings.max_bytes


def _inside(root: Path, path: str) -> Path:
    """``path`` (relative to the root, or absolute inside it) resolved, with every symlink followed."""
    if "\x00" in path:
        raise FilesError("the path contains a NUL character")
    candidate = Path(path)
    candidate = candidate if candidate.is_absolute() else root / candidate
    try:
        resolved = candidate.resolve(strict=True)
    except FileNotFoundError:
        raise FilesError(f"{path!r} does not exist under the files root") from None
    except (OSError, RuntimeError) as exc:
        raise FilesError(f"cannot resolve {path!r}: {type(exc).__name__}") from None
    if not resolved.is_relative_to(root):
        raise FilesError(f"{path!r} is outside the files root; only paths inside it can be read")
    return resolved


def read(path: Annotated[str, "file path relative to the files root"]) -> str:
    """Read a UTF-8 text file under the files root and return its content."""
    root, max_bytes = _root()
    resolved = _inside(root, path)
    try:
        # No following a symlink swapped in since the check; no blocking on a FIFO before fstat says so.
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FilesError(f"cannot open {path!r}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FilesError(f"{path!r} is not a regular file")
        if info.st_size > max_bytes:
            raise FilesError(f"{path!r} is {info.st_size} bytes; the limit is {max_bytes}")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FilesError(f"{path!r} is over the {max_bytes}-byte limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FilesError(f"{path!r} is not a UTF-8 text file") from None


def list_files(directory: Annotated[str, "directory relative to the files root"] = ".") -> list[str]:
    """List a directory under the files root: names relative to the root, directories ending in '/'."""
    root, _ = _root()
    resolved = _inside(root, directory)
    if not resolved.is_dir():
        raise FilesError(f"{directory!r} is not a directory")
    entries = sorted(resolved.iterdir())
    if len(entries) > MAX_LISTED:
        raise FilesError(
            f"{directory!r} holds {len(entries)} entries; list a subdirectory (limit {MAX_LISTED})"
        )
    return [
        str(entry.relative_to(root)) + ("/" if entry.is_dir() else "")
        for entry in entries
        if entry.resolve().is_relative_to(root)
    ]


@hookimpl
def register_tools(register: Callable[..., None]) -> None:
    register(read)
    register(list_files, name="list")
