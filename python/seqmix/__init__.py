"""seqmix: sequence mixers compiled from one MLIR dialect.

- ``seqmix.compile(module, entry=None, pipeline="cpu", tile=None)``: compile
  a module's entry function into a callable on numpy arrays (or torch
  tensors, through DLPack).
- ``seqmix.ops``: the functional API (``linear_attention``, ``ssd``,
  ``selective_scan``, ``causal_conv1d``, ``neighborhood_attention``,
  ``sliding_window_attention``, ``hadamard``), each compiled once per shape,
  dtype and options.
- ``seqmix.reference``: numpy implementations of every op, straight from
  the formulas of the op spec; the oracle to check compiled code against.

The native part (``seqmix._seqmix``) is loaded on first use, so that the
references work without it.
"""

import os as _os

# In a source checkout the extension is built into
# build/python_packages/seqmix/; let this package find it there.
_BUILT = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), _os.pardir,
                       _os.pardir, "build", "python_packages", "seqmix")
if not any(n.startswith("_seqmix.") for n in _os.listdir(__path__[0])) and \
        _os.path.isdir(_BUILT):
    __path__.append(_os.path.normpath(_BUILT))

from . import reference  # noqa: E402
from .kernel import Kernel, compile  # noqa: E402

__all__ = ["Error", "Kernel", "compile", "ops", "reference"]


def __getattr__(name):
    # Loaded lazily: the functional API compiles, the references do not.
    if name == "ops":
        import importlib
        return importlib.import_module(".ops", __name__)
    if name == "Error":
        from .kernel import _native
        return _native().Error
    raise AttributeError(f"module 'seqmix' has no attribute {name!r}")
