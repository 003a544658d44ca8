"""An inspection names departments from a list, not by number: the departments of the
inspector's subtree, and no other."""

from __future__ import annotations

from tests.http.case_helpers import staff
from tests.http.conftest import Client, Login

URL = "/api/v1/inspections/departments"
HOME_STREET = "330106002"


async def test_inspectors_choose_among_the_departments_of_their_subtree(
    client: Client, login: Login
) -> None:
    admin = await login("demo-admin")
    everyone = await client.get(URL, headers=admin)
    assert everyone.status_code == 200, everyone.text
    assert everyone.json(), "the demo city has departments"
    assert {"id", "code", "name", "nameEn", "regionName"} <= set(everyone.json()[0])

    # The demo's departments belong to the district: its supervisor sees them all...
    district = await client.get(URL, headers=await login("demo-supervisor"))
    assert [d["id"] for d in district.json()] == [d["id"] for d in everyone.json()]
    # ... a street's supervisor sees none of them, as an inspection could name none.
    street = await staff(client, admin, "street-sup", "supervisor", regionCode=HOME_STREET)
    assert (await client.get(URL, headers=street)).json() == []

    for name in ("demo-department", "demo-worker"):
        refused = await client.get(URL, headers=await login(name))
        assert refused.status_code == 403, (name, refused.text)
