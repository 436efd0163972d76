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


def _has_cuda_gpu():
    """Whether a CUDA device is there (nvidia-smi lists one)."""
    import shutil
    import subprocess
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


#: Every compiled test runs on these pipelines; the GPU one only where a
#: CUDA device is there (the same numerical matrix as the CPU's).
PIPELINES = ["reference", "cpu"] + (["gpu"] if _has_cuda_gpu() else [])


@pytest.fixture(scope="session", params=PIPELINES)
def compiled(request):
    """Tests that run compiled code need build/bin/seqmix-run; each runs on
    the reference pipeline and on the CPU pipeline (and on the GPU pipeline
    where a GPU is there). Outside CI a missing build skips them; in CI it
    is an error."""
    from seqmix import run
    if not pathlib.Path(run.tool("seqmix-run")).exists():
        if os.environ.get("CI"):
            pytest.fail("seqmix-run is not built")
        pytest.skip("seqmix-run is not built (run scripts/build.sh)")
    return _Compiled(run, request.param)
