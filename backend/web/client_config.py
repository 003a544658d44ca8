"""What the PWA needs to know about this deployment before it draws anything: the map."""

from __future__ import annotations

from litestar import get

from backend.structs import Model
from backend.web.deps import Ctx


class MapConfigOut(Model):
    """Tiles to draw under the map, and the coordinate system they are drawn in.

    With no `tileUrl` the map shows grid outlines and markers on a plain background.
    """

    tile_url: str | None
    coordinates: str
    attribution: str


class ClientConfigOut(Model):
    map: MapConfigOut


@get(
    "/api/v1/client-config",
    operation_id="getClientConfig",
    summary="Deployment facts the app needs: map tiles and their coordinate system",
    tags=["app"],
    cache=300,
)
async def client_config(ctx: Ctx) -> ClientConfigOut:
    settings = ctx.settings
    return ClientConfigOut(
        map=MapConfigOut(
            tile_url=settings.map_tile_url,
            coordinates=settings.map_coordinates,
            attribution=settings.map_attribution,
        )
    )
