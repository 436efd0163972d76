"""The kernel API: compile a module's entry once, call it on arrays.

    k = seqmix.compile(text, pipeline="cpu")
    o = k(q, k_, v, g)                       # numpy in, numpy out

Arrays are passed without a copy when they are C-contiguous (others are
packed by the runtime); results are numpy arrays over the runtime's own
buffers. torch tensors (CPU) come in through DLPack and go out as torch
tensors. bfloat16 travels as ``ml_dtypes.bfloat16``.
"""

import os

import numpy as np

_CODES = None  # element type code -> (numpy dtype, storage dtype, name)


def _native():
    """The extension module, imported on first use."""
    try:
        from . import _seqmix
    except ImportError as e:  # pragma: no cover - depends on the install
        raise ImportError(
            "seqmix's native extension is not built: build the project "
            "(scripts/build.sh) or `pip install .` from its root") from e
    return _seqmix


def _bfloat16():
    try:
        import ml_dtypes
    except ImportError:
        return None
    return np.dtype(ml_dtypes.bfloat16)


def _codes():
    global _CODES
    if _CODES is None:
        n = _native()
        bf16 = _bfloat16()
        _CODES = {
            n.F32: (np.dtype(np.float32), np.dtype(np.float32), "float32"),
            n.F16: (np.dtype(np.float16), np.dtype(np.float16), "float16"),
            n.BF16: (bf16, np.dtype(np.uint16), "bfloat16"),
            n.I8: (np.dtype(np.int8), np.dtype(np.int8), "int8"),
            n.I32: (np.dtype(np.int32), np.dtype(np.int32), "int32"),
            n.I64: (np.dtype(np.int64), np.dtype(np.int64), "int64"),
        }
    return _CODES


class ArgSpec:
    """One boundary tensor of an entry: name ("q"), dtype name, shape with
    None for a dynamic size."""

    def __init__(self, name, code, sizes):
        self.name = name
        self.code = code
        self.dtype_name = _codes()[code][2]
        self.shape = tuple(None if s < 0 else s for s in sizes)

    def __repr__(self):
        dims = ", ".join("?" if s is None else str(s) for s in self.shape)
        return f"ArgSpec({self.name!r}, {self.dtype_name}, ({dims}))"


def _is_torch(x):
    return type(x).__module__.startswith("torch") and hasattr(x, "__dlpack__")


def _from_torch(x):
    """A CPU torch tensor as a numpy array over the same memory."""
    import torch
    x = x.detach()
    if x.device.type != "cpu":
        raise ValueError("seqmix runs on the CPU: move the tensor with .cpu()")
    if x.dtype == torch.bfloat16:
        bf16 = _bfloat16()
        if bf16 is None:
            raise TypeError("bfloat16 tensors need the ml_dtypes package")
        return np.from_dlpack(x.view(torch.int16)).view(bf16)
    return np.from_dlpack(x)


class Kernel:
    """A compiled entry. Call it with one array per argument; it returns one
    array, or a tuple when the entry has several results. Calls from
    several threads are serialized."""

    def __init__(self, executable, pipeline):
        self._exe = executable
        self.pipeline = pipeline
        self.entry = executable.entry
        self.inputs = [ArgSpec(n.lstrip("%"), c, s)
                       for n, c, s in executable.inputs]
        self.results = [ArgSpec(f"result #{i}", c, s)
                        for i, (_, c, s) in enumerate(executable.results)]

    def __repr__(self):
        return (f"<seqmix.Kernel @{self.entry} ({self.pipeline}): "
                f"{self.inputs} -> {self.results}>")

    def _prepare(self, i, x, spec):
        where = f"@{self.entry}: argument #{i} ('{spec.name}')"
        if not isinstance(x, np.ndarray):
            x = _from_torch(x) if _is_torch(x) else np.asarray(x)
        want, storage, name = _codes()[spec.code]
        if want is None:
            raise TypeError(f"{where} is bfloat16: install ml_dtypes to pass it")
        if x.dtype != want:
            raise TypeError(f"{where} must be {name}, got {x.dtype}")
        if x.ndim != len(spec.shape) or any(
                s is not None and s != d for s, d in zip(spec.shape, x.shape)):
            dims = ", ".join("?" if s is None else str(s) for s in spec.shape)
            raise ValueError(f"{where} must have shape ({dims}), got "
                             f"{tuple(x.shape)}")
        return x.view(storage) if storage != want else x

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            names = ", ".join(s.name for s in self.inputs)
            raise TypeError(f"@{self.entry} takes {len(self.inputs)} arrays "
                            f"({names}), got {len(args)}")
        torch_out = any(_is_torch(a) for a in args)
        arrays = [self._prepare(i, a, s)
                  for i, (a, s) in enumerate(zip(args, self.inputs))]
        outs = self._exe.call(arrays, [s.code for s in self.inputs])
        results = []
        for o, spec in zip(outs, self.results):
            want, storage, _ = _codes()[spec.code]
            if want is not None and storage != want:
                o = o.view(want)
            if torch_out:
                import torch
                o = (torch.from_numpy(o.view(np.int16)).view(torch.bfloat16)
                     if spec.dtype_name == "bfloat16" else torch.from_numpy(o))
            results.append(o)
        return results[0] if len(results) == 1 else tuple(results)


_PIPELINES = ("reference", "cpu", "gpu", "gpu-emulated")


def _tiles(tile):
    """tile=None | "#seqmix.cpu_tiling<...>" (every seqmix op) |
    {op name: config} -> [(op name, config text)]."""
    if tile is None:
        return []
    if isinstance(tile, str):
        return [("*", tile)]
    if isinstance(tile, dict):
        out = []
        for op, config in tile.items():
            if not isinstance(op, str) or not isinstance(config, str):
                raise TypeError("tile: expected {op name: '#seqmix.cpu_tiling"
                                "<...>'} with string keys and values")
            out.append((op if op == "*" or "." in op else "seqmix." + op,
                        config))
        return out
    raise TypeError("tile: expected None, a '#seqmix.cpu_tiling<...>' string "
                    f"or a dict of them by op name, got {type(tile).__name__}")


def compile(module, entry=None, pipeline="cpu", tile=None, threads=0,
            opt_level=3):
    """Compiles the entry function of `module` and returns a Kernel.

    module: MLIR text, a path to a .mlir file, or any object whose str() is
    the module's text. entry: the function to compile; by default @main, or
    the module's only public function. pipeline: "cpu" (the code generator)
    or "reference" (naive loops). tile: tiling configs to use where the
    module has none, as `seqmix.tile` attribute text for every seqmix op, or
    a dict {"linear_attention": "#seqmix.cpu_tiling<...>", ...}.
    Raises seqmix.Error with the compiler's message when it fails.
    """
    if isinstance(module, os.PathLike):
        with open(module) as f:
            text = f.read()
    elif isinstance(module, bytes):
        text = module.decode()
    elif isinstance(module, str):
        text = module
    else:
        text = str(module)
    if pipeline not in _PIPELINES:
        raise ValueError(f"pipeline must be one of {', '.join(_PIPELINES)}, "
                         f"got {pipeline!r}")
    if entry is not None and not isinstance(entry, str):
        raise TypeError("entry must be a function name (str) or None")
    if not isinstance(threads, int) or threads < 0:
        raise ValueError("threads must be a non-negative int")
    if opt_level not in (0, 1, 2, 3):
        raise ValueError("opt_level must be 0, 1, 2 or 3")
    exe = _native().compile(text, entry.lstrip("@") if entry else None,
                            pipeline, _tiles(tile), threads, opt_level)
    return Kernel(exe, pipeline)

