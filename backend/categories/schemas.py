"""Request and response bodies of the categories domain."""

from __future__ import annotations

from typing import Annotated

import msgspec

from backend.structs import CategoryCode, Model

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Radius = Annotated[int, msgspec.Meta(ge=0, le=5000)]
Points = Annotated[int, msgspec.Meta(ge=0, le=10000)]
Icon = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9-]{0,29}$")]
PresetCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,29}$")]


class DeadlinesOut(Model):
    """Minutes to accept 签收, to resolve 处置 and to verify 核查."""

    preset: str
    accept_minutes: int
    resolve_minutes: int
    verify_minutes: int


class CategoryOut(Model):
    code: str
    name: str
    name_en: str
    class_: str = msgspec.field(name="class")
    owner_kind: str
    confidential: bool
    duplicate_radius_m: int
    photo_required: bool
    reward_points: int
    icon: str
    sort_order: int
    active: bool
    deadlines: DeadlinesOut
    auto_dispatch: bool = True
    # Whether its requests appear in the Open311 read side (never for confidential ones).
    public: bool = False
    # Whether a request filed through Open311 (a hotline call) must carry a photo.
    photo_required_open311: bool = False


class CategoryIn(Model):
    code: CategoryCode
    name: Name
    name_en: Name
    class_: str = msgspec.field(name="class")
    owner_kind: str
    preset: PresetCode
    confidential: bool = False
    duplicate_radius_m: Radius = 50
    photo_required: bool = True
    reward_points: Points = 0
    icon: Icon = "other"
    sort_order: int = 100
    auto_dispatch: bool = True
    # Unset: public unless confidential or of the mediation or clue class.
    public: bool | None = None
    photo_required_open311: bool = False


class CategoryPatch(Model):
    """Fields to change; an absent field stays as it is."""

    name: Name | None = None
    name_en: Name | None = None
    class_: str | None = msgspec.field(default=None, name="class")
    owner_kind: str | None = None
    preset: PresetCode | None = None
    confidential: bool | None = None
    duplicate_radius_m: Radius | None = None
    photo_required: bool | None = None
    reward_points: Points | None = None
    icon: Icon | None = None
    sort_order: int | None = None
    auto_dispatch: bool | None = None
    public: bool | None = None
    photo_required_open311: bool | None = None
    active: bool | None = None


class PresetOut(Model):
    code: str
    name: str
    name_en: str
    accept_minutes: int
    resolve_minutes: int
    verify_minutes: int
