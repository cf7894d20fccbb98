"""msgspec Structs of the API's requests and responses, one module per resource."""

from __future__ import annotations

__all__: list[str] = []
