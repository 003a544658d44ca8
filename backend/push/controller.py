"""HTTP handlers of Web Push."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.push import service
from backend.push.schemas import PublicKeyOut, SubscriptionIn, UnsubscribeIn
from backend.push.vapid import load_vapid, public_key_b64
from backend.web.auth import logged_in
from backend.web.deps import DB, Caller, Ctx


class PushController(Controller):
    path = "/api/v1/push"
    tags = ["push"]

    @get(
        "/key",
        operation_id="getPushKey",
        summary="The VAPID public key for pushManager.subscribe()",
    )
    async def key(self, ctx: Ctx) -> PublicKeyOut:
        return PublicKeyOut(public_key=public_key_b64(load_vapid(ctx.settings)))

    @post(
        "/subscriptions",
        operation_id="subscribePush",
        guards=[logged_in],
        status_code=HTTP_204_NO_CONTENT,
        summary="Subscribe this device to notifications",
    )
    async def subscribe(
        self, ctx: Ctx, db: DB, principal: Caller, data: JSONBody[SubscriptionIn]
    ) -> None:
        await service.subscribe(
            db, ctx.settings, principal=principal, data=data, now=ctx.clock.now()
        )

    @post(
        "/subscriptions/delete",
        operation_id="unsubscribePush",
        guards=[logged_in],
        status_code=HTTP_204_NO_CONTENT,
        summary="Unsubscribe this device",
    )
    async def unsubscribe(self, db: DB, principal: Caller, data: JSONBody[UnsubscribeIn]) -> None:
        await service.unsubscribe(db, principal=principal, endpoint=data.endpoint)
