#!/usr/bin/env bash
# Writes the reference API Gateway REST proxy event (`sam local generate-event apigateway aws-proxy`)
# for GET /tasks/{taskId} with path /tasks/t-1, stage dev, to
# Tests/FormworkSimulatorTests/Fixtures/aws-proxy-event.json, pretty-printed with sorted keys.
#
# aws-sam-cli is installed, pinned, into .venv-sam/ at the repository root (git-ignored) and only
# when missing: it pins its own boto3 and other libraries, which would clash with the versions
# scripts/install-test-deps.sh puts into $PYTHON. generate-event needs no Docker.
#
# The generated event comes from a fixed template in aws-sam-cli (the same output on every run,
# no random ids or timestamps), so the file changes only when the pinned version's template does.
set -euo pipefail

SAM_CLI_VERSION=1.170.0

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
SAM_VENV="$REPO/.venv-sam"
FIXTURE="$REPO/Tests/FormworkSimulatorTests/Fixtures/aws-proxy-event.json"

log() { printf '%s\n' "sam-proxy-event: $*" >&2; }

# shellcheck source=venv-tools.sh
. "$REPO/scripts/venv-tools.sh"

install_in_venv "$SAM_VENV" aws-sam-cli "$SAM_CLI_VERSION" sam

# --- the event ------------------------------------------------------------------------------

# Run from an empty directory, so no samconfig.toml changes the defaults of the options not
# given here; no telemetry.
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# The template writes the path as "/{path}", so --path takes it without its leading slash.
(
    cd "$workdir"
    SAM_CLI_TELEMETRY=0 "$SAM_VENV/bin/sam" local generate-event apigateway aws-proxy \
        --method GET \
        --resource '/tasks/{taskId}' \
        --path 'tasks/t-1' \
        --stage dev
) > "$workdir/event.json"

mkdir -p "$(dirname "$FIXTURE")"
"$SAM_VENV/bin/python" -c 'import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    event = json.load(f)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(event, f, indent=2, sort_keys=True)
    f.write("\n")' "$workdir/event.json" "$workdir/sorted.json"
mv "$workdir/sorted.json" "$FIXTURE"

log "wrote ${FIXTURE#"$REPO"/}"
