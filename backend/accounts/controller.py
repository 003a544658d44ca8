"""HTTP handlers of the accounts domain."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.accounts import service, staff
from backend.accounts.login_limits import DEVICE_COOKIE
from backend.accounts.schemas import (
    DeviceIn,
    LoginIn,
    PasswordResetIn,
    ProfileIn,
    StaffIn,
    TokenOut,
    UserOut,
)
from backend.settings import Settings
from backend.web.auth import admin_only, bearer_token, logged_in
from backend.web.client_address import client_address
from backend.web.deps import DB, Caller, Ctx

# The known-device cookie goes back to this route only.
LOGIN_PATH = "/api/v1/auth/login"


def _device_cookie(token: str, settings: Settings) -> Cookie:
    """The known-device cookie: sent back only to the login route, never readable by scripts."""
    return Cookie(
        key=DEVICE_COOKIE,
        value=token,
        max_age=int(settings.known_device_days * 24 * 3600),
        path=LOGIN_PATH,
        secure=settings.public_url.startswith("https://"),
        httponly=True,
        samesite="strict",
    )


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
    ) -> Response[TokenOut]:
        token, new_device = await service.login(
            db,
            settings=ctx.settings,
            now=ctx.clock.now(),
            username=data.username,
            password=data.password,
            address=client_address(request, ctx.settings),
            device_token=request.cookies.get(DEVICE_COOKIE),
        )
        cookies = [] if new_device is None else [_device_cookie(new_device, ctx.settings)]
        return Response(token, cookies=cookies)

    @post(
        "/device",
        operation_id="registerDevice",
        summary="Register a resident's device and get a token, no name needed",
    )
    async def device(
        self,
        request: Request,  # type: ignore[type-arg]
        ctx: Ctx,
        db: DB,
        data: JSONBody[DeviceIn],
    ) -> TokenOut:
        return await service.register_device_from(
            db,
            settings=ctx.settings,
            now=ctx.clock.now(),
            locale=data.locale,
            address=client_address(request, ctx.settings),
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
        return await service.create_staff(db, actor=principal, data=data)

    @post(
        "/{user_id:int}/deactivate",
        operation_id="deactivateStaff",
        status_code=200,
        summary="Deactivate a staff account (停用): its sessions and live streams end at once",
    )
    async def deactivate(
        self, ctx: Ctx, db: DB, principal: Caller, user_id: FromPath[int]
    ) -> UserOut:
        return await staff.deactivate(db, actor=principal, user_id=user_id, now=ctx.clock.now())

    @post(
        "/{user_id:int}/reactivate",
        operation_id="reactivateStaff",
        status_code=200,
        summary="Reactivate a deactivated staff account (启用)",
    )
    async def reactivate(self, db: DB, principal: Caller, user_id: FromPath[int]) -> UserOut:
        return await staff.reactivate(db, actor=principal, user_id=user_id)

    @post(
        "/{user_id:int}/unlock",
        operation_id="unlockStaffLogin",
        status_code=200,
        summary="End the login waits strangers' wrong guesses built up for this user (解锁)",
    )
    async def unlock(self, db: DB, principal: Caller, user_id: FromPath[int]) -> UserOut:
        return await staff.unlock(db, actor=principal, user_id=user_id)

    @post(
        "/{user_id:int}/password",
        operation_id="resetStaffPassword",
        status_code=200,
        summary="Set a staff member's new password (重置密码): every old session ends",
    )
    async def reset_password(
        self,
        ctx: Ctx,
        db: DB,
        principal: Caller,
        user_id: FromPath[int],
        data: JSONBody[PasswordResetIn],
    ) -> UserOut:
        return await staff.reset_password(
            db, actor=principal, user_id=user_id, password=data.password, now=ctx.clock.now()
        )
