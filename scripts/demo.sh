#!/usr/bin/env bash
# The demo: Neo4j and Redis are up and the schema applied (make services). Later steps load data,
# train the GNN and serve the API.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
"$BIN/graphrec" services status
"$BIN/graphrec" db stats
port=${GRAPHREC_NEO4J_HTTP_PORT:-7474}
cat <<MSG

Neo4j Browser: http://127.0.0.1:${port}/browser/  (no password on the local server)
First query to paste:  CALL db.schema.visualization()
MSG
