"""Photos as files under one directory: the embedded default, kept under the data directory."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from media_store.base import MissingObject, StoreUnavailable, check_content_type, check_key

_P = ParamSpec("_P")
_T = TypeVar("_T")
_FILE_MODE = 0o644  # what open() gives under the usual umask, so a proxy can serve the files


class FilesystemStore:
    """Photos in a fan-out tree `root/ab/cd/<key>`, written atomically and durably."""

    def __init__(self, root: Path, *, public_base: str = "/media") -> None:
        self.root = root
        self.public_base = public_base.rstrip("/")

    def path_for(self, key: str) -> Path:
        """Where the photo with this key lives; the key is validated, so it stays under root."""
        check_key(key)
        # Two levels of 256 keep every directory small even with millions of photos.
        return self.root / key[0:2] / key[2:4] / key

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Store the bytes; a crash leaves either the old file, the new one, or none."""
        check_content_type(key, content_type)
        await _off_loop(_write_atomically, self.path_for(key), data)

    async def get(self, key: str) -> bytes:
        """The stored bytes; MissingObject when there is no such photo."""
        path = self.path_for(key)
        try:
            return await _off_loop(path.read_bytes)
        except FileNotFoundError:
            raise MissingObject(key) from None

    async def delete(self, key: str) -> None:
        """Remove the photo if it is there."""
        await _off_loop(self.path_for(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        """Whether the photo is stored."""
        return await _off_loop(self.path_for(key).is_file)

    async def url(self, key: str) -> str:
        """The path the API serves the photo at."""
        return f"{self.public_base}/{check_key(key)}"

    async def check(self) -> None:
        """Raise StoreUnavailable unless root is (or can be made) a writable directory."""
        await _off_loop(_check_writable_dir, self.root)

    async def close(self) -> None:
        """Nothing to release: every call opens and closes its own files."""


async def _off_loop(function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Run blocking file I/O in a worker thread; a failing disk is the back-end being down."""
    try:
        return await asyncio.to_thread(function, *args, **kwargs)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise StoreUnavailable(f"photo directory failed: {error}") from error


def _write_atomically(path: Path, data: bytes) -> None:
    _make_dirs(path.parent)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            os.fchmod(temp.fileno(), _FILE_MODE)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    # Without this the rename itself may be lost in a crash, and the photo with it.
    _fsync_dir(path.parent)


def _make_dirs(directory: Path) -> None:
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for new in reversed(missing):
        # Another put may be creating the same fan-out directory right now.
        with contextlib.suppress(FileExistsError):
            new.mkdir()
        _fsync_dir(new.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_writable_dir(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if not os.access(root, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "photo directory is not writable", str(root))
