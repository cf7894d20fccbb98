"""``/v1/items``: title detail, creation with inductive similarity, "more like this"."""

from __future__ import annotations

import logging
from typing import Annotated

import anyio.to_thread
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from api import feeds
from api.errors import request_id_of
from api.params import ItemIdPath, LimitQuery
from api.schemas.items import CastOut, Item, ItemCreate, ItemCreated, Similarity
from api.schemas.recommendations import SimilarItems
from api.security import require_admin
from api.state import AppState
from graph.items import ItemRepository, NewPerson, NewTitle, TitleDetail
from graph.recommendations import RecommendationRepository

__all__ = ["ItemController"]

log = logging.getLogger("api.items")

ModelQuery = Annotated[
    str | None,
    QueryParameter(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="Model version (v<N>)"),
]


def _item(detail: TitleDetail) -> Item:
    return Item(
        item_id=detail.item_id,
        title=detail.title,
        year=detail.year,
        kind=detail.kind,
        popularity=detail.popularity,
        genres=sorted(detail.genres),
        cast=[CastOut(name=c.name, order=c.order) for c in detail.cast],
        directors=sorted(detail.directors),
        keywords=sorted(detail.keywords),
        platforms=sorted(detail.platforms),
        imdb_id=detail.imdb_id,
        tmdb_id=detail.tmdb_id,
        has_embedding=detail.embedding_version is not None,
    )


class _NoGnnModuleError(Exception):
    """The gnn package (or its inductive module) is not installed."""


class _NoModelError(Exception):
    """No GraphSAGE model is promoted."""


def _embed_sync(app_state: AppState, item_id: str) -> int:
    # Runs in a worker thread: importing gnn loads torch, which takes seconds.
    try:
        from gnn.errors import NoPromotedModelError
        from gnn.inductive import embed_new_titles
    except ImportError as exc:
        raise _NoGnnModuleError from exc
    try:
        return int(embed_new_titles(app_state.sync_driver, app_state.settings, [item_id], k=20))
    except NoPromotedModelError as exc:
        raise _NoModelError from exc


async def _embed(app_state: AppState, item_id: str) -> Similarity:
    """Inductive SIMILAR_TO edges from the promoted GraphSAGE model, when there is one."""
    content = "shares genres, people and keywords (content similarity)"
    try:
        embedded = await anyio.to_thread.run_sync(_embed_sync, app_state, item_id)
    except _NoGnnModuleError:
        return Similarity(method="content", embedded=0, reason=f"no GNN module; {content}")
    except _NoModelError:
        app_state.metrics.fallbacks.labels(kind="no_model").inc()
        return Similarity(method="content", embedded=0, reason=f"no promoted model; {content}")
    except Exception as exc:  # the title exists already; similarity degrades, never the write
        log.warning("inductive embedding of %s failed: %s", item_id, exc.__class__.__name__)
        app_state.metrics.fallbacks.labels(kind="inductive_failed").inc()
        return Similarity(
            method="content", embedded=0, reason=f"inductive embedding failed; {content}"
        )
    if embedded == 0:
        return Similarity(method="content", embedded=0, reason=f"not embedded; {content}")
    return Similarity(
        method="inductive_gnn",
        embedded=embedded,
        reason="SIMILAR_TO edges from the promoted GraphSAGE model (inductive)",
    )


class ItemController(Controller):
    """Titles."""

    path = "/v1/items"
    tags = ("items",)

    @post("", operation_id="CreateItem", guards=[require_admin], status_code=201)
    async def create_item(
        self,
        app_state: NamedDependency[AppState],
        items: NamedDependency[ItemRepository],
        data: JSONBody[ItemCreate],
    ) -> ItemCreated:
        """Create a title with its features (admin key); it gets inductive similar titles."""
        await items.create(
            NewTitle(
                item_id=data.item_id,
                title=data.title,
                year=data.year,
                kind=data.kind,
                genres=sorted(set(data.genres)),
                keywords=sorted({k.lower() for k in data.keywords}),
                platforms=sorted(set(data.platforms)),
                cast=[
                    NewPerson(person_id=p.person_id, name=p.name, order=i)
                    for i, p in enumerate(data.cast)
                ],
                directors=[NewPerson(person_id=p.person_id, name=p.name) for p in data.directors],
            )
        )
        similarity = await _embed(app_state, data.item_id)
        return ItemCreated(item=_item(await items.get(data.item_id)), similarity=similarity)

    @get("/{item_id:str}", operation_id="GetItem")
    async def get_item(self, items: NamedDependency[ItemRepository], item_id: ItemIdPath) -> Item:
        """A title with its features."""
        return _item(await items.get(item_id))

    @get("/{item_id:str}/similar", operation_id="SimilarItems")
    async def similar_items(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        recs: NamedDependency[RecommendationRepository],
        items: NamedDependency[ItemRepository],
        item_id: ItemIdPath,
        limit: LimitQuery = 10,
        model: ModelQuery = None,
    ) -> SimilarItems:
        """ "More like this": the promoted model's SIMILAR_TO edges, else shared content."""
        version = model or (await app_state.model.get(app_state)).version
        return await feeds.similar_items(
            recs,
            items,
            app_state.metrics,
            item_id=item_id,
            model_version=version,
            limit=limit,
            request_id=request_id_of(request),
        )
