"""Schemathesis hooks (``SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks``): the rules across
fields that JSON Schema cannot state, applied to the cases schemathesis means to be valid.

Each rule is stated in prose in the OpenAPI document and enforced by the server (400); without
the hook, a positive case breaking it is "a schema-valid request refused" (ST202). Negative
cases are left alone. The rules:

- ``POST /v1/experiments``: variant names differ and the shares sum to 100;
- ``PUT`` / ``DELETE /v1/users/{user_id}/friends/{friend_id}``: ``friend_id`` is not ``user_id``;
- ``POST /v1/interactions``: ``timestamp`` between 1970 and a day ahead of the server's clock;
- ``GET /v1/recommendations``: ``context=genre:X`` and ``category`` name one genre (or
  ``category=all``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import schemathesis

_FRIENDS = "/v1/users/{user_id}/friends/{friend_id}"


def _positive(case: Any) -> bool:
    meta = case.meta
    return meta is None or meta.generation.mode.is_positive


def _experiment(body: Any) -> None:
    variants = body.get("variants") if isinstance(body, dict) else None
    if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
        return
    seen: set[str] = set()
    for i, variant in enumerate(variants):
        name = str(variant.get("name", "v"))
        if name in seen:
            variant["name"] = name = f"{name[:58]}-{i}"
        seen.add(name)
    share = 100 / len(variants)
    for variant in variants[:-1]:
        variant["traffic_percent"] = share
    variants[-1]["traffic_percent"] = 100 - share * (len(variants) - 1)


def _friend(path: dict[str, Any]) -> None:
    user, friend = path.get("user_id"), path.get("friend_id")
    if isinstance(friend, str) and friend and friend == user:
        path["friend_id"] = friend[:-1] + ("a" if friend[-1] != "a" else "b")


def _timestamp(body: Any) -> None:
    text = body.get("timestamp") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        return
    at = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    if not dt.datetime(1970, 1, 1, tzinfo=dt.UTC) <= at <= now + dt.timedelta(hours=23):
        body["timestamp"] = "2020-06-01T12:00:00Z"


def _genre(query: dict[str, Any]) -> None:
    context, category = query.get("context"), query.get("category")
    named = context.removeprefix("genre:") if isinstance(context, str) else None
    if named is not None and named != context and category not in (None, named):
        query["category"] = "all"


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: Any) -> Any:
    """Make a positive case obey the cross-field rule of its operation (none for others)."""
    if not _positive(case):
        return case
    where = (case.method.upper(), case.operation.path)
    if where == ("POST", "/v1/experiments"):
        _experiment(case.body)
    elif where in (("PUT", _FRIENDS), ("DELETE", _FRIENDS)) and case.path_parameters:
        _friend(case.path_parameters)
    elif where == ("POST", "/v1/interactions"):
        _timestamp(case.body)
    elif where == ("GET", "/v1/recommendations") and case.query:
        _genre(case.query)
    return case
