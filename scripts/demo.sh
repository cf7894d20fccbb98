#!/usr/bin/env bash
# The demo (`make demo`): Neo4j and Redis started, schema applied, synthetic data loaded (or the
# MovieLens directory given as DATA=...), GraphSAGE trained and promoted, then the API served on
# 127.0.0.1:8000 in the foreground with a dev key and example calls printed. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
args=()
if [ -n "${DATA:-}" ]; then args+=("$DATA"); fi
if [ -n "${PORT:-}" ]; then args+=(--port "$PORT"); fi
exec "$BIN/graphrec" demo "${args[@]}"
