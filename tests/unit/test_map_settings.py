"""Map tiles: bad settings are refused, the pages' policy admits the tile server."""

from __future__ import annotations

import pytest

from backend.settings import SettingsError, load_settings
from backend.web.pwa import content_security_policy


def test_a_chinese_tile_set_with_subdomains_is_allowed_by_the_policy() -> None:
    settings = load_settings(
        {
            "GRIDREPORT_MAP_TILE_URL": "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}",
            "GRIDREPORT_MAP_COORDINATES": "gcj02",
        }
    )
    assert settings.map_coordinates == "gcj02"
    policy = content_security_policy(settings.map_tile_url)
    img_src = next(part for part in policy.split("; ") if part.startswith("img-src"))
    assert img_src == "img-src 'self' data: blob: https://webrd0*.is.autonavi.com"


def test_without_tiles_images_come_only_from_the_app() -> None:
    policy = content_security_policy(None)
    assert "img-src 'self' data: blob:;" in policy


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRIDREPORT_MAP_TILE_URL", "http://tiles.example/{z}/{x}/{y}.png"),
        ("GRIDREPORT_MAP_TILE_URL", "https://tiles.example/tile.png"),
        ("GRIDREPORT_MAP_COORDINATES", "bd09"),
    ],
)
def test_bad_map_settings_stop_start_up_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
