"""A local Redis (Debian's ``redis-server``) on loopback, used when ``REDIS_URL`` is not set."""

from __future__ import annotations

import shutil
from pathlib import Path

import redis

from graph.settings import Settings
from servers.process import Managed, ServerError, ServerStatus, port_in_use

__all__ = ["INSTALL_HINT", "start", "status", "stop"]

INSTALL_HINT = "install Redis: apt-get install -y redis-server"


def _dir(settings: Settings) -> Path:
    return settings.instance_dir / "redis"


def _pid_file(settings: Settings) -> Path:
    return _dir(settings) / "redis.pid"


def _log_file(settings: Settings) -> Path:
    return _dir(settings) / "redis.log"


def _answers(settings: Settings) -> bool:
    try:
        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


def _managed(settings: Settings) -> Managed:
    return Managed(
        name="Redis",
        address=settings.redis_url,
        variable="REDIS_URL",
        external=settings.redis_external,
        pid_file=_pid_file(settings),
        log_file=_log_file(settings),
        answers=lambda: _answers(settings),
    )


def status(settings: Settings) -> ServerStatus:
    """Report whether Redis answers PING at the configured URL."""
    return _managed(settings).status()


def start(settings: Settings, timeout: float = 30.0, echo: object = print) -> ServerStatus:
    """Start ``redis-server`` on 127.0.0.1 unless it (or an external ``REDIS_URL``) answers.

    Raises:
        ServerError: redis-server missing (with the install command), the port taken by
            something else, or no answer within ``timeout`` seconds.
    """
    say = echo if callable(echo) else print
    server = _managed(settings)
    if current := server.answering():
        return current
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServerError(f"redis-server not found on PATH: {INSTALL_HINT}")
    if port_in_use("127.0.0.1", settings.redis_port):
        raise ServerError(
            f"port {settings.redis_port} is in use by another process; set GRAPHREC_REDIS_PORT "
            "to a free port, or REDIS_URL to use that server"
        )
    data = _dir(settings)
    data.mkdir(parents=True, exist_ok=True)
    argv = [
        binary,
        "--bind",
        "127.0.0.1",
        "--port",
        str(settings.redis_port),
        "--dir",
        str(data),
        "--daemonize",
        "no",
        # Nothing on disk: Redis holds caches, rate-limit counters and idempotency records,
        # all safe to lose (exactly-once is kept by the graph), and snapshots or append-only
        # rewrites would fork a process hundreds of MB large in the middle of serving.
        "--appendonly",
        "no",
        "--save",
        "",
        "--maxmemory",
        "1gb",
        "--maxmemory-policy",
        "volatile-lru",
        "--protected-mode",
        "yes",
    ]
    say(f"Starting Redis on 127.0.0.1:{settings.redis_port} (data {data}) ...")
    return server.launch(argv, data, timeout)


def stop(settings: Settings, timeout: float = 30.0) -> bool:
    """Stop the local Redis (caches only: nothing is saved); False when none was running."""
    return _managed(settings).stop(timeout)
