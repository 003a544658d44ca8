"""Writing GeoReport answers as JSON or as XML.

The spec's JSON is its XML mapped by the Spark convention: a list in JSON is, in XML, an
element named for the list holding one element per item, named in the singular
(`services` → `service`). The XML is schemaless, with no namespace, UTF-8, and starts with
the declaration the spec asks for.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Final

import msgspec
from litestar import Response

from backend.open311.rules import Format

ITEM_NAMES: Final = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Sent as `text/xml; charset=utf-8` and `application/json; charset=utf-8`, as the spec
# shows them: Litestar adds the charset to text types itself.
_MEDIA_TYPES: Final[dict[Format, str]] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml",
}
_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all, not even escaped; a typed control character
# must not make the whole document unreadable.
_NOT_XML: Final = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, payload: Any) -> bytes:
    """A document whose root element is `root`, holding `payload` (Structs, lists, scalars)."""
    element = ET.Element(root)
    _fill(element, msgspec.to_builtins(payload))
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return _DECLARATION + body


def render(
    payload: Any,
    fmt: Format,
    *,
    root: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """The answer in the format the client named; `root` is the XML root element."""
    content = to_xml(root, payload) if fmt == "xml" else msgspec.json.encode(payload)
    return Response(
        content,
        status_code=status_code,
        media_type=_MEDIA_TYPES[fmt],
        headers=headers,
    )
