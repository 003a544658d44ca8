"""Open311 GeoReport v2 shapes, and the admin's API-key bodies.

The GeoReport shapes use the spec's own snake_case names and always carry every field (None
becomes JSON null or an empty XML element), in the spec's order. The admin bodies are ours:
camelCase like the rest of the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from backend.structs import Model


class Spec(msgspec.Struct, kw_only=True):
    """Base of the GeoReport shapes: field names exactly as the spec spells them."""


class EndpointOut(Spec):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class DiscoveryOut(Spec):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[EndpointOut]


class ServiceOut(Spec):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class AttributeValueOut(Spec):
    key: str
    name: str


class AttributeOut(Spec):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValueOut] = msgspec.field(default_factory=list)


class ServiceDefinitionOut(Spec):
    service_code: str
    attributes: list[AttributeOut]


class RequestCreatedOut(Spec):
    """POST answer: the id at once (we are realtime) and a token for clients that expect one."""

    service_request_id: str
    token: str
    service_notice: str | None
    account_id: str | None = None


class TokenOut(Spec):
    service_request_id: str
    token: str


class RequestOut(Spec):
    """A service request as anyone may read it: no reporter, never a confidential category."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float
    long: float
    media_url: str | None


class ErrorOut(Spec):
    code: int
    description: str


KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
HourlyLimit = Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class Open311KeyIn(Model):
    """A key for one partner system (12345 热线, a city app …); its posts count per hour."""

    name: KeyName
    reports_per_hour: HourlyLimit = 600


class Open311KeyOut(Model):
    id: int
    name: str
    reports_per_hour: int
    created_at: datetime
    revoked_at: datetime | None = None


class Open311KeyCreatedOut(Open311KeyOut, kw_only=True):
    """The key is shown here once; only its hash is kept."""

    api_key: str
