"""Named Cypher statements, one per ``.cypher`` file in this package.

Every statement the project runs lives here and takes values only as ``$parameters``.
``load("get_similar_items")`` returns the text of ``get_similar_items.cypher``.

Comments (lines starting with ``//``) are for readers of the files: ``load`` drops them, so the
server does not receive and pre-parse them on every call.

The statements the API runs while answering requests start with ``CYPHER replan=skip``
(``graph.plans.SERVED`` is derived from that line). Neo4j otherwise discards a cached plan once
the graph's statistics have drifted far enough from those it was planned with (writes adding
nodes, index selectivity), and the next call plans again while it waits: 0.1-0.6 s for most of
these statements and 1-3 s for ``get_home_candidates`` on two busy cores, a stall for every
request that needs the statement meanwhile. Their plans start from unique-id lookups and do not
get better with fresher counts; a restart of Neo4j, or ``CALL db.clearQueryCaches()``, plans
them afresh. Loading and training statements replan as usual.
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["CypherNotFoundError", "load", "names", "statements"]


class CypherNotFoundError(LookupError):
    """Raised when no ``.cypher`` file has the requested name."""


@functools.cache
def names() -> tuple[str, ...]:
    """Return the names of every shipped ``.cypher`` file, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".cypher")
            for entry in resources.files(__name__).iterdir()
            if entry.name.endswith(".cypher")
        )
    )


@functools.cache
def load(name: str) -> str:
    """Return the text of ``<name>.cypher``.

    Args:
        name: The file name without its ``.cypher`` suffix.

    Returns:
        The statement text without comment lines, stripped of surrounding whitespace.

    Raises:
        CypherNotFoundError: No file has that name.
    """
    if name not in names():
        raise CypherNotFoundError(f"no cypher/{name}.cypher (known: {', '.join(names())})")
    text = resources.files(__name__).joinpath(f"{name}.cypher").read_text("utf-8")
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return "\n".join(lines).strip()


def statements(name: str) -> list[str]:
    """Split a multi-statement file (such as ``constraints``) on ``;`` into statements."""
    return [part.strip() for part in load(name).split(";") if part.strip()]
