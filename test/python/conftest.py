"""pytest setup for the Python tests: import seqmix from the source tree."""

import os
import sys

_PYTHON_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                 "python"))
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)
