"""HTTP handlers of the categories domain."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from backend.categories import service
from backend.categories.schemas import CategoryIn, CategoryOut, CategoryPatch, PresetOut
from backend.structs import CategoryCode
from backend.web.auth import admin_only
from backend.web.deps import DB, Caller


class CategoryController(Controller):
    path = "/api/v1/categories"
    tags = ["categories"]

    @get(
        "/", operation_id="listCategories", summary="Categories a report can be filed under (类别)"
    )
    async def list_categories(self, db: DB) -> list[CategoryOut]:
        return await service.list_categories(db)

    @get("/presets", operation_id="listDeadlinePresets", summary="Deadline presets (时限)")
    async def list_presets(self, db: DB) -> list[PresetOut]:
        return await service.list_presets(db)


class CategoryAdminController(Controller):
    path = "/api/v1/admin/categories"
    tags = ["admin"]
    guards = [admin_only]

    @get("/", operation_id="adminListCategories", summary="All categories, retired ones included")
    async def list_all(self, db: DB) -> list[CategoryOut]:
        return await service.list_categories(db, include_inactive=True)

    @post("/", operation_id="createCategory", summary="Add a category (audited)")
    async def create(self, db: DB, principal: Caller, data: JSONBody[CategoryIn]) -> CategoryOut:
        return await service.create_category(db, actor_id=principal.user_id, data=data)

    @patch("/{code:str}", operation_id="updateCategory", summary="Change a category (audited)")
    async def update(
        self, db: DB, principal: Caller, code: FromPath[CategoryCode], data: JSONBody[CategoryPatch]
    ) -> CategoryOut:
        return await service.update_category(db, actor_id=principal.user_id, code=code, data=data)
