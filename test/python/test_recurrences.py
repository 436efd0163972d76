"""Compiled linear recurrences (reference pipeline) against the numpy
references: linear_attention, selective_scan, ssd, causal_conv1d.

Every recurrence takes its output and its state as `outs`: the state's init is
the initial state (an argument, or zeros) and the op always returns the final
state; the `final` column of a case says whether it is compared.

f32 runs compare at rtol 1e-5 (plus a small atol for values near zero); the
loops accumulate in f32 in a different order than the float64 references.
"""

import zlib

import numpy as np
import pytest

from seqmix import reference as ref
from seqmix.run import Arg, Out, arguments, single_op_module, tensor_type

from half_floats import (HALF_REL, close_to_scale, from_bf16_bits, half_inputs,
                         to_bf16_bits)

RTOL, ATOL = 1e-5, 1e-5


def close(got, want, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=rtol,
                               atol=atol)


def seed(name):
    """A stable per-case seed (str hash() changes between runs)."""
    return zlib.crc32(name.encode())


def rnd(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def optionals(spec):
    """(name, wanted, make) triples -> (kwargs for the reference, Args for the
    module) holding the wanted operands, in order. An `initial_state` goes to
    the kwargs only: it feeds the state init (see state_out)."""
    kw = {name: make() for name, on, make in spec if on}
    return kw, [Arg(name, data) for name, data in kw.items()
                if name != "initial_state"]


def state_out(shape, s0):
    """The state destination: the initial state s0 as an argument, or zeros."""
    if s0 is not None:
        return Out("state", init=Arg("state0", s0))
    return Out("state", tensor_type(shape, "f32"), "zero")


def run_op(compiled, op, ins, opt, attrs, outs):
    """Builds the single-op module and runs it on the Args' own data."""
    text = single_op_module(op, ins, opt, attrs, outs)
    return compiled.run(text, [a.data for a in arguments(ins, opt, outs)])


def cu_for(T, parts):
    """Offsets splitting T into the given part lengths (may include 0)."""
    assert sum(parts) == T
    return np.concatenate([[0], np.cumsum(parts)]).astype(np.int32)


# ---------------------------------------------------------------------------
# linear_attention
# ---------------------------------------------------------------------------

LA_CASES = [
    # id, B, T, Hqk, H, K, V, gate, beta, l2, layout, init, cu, final
    ("plain", 2, 17, 2, 2, 8, 8, None, False, False, "kv", False, None, False),
    ("constant", 1, 100, 2, 2, 16, 12, "const", False, False, "kv", False, None, True),
    ("scalar_gqa", 2, 33, 1, 3, 8, 6, "scalar", False, False, "kv", True, None, True),
    ("vector_gla", 1, 65, 2, 4, 12, 8, "vector", False, False, "kv", True, None, True),
    ("delta", 1, 40, 2, 2, 8, 8, None, True, True, "kv", False, None, True),
    ("gated_delta_vk", 2, 31, 2, 4, 8, 6, "scalar", True, True, "vk", True, None, True),
    ("varlen_empty", 1, 30, 2, 2, 8, 8, "scalar", False, False, "kv", True, [7, 0, 23], True),
    ("varlen_delta", 1, 21, 1, 2, 6, 6, "vector", True, True, "vk", True, [0, 10, 11, 0], True),
    ("decode", 3, 1, 2, 4, 8, 8, "scalar", False, False, "kv", True, None, True),
    ("head48", 1, 9, 1, 1, 48, 48, "scalar", False, False, "kv", False, None, True),
    ("head192", 1, 5, 1, 1, 192, 64, "const", False, False, "kv", False, None, True),
    # Wide enough for the CPU pipeline's recurrent register tiles (key rows
    # times 16- or 8-lane vectors of value columns): column blocks of two
    # vectors, a one-vector tail (V = 48), scalar columns (V = 40), token
    # blocks cut short (T not a multiple), both layouts, GQA, l2 norm.
    ("wide_gla_gqa", 1, 75, 2, 4, 64, 64, "vector", False, False, "kv", True, None, True),
    ("wide_scalar_vk_l2", 2, 37, 1, 2, 48, 48, "scalar", False, True, "vk", True, None, True),
    ("wide_const_v40", 1, 50, 1, 2, 192, 40, "const", False, False, "kv", True, None, True),
    ("wide_plain_l2", 1, 130, 2, 2, 16, 128, None, False, True, "kv", False, None, True),
    ("wide_varlen", 1, 60, 1, 2, 32, 32, "vector", False, False, "kv", True, [20, 0, 40], True),
    ("wide_decode_vk", 2, 1, 2, 4, 64, 64, "vector", False, True, "vk", True, None, True),
    # The GPU's chunked blocks: value tiles of 64 with a tail of 36 (a
    # dynamic tile), T = 70 cutting the last chunk short; K = 192 with
    # vector gates, whose tiles fit shared memory only with chunks of 8.
    ("wide_vector_v100", 1, 70, 2, 2, 32, 100, "vector", False, False, "kv", True, None, True),
    ("wide_vector_k192_vk", 1, 21, 1, 1, 192, 24, "vector", False, True, "vk", True, None, True),
    # The delta rule's column blocks (K rows in L1, two passes per token).
    ("wide_gated_delta_l2", 1, 45, 2, 4, 64, 48, "scalar", True, True, "kv", True, None, True),
    ("wide_delta_vk_vector", 2, 23, 1, 2, 32, 40, "vector", True, False, "vk", True, None, True),
    ("wide_delta_k30", 1, 20, 1, 1, 30, 32, None, True, True, "kv", False, None, True),
    ("wide_delta_varlen", 1, 40, 1, 2, 16, 16, "const", True, True, "kv", True, [0, 15, 25], True),
]


def la_inputs(rng, B, T, Hqk, H, K, V, gate, beta, init, cu):
    nseq = len(cu) if cu else B
    q, k, v = rnd(rng, B, T, Hqk, K), rnd(rng, B, T, Hqk, K), rnd(rng, B, T, H, V)
    g = {None: None,
         "const": -rng.uniform(0.01, 0.3, size=(H,)),
         "scalar": -rng.uniform(0.01, 0.3, size=(B, T, H)),
         "vector": -rng.uniform(0.01, 0.3, size=(B, T, H, K))}[gate]
    g = None if g is None else g.astype(np.float32)
    bt = rng.uniform(0.1, 0.9, size=(B, T, H)).astype(np.float32) if beta else None
    s0 = rnd(rng, nseq, H, K, V) if init else None
    return q, k, v, g, bt, s0


@pytest.mark.parametrize("case", LA_CASES, ids=[c[0] for c in LA_CASES])
def test_linear_attention(compiled, case):
    _, B, T, Hqk, H, K, V, gate, beta, l2, layout, init, cu, final = case
    rng = np.random.default_rng(seed(case[0]))
    q, k, v, g, bt, s0 = la_inputs(rng, B, T, Hqk, H, K, V, gate, beta, init, cu)
    nseq = len(cu) if cu else B
    if s0 is not None and layout == "vk":
        s0 = np.ascontiguousarray(s0.transpose(0, 1, 3, 2))
    cu_arr = cu_for(T, cu) if cu else None
    scale = K ** -0.5
    ins = [Arg("q", q), Arg("k", k), Arg("v", v)]
    opt = []
    if g is not None:
        opt.append(Arg("log_decay", g))
    if bt is not None:
        opt.append(Arg("beta", bt))
    if cu_arr is not None:
        opt.append(Arg("cu_seqlens", cu_arr))
    attrs = [f"scale = {scale!r} : f32"]
    if l2:
        attrs.append("qk_norm = #seqmix.qk_norm<l2>")
    if layout == "vk":
        attrs.append("state_layout = #seqmix.state_layout<vk>")
    state_shape = (nseq, H, V, K) if layout == "vk" else (nseq, H, K, V)
    dest = [Out("o", tensor_type((B, T, H, V), "f32")), state_out(state_shape, s0)]
    outs = run_op(compiled, "linear_attention", ins, opt, ", ".join(attrs), dest)
    want = ref.linear_attention(q, k, v, log_decay=g, beta=bt, initial_state=s0,
                                cu_seqlens=cu_arr, scale=scale,
                                qk_norm="l2" if l2 else None, state_layout=layout,
                                output_final_state=True)
    close(outs[0], want[0], atol=1e-4 if K >= 48 else ATOL)
    if final:
        close(outs[1], want[1], atol=1e-4)


def strong_gate(rng, gate, B, T, H, K):
    """A log gate of each kind (None, const, scalar, vector), as strong as
    -20 per step."""
    g = {None: None,
         "const": -rng.uniform(0, 3, size=(H,)),
         "scalar": -rng.uniform(0, 20, size=(B, T, H)),
         "vector": -rng.uniform(0, 20, size=(B, T, H, K))}[gate]
    return None if g is None else g.astype(np.float32)


def check_tiled_recurrence(compiled, seed_value, B, K, gate, rule, tile):
    """linear_attention under a tile config against the reference: T = 45,
    GQA (2 heads on 1 q/k head), V = 48, l2 norm, a vk initial state, the
    gate of strong_gate and, for the delta rule, β in [0.1, 0.9]."""
    rng = np.random.default_rng(seed_value)
    T, Hqk, H, V = 45, 1, 2, 48
    q, k, v, _, _, s0 = la_inputs(rng, B, T, Hqk, H, K, V, None, False, True, None)
    g = strong_gate(rng, gate, B, T, H, K)
    s0_vk = np.ascontiguousarray(s0.transpose(0, 1, 3, 2))
    attrs = ", ".join(["scale = 0.5 : f32", "qk_norm = #seqmix.qk_norm<l2>",
                       "state_layout = #seqmix.state_layout<vk>", tile])
    opt = [Arg("log_decay", g)] if g is not None else []
    beta = rnd(rng, B, T, H, lo=0.1, hi=0.9) if rule == "delta" else None
    if beta is not None:
        opt.append(Arg("beta", beta))
    dest = [Out("o", tensor_type((B, T, H, V), "f32")),
            state_out((B, H, V, K), s0_vk)]
    outs = run_op(compiled, "linear_attention",
                  [Arg("q", q), Arg("k", k), Arg("v", v)], opt, attrs, dest)
    want = ref.linear_attention(q, k, v, log_decay=g, beta=beta,
                                initial_state=s0_vk, scale=0.5, qk_norm="l2",
                                state_layout="vk", output_final_state=True)
    close(outs[0], want[0], atol=1e-4)
    close(outs[1], want[1], atol=1e-4)


@pytest.mark.parametrize("gate,chunk,warps,tile,rule", [
    (None, 8, 1, 16, "additive"), ("const", 64, 2, 48, "additive"),
    ("scalar", 16, 4, 32, "additive"), ("vector", 32, 8, 20, "additive"),
    (None, 64, 4, 48, "delta"), ("scalar", 32, 2, 20, "delta"),
    ("vector", 16, 4, 32, "delta")])
def test_linear_attention_gpu_blocks(compiled, gate, chunk, warps, tile, rule):
    """The GPU block builder under user configs: 1 to 8 warps (a thread
    taking several points of a phase, or none), value tiles that do not
    divide V (a dynamic last tile), chunks of 8 to 64 (T = 45 ends with a
    short one), gates as strong as -20 per step, both rules (the delta
    rule in its UT form), GQA, l2 norm, a vk state. GPU pipelines only."""
    if compiled.pipeline not in ("gpu", "gpu-emulated"):
        pytest.skip("a #seqmix.gpu_tiling config")
    config = (f"seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, {tile}, 0], "
              f"warps = {warps}, chunk = {chunk}>")
    check_tiled_recurrence(compiled, seed(f"blocks{gate}{chunk}{warps}{tile}{rule}"),
                           2, 24, gate, rule, config)


@pytest.mark.parametrize("dtype", ["bf16", "f16"])
@pytest.mark.parametrize("gate,K,V,Hqk,tile,norm,vk", [
    (None, 16, 24, 1, None, False, False),
    ("const", 48, 40, 2, 32, False, True),
    ("scalar", 64, 64, 1, None, True, False),
    ("vector", 64, 64, 2, None, False, False),
    ("vector", 192, 16, 1, None, True, True)])
def test_linear_attention_half_inputs(compiled, dtype, gate, K, V, Hqk, tile,
                                      norm, vk):
    """bf16 and f16 q, k, v (the GPU pipelines' tensor-core path): head
    dims 16 to 192, value tiles that leave a tail (V = 40 by 32), T = 45
    (a short last chunk), GQA, l2 norm, both state layouts, gates as strong
    as -20 per step, an initial state."""
    rng = np.random.default_rng(seed(f"half{dtype}{gate}{K}{V}"))
    B, T, H = 2, 45, 2
    q, k, v, _, _, s0 = la_inputs(rng, B, T, Hqk, H, K, V, None, False, True,
                                  None)
    if vk:
        s0 = np.ascontiguousarray(s0.transpose(0, 1, 3, 2))
    g = strong_gate(rng, gate, B, T, H, K)
    raw, (qf, kf, vf) = half_inputs(dtype, [q, k, v])
    attrs = ["scale = 0.5 : f32"]
    if norm:
        attrs.append("qk_norm = #seqmix.qk_norm<l2>")
    if vk:
        attrs.append("state_layout = #seqmix.state_layout<vk>")
    if tile and compiled.pipeline in ("gpu", "gpu-emulated"):
        attrs.append(f"seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, {tile}, "
                     "0], warps = 4, chunk = 32>")
    ins = [Arg(n, r, dtype) for n, r in zip("qkv", raw)]
    opt = [Arg("log_decay", g)] if g is not None else []
    dest = [Out("o", tensor_type((B, T, H, V), "f32")),
            state_out(s0.shape, s0)]
    outs = run_op(compiled, "linear_attention", ins, opt, ", ".join(attrs), dest)
    want = ref.linear_attention(qf, kf, vf, log_decay=g, initial_state=s0,
                                scale=0.5, qk_norm="l2" if norm else None,
                                state_layout="vk" if vk else "kv",
                                output_final_state=True)
    close_to_scale(outs[0], want[0], HALF_REL[dtype])
    close_to_scale(outs[1], want[1], HALF_REL[dtype])


@pytest.mark.parametrize("dtype", ["bf16", "f16"])
@pytest.mark.parametrize("H,G,P,N", [(2, 1, 48, 64), (4, 2, 64, 128)])
def test_ssd_half_inputs(compiled, dtype, H, G, P, N):
    """Mamba-2 with bf16 or f16 x, B and C (the GPU pipelines' tensor-core
    path; Δ goes into the scores and the decayed keys there): groups of
    heads, D per channel, z, softplus Δ with a bias, an initial state."""
    rng = np.random.default_rng(seed(f"ssdhalf{dtype}{H}{P}{N}"))
    B, T = 1, 45
    x, Bm, Cm = rnd(rng, B, T, H, P), rnd(rng, B, T, G, N), rnd(rng, B, T, G, N)
    dt = rnd(rng, B, T, H, lo=-3.0, hi=0.5)
    A = -rng.uniform(1, 4, size=(H,)).astype(np.float32)
    D, z, bias = rnd(rng, H, P), rnd(rng, B, T, H, P), rnd(rng, H)
    s0 = rnd(rng, B, H, P, N)
    raw, (xf, bf, cf) = half_inputs(dtype, [x, Bm, Cm])
    ins = [Arg("x", raw[0], dtype), Arg("dt", dt), Arg("A", A),
           Arg("B", raw[1], dtype), Arg("C", raw[2], dtype)]
    opt = [Arg("D", D), Arg("z", z), Arg("dt_bias", bias)]
    dest = [Out("y", tensor_type((B, T, H, P), "f32")), state_out(s0.shape, s0)]
    outs = run_op(compiled, "ssd", ins, opt, "dt_softplus", dest)
    want = ref.ssd(xf, dt, A, bf, cf, D=D, z=z, dt_bias=bias, dt_softplus=True,
                   initial_state=s0, output_final_state=True)
    close_to_scale(outs[0], want[0], HALF_REL[dtype])
    close_to_scale(outs[1], want[1], HALF_REL[dtype])


@pytest.mark.parametrize("rule", ["additive", "delta"])
@pytest.mark.parametrize("chunk", [2, 4, 8, 64])
@pytest.mark.parametrize("gate", [None, "const", "scalar", "vector"])
def test_linear_attention_register_chunks(compiled, gate, chunk, rule):
    """The CPU builder's chunked form (a tile config with chunk 2-8; 64 runs
    as chunks of 8), both rules (the delta rule's UT form): T not a multiple
    of the chunk, gates as strong as -20 per step, GQA, l2 norm, a vk state.
    The reference pipeline ignores the config."""
    tile = ("seqmix.tile = #seqmix.cpu_tiling<threads = [0, 1, 0, 0], "
            f"vector = [0, 0, 16, 0], chunk = {chunk}>")
    check_tiled_recurrence(compiled, seed(f"chunks{gate}{chunk}{rule}"), 1, 32,
                           gate, rule, tile)


def test_linear_attention_f16_inputs_dynamic_T(compiled):
    """f16 q/k/v and output, dynamic T: the math is f32 inside, so the only
    error is f16 rounding of inputs (done identically here) and of the
    output (half an f16 ulp, rtol 1e-3)."""
    rng = np.random.default_rng(7)
    B, T, H, K, V = 1, 37, 2, 16, 16
    q, k, v = (rnd(rng, B, T, H, K).astype(np.float16) for _ in range(3))
    g = (-rng.uniform(0.01, 0.3, size=(B, T, H))).astype(np.float32)
    ins = [Arg("q", q, dynamic=(1,)), Arg("k", k, dynamic=(1,)),
           Arg("v", v, dynamic=(1,))]
    opt = [Arg("log_decay", g, dynamic=(1,))]
    text = single_op_module("linear_attention", ins, opt, "scale = 0.25 : f32",
                            [Out("o", tensor_type((B, T, H, V), "f16", dynamic=(1,))),
                             Out("state", tensor_type((B, H, K, V), "f32"), "zero")])
    out = compiled.run(text, [q, k, v, g])[0]
    assert out.dtype == np.float16
    want = ref.linear_attention(q.astype(np.float32), k.astype(np.float32),
                                v.astype(np.float32), log_decay=g, scale=0.25)
    np.testing.assert_allclose(out.astype(np.float32), want, rtol=1e-3, atol=1e-3)


def test_linear_attention_two_halves(compiled):
    """A run split in two with the state handed over equals one run."""
    rng = np.random.default_rng(3)
    B, T, H, K, V = 2, 50, 2, 8, 8
    q, k, v, g, _, _ = la_inputs(rng, B, T, H, H, K, V, "vector", False, False, None)

    def call(sl, s0):
        ins = [Arg("q", q[:, sl]), Arg("k", k[:, sl]), Arg("v", v[:, sl])]
        opt = [Arg("log_decay", g[:, sl])]
        n = q[:, sl].shape[1]
        return run_op(compiled, "linear_attention", ins, opt, "scale = 1.0 : f32",
                      [Out("o", tensor_type((B, n, H, V), "f32")),
                       state_out((B, H, K, V), s0)])

    o_all, s_all = call(slice(0, T), None)
    o1, s1 = call(slice(0, 23), None)
    o2, s2 = call(slice(23, T), s1)
    close(np.concatenate([o1, o2], axis=1), o_all, atol=1e-5)
    close(s2, s_all, atol=1e-5)


def test_gated_delta_rule_long_strong_decay(compiled):
    """The gated delta rule (its chunked form, the cost model's choice) at
    T = 65536 with scalar log gates as strong as -20 per step stays finite
    and matches the reference."""
    rng = np.random.default_rng(12)
    B, T, H, K, V = 1, 65536, 1, 16, 16
    q, k, v = rnd(rng, B, T, H, K), rnd(rng, B, T, H, K), rnd(rng, B, T, H, V)
    g = -rng.uniform(0, 20, size=(B, T, H)).astype(np.float32)
    beta = rnd(rng, B, T, H, lo=0.1, hi=0.9)
    ins = [Arg("q", q), Arg("k", k), Arg("v", v)]
    opt = [Arg("log_decay", g), Arg("beta", beta)]
    text = single_op_module("linear_attention", ins, opt,
                            "scale = 1.0 : f32, qk_norm = #seqmix.qk_norm<l2>",
                            [Out("o", tensor_type((B, T, H, V), "f32")),
                             Out("state", tensor_type((B, H, K, V), "f32"), "zero")])
    out, state = compiled.run(text, [q, k, v, g, beta])
    assert np.isfinite(out).all() and np.isfinite(state).all()
    want = ref.linear_attention(q, k, v, log_decay=g, beta=beta, scale=1.0,
                                qk_norm="l2", output_final_state=True)
    close(out, want[0])
    close(state, want[1])


def test_linear_attention_long_strong_decay(compiled):
    """T = 65536 with vector log gates as strong as -20 per step stays finite
    and matches the reference (wide enough for the CPU register tiles)."""
    rng = np.random.default_rng(11)
    B, T, H, K, V = 1, 65536, 1, 16, 16
    q, k, v = rnd(rng, B, T, H, K), rnd(rng, B, T, H, K), rnd(rng, B, T, H, V)
    g = -rng.uniform(0, 20, size=(B, T, H, K)).astype(np.float32)
    ins = [Arg("q", q), Arg("k", k), Arg("v", v)]
    opt = [Arg("log_decay", g)]
    text = single_op_module("linear_attention", ins, opt, "scale = 1.0 : f32",
                            [Out("o", tensor_type((B, T, H, V), "f32")),
                             Out("state", tensor_type((B, H, K, V), "f32"), "zero")])
    out, state = compiled.run(text, [q, k, v, g])
    assert np.isfinite(out).all() and np.isfinite(state).all()
    want = ref.linear_attention(q, k, v, log_decay=g, scale=1.0,
                                output_final_state=True)
    close(out, want[0])
    close(state, want[1])


# ---------------------------------------------------------------------------
# selective_scan (Mamba-1)
# ---------------------------------------------------------------------------

SS_CASES = [
    # id, B, T, D, G, N, D_skip, z, bias, softplus, threshold, init, cu, final
    ("minimal", 1, 20, 8, 1, 4, False, False, False, False, False, False, None, False),
    ("mamba", 2, 70, 16, 1, 16, True, True, True, True, False, False, None, True),
    ("groups", 1, 33, 12, 3, 8, True, False, False, True, False, True, None, True),
    ("n1", 2, 9, 4, 2, 1, True, True, True, True, False, False, None, True),
    ("n260", 1, 6, 4, 1, 260, False, False, False, True, False, False, None, True),
    ("longmamba", 1, 40, 8, 1, 8, True, True, True, True, True, True, None, True),
    ("varlen_empty", 1, 25, 8, 2, 4, True, True, True, True, False, True, [0, 12, 13], True),
    ("decode", 3, 1, 8, 1, 4, True, True, True, True, False, True, None, True),
    # Wide enough for the CPU pipeline's register tiles (16 or 8 channels),
    # with thread tiles of unequal size and leftover channels.
    ("vector_blocks", 1, 37, 48, 1, 16, True, True, True, True, False, True, None, True),
    ("vector_tail", 2, 19, 40, 1, 4, True, False, True, True, True, False, None, True),
    ("vector_groups", 1, 23, 64, 2, 8, True, True, False, True, False, True, None, True),
    ("vector_decode", 2, 1, 64, 1, 16, True, True, True, True, False, True, None, True),
]


def ss_inputs(rng, B, T, D, G, N, nseq):
    u, dt = rnd(rng, B, T, D), rnd(rng, B, T, D, lo=-3.0, hi=0.5)
    A = -np.tile(np.arange(1, N + 1, dtype=np.float32), (D, 1)) * 0.5
    Bm, Cm = rnd(rng, B, T, G, N), rnd(rng, B, T, G, N)
    return u, dt, A, Bm, Cm


@pytest.mark.parametrize("case", SS_CASES, ids=[c[0] for c in SS_CASES])
def test_selective_scan(compiled, case):
    (_, B, T, D, G, N, dskip, z, bias, sp, thr, init, cu, final) = case
    rng = np.random.default_rng(seed(case[0]))
    nseq = len(cu) if cu else B
    u, dt, A, Bm, Cm = ss_inputs(rng, B, T, D, G, N, nseq)
    ins = [Arg("u", u), Arg("delta", dt), Arg("A", A), Arg("B", Bm), Arg("C", Cm)]
    kw, opt = optionals([("D", dskip, lambda: rnd(rng, D)),
                         ("z", z, lambda: rnd(rng, B, T, D)),
                         ("delta_bias", bias, lambda: rnd(rng, D, lo=-1, hi=1)),
                         ("delta_threshold", thr, lambda: np.full(D, 0.3, np.float32)),
                         ("initial_state", init, lambda: rnd(rng, nseq, D, N)),
                         ("cu_seqlens", cu, lambda: cu_for(T, cu))])
    dest = [Out("y", tensor_type((B, T, D), "f32")),
            state_out((nseq, D, N), kw.get("initial_state"))]
    outs = run_op(compiled, "selective_scan", ins, opt,
                  "delta_softplus" if sp else "", dest)
    want = ref.selective_scan(u, dt, A, Bm, Cm, delta_softplus=sp,
                              output_final_state=True, **kw)
    close(outs[0], want[0], atol=1e-4)
    if final:
        close(outs[1], want[1], atol=1e-4)


def test_selective_scan_int8(compiled):
    """Quamba: u, delta, B, C, z as int8 !quant.uniform; the kernel
    dequantizes (s * q) and scans in f32, exactly like the reference on the
    dequantized values."""
    rng = np.random.default_rng(5)
    B, T, D, N = 1, 24, 8, 4
    scales = {"u": 0.02, "delta": 0.01, "B": 0.05, "C": 0.04, "z": 0.03}
    shapes = {"u": (B, T, D), "delta": (B, T, D), "B": (B, T, 1, N),
              "C": (B, T, 1, N), "z": (B, T, D)}
    q = {n: rng.integers(-127, 128, size=s).astype(np.int8) for n, s in shapes.items()}
    A = -np.tile(np.arange(1, N + 1, dtype=np.float32), (D, 1))
    qt = {n: f"!quant.uniform<i8:f32, {scales[n]!r}>" for n in shapes}
    ins = [Arg("u", q["u"], qt["u"]), Arg("delta", q["delta"], qt["delta"]),
           Arg("A", A), Arg("B", q["B"], qt["B"]), Arg("C", q["C"], qt["C"])]
    opt = [Arg("z", q["z"], qt["z"])]
    out = run_op(compiled, "selective_scan", ins, opt, "delta_softplus",
                 [Out("y", tensor_type((B, T, D), "f32")),
                  state_out((B, D, N), None)])[0]
    dq = {n: ref.dequantize(q[n], scales[n]) for n in q}
    want = ref.selective_scan(dq["u"], dq["delta"], A, dq["B"], dq["C"],
                              z=dq["z"], delta_softplus=True)
    close(out, want, atol=1e-4)


# ---------------------------------------------------------------------------
# ssd (Mamba-2)
# ---------------------------------------------------------------------------

SSD_CASES = [
    # id, B, T, H, P, G, N, D, z, bias, softplus, limit, thr, init, cu, final
    ("minimal", 1, 20, 2, 4, 1, 8, None, False, False, False, None, False, False, None, False),
    ("mamba2", 2, 67, 4, 8, 1, 16, "h", True, True, True, None, False, True, None, True),
    ("groups_dhp", 1, 30, 4, 6, 2, 8, "hp", True, True, True, (0.001, 2.0), False, False, None, True),
    ("longmamba", 1, 40, 2, 4, 1, 8, "h", True, True, True, None, True, True, None, True),
    ("varlen_empty", 1, 26, 2, 4, 1, 4, "h", False, True, True, None, False, True, [10, 0, 16], True),
    ("decode", 2, 1, 2, 4, 2, 4, "h", True, True, True, None, False, True, None, True),
    # Wide enough for the CPU builder's vectors of P columns (16 lanes): Δ,
    # Δ·x and Δ·A computed in the builder, D and z when y is stored.
    ("wide_mamba2", 1, 45, 4, 64, 1, 32, "h", True, True, True, None, False, True, None, True),
    ("wide_groups_dhp_limit_thr", 1, 37, 4, 48, 2, 16, "hp", True, True, True, (0.001, 2.0), True, True, None, True),
    ("wide_varlen", 1, 50, 2, 40, 1, 16, "h", False, True, True, None, False, True, [20, 0, 30], True),
    ("wide_decode", 2, 1, 2, 32, 1, 64, "hp", True, True, True, None, False, True, None, True),
]


def ssd_case_inputs(rng, case):
    (_, B, T, H, P, G, N, D, z, bias, sp, limit, thr, init, cu, final) = case
    nseq = len(cu) if cu else B
    # Without softplus dt is used as is: keep it positive so the decay is.
    x = rnd(rng, B, T, H, P)
    dt = rnd(rng, B, T, H, lo=-3.0, hi=0.5) if sp else rnd(rng, B, T, H, lo=0.01, hi=0.5)
    A = -rng.uniform(1, 4, size=(H,)).astype(np.float32)
    Bm, Cm = rnd(rng, B, T, G, N), rnd(rng, B, T, G, N)
    ins = [Arg("x", x), Arg("dt", dt), Arg("A", A), Arg("B", Bm), Arg("C", Cm)]
    kw, opt = optionals([("D", D, lambda: rnd(rng, *((H,) if D == "h" else (H, P)))),
                         ("z", z, lambda: rnd(rng, B, T, H, P)),
                         ("dt_bias", bias, lambda: rnd(rng, H)),
                         ("delta_threshold", thr, lambda: np.full(H, 0.4, np.float32)),
                         ("initial_state", init, lambda: rnd(rng, nseq, H, P, N)),
                         ("cu_seqlens", cu, lambda: cu_for(T, cu))])
    attrs = []
    if sp:
        attrs.append("dt_softplus")
    if limit:
        attrs.append(f"dt_limit = array<f32: {limit[0]}, {limit[1]}>")
    dest = [Out("y", tensor_type((B, T, H, P), "f32")),
            state_out((nseq, H, P, N), kw.get("initial_state"))]
    text = single_op_module("ssd", ins, opt, ", ".join(attrs), dest)
    args = dict(x=x, dt=dt, A=A, B=Bm, C=Cm, dt_softplus=sp, dt_limit=limit, **kw)
    return text, [a.data for a in arguments(ins, opt, dest)], args, final


@pytest.mark.parametrize("case", SSD_CASES, ids=[c[0] for c in SSD_CASES])
def test_ssd_direct_and_decomposed(compiled, case):
    """The direct loop lowering, the seqmix-decompose path (ssd as
    linear_attention + linalg) and the numpy reference all agree."""
    rng = np.random.default_rng(seed(case[0]))
    text, data, args, final = ssd_case_inputs(rng, case)
    direct = compiled.run(text, data)
    decomposed = compiled.run(compiled.opt(text, "--seqmix-decompose"), data)
    want = ref.ssd(output_final_state=True, **args)
    for got in (direct, decomposed):
        close(got[0], want[0], atol=1e-4)
        if final:
            close(got[1], want[1], atol=1e-4)
    close(decomposed[0], direct[0], atol=1e-5)


def test_mamba2_as_linear_attention(compiled):
    """Mamba-2 written by hand as linear_attention (q = C, k = B, v = Δx,
    g = ΔA, scale 1, vk layout) equals seqmix.ssd."""
    rng = np.random.default_rng(21)
    B, T, H, P, N = 1, 45, 2, 4, 8
    x, dt = rnd(rng, B, T, H, P), rng.uniform(0.01, 0.5, (B, T, H)).astype(np.float32)
    A = -rng.uniform(1, 3, size=(H,)).astype(np.float32)
    Bm, Cm = rnd(rng, B, T, 1, N), rnd(rng, B, T, 1, N)
    ssd_text = single_op_module(
        "ssd", [Arg("x", x), Arg("dt", dt), Arg("A", A), Arg("B", Bm), Arg("C", Cm)],
        [], "", [Out("y", tensor_type((B, T, H, P), "f32")),
                 state_out((B, H, P, N), None)])
    y_ssd = compiled.run(ssd_text, [x, dt, A, Bm, Cm])[0]
    v = (dt[..., None] * x).astype(np.float32)
    g = (dt * A).astype(np.float32)
    la_text = single_op_module(
        "linear_attention", [Arg("q", Cm), Arg("k", Bm), Arg("v", v)],
        [Arg("log_decay", g)],
        "scale = 1.0 : f32, state_layout = #seqmix.state_layout<vk>",
        [Out("o", tensor_type((B, T, H, P), "f32")), state_out((B, H, P, N), None)])
    y_la = compiled.run(la_text, [Cm, Bm, v, g])[0]
    close(y_la, y_ssd, atol=1e-5)


# ---------------------------------------------------------------------------
# causal_conv1d
# ---------------------------------------------------------------------------

CONV_CASES = [
    # id, B, T, D, W, bias, silu, init, cu, final
    ("w4_silu", 2, 50, 16, 4, True, True, False, None, True),
    ("w1", 1, 9, 8, 1, True, False, False, None, True),
    ("w2_init", 2, 7, 6, 2, False, False, True, None, True),
    ("w7_short", 1, 3, 5, 7, True, True, True, None, True),
    ("decode", 2, 1, 8, 4, True, True, True, None, True),
    ("varlen_empty", 1, 20, 8, 4, True, True, True, [5, 0, 2, 13], True),
    # Register tiles of channels: several blocks, leftovers, T < W - 1.
    ("vector_w4", 1, 70, 48, 4, True, True, True, None, True),
    ("vector_tail_w3", 2, 5, 40, 3, False, True, True, None, True),
    ("vector_short_w5", 1, 2, 32, 5, True, False, True, None, True),
    ("vector_w1", 1, 6, 32, 1, True, True, False, None, True),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_causal_conv1d(compiled, case):
    _, B, T, D, W, bias, silu, init, cu, final = case
    rng = np.random.default_rng(seed(case[0]))
    nseq = len(cu) if cu else B
    x, w = rnd(rng, B, T, D), rnd(rng, D, W)
    kw, opt = optionals([("bias", bias, lambda: rnd(rng, D)),
                         ("initial_state", init, lambda: rnd(rng, nseq, W - 1, D)),
                         ("cu_seqlens", cu, lambda: cu_for(T, cu))])
    dest = [Out("y", tensor_type((B, T, D), "f32")),
            state_out((nseq, W - 1, D), kw.get("initial_state"))]
    attrs = "activation = #seqmix.activation<silu>" if silu else ""
    outs = run_op(compiled, "causal_conv1d", [Arg("x", x), Arg("w", w)], opt,
                  attrs, dest)
    want = ref.causal_conv1d(x, w, activation="silu" if silu else "none",
                             output_final_state=True, **kw)
    close(outs[0], want[0])
    if final:
        close(outs[1], want[1])


def test_selective_scan_bf16(compiled):
    """bf16 u, delta, B, C, z and output. The scan runs in f32 on the bf16
    values (the reference gets the same rounded inputs), so the only extra
    error is the final rounding to bf16: half a bf16 ulp, 2^-8 relative."""
    rng = np.random.default_rng(13)
    B, T, D, N = 1, 30, 40, 4  # two register tiles of 16 channels and 8 more
    u, dt, A, Bm, Cm = ss_inputs(rng, B, T, D, 1, N, B)
    z = rnd(rng, B, T, D)
    raw = {n: to_bf16_bits(a) for n, a in dict(u=u, delta=dt, B=Bm, C=Cm, z=z).items()}
    ins = [Arg("u", raw["u"], "bf16"), Arg("delta", raw["delta"], "bf16"),
           Arg("A", A), Arg("B", raw["B"], "bf16"), Arg("C", raw["C"], "bf16")]
    opt = [Arg("z", raw["z"], "bf16")]
    out = run_op(compiled, "selective_scan", ins, opt, "delta_softplus",
                 [Out("y", tensor_type((B, T, D), "bf16")),
                  state_out((B, D, N), None)])[0]
    got = from_bf16_bits(out.view(np.uint16))
    f = {n: from_bf16_bits(r) for n, r in raw.items()}
    want = ref.selective_scan(f["u"], f["delta"], A, f["B"], f["C"], z=f["z"],
                              delta_softplus=True)
    np.testing.assert_allclose(got, want, rtol=2 ** -8, atol=1e-3)


def test_selective_scan_long_strong_decay(compiled):
    """T = 65536 with large Δ·A: the state stays finite."""
    rng = np.random.default_rng(17)
    B, T, D, N = 1, 65536, 16, 4
    u, dt, A, Bm, Cm = ss_inputs(rng, B, T, D, 1, N, B)
    A = A * 20
    ins = [Arg("u", u), Arg("delta", dt), Arg("A", A), Arg("B", Bm), Arg("C", Cm)]
    text = single_op_module("selective_scan", ins, [], "delta_softplus",
                            [Out("y", tensor_type((B, T, D), "f32")),
                             state_out((B, D, N), None)])
    out = compiled.run(text, [u, dt, A, Bm, Cm])[0]
    assert np.isfinite(out).all()
    close(out, ref.selective_scan(u, dt, A, Bm, Cm, delta_softplus=True), atol=1e-4)
