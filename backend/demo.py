"""The demo city for `serve --demo`: 西湖区 with streets, communities, grids, departments and staff.

Loading it twice changes nothing: regions are imported only when the district is missing,
departments and users are created only when absent.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from backend.accounts import queries as account_queries
from backend.accounts import service as accounts
from backend.accounts.passwords import hash_password, verify_password
from backend.accounts.schemas import StaffIn
from backend.db.types import Connection
from backend.regions import queries as region_queries
from backend.regions import service as regions
from backend.regions.demo_city import demo_city_features
from backend.regions.live_index import index_from_rows

DISTRICT = "330106"
# Where the demo worker's grid is: the point every demo and test starts from (杭州).
HOME_POINT = (30.2741, 120.1551)
DEPARTMENTS = (
    ("330106-cg", "西湖区城市管理局", "Xihu City Management Bureau", "chengguan"),
    ("330106-sj", "西湖区市场监督管理局", "Xihu Market Regulation Bureau", "market"),
    ("330106-ga", "西湖区公安分局", "Xihu Police Bureau", "police"),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    scope: str
    display_name: str


async def load_demo(conn: Connection, *, password: str) -> list[DemoLogin]:
    """Create the demo city once; return the demo staff logins."""
    if await region_queries.id_by_code(conn, code=DISTRICT) is None:
        await regions.import_regions(conn, actor_id=None, doc=demo_city_features())
    district_id = await region_queries.id_by_code(conn, code=DISTRICT)
    assert district_id is not None
    for code, name, name_en, kind in DEPARTMENTS:
        await account_queries.insert_department(
            conn, code=code, name=name, name_en=name_en, kind=kind, region_id=district_id
        )
    grid = await _home_grid(conn)
    logins = [
        DemoLogin("demo-worker", "worker", grid, "演示网格员"),
        DemoLogin("demo-department", "department", DEPARTMENTS[0][0], "演示城管队员"),
        DemoLogin("demo-dispatcher", "dispatcher", DISTRICT, "演示调度员"),
        DemoLogin("demo-supervisor", "supervisor", DISTRICT, "演示督办员"),
        DemoLogin("demo-admin", "admin", "全市 city-wide", "演示管理员"),
    ]
    for login in logins:
        await _ensure_user(conn, login, password)
    return logins


async def _home_grid(conn: Connection) -> str:
    index = index_from_rows(await region_queries.list_all(conn), near_metres=0)
    placement = index.locate(*HOME_POINT)
    assert placement is not None, "the demo city must cover its home point"
    return placement.region.code


async def _ensure_user(conn: Connection, login: DemoLogin, password: str) -> None:
    existing = await account_queries.get_user_by_username(conn, username=login.username)
    if existing is not None:
        if not verify_password(existing["password_hash"], password):
            await account_queries.set_password_hash(
                conn, user_id=existing["id"], password_hash=hash_password(password)
            )
        return
    role = login.role
    await accounts.create_staff(
        conn,
        actor=None,
        data=StaffIn(
            username=login.username,
            password=password,
            role=role,  # type: ignore[arg-type]
            display_name=login.display_name,
            region_code=login.scope if role in {"worker", "dispatcher", "supervisor"} else None,
            department_code=login.scope if role == "department" else None,
            # The demo supervisor may reveal a reporter's contact (for a recorded reason).
            can_reveal_reporter=role == "supervisor",
        ),
    )


def demo_password(configured: str | None, data_dir: Path) -> tuple[str, bool]:
    """The demo password: configured, else kept from an earlier run, else new; and if new."""
    if configured:
        return configured, False
    kept = data_dir / "demo-password"
    if kept.exists():
        return kept.read_text().strip(), False
    password = secrets.token_urlsafe(9)
    data_dir.mkdir(parents=True, exist_ok=True)
    kept.write_text(password + "\n")
    kept.chmod(0o600)
    return password, True
