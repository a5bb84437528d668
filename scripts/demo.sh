#!/usr/bin/env bash
# Set up (idempotent) and run the demo against the local mock site. Arguments go to `optout-bot demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/optout-bot demo "$@"
