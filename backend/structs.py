"""The base of every request and response body, and the named constraints they share.

Decoding is where validation happens: a body with an unknown field, a wrong type or a value
outside these constraints never reaches a handler. Every field added later must carry a
default so that phones running an older app keep working.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, Final

import msgspec
import msgspec.inspect

# Bidirectional controls (U+202A-U+202E, U+2066-U+2069, LRM, RLM, ALM) change the order in
# which the text around them is drawn: a name could show as something other than what it
# is, and a file name's extension could appear reversed. Nothing a person types needs them.
BIDI_CONTROLS: Final = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_NO_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS))


def without_bidi(text: str) -> str:
    """The text with its bidirectional control characters removed."""
    return text.translate(_NO_BIDI) if _BIDI.search(text) else text


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return without_bidi(value)
    if isinstance(value, list) and any(isinstance(i, str) and _BIDI.search(i) for i in value):
        return [without_bidi(item) if isinstance(item, str) else item for item in value]
    return value


class Model(msgspec.Struct, forbid_unknown_fields=True, rename="camel", kw_only=True):
    """Base for request and response bodies: camelCase on the wire, unknown fields refused.

    Every text field leaves decoding without bidirectional control characters, so no stored
    text carries them.
    """

    def __post_init__(self) -> None:
        for index, name in enumerate(self.__struct_fields__):
            value = getattr(self, name)
            cleaned = _cleaned(value)
            if cleaned is not value:
                _check_min_length(type(self), index, cleaned)
                setattr(self, name, cleaned)


def _check_min_length(cls: type[Model], index: int, cleaned: Any) -> None:
    # Decoding checked the length before the controls were removed: a required name sent as
    # controls alone would otherwise be stored empty.
    wire_name, shortest = _text_min_lengths(cls)[index]
    texts = cleaned if isinstance(cleaned, list) else [cleaned]
    if any(isinstance(text, str) and len(text) < shortest for text in texts):
        raise msgspec.ValidationError(
            f"Expected `str` of length >= {shortest} - at `$.{wire_name}`"
        )


@functools.cache
def _text_min_lengths(cls: type[Model]) -> tuple[tuple[str, int], ...]:
    """Per field, in order: its name on the wire and the shortest text it accepts."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple((field.encode_name, _text_min_length(field.type)) for field in info.fields)


def _text_min_length(kind: msgspec.inspect.Type) -> int:
    if isinstance(kind, msgspec.inspect.StrType):
        return kind.min_length or 0
    if isinstance(kind, msgspec.inspect.UnionType):
        return max((_text_min_length(member) for member in kind.types), default=0)
    if isinstance(kind, msgspec.inspect.ListType):
        return _text_min_length(kind.item_type)
    return 0


Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90, description="WGS-84 latitude")]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180, description="WGS-84 longitude")]
REGION_CODE = msgspec.Meta(pattern=r"^[0-9A-Za-z-]{1,32}$", description="region code")
CATEGORY_CODE = msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")
RegionCode = Annotated[str, REGION_CODE]
CategoryCode = Annotated[str, CATEGORY_CODE]
Username = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]{2,64}$")]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Locale = Annotated[str, msgspec.Meta(pattern=r"^(zh-CN|en)$")]
