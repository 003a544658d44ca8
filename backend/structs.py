"""The base of every request and response body, and the named constraints they share.

Decoding is where validation happens: a body with an unknown field, a wrong type or a value
outside these constraints never reaches a handler. Every field added later must carry a
default so that phones running an older app keep working.
"""

from __future__ import annotations

from typing import Annotated

import msgspec


class Model(msgspec.Struct, forbid_unknown_fields=True, rename="camel", kw_only=True):
    """Base for request and response bodies: camelCase on the wire, unknown fields refused."""


Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90, description="WGS-84 latitude")]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180, description="WGS-84 longitude")]
REGION_CODE = msgspec.Meta(pattern=r"^[0-9A-Za-z-]{1,32}$", description="region code")
CATEGORY_CODE = msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")
RegionCode = Annotated[str, REGION_CODE]
CategoryCode = Annotated[str, CATEGORY_CODE]
Username = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]{2,64}$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Locale = Annotated[str, msgspec.Meta(pattern=r"^(zh-CN|en)$")]
