"""One typed settings object, read from the environment, used by every package.

``NEO4J_URI`` and ``REDIS_URL`` always win: when they are set, the project talks to
those servers and never starts its local ones.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import msgspec

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Settings", "get_settings"]

T = TypeVar("T")

NEO4J_VERSION = "5.26.30"
NEO4J_BROWSER_VERSION = "5.24.0"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
_BOOLEANS |= {"0": False, "false": False, "no": False, "off": False}


def _env_as(name: str, default: T, parse: Callable[[str], T], expected: str) -> T:
    """The variable parsed, ``default`` when unset; a ValueError naming it when malformed."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return parse(raw)
    except (ValueError, KeyError):
        raise ValueError(f"{name}={raw!r}: expected {expected}") from None


def _env_int(name: str, default: int) -> int:
    return _env_as(name, default, int, "an integer")


def _env_float(name: str, default: float) -> float:
    return _env_as(name, default, float, "a number")


def _env_bool(name: str, default: bool) -> bool:
    return _env_as(name, default, lambda raw: _BOOLEANS[raw.lower()], "1 or 0")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything configurable, with defaults for a local development machine.

    Environment variables (defaults in brackets):
        NEO4J_URI [bolt://127.0.0.1:<bolt port>], NEO4J_USER [neo4j], NEO4J_PASSWORD [''],
        NEO4J_DATABASE [neo4j], REDIS_URL [redis://127.0.0.1:<redis port>/0],
        GRAPHREC_HOME [~/.local/share/graphrec]: persistent data of the local servers and models,
        GRAPHREC_CACHE [~/.cache/graphrec]: downloaded Neo4j jars,
        GRAPHREC_NEO4J_BOLT_PORT [7687], GRAPHREC_NEO4J_HTTP_PORT [7474],
        GRAPHREC_NEO4J_HEAP [2g], GRAPHREC_NEO4J_PAGECACHE [2g], GRAPHREC_REDIS_PORT [6379],
        GRAPHREC_IMPORT_HEAP [768m], GRAPHREC_IMPORT_OFF_HEAP [640m]: the import tool's memory,
        GRAPHREC_INSTANCE [default]: name of the local server instance (tests use ``test``),
        GRAPHREC_DEVICE [cpu], GRAPHREC_API_KEYS [''], GRAPHREC_API_KEYS_FILE [''],
        GRAPHREC_API_CACHE_TTL [60]: seconds a cached recommendation answer stays fresh,
        GRAPHREC_API_LOCAL_CACHE_MB [64]: each API worker's copy of fresh answers (0: none),
        GRAPHREC_API_WARMUP [1]: plan Neo4j's statements when the API starts (1 or 0),
        GRAPHREC_SERVED_LOG [1]: log served lists and interactions to the served-list stream
        and count them (1 or 0; off: no attribution, experiment counts or live trending),
        GRAPHREC_API_NEO4J_BUDGET [1.2]: seconds one request may spend on Neo4j, all its calls
        together; past them it answers 503 (or a stale or fallback answer).
    """

    neo4j_uri: str
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    neo4j_external: bool = False
    redis_url: str
    redis_external: bool = False
    home: Path
    cache_dir: Path
    instance: str = "default"
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "2g"
    #: The import tool's (``graphrec load --bulk``) heap and off-heap caches: 2 GiB of RSS in all
    #: at 10 M interactions.
    import_heap: str = "768m"
    import_off_heap: str = "640m"
    redis_port: int = 6379
    device: Literal["cpu", "cuda"] | str = "cpu"
    api_keys: str = ""
    api_keys_file: str = ""
    api_cache_ttl: float = 60.0
    #: Each API worker's copies of fresh cached answers (``api/localcache.py``); 0 turns it off.
    api_local_cache_mb: int = 64
    api_warmup: bool = True
    served_log: bool = True
    #: Whether each API process also consumes the served-list log; ``graphrec serve`` runs one
    #: consumer process beside its workers instead, so no request waits behind a batch.
    served_log_consumer: bool = True
    api_neo4j_budget: float = 1.2

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the process environment."""
        bolt_port = _env_int("GRAPHREC_NEO4J_BOLT_PORT", 7687)
        redis_port = _env_int("GRAPHREC_REDIS_PORT", 6379)
        neo4j_uri = os.environ.get("NEO4J_URI", "").strip()
        redis_url = os.environ.get("REDIS_URL", "").strip()
        return cls(
            neo4j_uri=neo4j_uri or f"bolt://127.0.0.1:{bolt_port}",
            neo4j_external=bool(neo4j_uri),
            neo4j_user=_env("NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("NEO4J_PASSWORD", ""),
            neo4j_database=_env("NEO4J_DATABASE", "neo4j"),
            redis_url=redis_url or f"redis://127.0.0.1:{redis_port}/0",
            redis_external=bool(redis_url),
            home=Path(_env("GRAPHREC_HOME", str(Path.home() / ".local/share/graphrec"))),
            cache_dir=Path(_env("GRAPHREC_CACHE", str(Path.home() / ".cache/graphrec"))),
            instance=_env("GRAPHREC_INSTANCE", "default"),
            neo4j_bolt_port=bolt_port,
            neo4j_http_port=_env_int("GRAPHREC_NEO4J_HTTP_PORT", 7474),
            neo4j_heap=_env("GRAPHREC_NEO4J_HEAP", "2g"),
            neo4j_pagecache=_env("GRAPHREC_NEO4J_PAGECACHE", "2g"),
            import_heap=_env("GRAPHREC_IMPORT_HEAP", "768m"),
            import_off_heap=_env("GRAPHREC_IMPORT_OFF_HEAP", "640m"),
            redis_port=redis_port,
            device=_env("GRAPHREC_DEVICE", "cpu"),
            api_keys=os.environ.get("GRAPHREC_API_KEYS", ""),
            api_keys_file=os.environ.get("GRAPHREC_API_KEYS_FILE", ""),
            api_cache_ttl=_env_float("GRAPHREC_API_CACHE_TTL", 60.0),
            api_local_cache_mb=_env_int("GRAPHREC_API_LOCAL_CACHE_MB", 64),
            api_warmup=_env_bool("GRAPHREC_API_WARMUP", True),
            served_log=_env_bool("GRAPHREC_SERVED_LOG", True),
            served_log_consumer=_env_bool("GRAPHREC_SERVED_LOG_CONSUMER", True),
            api_neo4j_budget=_env_float("GRAPHREC_API_NEO4J_BUDGET", 1.2),
        )

    @property
    def instance_dir(self) -> Path:
        """Directory holding this instance's local Neo4j and Redis data, pids and logs."""
        return self.home / self.instance

    @property
    def models_dir(self) -> Path:
        """Directory of trained model artifacts (weights, config, id maps)."""
        return self.instance_dir / "models"

    @property
    def neo4j_auth(self) -> tuple[str, str] | None:
        """Basic auth for the driver, or ``None`` when no password is set (local server)."""
        return (self.neo4j_user, self.neo4j_password) if self.neo4j_password else None


@functools.cache
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings.from_env()
