"""Process plumbing shared by the local servers: pid files, readiness polling, log tails, CPU."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "Managed",
    "ServerError",
    "ServerStatus",
    "cpu_seconds",
    "port_in_use",
    "read_pid",
    "spawn",
    "stop_pid",
    "tail",
    "uptime_seconds",
    "wait_until",
]


class ServerError(Exception):
    """A local server (Neo4j, Redis) could not be started, stopped or reached."""


class ServerStatus(msgspec.Struct, frozen=True, kw_only=True):
    """What ``status`` reports about a server."""

    name: str
    running: bool
    address: str
    pid: int | None = None
    external: bool = False
    detail: str = ""


def read_pid(pid_file: Path) -> int | None:
    """Return the pid in ``pid_file`` if that process is alive, else ``None``."""
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid if not _is_zombie(pid) else None


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first); [] once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return []


def _is_zombie(pid: int) -> bool:
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] == "Z"


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (Linux ``/proc``), 0 once they are gone."""
    total = 0
    for p in [pid, *_children(pid)]:
        if fields := _stat_fields(p):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def uptime_seconds(pid: int) -> float:
    """Seconds since a process started (Linux ``/proc``), 0 once it is gone."""
    if not (fields := _stat_fields(pid)):
        return 0.0
    booted = float(Path("/proc/uptime").read_text().split()[0])
    return booted - int(fields[19]) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


def port_in_use(host: str, port: int) -> bool:
    """Return True when something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def spawn(argv: Sequence[str], log_file: Path, pid_file: Path, cwd: Path) -> int:
    """Start ``argv`` detached from this process (own session), output appended to ``log_file``.

    Returns:
        The new process id, also written to ``pid_file``.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def wait_until(
    ready: Callable[[], bool], timeout: float, alive: Callable[[], bool], interval: float = 0.5
) -> bool:
    """Poll ``ready`` until it is true, the process dies (``alive`` false) or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        if not alive():
            return ready()
        time.sleep(interval)
    return ready()


@dataclass(frozen=True)
class Managed:
    """One local server as graphrec manages it: where it answers, its pid and log files, and
    the variable (``NEO4J_URI``, ``REDIS_URL``) that points graphrec at another server instead.
    """

    name: str
    address: str
    variable: str
    external: bool
    pid_file: Path
    log_file: Path
    answers: Callable[[], bool]
    detail: str = ""

    def status(self) -> ServerStatus:
        """Whether it answers now, and its pid when graphrec started it."""
        return ServerStatus(
            name=self.name.lower(),
            running=self.answers(),
            address=self.address,
            pid=None if self.external else read_pid(self.pid_file),
            external=self.external,
            detail=f"{self.variable} is set: using that server" if self.external else self.detail,
        )

    def answering(self) -> ServerStatus | None:
        """Its status when it answers already (nothing to start), else ``None``.

        Raises:
            ServerError: The variable points at a server that does not answer.
        """
        current = self.status()
        if self.external and not current.running:
            raise ServerError(f"{self.variable}={self.address} is set but does not answer")
        return current if current.running else None

    def launch(self, argv: Sequence[str] | None, cwd: Path, timeout: float) -> ServerStatus:
        """Spawn ``argv`` (``None``: its process runs already) and wait until it answers.

        Raises:
            ServerError: It died or did not answer within ``timeout`` seconds (with its log's
                tail).
        """
        if argv is not None:
            spawn(argv, self.log_file, self.pid_file, cwd)
        if not wait_until(self.answers, timeout, alive=lambda: read_pid(self.pid_file) is not None):
            raise ServerError(
                f"{self.name} did not answer on {self.address} within {timeout:.0f}s. "
                f"Log {self.log_file}:\n{tail(self.log_file, 40)}"
            )
        return self.status()

    def stop(self, timeout: float) -> bool:
        """Stop the server graphrec started (``stop_pid``), never the one the variable names.

        Raises:
            ServerError: The variable is set (that server is not graphrec's), or the process
                did not stop in time.
        """
        if self.external:
            raise ServerError(f"{self.variable} is set: that server is not managed by graphrec")
        return stop_pid(self.pid_file, timeout)


def stop_pid(pid_file: Path, timeout: float) -> bool:
    """Send SIGTERM to the process in ``pid_file`` and wait for it to exit.

    Returns:
        True when a process was stopped, False when none was running.

    Raises:
        ServerError: The process did not exit within ``timeout`` seconds (it is then killed).
    """
    pid = read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if read_pid(pid_file) is None:
            pid_file.unlink(missing_ok=True)
            return True
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    raise ServerError(f"process {pid} did not stop within {timeout:.0f}s and was killed")


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def tail(path: Path, lines: int = 30) -> str:
    """Return the last ``lines`` lines of a text file ('' when it does not exist)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64_000))
            text = fh.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
