#!/usr/bin/env bash
# Installs everything graphrec needs on a fresh Debian machine with Python 3.11+, Java 17 and Maven:
# system packages (redis-server, chromium: with apt when root, else the command is printed),
# the virtualenv .venv with the locked Python packages (uv's cache makes reinstalls instant),
# and the Neo4j jars from Maven Central (cached in ~/.cache/graphrec).
# `scripts/setup.sh --bench` adds what only the benchmarks need (wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v java >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
if [ "${1:-}" = --bench ]; then
  command -v wrk >/dev/null || need_apt+=(wrk)  # bench/serve_latency.py
fi
{ docker compose version || command -v docker-compose; } >/dev/null 2>&1 || need_apt+=(docker-compose)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing system packages; run: sudo apt-get install -y ${need_apt[*]}" >&2
    case " ${need_apt[*]} " in
      *" redis-server "*|*" openjdk-17-jdk-headless "*|*" maven "*|*" wrk "*) exit 1 ;;
    esac
  fi
fi

"$PY" - <<'PYCHECK'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: Python 3.11+ is needed, found {sys.version.split()[0]}")
PYCHECK

stamp="$VENV/.graphrec-installed"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/uv" ]; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check uv
fi
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into $VENV (from requirements.lock)"
  "$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" requirements.lock
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps -e .
  touch "$stamp"
fi

"$VENV/bin/graphrec" neo4j install
echo "setup: done ($VENV/bin/graphrec)"
