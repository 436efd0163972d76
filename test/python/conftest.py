"""pytest setup for the Python tests: import seqmix from the source tree."""

import os
import sys

_PYTHON_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                 "python"))
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)

import pathlib

import pytest


@pytest.fixture(scope="session")
def compiled():
    """Tests that run compiled code need build/bin/seqmix-run. Outside CI a
    missing build skips them; in CI it is an error."""
    from seqmix import run
    if not pathlib.Path(run.tool("seqmix-run")).exists():
        if os.environ.get("CI"):
            pytest.fail("seqmix-run is not built")
        pytest.skip("seqmix-run is not built (run scripts/build.sh)")
    return run
