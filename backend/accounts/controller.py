"""HTTP handlers of the accounts domain."""

from __future__ import annotations

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.accounts import service
from backend.accounts.schemas import DeviceIn, LoginIn, ProfileIn, StaffIn, TokenOut, UserOut
from backend.web.auth import admin_only, bearer_token, logged_in
from backend.web.deps import DB, Caller, Ctx


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["accounts"]

    @post(
        "/login",
        operation_id="login",
        status_code=200,
        summary="Staff login with username and password (登录)",
    )
    async def login(
        self,
        request: Request,  # type: ignore[type-arg]
        ctx: Ctx,
        db: DB,
        data: JSONBody[LoginIn],
    ) -> TokenOut:
        address = request.client.host if request.client else "unknown"
        return await service.login(
            db,
            settings=ctx.settings,
            now=ctx.clock.now(),
            username=data.username,
            password=data.password,
            address=address,
        )

    @post(
        "/device",
        operation_id="registerDevice",
        summary="Register a resident's device and get a token, no name needed",
    )
    async def device(self, ctx: Ctx, db: DB, data: JSONBody[DeviceIn]) -> TokenOut:
        return await service.register_device(
            db, settings=ctx.settings, now=ctx.clock.now(), locale=data.locale
        )

    @post(
        "/logout",
        operation_id="logout",
        guards=[logged_in],
        status_code=HTTP_204_NO_CONTENT,
        summary="Revoke the token of this request (注销)",
    )
    async def logout(self, request: Request, ctx: Ctx, db: DB) -> None:  # type: ignore[type-arg]
        token = bearer_token(request)
        assert token is not None
        await service.logout(db, token=token, now=ctx.clock.now())


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]
    guards = [logged_in]

    @get("/", operation_id="getMe", summary="The caller's own account")
    async def me(self, db: DB, principal: Caller) -> UserOut:
        return await service.profile(db, principal=principal)

    @patch(
        "/", operation_id="updateMe", summary="Set a resident's nickname and phone, or the language"
    )
    async def update(self, db: DB, principal: Caller, data: JSONBody[ProfileIn]) -> UserOut:
        return await service.update_profile(db, principal=principal, data=data)


class UserAdminController(Controller):
    path = "/api/v1/admin/users"
    tags = ["admin"]
    guards = [admin_only]

    @post("/", operation_id="createStaff", summary="Create a staff account with its scope")
    async def create(self, db: DB, principal: Caller, data: JSONBody[StaffIn]) -> UserOut:
        return await service.create_staff(db, actor_id=principal.user_id, data=data)
