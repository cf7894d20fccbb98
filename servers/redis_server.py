"""A local Redis (Debian's ``redis-server``) on loopback, used when ``REDIS_URL`` is not set."""

from __future__ import annotations

import shutil
from pathlib import Path

import redis

from graph.settings import Settings
from servers.process import (
    ServerError,
    ServerStatus,
    port_in_use,
    read_pid,
    spawn,
    stop_local,
    wait_started,
)

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


def status(settings: Settings) -> ServerStatus:
    """Report whether Redis answers PING at the configured URL."""
    return ServerStatus(
        name="redis",
        running=_answers(settings),
        address=settings.redis_url,
        pid=None if settings.redis_external else read_pid(_pid_file(settings)),
        external=settings.redis_external,
        detail="REDIS_URL is set: using that server" if settings.redis_external else "",
    )


def start(settings: Settings, timeout: float = 30.0, echo: object = print) -> ServerStatus:
    """Start ``redis-server`` on 127.0.0.1 unless it (or an external ``REDIS_URL``) answers.

    Raises:
        ServerError: redis-server missing (with the install command), the port taken by
            something else, or no answer within ``timeout`` seconds.
    """
    say = echo if callable(echo) else print
    current = status(settings)
    if current.running or settings.redis_external:
        if not current.running:
            raise ServerError(f"REDIS_URL={settings.redis_url} is set but does not answer")
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
    pid_file = _pid_file(settings)
    spawn(argv, _log_file(settings), pid_file, cwd=data)
    wait_started(
        "Redis",
        settings.redis_url,
        lambda: _answers(settings),
        pid_file=pid_file,
        log_file=_log_file(settings),
        timeout=timeout,
    )
    return status(settings)


def stop(settings: Settings, timeout: float = 30.0) -> bool:
    """Stop the local Redis (its contents are caches: nothing is written to disk).

    Returns:
        True when a server was stopped, False when none was running.
    """
    return stop_local(settings.redis_external, "REDIS_URL", _pid_file(settings), timeout)
