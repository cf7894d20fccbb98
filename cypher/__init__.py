"""Named Cypher statements, one per ``.cypher`` file in this package.

Every statement the project runs lives here and takes values only as ``$parameters``.
``load("get_similar_items")`` returns the text of ``get_similar_items.cypher``.

Comments (lines starting with ``//``) are for readers of the files: ``load`` drops them, so the
server does not receive and pre-parse them on every call.

The statements the API runs while answering requests (``SERVED``) start with
``CYPHER replan=skip``. Neo4j otherwise discards a cached plan once the graph's statistics have
drifted far enough from those it was planned with (writes adding nodes, index selectivity), and
the next call plans again while it waits: 0.1-0.6 s for most of these statements and 1-3 s for
``get_home_candidates`` on two busy cores, a stall for every request that needs the statement
meanwhile (seen as the API's rare multi-second responses). Their plans start from unique-id
lookups and do not get better with fresher counts; a restart of Neo4j, or ``CALL
db.clearQueryCaches()``, plans them afresh. Loading and training statements replan as usual.
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["SERVED", "CypherNotFoundError", "load", "names", "statements"]

#: Statements run on the API's request paths: each keeps its first plan (``CYPHER replan=skip``).
SERVED = frozenset(
    {
        "add_to_list",
        "create_title",
        "create_user",
        "delete_friendship",
        "get_content_similar_titles",
        "get_existing_users",
        "get_explain_content",
        "get_explain_paths",
        "get_explain_people",
        "get_gnn_similar_titles",
        "get_home_candidates",
        "get_promoted_model",
        "get_title",
        "get_titles_by_ids",
        "get_unknown_genres",
        "get_user",
        "merge_friendship",
        "record_event",
        "remove_from_list",
        "set_disliked",
        "set_liked",
        "set_not_interested",
        "set_rating",
        "set_shared",
        "set_user_preferences",
        "update_watched",
    }
)


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
