"""The OpenAPI document says what the server does: a body the request schema refuses is a 400,
a body it accepts is not; ``Allow`` of ``OPTIONS`` lists every method of the path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jsonschema_rs
import pytest

from .api_keys import ADMIN

if TYPE_CHECKING:
    from litestar.testing import AsyncTestClient

pytestmark = pytest.mark.anyio

_RATING = {"user_id": "u1", "item_id": "t1", "action": "rating"}
_FEEDBACK = {"user_id": "u1", "item_id": "t8"}
_VARIANT = {"name": "c", "traffic_percent": 50}
_DISLIKE = {**_FEEDBACK, "feedback": "dislike"}
_CLICK = {**_RATING, "action": "click"}

#: (method, path, body, whether it is valid), each a rule the decoder or a handler enforces.
CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("POST", "/v1/users", {"user_id": "n1", "age": 30.0}, True),  # JSON Schema's integer
    ("POST", "/v1/users", {"user_id": "n2", "age": -1}, False),
    ("POST", "/v1/users", {"user_id": "n3", "preferred_genres": [""]}, False),
    ("POST", "/v1/users", {"user_id": "n4", "nick": "x"}, False),
    (
        "POST",
        "/v1/items",
        {"item_id": "n5", "title": "T", "cast": [{"person_id": "p9", "name": "A", "x": 1}]},
        False,  # an unknown field one level down
    ),
    ("PUT", "/v1/users/u1/preferences", {"genres": ["Drama"]}, True),
    ("PUT", "/v1/users/u1/preferences", {"genres": ["Drama"], "favorite_categories": []}, False),
    ("PUT", "/v1/users/u1/preferences", {"genres": None}, False),
    ("POST", "/v1/feedback", {**_DISLIKE, "feedback_type": None}, True),
    ("POST", "/v1/feedback", {**_DISLIKE, "feedback_type": "dislike"}, True),
    ("POST", "/v1/feedback", {**_DISLIKE, "feedback_type": "not_interested"}, False),
    ("POST", "/v1/feedback", {**_FEEDBACK, "reason": "meh"}, False),
    ("POST", "/v1/interactions", {**_RATING, "value": 4.5}, True),
    ("POST", "/v1/interactions", {**_RATING, "value": 0}, False),
    ("POST", "/v1/interactions", {**_RATING}, False),
    ("POST", "/v1/interactions", {**_RATING, "action": "watch", "value": 1.5}, False),
    ("POST", "/v1/interactions", {**_CLICK, "context": {"position": 3.0}}, True),
    (
        "POST",
        "/v1/experiments",
        {"name": "e", "variants": [_VARIANT, {"name": "t", "traffic_percent": 50, "config": {}}]},
        True,
    ),
    (
        "POST",
        "/v1/experiments",
        {
            "name": "f",
            "variants": [_VARIANT, {**_VARIANT, "name": "t", "config": {"diversity": 2}}],
        },
        False,
    ),
]


def _body_validator(doc: dict[str, Any], method: str, path: str) -> jsonschema_rs.Validator:
    template = path.replace("/u1/", "/{user_id}/")
    body = doc["paths"][template][method.lower()]["requestBody"]["content"]["application/json"]
    return jsonschema_rs.validator_for({**body["schema"], "components": doc["components"]})


async def test_the_request_schemas_refuse_exactly_what_the_server_refuses(
    client: AsyncTestClient,
) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    for method, path, body, valid in CASES:
        in_schema = _body_validator(doc, method, path).is_valid(body)
        answer = await client.request(method, path, json=body, headers=ADMIN)
        assert in_schema is valid, (method, path, body)
        assert (answer.status_code != 400) is valid, (method, path, body, answer.text)
        assert answer.status_code < 500, answer.text


async def test_every_request_body_schema_refuses_unknown_fields(client: AsyncTestClient) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    components = doc["components"]["schemas"]
    bodies = {
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for ops in doc["paths"].values()
        for op in ops.values()
        if "requestBody" in op
    }
    assert {"InteractionCreate", "FeedbackCreate", "ItemCreate", "ExperimentCreate"} <= bodies
    nested = {"PersonIn", "InteractionContext", "VariantCreate", "VariantSettings"}
    for name in bodies | nested:
        assert components[name]["additionalProperties"] is False, name


async def test_an_empty_exclude_leaves_nothing_out(client: AsyncTestClient) -> None:
    r = await client.get("/v1/recommendations?user_id=u1&exclude=", headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["recommendations"]


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/v1/feedback/fb_dTEKdDg", "DELETE, OPTIONS, PUT"),
        ("/v1/users/u1/friends/u2", "DELETE, OPTIONS, PUT"),
        ("/v1/experiments", "GET, OPTIONS, POST"),
        ("/v1/interactions", "OPTIONS, POST"),
    ],
)
async def test_options_and_405_allow_every_method_of_the_path(
    client: AsyncTestClient, path: str, allow: str
) -> None:
    r = await client.options(path, headers=ADMIN)
    assert r.status_code == 204 and r.headers["allow"] == allow
    r = await client.patch(path, headers=ADMIN)
    assert r.status_code == 405
    assert sorted(r.headers["allow"].split(", ")) == allow.split(", ")
