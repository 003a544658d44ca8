"""What every photo store promises, checked on local files and on a real S3 server alike."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from media_store import InvalidKey, MissingObject, Store, check_key, content_type_for
from tests.media_store.conftest import Photo

HEX = "0123456789abcdef" * 4
BAD_KEYS = [
    "",
    "../x.jpg",
    "/etc/passwd",
    "ab/../../x",
    f"../{HEX}.jpg",
    f"ab/{HEX}.jpg",
    f"{HEX}/../{HEX}.jpg",
    f"/{HEX}.jpg",
    f"{HEX.upper()}.jpg",
    f"{HEX}.JPG",
    f"{HEX}.svg",
    f"{HEX}.html",
    "x.svg",
    "x.html",
    f"{HEX}\x00.jpg",
    f"{HEX}.jpg\x00",
    f"{HEX}.jpg\n",
    f" {HEX}.jpg",
    f"{HEX[:63]}.jpg",
    f"{HEX}0.jpg",
    f"{HEX}-.jpg",
    f"{HEX}-{'a' * 17}.jpg",
    f"{HEX}-Thumb.jpg",
    f"{HEX}.jpg.html",
    f"{HEX}\\x.jpg",
]


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same tests, once per back-end."""
    store: Store = request.getfixturevalue(
        "fs_store" if request.param == "filesystem" else "s3_store"
    )
    return store


async def test_put_get_exists_delete_round_trip(
    store: Store, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo()
    assert not await store.exists(photo.key)
    await store.put(photo.key, photo.data, content_type=photo.content_type)
    assert await store.exists(photo.key)
    assert await store.get(photo.key) == photo.data
    await store.delete(photo.key)
    assert not await store.exists(photo.key)
    with pytest.raises(MissingObject):
        await store.get(photo.key)


async def test_storing_the_same_photo_twice_is_harmless(
    store: Store, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo()
    await store.put(photo.key, photo.data, content_type=photo.content_type)
    await store.put(photo.key, photo.data, content_type=photo.content_type)
    assert await store.get(photo.key) == photo.data


@pytest.mark.parametrize(("ext", "variant"), [("jpg", None), ("webp", "thumb"), ("png", "d1280")])
async def test_every_extension_and_variant_is_kept_apart(
    store: Store, make_photo: Callable[..., Photo], ext: str, variant: str | None
) -> None:
    photo = make_photo(ext=ext, variant=variant)
    await store.put(photo.key, photo.data, content_type=photo.content_type)
    plain = photo.key.split("-")[0].split(".")[0] + f".{ext}"
    assert await store.get(photo.key) == photo.data
    assert variant is None or not await store.exists(plain)


async def test_missing_photo_is_reported_as_missing(
    store: Store, make_photo: Callable[..., Photo]
) -> None:
    with pytest.raises(MissingObject):
        await store.get(make_photo().key)


async def test_deleting_a_missing_photo_is_fine(
    store: Store, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo()
    await store.delete(photo.key)
    assert not await store.exists(photo.key)


async def test_content_type_must_match_the_key(
    store: Store, make_photo: Callable[..., Photo]
) -> None:
    photo = make_photo(ext="jpg")
    with pytest.raises(ValueError, match="does not match"):
        await store.put(photo.key, photo.data, content_type="image/svg+xml")
    assert not await store.exists(photo.key)


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
async def test_bad_key_is_refused_by_every_method(store: Store, key: str) -> None:
    with pytest.raises(InvalidKey):
        await store.put(key, b"x", content_type="image/jpeg")
    with pytest.raises(InvalidKey):
        await store.get(key)
    with pytest.raises(InvalidKey):
        await store.delete(key)
    with pytest.raises(InvalidKey):
        await store.exists(key)
    with pytest.raises(InvalidKey):
        await store.url(key)


async def test_url_names_the_key(store: Store, make_photo: Callable[..., Photo]) -> None:
    photo = make_photo()
    assert urlsplit(await store.url(photo.key)).path.endswith(f"/{photo.key}")


async def test_healthy_store_passes_its_check(store: Store) -> None:
    await store.check()


def test_every_back_end_is_a_store(store: Store) -> None:
    assert isinstance(store, Store)


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_check_key_refuses_bad_keys(key: str) -> None:
    with pytest.raises(InvalidKey):
        check_key(key)
    with pytest.raises(ValueError):
        content_type_for(key)


@pytest.mark.parametrize(
    ("key", "content_type"),
    [
        (f"{HEX}.jpg", "image/jpeg"),
        (f"{HEX}-thumb.webp", "image/webp"),
        (f"{HEX}-{'9' * 16}.png", "image/png"),
    ],
)
def test_good_keys_name_their_content_type(key: str, content_type: str) -> None:
    assert check_key(key) == key
    assert content_type_for(key) == content_type
