"""Subscribing a device to Web Push, and queueing news that is not about a case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from backend.accounts.rules import Principal
from backend.db.types import Connection
from backend.errors import BadRequest, NotFound
from backend.push import queries
from backend.push.rules import endpoint_problem
from backend.push.schemas import SubscriptionIn
from backend.settings import Settings


async def subscribe(
    conn: Connection,
    settings: Settings,
    *,
    principal: Principal,
    data: SubscriptionIn,
    now: datetime,
) -> None:
    """Keep a device's subscription; the same endpoint again is the same row."""
    problem = endpoint_problem(data.endpoint, allow_loopback=settings.push_allow_loopback)
    if problem:
        raise BadRequest(
            "push.bad_endpoint",
            "推送地址无效：必须是推送服务的 https 地址",
            "Invalid push endpoint",
            fields={"endpoint": problem},
        )
    await queries.upsert_subscription(
        conn,
        user_id=principal.user_id,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        at=now,
    )


async def unsubscribe(conn: Connection, *, principal: Principal, endpoint: str) -> None:
    """Forget one of the caller's devices."""
    if not await queries.delete_subscription(conn, user_id=principal.user_id, endpoint=endpoint):
        raise NotFound("push.not_found", "没有这个订阅", "No such subscription")


async def notify(
    conn: Connection,
    *,
    user_ids: Sequence[int],
    kind: str,
    region_id: int | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> None:
    """Put news of a duty, a task or an area in the outbox: ids and titles, no personal data."""
    if user_ids:
        await queries.insert_notifications(
            conn, user_ids=user_ids, region_id=region_id, kind=kind, payload=payload, now=now
        )
