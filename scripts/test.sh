#!/usr/bin/env bash
# Set up a virtualenv (if needed) and run the whole suite: lint, format check, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
echo "== ruff check"; .venv/bin/ruff check bot tests bench
echo "== ruff format --check"; .venv/bin/ruff format --check bot tests bench
echo "== mypy"; .venv/bin/mypy
echo "== pytest"; .venv/bin/python -m pytest -q "$@"
