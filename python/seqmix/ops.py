"""Functional API: one seqmix op per call, on numpy arrays.

Each function checks its arguments, writes a one-op module for exactly those
shapes, element types and options, compiles it with ``seqmix.compile`` (once:
kernels are cached per module text, pipeline and tile config), calls it and
returns numpy arrays. Argument names follow the peer projects (fla,
mamba-ssm, causal-conv1d, NATTEN, FlashAttention); layouts are the dialect's
token-major ones (docs/Ops.md), and each docstring says where a peer's layout
differs.

Data inputs may be float32, float16 or bfloat16 (``ml_dtypes.bfloat16``);
an output takes the element type of the input it follows (each docstring
says which), states and lse are float32. Bad arguments raise ``ValueError``
or ``TypeError`` naming the argument before anything is compiled.

Nothing here needs the native extension until a function is called.
"""

import collections
import math
import numbers
import threading

import numpy as np

from .run import Arg, Out, arguments, single_op_module, tensor_type

__all__ = [
    "linear_attention",
    "selective_scan",
    "ssd",
    "causal_conv1d",
    "neighborhood_attention",
    "sliding_window_attention",
    "hadamard",
    "clear_cache",
    "PIPELINES",
]

#: Pipeline names a call may ask for ("gpu" only where a CUDA device is;
#: "gpu-emulated" runs the GPU pipeline's blocks and threads on the CPU).
PIPELINES = ("cpu", "reference", "gpu", "gpu-emulated")

_FLOAT_ELT = {"float32": "f32", "float16": "f16", "bfloat16": "bf16"}
_INT_ELT = {"int32": "i32", "int64": "i64"}
_FLOATS = "float32, float16 or bfloat16"


# ---------------------------------------------------------------------------
# Compilation and the kernel cache
# ---------------------------------------------------------------------------

_CACHE_SIZE = 256
_cache = collections.OrderedDict()
_lock = threading.Lock()


def _compile_text(module_text, entry, pipeline, tile):
    """The one place that turns a module into a callable kernel (the native
    extension is loaded here, on first use, with a clear error if missing)."""
    from .kernel import compile as _compile
    return _compile(module_text, entry=entry, pipeline=pipeline, tile=tile)


def _tile_key(tile):
    return tuple(sorted(tile.items())) if isinstance(tile, dict) else tile


def _kernel(module_text, pipeline, tile):
    """The compiled @main of `module_text`, from the cache when it is there
    (least recently used kernels go first)."""
    key = (module_text, pipeline, _tile_key(tile))
    with _lock:
        kernel = _cache.get(key)
        if kernel is not None:
            _cache.move_to_end(key)
            return kernel
    kernel = _compile_text(module_text, "main", pipeline, tile)
    with _lock:
        _cache[key] = kernel
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return kernel


def clear_cache():
    """Drops every cached kernel."""
    with _lock:
        _cache.clear()


def _call(ins, optional, outs, op, attrs, pipeline, tile):
    """Builds the module of one op, runs it on the Args' data and returns
    its results as a tuple (one per destination)."""
    text = single_op_module(op, ins, optional, ", ".join(a for a in attrs if a),
                            outs)
    data = [a.data for a in arguments(ins, optional, outs)]
    results = _kernel(text, pipeline, tile)(*data)
    if not isinstance(results, (tuple, list)):
        results = (results,)
    return tuple(results)


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------

def _float_literal(v):
    """A float literal the MLIR parser reads back as `v` (it needs a '.')."""
    text = repr(float(v))
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _f32_literal(value):
    """An f32 attribute literal that parses back to float32(value)."""
    v = float(np.float32(value))
    if math.isinf(v):
        return "0x7F800000" if v > 0 else "0xFF800000"
    return _float_literal(v)


class _Checker:
    """Named, symbolic shape checks for one call, in the style of the op
    verifiers: the first operand that uses a size symbol binds it, later
    ones must agree, and every message names the Python argument."""

    def __init__(self, fn):
        self.fn = fn
        self.sizes = {}

    def error(self, message, kind=ValueError):
        return kind(f"seqmix.ops.{self.fn}: {message}")

    def describe(self, dims):
        """'(B, T, H) = (2, 64, ?)': the symbols, then the sizes known."""
        comma = "," if len(dims) == 1 else ""
        names = "(" + ", ".join(dims) + comma + ")"
        vals = [self.sizes.get(d) for d in dims]
        if all(v is None for v in vals):
            return names
        shown = ", ".join("?" if v is None else str(v) for v in vals)
        return f"{names} = ({shown}{comma})"

    def array(self, name, value, dims, kinds=_FLOAT_ELT, kinds_text=_FLOATS):
        """`value` as a C-contiguous array with an element type of `kinds`
        and the shape `dims` (size symbols); binds the symbols not yet
        bound."""
        try:
            a = np.asarray(value)
        except Exception as e:  # an object numpy cannot read
            raise self.error(f"'{name}' must be an array, got {type(value).__name__}",
                             TypeError) from e
        if a.dtype.name not in kinds:
            raise self.error(f"'{name}' must have dtype {kinds_text}, got {a.dtype}",
                             TypeError)
        if a.ndim != len(dims) or any(self.sizes.get(d, n) != n
                                      for d, n in zip(dims, a.shape)):
            raise self.error(f"'{name}' must have shape {self.describe(dims)}, "
                             f"got {tuple(a.shape)}")
        for d, n in zip(dims, a.shape):
            self.sizes.setdefault(d, n)
        return np.asarray(a, order="C")

    def float_array(self, name, value):
        """A float array of any shape (checked by the caller)."""
        try:
            a = np.asarray(value)
        except Exception as e:
            raise self.error(f"'{name}' must be an array, got {type(value).__name__}",
                             TypeError) from e
        if a.dtype.name not in _FLOAT_ELT:
            raise self.error(f"'{name}' must have dtype {_FLOATS}, got {a.dtype}",
                             TypeError)
        return np.asarray(a, order="C")

    def positive(self, name, sym):
        if self.sizes[sym] < 1:
            raise self.error(f"'{name}' must have {sym} >= 1, got {sym} = 0")

    def divides(self, name, whole, part, what):
        w, p = self.sizes[whole], self.sizes[part]
        if p == 0 or w % p != 0:
            raise self.error(f"'{name}': {what} {part} = {p} must divide "
                             f"{whole} = {w}")

    def state(self, name, value, dims):
        """An initial state: any float dtype, passed on as a float32 copy
        (states are f32, and the kernel may write into its state buffer)."""
        if value is None:
            return None
        a = self.array(name, value, dims)
        return np.array(a, dtype=np.float32, copy=True)

    def cu_seqlens(self, value):
        """Packed-sequence offsets: B = 1, from 0, non-decreasing, ending at
        T. Binds Nseq (B without them)."""
        if value is None:
            self.sizes["Nseq"] = self.sizes["B"]
            return None
        cu = self.array("cu_seqlens", value, ("Nseq+1",), _INT_ELT, "int32 or int64")
        if cu.size < 1:
            raise self.error("'cu_seqlens' must hold at least one offset, got shape (0,)")
        if self.sizes["B"] != 1:
            raise self.error("'cu_seqlens' packs sequences into a batch of 1, but "
                             f"B = {self.sizes['B']}")
        T = self.sizes["T"]
        if cu[0] != 0:
            raise self.error(f"'cu_seqlens' must start at 0, got {int(cu[0])}")
        if np.any(np.diff(cu.astype(np.int64)) < 0):
            raise self.error("'cu_seqlens' must be non-decreasing")
        if cu[-1] != T:
            raise self.error(f"'cu_seqlens' must end at T = {T}, got {int(cu[-1])}")
        self.sizes["Nseq"] = cu.size - 1
        return cu

    def scale(self, value, default):
        if value is None:
            return default
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise self.error(f"'scale' must be a real number, got {value!r}", TypeError)
        v = float(value)
        if not math.isfinite(v) or abs(v) > float(np.finfo(np.float32).max):
            raise self.error(f"'scale' must be a finite float32, got {v!r}")
        return v

    def flag(self, name, value):
        if not isinstance(value, (bool, np.bool_)):
            raise self.error(f"'{name}' must be a bool, got {value!r}", TypeError)
        return bool(value)

    def choice(self, name, value, allowed):
        """`value` as one of `allowed` (a dict from accepted values to what
        they mean)."""
        if not isinstance(value, (str, type(None))) or value not in allowed:
            shown = ", ".join(repr(a) for a in allowed)
            raise self.error(f"'{name}' must be one of {shown}, got {value!r}")
        return allowed[value]

    def run_options(self, pipeline, tile):
        if not isinstance(pipeline, str):
            raise self.error(f"'pipeline' must be a str, got {pipeline!r}", TypeError)
        if pipeline not in PIPELINES:
            raise self.error(f"'pipeline' must be one of {', '.join(PIPELINES)}, "
                             f"got {pipeline!r}")
        if tile is None or isinstance(tile, str):
            return
        if not isinstance(tile, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in tile.items()):
            raise self.error("'tile' must be None, a #seqmix tiling attribute (str) or "
                             f"a dict {{op name: attribute}}, got {tile!r}", TypeError)


def _elt(a):
    """The IR element type of a checked array."""
    return _FLOAT_ELT.get(a.dtype.name) or _INT_ELT[a.dtype.name]


def _arg(name, a):
    return Arg(name, a, _elt(a))


def _optional_args(pairs):
    """Args for the optional operands that are present, in the op's order."""
    return [_arg(name, a) for name, a in pairs if a is not None]


def _state_out(shape, initial):
    """The state destination: the initial state as an argument, or zeros."""
    if initial is not None:
        return Out("state", init=Arg("state0", initial, "f32"))
    return Out("state", tensor_type(shape, "f32"), "zero")


def _shape(c, dims):
    return tuple(c.sizes[d] for d in dims)


def _per_axis(c, name, value, rank, default, kind):
    """An NA parameter as one value per spatial axis: None (default), one
    value for every axis, or a sequence of `rank` values."""
    if value is None:
        if default is None:
            raise c.error(f"'{name}' is required", TypeError)
        return (default,) * rank
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    values = (list(value) if isinstance(value, (tuple, list, np.ndarray))
              else [value] * rank)
    if len(values) != rank:
        raise c.error(f"'{name}' must have {rank} entries (one per spatial axis), "
                      f"got {len(values)}")
    out = []
    for v in values:
        if kind is bool:
            if not isinstance(v, (bool, np.bool_)):
                raise c.error(f"'{name}' must hold bools, got {v!r}", TypeError)
            out.append(bool(v))
        else:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
                raise c.error(f"'{name}' must hold ints, got {v!r}", TypeError)
            if v < 1:
                raise c.error(f"'{name}' must be >= 1 on every axis, got {int(v)}")
            out.append(int(v))
    return tuple(out)


def _i64_array(values):
    return "array<i64: " + ", ".join(str(v) for v in values) + ">"


# ---------------------------------------------------------------------------
# Linear recurrences
# ---------------------------------------------------------------------------

def linear_attention(q, k, v, log_decay=None, beta=None, initial_state=None,
                     cu_seqlens=None, scale=None, output_final_state=False, *,
                     qk_norm=None, state_layout="kv", pipeline="cpu", tile=None):
    """Linear attention with an optional decay gate and the delta rule
    (seqmix.linear_attention; fla's simple GLA, GLA, delta and gated delta
    rule, Lightning's constant decay).

    q, k: (B, T, Hqk, K); v: (B, T, H, V), with Hqk dividing H (GQA: head h
    reads q/k head h // (H // Hqk)). log_decay (natural log, <= 0) picks the
    gate by its shape: (H,) constant, (B, T, H) scalar or (B, T, H, K) vector
    per step. beta (B, T, H) selects the delta rule. cu_seqlens (int32/int64,
    B = 1) packs sequences; the state restarts at each. scale defaults to
    K**-0.5. qk_norm='l2' normalises q and k per head (fla's
    use_qk_l2norm_in_kernel). The state is float32 (Nseq, H, K, V) with
    state_layout 'kv', (Nseq, H, V, K) with 'vk'; initial_state is its value
    on entry (zeros when None).

    Returns o (B, T, H, V) in v's dtype, or (o, final_state) when
    output_final_state. Unlike fla's kernels, the layout is always
    token-major and the gate is in natural log.
    """
    c = _Checker("linear_attention")
    c.run_options(pipeline, tile)
    q = c.array("q", q, ("B", "T", "Hqk", "K"))
    k = c.array("k", k, ("B", "T", "Hqk", "K"))
    v = c.array("v", v, ("B", "T", "H", "V"))
    c.positive("q", "K")
    c.divides("v", "H", "Hqk", "the q/k heads")
    if log_decay is not None:
        g = c.float_array("log_decay", log_decay)
        gate_dims = {1: ("H",), 3: ("B", "T", "H"), 4: ("B", "T", "H", "K")}
        if g.ndim not in gate_dims:
            raise c.error("'log_decay' must have shape (H,), (B, T, H) or "
                          f"(B, T, H, K) = {_shape(c, ('B', 'T', 'H', 'K'))}, "
                          f"got {tuple(g.shape)}")
        log_decay = c.array("log_decay", g, gate_dims[g.ndim])
    if beta is not None:
        beta = c.array("beta", beta, ("B", "T", "H"))
    cu = c.cu_seqlens(cu_seqlens)
    scale = c.scale(scale, c.sizes["K"] ** -0.5)
    norm = c.choice("qk_norm", qk_norm, {None: None, "none": None, "l2": "l2"})
    layout = c.choice("state_layout", state_layout, {"kv": "kv", "vk": "vk"})
    final = c.flag("output_final_state", output_final_state)
    sdims = ("Nseq", "H", "K", "V") if layout == "kv" else ("Nseq", "H", "V", "K")
    s0 = c.state("initial_state", initial_state, sdims)

    ins = [_arg("q", q), _arg("k", k), _arg("v", v)]
    opt = _optional_args([("log_decay", log_decay), ("beta", beta),
                          ("cu_seqlens", cu)])
    attrs = [f"scale = {_f32_literal(scale)} : f32",
             "qk_norm = #seqmix.qk_norm<l2>" if norm else "",
             "state_layout = #seqmix.state_layout<vk>" if layout == "vk" else ""]
    outs = [Out("o", tensor_type(_shape(c, ("B", "T", "H", "V")), _elt(v))),
            _state_out(_shape(c, sdims), s0)]
    o, state = _call(ins, opt, outs, "linear_attention", attrs, pipeline, tile)
    return (o, state) if final else o


def selective_scan(u, delta, A, B, C, D=None, z=None, delta_bias=None,
                   delta_softplus=False, initial_state=None, return_last_state=False,
                   *, delta_threshold=None, cu_seqlens=None, pipeline="cpu",
                   tile=None):
    """The Mamba-1 selective scan (seqmix.selective_scan), mamba-ssm's
    selective_scan_fn arguments in the dialect's token-major layout.

    u, delta, z: (B, T, D) (mamba-ssm: (B, D, L)); A: (D, N); B, C:
    (B, T, G, N) with G dividing D (mamba-ssm: (B, G, N, L)); D, delta_bias,
    delta_threshold: (D,). Δ = delta + delta_bias, softplus if
    delta_softplus, then 0 where below delta_threshold (LongMamba's filter).
    cu_seqlens (B = 1) packs sequences; initial_state is the float32 state
    (Nseq, D, N) on entry (zeros when None). B and C always vary per step:
    there is no time-invariant (D, N) form and no complex A.

    Returns y (B, T, D) in u's dtype, or (y, last_state) when
    return_last_state.
    """
    c = _Checker("selective_scan")
    c.run_options(pipeline, tile)
    u = c.array("u", u, ("B", "T", "D"))
    delta = c.array("delta", delta, ("B", "T", "D"))
    A = c.array("A", A, ("D", "N"))
    B = c.array("B", B, ("B", "T", "G", "N"))
    C = c.array("C", C, ("B", "T", "G", "N"))
    c.divides("B", "D", "G", "the groups")
    if D is not None:
        D = c.array("D", D, ("D",))
    if z is not None:
        z = c.array("z", z, ("B", "T", "D"))
    if delta_bias is not None:
        delta_bias = c.array("delta_bias", delta_bias, ("D",))
    if delta_threshold is not None:
        delta_threshold = c.array("delta_threshold", delta_threshold, ("D",))
    cu = c.cu_seqlens(cu_seqlens)
    softplus = c.flag("delta_softplus", delta_softplus)
    final = c.flag("return_last_state", return_last_state)
    s0 = c.state("initial_state", initial_state, ("Nseq", "D", "N"))

    ins = [_arg("u", u), _arg("delta", delta), _arg("A", A), _arg("B", B),
           _arg("C", C)]
    opt = _optional_args([("D", D), ("z", z), ("delta_bias", delta_bias),
                          ("delta_threshold", delta_threshold), ("cu_seqlens", cu)])
    outs = [Out("y", tensor_type(_shape(c, ("B", "T", "D")), _elt(u))),
            _state_out(_shape(c, ("Nseq", "D", "N")), s0)]
    y, state = _call(ins, opt, outs, "selective_scan",
                     ["delta_softplus" if softplus else ""], pipeline, tile)
    return (y, state) if final else y


def ssd(x, dt, A, B, C, D=None, z=None, dt_bias=None, dt_softplus=False,
        initial_state=None, cu_seqlens=None, return_final_states=False, *,
        dt_limit=None, delta_threshold=None, pipeline="cpu", tile=None):
    """The Mamba-2 state-space dual (seqmix.ssd), in mamba-ssm's
    mamba_chunk_scan_combined layout.

    x, z: (B, T, H, P); dt: (B, T, H); A: (H,); B, C: (B, T, G, N) with G
    dividing H; D: (H,) or (H, P); dt_bias, delta_threshold: (H,).
    Δ = dt + dt_bias, softplus if dt_softplus, clamped to dt_limit = (lo, hi)
    when given (None: no clamp, the same as mamba-ssm's (0, inf) once
    softplus makes Δ positive), then 0 where below delta_threshold.
    cu_seqlens (B = 1) packs sequences and restarts the state at each (there
    is no seq_idx). initial_state is the float32 state (Nseq, H, P, N) on
    entry (zeros when None). The chunk size is a tile option
    (``#seqmix.cpu_tiling<chunk = ..>``), not an argument.

    Returns y (B, T, H, P) in x's dtype, or (y, final_states) when
    return_final_states (one state per sequence with cu_seqlens).
    """
    c = _Checker("ssd")
    c.run_options(pipeline, tile)
    x = c.array("x", x, ("B", "T", "H", "P"))
    dt = c.array("dt", dt, ("B", "T", "H"))
    A = c.array("A", A, ("H",))
    B = c.array("B", B, ("B", "T", "G", "N"))
    C = c.array("C", C, ("B", "T", "G", "N"))
    c.divides("B", "H", "G", "the groups")
    if D is not None:
        d = c.float_array("D", D)
        if d.ndim not in (1, 2):
            raise c.error(f"'D' must have shape (H,) or (H, P) = "
                          f"{_shape(c, ('H', 'P'))}, got {tuple(d.shape)}")
        D = c.array("D", d, ("H",) if d.ndim == 1 else ("H", "P"))
    if z is not None:
        z = c.array("z", z, ("B", "T", "H", "P"))
    if dt_bias is not None:
        dt_bias = c.array("dt_bias", dt_bias, ("H",))
    if delta_threshold is not None:
        delta_threshold = c.array("delta_threshold", delta_threshold, ("H",))
    cu = c.cu_seqlens(cu_seqlens)
    softplus = c.flag("dt_softplus", dt_softplus)
    final = c.flag("return_final_states", return_final_states)
    limit = None
    if dt_limit is not None:
        try:
            lo, hi = (float(a) for a in dt_limit)
        except (TypeError, ValueError) as e:
            raise c.error(f"'dt_limit' must be a pair (lo, hi) of floats, got "
                          f"{dt_limit!r}", TypeError) from e
        if math.isnan(lo) or math.isnan(hi) or lo > hi:
            raise c.error(f"'dt_limit' must be (lo, hi) with lo <= hi, got {dt_limit!r}")
        limit = f"dt_limit = array<f32: {_f32_literal(lo)}, {_f32_literal(hi)}>"
    s0 = c.state("initial_state", initial_state, ("Nseq", "H", "P", "N"))

    ins = [_arg("x", x), _arg("dt", dt), _arg("A", A), _arg("B", B), _arg("C", C)]
    opt = _optional_args([("D", D), ("z", z), ("dt_bias", dt_bias),
                          ("delta_threshold", delta_threshold), ("cu_seqlens", cu)])
    outs = [Out("y", tensor_type(_shape(c, ("B", "T", "H", "P")), _elt(x))),
            _state_out(_shape(c, ("Nseq", "H", "P", "N")), s0)]
    y, state = _call(ins, opt, outs, "ssd",
                     ["dt_softplus" if softplus else "", limit or ""], pipeline, tile)
    return (y, state) if final else y


def causal_conv1d(x, weight, bias=None, initial_state=None, cu_seqlens=None,
                  activation=None, return_final_states=False, *, pipeline="cpu",
                  tile=None):
    """Depthwise causal 1-D convolution (seqmix.causal_conv1d), any width.

    x: (B, T, D) (causal-conv1d: (B, D, T)); weight: (D, W), W >= 1; bias:
    (D,). activation: None / 'none' or 'silu' ('swish'). cu_seqlens (B = 1)
    packs sequences (instead of seq_idx) and works together with initial
    and final states. The state is float32 (Nseq, W-1, D), token-major and
    oldest row first (causal-conv1d: (B, D, W-1)); initial_state gives the
    inputs before each sequence (zeros when None).

    Returns y (B, T, D) in x's dtype, or (y, final_states) when
    return_final_states: the last W-1 inputs of each sequence.
    """
    c = _Checker("causal_conv1d")
    c.run_options(pipeline, tile)
    x = c.array("x", x, ("B", "T", "D"))
    weight = c.array("weight", weight, ("D", "W"))
    c.positive("weight", "W")
    c.sizes["W-1"] = c.sizes["W"] - 1
    if bias is not None:
        bias = c.array("bias", bias, ("D",))
    cu = c.cu_seqlens(cu_seqlens)
    act = c.choice("activation", activation,
                   {None: None, "none": None, "silu": "silu", "swish": "silu"})
    final = c.flag("return_final_states", return_final_states)
    shape = np.shape(initial_state) if initial_state is not None else ()
    nd, hist = c.sizes["D"], c.sizes["W-1"]
    if len(shape) == 3 and nd != hist and tuple(shape[1:]) == (nd, hist):
        raise c.error(f"'initial_state' must have shape (Nseq, W-1, D) = "
                      f"({c.sizes['Nseq']}, {hist}, {nd}), got {tuple(shape)}: that "
                      "is the (B, D, W-1) order; seqmix states are token-major, "
                      "oldest row first (transpose it)")
    s0 = c.state("initial_state", initial_state, ("Nseq", "W-1", "D"))

    ins = [_arg("x", x), _arg("w", weight)]
    opt = _optional_args([("bias", bias), ("cu_seqlens", cu)])
    outs = [Out("y", tensor_type(_shape(c, ("B", "T", "D")), _elt(x))),
            _state_out(_shape(c, ("Nseq", "W-1", "D")), s0)]
    attrs = ["activation = #seqmix.activation<silu>" if act else ""]
    y, state = _call(ins, opt, outs, "causal_conv1d", attrs, pipeline, tile)
    return (y, state) if final else y


# ---------------------------------------------------------------------------
# Windowed attention
# ---------------------------------------------------------------------------

def neighborhood_attention(q, k, v, kernel_size, dilation=None, is_causal=None,
                           rpb=None, scale=None, *, stride=None, return_lse=False,
                           pipeline="cpu", tile=None):
    """Neighborhood attention over 1 to 3 spatial axes
    (seqmix.neighborhood_attention; NATTEN's na1d / na2d / na3d).

    q: (B, X1..Xr, H, Dqk); k: (B, X1..Xr, Hkv, Dqk); v: (B, X1..Xr, Hkv, Dv),
    Hkv dividing H; r = q.ndim - 3 (NATTEN's heads-last layout). kernel_size,
    dilation, stride (default 1) and is_causal (default False) are one value
    for every axis or one per axis; kernel_size x dilation must fit the axis
    and stride must not exceed kernel_size. rpb: (H, 2k1-1, .., 2kr-1)
    relative position bias (NATTEN 0.17's indexing), not with a causal axis.
    scale defaults to Dqk**-0.5. There are no additional keys.

    Returns o (B, X1..Xr, H, Dv) in q's dtype, or (o, lse) with lse
    (B, X1..Xr, H) float32 when return_lse.
    """
    c = _Checker("neighborhood_attention")
    c.run_options(pipeline, tile)
    qa = c.float_array("q", q)
    if not 4 <= qa.ndim <= 6:
        raise c.error("'q' must have shape (B, X1..Xr, H, Dqk) with 1 to 3 spatial "
                      f"axes (rank 4 to 6), got {tuple(qa.shape)}")
    r = qa.ndim - 3
    sp = tuple(f"X{i + 1}" for i in range(r))
    q = c.array("q", qa, ("B",) + sp + ("H", "Dqk"))
    k = c.array("k", k, ("B",) + sp + ("Hkv", "Dqk"))
    v = c.array("v", v, ("B",) + sp + ("Hkv", "Dv"))
    c.positive("q", "Dqk")
    c.divides("k", "H", "Hkv", "the kv heads")
    ks = _per_axis(c, "kernel_size", kernel_size, r, None, int)
    dil = _per_axis(c, "dilation", dilation, r, 1, int)
    st = _per_axis(c, "stride", stride, r, 1, int)
    causal = _per_axis(c, "is_causal", is_causal, r, False, bool)
    for a in range(r):
        if ks[a] * dil[a] > c.sizes[sp[a]]:
            raise c.error(f"'kernel_size' x 'dilation' = {ks[a]} x {dil[a]} must not "
                          f"exceed {sp[a]} = {c.sizes[sp[a]]} on axis {a}")
        if st[a] > ks[a]:
            raise c.error(f"'stride' must not exceed kernel_size on every axis, but "
                          f"axis {a} has stride {st[a]} and kernel_size {ks[a]}")
    if rpb is not None:
        if any(causal):
            raise c.error("'rpb' is not allowed together with a causal axis")
        for a in range(r):
            c.sizes[f"2k{a + 1}-1"] = 2 * ks[a] - 1
        rpb = c.array("rpb", rpb, ("H",) + tuple(f"2k{a + 1}-1" for a in range(r)))
    scale = c.scale(scale, c.sizes["Dqk"] ** -0.5)
    lse = c.flag("return_lse", return_lse)

    attrs = [f"kernel_size = {_i64_array(ks)}",
             f"dilation = {_i64_array(dil)}" if any(d != 1 for d in dil) else "",
             f"stride = {_i64_array(st)}" if any(s != 1 for s in st) else "",
             ("is_causal = array<i1: " + ", ".join("true" if b else "false"
                                                   for b in causal) + ">")
             if any(causal) else "",
             f"scale = {_f32_literal(scale)} : f32"]
    lead = _shape(c, ("B",) + sp + ("H",))
    outs = [Out("o", tensor_type(lead + (c.sizes["Dv"],), _elt(q)))]
    if lse:
        outs.append(Out("lse", tensor_type(lead, "f32")))
    res = _call([_arg("q", q), _arg("k", k), _arg("v", v)],
                _optional_args([("rpb", rpb)]), outs, "neighborhood_attention",
                attrs, pipeline, tile)
    return res if lse else res[0]


def sliding_window_attention(q, k, v, window_size=(-1, -1), scale=None, *,
                             causal=False, return_lse=False, pipeline="cpu",
                             tile=None):
    """Softmax attention over a sliding window
    (seqmix.sliding_window_attention; FlashAttention's window_size).

    q: (B, Tq, H, D); k: (B, Tk, Hkv, D); v: (B, Tk, Hkv, Dv), Hkv dividing H.
    Query i sits at key c = i + Tk - Tq (bottom-right) and sees keys
    c - left .. c + right, truncated at the borders; window_size =
    (left, right) with -1 meaning unbounded on that side. causal=True sets
    right to 0, as FlashAttention's causal flag does. scale defaults to
    D**-0.5. A row without keys gives o = 0 and lse = -inf. No ALiBi,
    softcap or dropout.

    Returns o (B, Tq, H, Dv) in q's dtype, or (o, lse) with lse (B, Tq, H)
    float32 when return_lse.
    """
    c = _Checker("sliding_window_attention")
    c.run_options(pipeline, tile)
    q = c.array("q", q, ("B", "Tq", "H", "D"))
    k = c.array("k", k, ("B", "Tk", "Hkv", "D"))
    v = c.array("v", v, ("B", "Tk", "Hkv", "Dv"))
    c.positive("q", "D")
    c.divides("k", "H", "Hkv", "the kv heads")
    try:
        left, right = window_size
    except (TypeError, ValueError) as e:
        raise c.error(f"'window_size' must be a pair (left, right), got "
                      f"{window_size!r}", TypeError) from e
    for w in (left, right):
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, numbers.Integral):
            raise c.error(f"'window_size' must hold ints, got {window_size!r}",
                          TypeError)
        if w < -1:
            raise c.error("'window_size' entries must be >= 0 or -1 (unbounded), got "
                          f"{tuple(int(a) for a in window_size)}")
    left, right = int(left), int(right)
    if c.flag("causal", causal):
        right = 0
    scale = c.scale(scale, c.sizes["D"] ** -0.5)
    lse = c.flag("return_lse", return_lse)

    attrs = [f"window_left = {left} : i64", f"window_right = {right} : i64",
             f"scale = {_f32_literal(scale)} : f32"]
    outs = [Out("o", tensor_type(_shape(c, ("B", "Tq", "H", "Dv")), _elt(q)))]
    if lse:
        outs.append(Out("lse", tensor_type(_shape(c, ("B", "Tq", "H")), "f32")))
    res = _call([_arg("q", q), _arg("k", k), _arg("v", v)], [], outs,
                "sliding_window_attention", attrs, pipeline, tile)
    return res if lse else res[0]


# ---------------------------------------------------------------------------
# Quantization helper
# ---------------------------------------------------------------------------

def _hadamard_size_ok(n):
    return n >= 1 and any(n % m == 0 and (n // m) & (n // m - 1) == 0
                          for m in (1, 12, 20, 28))


def hadamard(x, *, quant_scale=None, pipeline="cpu", tile=None):
    """The normalised Hadamard rotation y = x . H_N / sqrt(N) over the last
    axis (seqmix.hadamard), N = m * 2^p with m in {1, 12, 20, 28}.

    The scale is fixed at 1/sqrt(N): for another one, multiply the result.
    H_N is pinned by docs/Ops.md, so it need not equal another project's
    H_12, H_20 or H_28. With quant_scale s the rotation is fused with int8
    quantization, clamp(round_half_even(y / s), -128, 127).

    Returns y with x's shape, in x's dtype (int8 with quant_scale).
    """
    c = _Checker("hadamard")
    c.run_options(pipeline, tile)
    xa = c.float_array("x", x)
    if xa.ndim < 1:
        raise c.error("'x' must have rank >= 1, shape (.., N), got ()")
    dims = tuple(f"L{i}" for i in range(xa.ndim - 1)) + ("N",)
    x = c.array("x", xa, dims)
    n = c.sizes["N"]
    if not _hadamard_size_ok(n):
        raise c.error(f"'x' last dimension N = {n} must be m * 2^p with m in "
                      "{1, 12, 20, 28}")
    elt = _elt(x)
    if quant_scale is not None:
        if (isinstance(quant_scale, (bool, np.bool_))
                or not isinstance(quant_scale, numbers.Real)):
            raise c.error(f"'quant_scale' must be a real number, got {quant_scale!r}",
                          TypeError)
        s = float(quant_scale)
        if not (math.isfinite(s) and s > 0):
            raise c.error(f"'quant_scale' must be a finite number > 0, got {s!r}")
        elt = f"!quant.uniform<i8:f32, {_float_literal(s)}>"
    out = Out("y", tensor_type(x.shape, elt))
    return _call([_arg("x", x)], [], [out], "hadamard", [], pipeline, tile)[0]
