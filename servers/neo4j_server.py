"""A real Neo4j 5.26 Community server from Maven Central, started by a small Java launcher.

``install`` resolves ``org.neo4j:neo4j`` and ``org.neo4j.client:neo4j-browser`` with ``mvn``
into ``$GRAPHREC_CACHE/neo4j-<version>/`` (reused by later runs) and compiles the launcher;
``start`` writes ``neo4j.conf`` into the instance's home, spawns the JVM and returns once
``RETURN 1`` answers over Bolt.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from graph.health import bolt_answers
from graph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION, Settings
from servers.process import Managed, ServerError, ServerStatus, port_in_use, read_pid

__all__ = ["home_dir", "install", "log_file", "start", "status", "stop"]

JAVA_HINT = "install Java 17 or newer: apt-get install -y openjdk-17-jdk-headless"
MAVEN_HINT = "install Maven: apt-get install -y maven"
_JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    # The JVM settings Neo4j's own neo4j.conf ships with, and one of ours.
    "-XX:+UseG1GC",
    # Ours: young collections of ~10 ms every few seconds instead of 15-25 ms (G1's 200 ms
    # default goal lets the young generation grow to ~1.2 GB); every query in flight waits.
    "-XX:MaxGCPauseMillis=10",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.tls.ephemeralDHKeySize=2048",
)


def home_dir(settings: Settings) -> Path:
    """The Neo4j home (conf, data, logs) of this instance: persistent across restarts."""
    return settings.instance_dir / "neo4j"


def log_file(settings: Settings) -> Path:
    """The file that receives the server's console output."""
    return home_dir(settings) / "logs" / "console.log"


def _pid_file(settings: Settings) -> Path:
    return home_dir(settings) / "run" / "neo4j.pid"


def _dist_dir(settings: Settings) -> Path:
    return settings.cache_dir / f"neo4j-{NEO4J_VERSION}"


def java_major_version() -> int:
    """Return the major version of ``java`` on PATH.

    Raises:
        ServerError: Java is missing or older than 17, with the install command.
    """
    java = shutil.which("java")
    if java is None:
        raise ServerError(f"java not found on PATH: {JAVA_HINT}")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise ServerError(f"could not read the Java version from `java -version`: {JAVA_HINT}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8" style
        major = int(match.group(2))
    if major < 17:
        raise ServerError(f"Java {major} found, Neo4j {NEO4J_VERSION} needs 17+: {JAVA_HINT}")
    return major


def install(settings: Settings, echo: object = print) -> Path:
    """Resolve the Neo4j jars with Maven and compile the launcher (once; cached).

    Args:
        settings: Settings naming the cache directory.
        echo: A callable taking one message string, for progress.

    Returns:
        The distribution directory holding ``lib/`` and ``launcher/``.

    Raises:
        ServerError: Java or Maven missing, or Maven failed (with its output's tail).
    """
    say = echo if callable(echo) else print
    java_major_version()
    dist = _dist_dir(settings)
    lib = dist / "lib"
    if not (dist / ".complete").exists():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError(f"mvn not found on PATH: {MAVEN_HINT}")
        say(f"Resolving Neo4j {NEO4J_VERSION} and Neo4j Browser from Maven Central into {dist} ...")
        staging = dist.with_name(dist.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        pom = staging / "pom.xml"
        pom.write_text(resources.files(__package__).joinpath("java/pom.xml").read_text())
        result = subprocess.run(
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(pom),
                f"-Dneo4j.version={NEO4J_VERSION}",
                f"-Dneo4j.browser.version={NEO4J_BROWSER_VERSION}",
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging / 'lib'}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output = "\n".join((result.stdout + result.stderr).splitlines()[-25:])
            raise ServerError(f"mvn could not resolve Neo4j {NEO4J_VERSION}:\n{output}")
        (staging / ".complete").write_text(NEO4J_VERSION + "\n")
        shutil.rmtree(dist, ignore_errors=True)
        staging.rename(dist)
    _compile_launcher(dist, lib)
    return dist


def _compile_launcher(dist: Path, lib: Path) -> Path:
    source = resources.files(__package__).joinpath("java/GraphrecNeo4j.java").read_text()
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    out = dist / f"launcher-{digest}"
    if (out / "GraphrecNeo4j.class").exists():
        return out
    javac = shutil.which("javac")
    if javac is None:
        raise ServerError(f"javac not found on PATH (a JDK, not a JRE, is needed): {JAVA_HINT}")
    src_dir = dist / "src"
    src_dir.mkdir(exist_ok=True)
    (src_dir / "GraphrecNeo4j.java").write_text(source)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [javac, "-cp", f"{lib}/*", "-d", str(staging), str(src_dir / "GraphrecNeo4j.java")],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ServerError(f"javac failed on the launcher:\n{result.stderr[-3000:]}")
    staging.rename(out)
    return out


def write_config(settings: Settings) -> None:
    """Write the instance's ``conf/neo4j.conf`` (the server and the import tool read it)."""
    home = home_dir(settings)
    (home / "conf").mkdir(parents=True, exist_ok=True)
    (home / "conf" / "neo4j.conf").write_text(
        "\n".join(
            [
                "# Written by `graphrec neo4j start`; edit the GRAPHREC_* settings instead.",
                "server.default_listen_address=127.0.0.1",
                "server.default_advertised_address=127.0.0.1",
                f"server.bolt.listen_address=127.0.0.1:{settings.neo4j_bolt_port}",
                f"server.http.listen_address=127.0.0.1:{settings.neo4j_http_port}",
                "server.https.enabled=false",
                # Loopback only, for development: the Browser connects without a password.
                "dbms.security.auth_enabled=false",
                # Neo4j Browser plays guides (`:play URL`) from these hosts only (5.26 still names
                # the setting "whitelist"): the API serves graphrec's guide for analysts
                # (docs/browser/graphrec.html) on loopback.
                "browser.remote_content_hostname_whitelist=guides.neo4j.com,localhost,127.0.0.1",
                f"server.memory.pagecache.size={settings.neo4j_pagecache}",
                "dbms.memory.transaction.total.max=0",
                "dbms.usage_report.enabled=false",
                "client.allow_telemetry=false",
                "dbms.transaction.timeout=0",
                "db.tx_log.rotation.retention_policy=1 files",
                # No keep-alive hint to clients: with it the Python driver wraps every socket read
                # in a timeout (~0.3 ms of API CPU per statement); NOOPs still keep long
                # result streams alive.
                "server.bolt.connection_keep_alive_for_requests=STREAMING",
                # Plans are cached per parameter type only, not also per size bucket of every
                # string and list parameter (0, 1, 2-10, 11-100, ... characters or elements),
                # so a replayed plan covers every size of the shape it was recorded with
                # (graph/plans.py).
                # The plans of every statement in cypher/ are the same either way.
                "internal.cypher.use_parameter_size=false",
                "",
            ]
        )
    )


def _bolt_answers(settings: Settings) -> bool:
    if not settings.neo4j_external and not port_in_use("127.0.0.1", settings.neo4j_bolt_port):
        return False
    return bolt_answers(settings)


def _managed(settings: Settings) -> Managed:
    return Managed(
        name="Neo4j",
        address=settings.neo4j_uri,
        variable="NEO4J_URI",
        external=settings.neo4j_external,
        pid_file=_pid_file(settings),
        log_file=log_file(settings),
        answers=lambda: _bolt_answers(settings),
        detail=f"browser http://127.0.0.1:{settings.neo4j_http_port}/browser/",
    )


def status(settings: Settings) -> ServerStatus:
    """Report whether Bolt answers ``RETURN 1`` at the configured address."""
    return _managed(settings).status()


def start(settings: Settings, timeout: float = 180.0, echo: object = print) -> ServerStatus:
    """Start the local server unless it (or an external ``NEO4J_URI``) already answers.

    Raises:
        ServerError: Java/Maven missing, a port taken by something else, or the server did
            not answer within ``timeout`` seconds (the message carries the log's tail).
    """
    say = echo if callable(echo) else print
    server = _managed(settings)
    if current := server.answering():
        return current
    home = home_dir(settings)
    if read_pid(server.pid_file) is not None:
        say("Neo4j process exists but Bolt does not answer yet; waiting ...")
        return server.launch(None, home, timeout)
    for port in (settings.neo4j_bolt_port, settings.neo4j_http_port):
        if port_in_use("127.0.0.1", port):
            raise ServerError(
                f"port {port} is in use by another process; set GRAPHREC_NEO4J_BOLT_PORT / "
                "GRAPHREC_NEO4J_HTTP_PORT to free ports, or NEO4J_URI to use that server"
            )
    dist = install(settings, echo=say)
    launcher = max(dist.glob("launcher-*"), key=lambda p: p.stat().st_mtime)
    write_config(settings)
    (home / "logs").mkdir(parents=True, exist_ok=True)
    argv = [
        shutil.which("java") or "java",
        f"-Xms{settings.neo4j_heap}",
        f"-Xmx{settings.neo4j_heap}",
        *_JVM_FLAGS,
        f"-Dgraphrec.instance={settings.instance}",
        "-cp",
        f"{launcher}:{dist / 'lib'}/*",
        "GraphrecNeo4j",
        str(home),
    ]
    say(f"Starting Neo4j {NEO4J_VERSION} (home {home}) ...")
    return server.launch(argv, home, timeout)


def stop(settings: Settings, timeout: float = 120.0) -> bool:
    """Stop the local server cleanly (checkpoint and close the store).

    Returns:
        True when a server was stopped, False when none was running.
    """
    return _managed(settings).stop(timeout)
