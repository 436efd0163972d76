#!/usr/bin/env bash
# Quick start, command 2: install, build, and run every test (lit + pytest).
# Ends with one line "N passed, M failed" over both suites.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
bash scripts/build.sh || exit 1
# The Python package as users install it: `pip install .` into a fresh
# virtual environment (test/python/test_package.py imports it from there).
PY=${PYTHON:-python3}
"$PY" -m venv --clear build/venv || exit 1
build/venv/bin/pip install -q . || exit 1
bash scripts/run-tests.sh build
