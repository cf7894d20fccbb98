"""``/v1/items``: title detail, creation with inductive similarity, "more like this"."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from api import feeds
from api.errors import request_id_of
from api.inductive import embed_title
from api.params import ItemIdPath, LimitQuery
from api.schemas.common import view
from api.schemas.items import Item, ItemCreate, ItemCreated
from api.schemas.recommendations import SimilarItems
from api.security import require_admin
from api.state import AppState
from graph.items import Credit, NewTitle
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

    @post("", operation_id="CreateItem", guards=[require_admin], status_code=201)
    async def create_item(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        data: JSONBody[ItemCreate],
    ) -> ItemCreated:
        """Create a title with its features (admin key); it gets inductive similar titles."""
        await repos.items.create(
            NewTitle(
                item_id=data.item_id,
                title=data.title,
                year=data.year,
                kind=data.kind,
                thumbnail_url=data.thumbnail_url,
                genres=sorted(set(data.genres)),
                keywords=sorted({k.lower() for k in data.keywords}),
                platforms=sorted(set(data.platforms)),
                cast=[
                    Credit(person_id=p.person_id, name=p.name, order=i)
                    for i, p in enumerate(data.cast)
                ],
                directors=[Credit(person_id=p.person_id, name=p.name) for p in data.directors],
            )
        )
        similarity = await embed_title(app_state, data.item_id)
        item = view(await repos.items.get(data.item_id), Item)
        return ItemCreated(item=item, similarity=similarity)

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
