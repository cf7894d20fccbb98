"""``/v1/items``: title detail, creation with inductive similarity, "more like this"."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from api import feeds
from api.errors import request_id_of
from api.idempotency import Once
from api.inductive import embed_title
from api.params import ItemIdPath, LimitQuery
from api.schemas.common import view
from api.schemas.items import Item, ItemCreate, ItemCreated, ItemFeatures
from api.schemas.recommendations import SimilarItems
from api.security import BEARER, require_admin
from api.state import AppState
from graph.items import NewTitle
from graph.store import Repositories

__all__ = ["ItemController"]

ModelQuery = Annotated[
    str | None,
    QueryParameter(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="Model version (v<N>)"),
]


class ItemController(Controller):
    """Titles."""

    path = "/v1/items"
    tags = ("items",)
    security = BEARER

    @post("", operation_id="CreateItem", guards=[require_admin], status_code=201)
    async def create_item(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        data: JSONBody[ItemCreate],
    ) -> ItemCreated:
        """Create a title with its features (admin key); it gets inductive similar titles."""
        features = msgspec.structs.asdict(data.to_graph())
        await repos.items.create(
            NewTitle(
                item_id=data.item_id, title=data.title, year=data.year, kind=data.kind, **features
            )
        )
        similarity = await embed_title(app_state, data.item_id)
        item = view(await repos.items.get(data.item_id), Item)
        return ItemCreated(item=item, similarity=similarity)

    @put(
        "/{item_id:str}/features",
        operation_id="ReplaceItemFeatures",
        guards=[require_admin],
        response_model=ItemCreated,
    )
    async def replace_item_features(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        item_id: ItemIdPath,
        data: JSONBody[ItemFeatures],
        once: NamedDependency[Once],
    ) -> Response[ItemCreated]:
        """Replace a title's features (admin key); its similar titles follow: embedded afresh
        from the new features by the promoted model, else found by the shared content."""

        async def replace() -> ItemCreated:
            await repos.items.replace_features(item_id, data.to_graph())
            similarity = await embed_title(app_state, item_id, from_features=True)
            return ItemCreated(
                item=view(await repos.items.get(item_id), Item), similarity=similarity
            )

        return await once("features", data, replace)

    @get("/{item_id:str}", operation_id="GetItem")
    async def get_item(self, repos: NamedDependency[Repositories], item_id: ItemIdPath) -> Item:
        """A title with its features."""
        return view(await repos.items.get(item_id), Item)

    @get("/{item_id:str}/similar", operation_id="SimilarItems")
    async def similar_items(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        item_id: ItemIdPath,
        limit: LimitQuery = 10,
        model: ModelQuery = None,
    ) -> SimilarItems:
        """ "More like this": the promoted model's SIMILAR_TO edges, else shared content."""
        version = model or (await app_state.model.get(app_state)).version
        return await feeds.similar_items(
            repos,
            app_state.metrics,
            item_id=item_id,
            model_version=version,
            limit=limit,
            request_id=request_id_of(request),
        )
