"""Photos on local disk: where they land, that they land whole, and nowhere else."""

from __future__ import annotations

import asyncio
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from media_store import FilesystemStore, InvalidKey, StoreUnavailable
from tests.media_store.conftest import Photo
from tests.media_store.test_contract import BAD_KEYS


def files_under(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


async def test_photo_lands_in_its_fan_out_directory(
    fs_store: FilesystemStore, fs_root: Path, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo()
    await fs_store.put(photo.key, photo.data, content_type=photo.content_type)
    expected = fs_root / photo.key[:2] / photo.key[2:4] / photo.key
    assert fs_store.path_for(photo.key) == expected
    assert expected.read_bytes() == photo.data


async def test_put_leaves_only_the_photo_behind(
    fs_store: FilesystemStore, fs_root: Path, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo()
    await fs_store.put(photo.key, photo.data, content_type=photo.content_type)
    await fs_store.put(photo.key, photo.data, content_type=photo.content_type)
    assert files_under(fs_root) == [fs_store.path_for(photo.key).relative_to(fs_root)]


async def test_stored_photo_is_readable_by_a_proxy(
    fs_store: FilesystemStore, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo()
    await fs_store.put(photo.key, photo.data, content_type=photo.content_type)
    mode = stat.S_IMODE(fs_store.path_for(photo.key).stat().st_mode)
    assert mode & stat.S_IROTH


def disk_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def patch_file_fsync_to_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let directories sync but fail on the photo's own bytes, after they were written."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            disk_full()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("failing", ["replace", "fsync"])
async def test_failed_write_leaves_no_file_under_the_final_name(
    fs_store: FilesystemStore,
    fs_root: Path,
    make_photo: Callable[..., Photo],
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    photo = make_photo()
    if failing == "replace":
        monkeypatch.setattr(os, "replace", disk_full)
    else:
        patch_file_fsync_to_fail(monkeypatch)
    with pytest.raises(StoreUnavailable, match="No space left"):
        await fs_store.put(photo.key, photo.data, content_type=photo.content_type)
    monkeypatch.undo()
    assert not await fs_store.exists(photo.key)
    assert files_under(fs_root) == []


async def test_failed_overwrite_keeps_the_old_bytes(
    fs_store: FilesystemStore, make_photo: Callable[..., Photo], monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = make_photo()
    await fs_store.put(photo.key, photo.data, content_type=photo.content_type)

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(StoreUnavailable):
        await fs_store.put(photo.key, b"half a photo", content_type=photo.content_type)
    monkeypatch.undo()
    assert await fs_store.get(photo.key) == photo.data


async def test_concurrent_puts_of_one_photo_all_succeed(
    fs_store: FilesystemStore, fs_root: Path, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo()
    await asyncio.gather(
        *(fs_store.put(photo.key, photo.data, content_type=photo.content_type) for _ in range(16))
    )
    assert await fs_store.get(photo.key) == photo.data
    assert len(files_under(fs_root)) == 1


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_path_for_refuses_bad_keys(fs_store: FilesystemStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        fs_store.path_for(key)


def test_path_for_stays_under_root(
    fs_store: FilesystemStore, fs_root: Path, make_photo: Callable[..., Photo]
) -> None:
    for ext, variant in [("jpg", None), ("webp", "thumb"), ("png", "x" * 16)]:
        path = fs_store.path_for(make_photo(ext=ext, variant=variant).key)
        assert path.resolve().is_relative_to(fs_root.resolve())


async def test_url_is_under_the_public_base(
    tmp_path: Path, make_photo: Callable[..., Photo]
) -> None:
    key = make_photo().key
    assert await FilesystemStore(tmp_path).url(key) == f"/media/{key}"
    store = FilesystemStore(tmp_path, public_base="https://city.example/media/")
    assert await store.url(key) == f"https://city.example/media/{key}"


async def test_constructing_touches_no_disk(tmp_path: Path) -> None:
    FilesystemStore(tmp_path / "not-yet")
    assert not (tmp_path / "not-yet").exists()


async def test_check_creates_a_missing_root(tmp_path: Path) -> None:
    await FilesystemStore(tmp_path / "data" / "media").check()
    assert (tmp_path / "data" / "media").is_dir()


async def test_check_fails_when_root_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "media").write_text("in the way")
    with pytest.raises(StoreUnavailable):
        await FilesystemStore(tmp_path / "media").check()


async def test_put_fails_as_unavailable_when_root_is_unusable(
    tmp_path: Path, make_photo: Callable[..., Photo]
) -> None:
    (tmp_path / "media").write_text("in the way")
    photo = make_photo()
    with pytest.raises(StoreUnavailable):
        await FilesystemStore(tmp_path / "media").put(
            photo.key, photo.data, content_type=photo.content_type
        )
