"""A region's name on the map is shown as typed: markup in a name never becomes page content."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests.conftest import DEMO_PASSWORD
from tests.http import case_helpers

MARKUP_NAME = '<img src="x" data-injected="1" onerror="document.body.dataset.pwned=1">网格'


async def rename_home_grid(api: str, name: str) -> None:
    """The admin re-imports the grid the resident stands in, under a new name."""
    async with httpx.AsyncClient(base_url=api) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"username": "demo-admin", "password": DEMO_PASSWORD}
        )
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        spot = {"lat": case_helpers.HOME["lat"], "lng": case_helpers.HOME["lng"]}
        located = (await client.get("/api/v1/regions/locate", params=spot)).json()
        grid, parent = located["region"], located["chain"][-2]
        feature: dict[str, Any] = (
            await client.get(f"/api/v1/regions/{grid['code']}", headers=admin)
        ).json()
        properties = {"code": grid["code"], "name": name, "level": grid["level"]}
        imported = await client.post(
            "/api/v1/admin/regions/import",
            headers=admin,
            json={
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": feature["geometry"],
                        "properties": {**properties, "parentCode": parent["code"]},
                    }
                ],
            },
        )
        assert imported.status_code == 201, imported.text


async def test_a_grid_named_with_markup_shows_its_name_as_text(phone: Page, api: str) -> None:
    await rename_home_grid(api, MARKUP_NAME)
    await phone.goto("/")
    await phone.get_by_test_id("category-sanitation").click()
    the_map = phone.get_by_test_id("report-map")
    await expect(the_map).to_have_attribute("data-state", "ready", timeout=15_000)
    outlines = the_map.locator('path.leaflet-interactive[stroke="#5f6368"]')
    await expect(outlines.first).to_be_attached(timeout=10_000)
    for i in range(await outlines.count()):  # a pointer over each grid shows its name
        await outlines.nth(i).dispatch_event("mouseover")
    tooltip = the_map.locator(".leaflet-tooltip").filter(has_text=MARKUP_NAME)
    await expect(tooltip).to_have_count(1, timeout=10_000)
    await expect(phone.locator("[data-injected]")).to_have_count(0)
    assert await phone.evaluate("document.body.dataset.pwned") is None
