"""The demo city's staff, as a visitor trying the demo meets them."""

from __future__ import annotations

import re

from tests.http.conftest import Client, Login

DEMO_STAFF = ["demo-worker", "demo-department", "demo-dispatcher", "demo-supervisor", "demo-admin"]


async def test_demo_staff_have_chinese_names(client: Client, login: Login) -> None:
    names = []
    for username in DEMO_STAFF:
        me = (await client.get("/api/v1/me", headers=await login(username))).json()
        names.append(me["displayName"])
    assert len(set(names)) == len(DEMO_STAFF)
    for name in names:
        assert name.startswith("演示"), name
        assert not re.search(r"[A-Za-z]", name), name
