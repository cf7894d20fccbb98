"""Every shipped .cypher file loads, and the loader refuses unknown names."""

from __future__ import annotations

import re

import pytest

import cypher


def test_cypher_names_lists_every_file() -> None:
    names = cypher.names()
    assert "constraints" in names
    assert "ping" in names
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in names)


@pytest.mark.parametrize("name", cypher.names())
def test_cypher_file_loads_and_uses_only_parameters(name: str) -> None:
    text = cypher.load(name)
    assert text, f"{name}.cypher is empty"
    # Values come in as $parameters, never as Python formatting placeholders.
    assert "{}" not in text and "%s" not in text and "{0}" not in text


def test_cypher_load_unknown_name_raises() -> None:
    with pytest.raises(cypher.CypherNotFoundError, match=r"no cypher/nope\.cypher"):
        cypher.load("nope")
