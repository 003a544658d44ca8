"""Request and response bodies of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from backend.structs import Locale, Model, Password, RegionCode, Username

Nickname = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 -]{5,20}$")]
StaffRole = Literal["worker", "department", "dispatcher", "supervisor", "admin"]
NewPassword = Annotated[str, msgspec.Meta(min_length=10, max_length=256)]


class LoginIn(Model):
    username: Username
    password: Password


class DeviceIn(Model):
    locale: Locale = "zh-CN"


class UserOut(Model):
    id: int
    role: str
    locale: str
    username: str | None = None
    display_name: str | None = None
    nickname: str | None = None
    phone: str | None = None
    region_code: str | None = None
    department_code: str | None = None
    active: bool = True  # False once an admin has deactivated the account (停用)


class TokenOut(Model):
    token: str
    expires_at: datetime
    user: UserOut


class ProfileIn(Model):
    nickname: Nickname | None = None
    phone: Phone | None = None
    locale: Locale | None = None


class StaffIn(Model):
    username: Username
    password: NewPassword
    role: StaffRole
    display_name: Annotated[str, msgspec.Meta(max_length=60)] = ""
    region_code: RegionCode | None = None
    department_code: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    can_reveal_reporter: bool = False


class PasswordResetIn(Model):
    password: NewPassword
