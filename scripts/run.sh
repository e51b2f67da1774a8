#!/usr/bin/env bash
# Set up a virtualenv (if needed) and run the bot. Settings come from the environment or .env.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/python -m bot run
