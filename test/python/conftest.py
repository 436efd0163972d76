"""pytest setup for the Python tests: import seqmix from the source tree."""

import os
import sys

_PYTHON_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                 "python"))
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)
# test/Inputs: the CUDA device probe that lit uses too, and the bf16/f16
# helpers of the tests.
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "Inputs"))
from cuda_gpu import has_cuda_gpu  # noqa: E402

import pathlib

import pytest


class _Compiled:
    """seqmix.run with every run on one pipeline (unless a test names one)."""

    def __init__(self, module, pipeline):
        self._module = module
        self.pipeline = pipeline

    def run(self, module_text, inputs, entry="main", pipeline=None, extra=()):
        return self._module.run(module_text, inputs, entry=entry,
                                pipeline=pipeline or self.pipeline, extra=extra)

    def __getattr__(self, name):
        return getattr(self._module, name)


#: Every compiled test runs on these pipelines: the GPU pipeline's kernels
#: everywhere through their emulation on the CPU, and on the GPU itself
#: only where a CUDA device is there (the same numerical matrix as the
#: CPU's).
PIPELINES = (["reference", "cpu", "gpu-emulated"]
             + (["gpu"] if has_cuda_gpu() else []))


@pytest.fixture(scope="session", params=PIPELINES)
def compiled(request):
    """Tests that run compiled code need build/bin/seqmix-run; each runs on
    the reference pipeline, on the CPU pipeline and on the GPU pipeline's
    emulation (and on the GPU pipeline where a GPU is there). Outside CI a
    missing build skips them; in CI it is an error."""
    from seqmix import run
    if not pathlib.Path(run.tool("seqmix-run")).exists():
        if os.environ.get("CI"):
            pytest.fail("seqmix-run is not built")
        pytest.skip("seqmix-run is not built (run scripts/build.sh)")
    return _Compiled(run, request.param)
