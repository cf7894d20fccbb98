"""The OpenAPI document tells the truth about keys and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graph.settings import Settings

ERRORS = {"400", "401", "403", "404", "409", "413", "415", "429", "503"}


def test_every_v1_operation_needs_the_key_and_documents_the_envelope(
    api_settings: Settings,
) -> None:
    from api.app import create_app

    doc = create_app(api_settings).openapi_schema.to_schema()
    assert "security" not in doc  # per operation: the open endpoints need no key
    operations = [(path, op) for path, ops in doc["paths"].items() for op in ops.values()]
    assert len(operations) >= 20
    for path, op in operations:
        if not path.startswith("/v1"):
            assert "security" not in op, path
            continue
        assert op["security"] == [{"bearer": []}], path
        assert set(op["responses"]) >= ERRORS, path
        for status in ERRORS:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, status)
    ready = doc["paths"]["/ready"]["get"]["responses"]["503"]["content"]
    assert ready["application/json"]["schema"]["$ref"].endswith("ErrorEnvelope")
