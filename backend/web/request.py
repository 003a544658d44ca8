"""The request every handler receives: JSON that cannot be read is the client's error.

msgspec refuses bytes that are not UTF-8 and nesting deeper than the interpreter's stack with
UnicodeDecodeError and RecursionError, not with its DecodeError. Litestar turns only the
latter into a 400, so without this both would surface as a 500 on every JSON route.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class ApiRequest(Request[Any, Any, Any]):
    """Litestar's request, whose JSON decoding fails as malformed JSON always does: 400."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError:
            raise SerializationException("the body is not UTF-8") from None
        except RecursionError:
            raise SerializationException("the body is nested too deeply") from None
