"""Bodies of the push endpoints."""

from __future__ import annotations

from typing import Annotated

import msgspec

from backend.structs import Model

Base64Url = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]+=*$", max_length=200)]


class PushKeys(Model):
    p256dh: Base64Url
    auth: Base64Url


class SubscriptionIn(Model):
    """What the browser's PushSubscription.toJSON() gives."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1000)]
    keys: PushKeys
    expiration_time: int | None = None


class UnsubscribeIn(Model):
    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1000)]


class PublicKeyOut(Model):
    public_key: str
