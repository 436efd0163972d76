"""seqmix.ops, the functional API, against the numpy references.

Every function runs at small, awkward shapes (T = 37, head dims 48, N = 1,
GQA, packed sequences with an empty one) on the reference and CPU pipelines
and is compared with seqmix.reference. Bad arguments must raise before
anything is compiled, naming the argument.

Tolerances are those of the per-op tests: f32 results at rtol 1e-5 with an
atol of 1e-5 (attention, conv) or 1e-4 (recurrences with long state sums);
f16 / bf16 results at half an ulp of the output type relative.
"""

import importlib.util
import os
import zlib

import numpy as np
import pytest

import seqmix.ops as ops
from seqmix import reference as ref


# ---------------------------------------------------------------------------
# Kernels need the native extension
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compiled():
    """Tests that run kernels need seqmix's extension (built with the
    project); outside CI a build without it skips them, in CI it fails."""
    if importlib.util.find_spec("seqmix._seqmix") is None:
        if os.environ.get("CI"):
            pytest.fail("seqmix's native extension is not built")
        pytest.skip("seqmix's native extension is not built")
    yield
    ops.clear_cache()


@pytest.fixture(params=["reference", "cpu"])
def pipeline(request, compiled):
    return request.param


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def seed(name):
    return zlib.crc32(name.encode())


def rnd(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def close(got, want, rtol=1e-5, atol=1e-5):
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=rtol, atol=atol)


def cu_for(parts):
    return np.concatenate([[0], np.cumsum(parts)]).astype(np.int32)


# ---------------------------------------------------------------------------
# linear_attention
# ---------------------------------------------------------------------------

LA_CASES = [
    # id, B, T, Hqk, H, K, V, gate, beta, l2, layout, init, cu
    ("gqa_scalar_init", 2, 37, 1, 2, 48, 48, "scalar", False, False, "kv", True, None),
    ("const_l2_vk", 1, 37, 2, 2, 16, 24, "const", False, True, "vk", True, None),
    ("gated_delta_varlen", 1, 37, 1, 2, 16, 16, "vector", True, True, "kv", True,
     [12, 0, 25]),
    ("plain_default_scale", 2, 9, 2, 4, 8, 8, None, False, False, "kv", False, None),
]


def la_inputs(rng, B, T, Hqk, H, K, V, gate, beta, init, nseq, layout="kv"):
    q, k, v = rnd(rng, B, T, Hqk, K), rnd(rng, B, T, Hqk, K), rnd(rng, B, T, H, V)
    g = {None: None,
         "const": -rng.uniform(0.01, 0.3, size=(H,)),
         "scalar": -rng.uniform(0.01, 0.3, size=(B, T, H)),
         "vector": -rng.uniform(0.01, 0.3, size=(B, T, H, K))}[gate]
    g = None if g is None else g.astype(np.float32)
    bt = rnd(rng, B, T, H, lo=0.1, hi=0.9) if beta else None
    sshape = (nseq, H, K, V) if layout == "kv" else (nseq, H, V, K)
    s0 = rnd(rng, *sshape) if init else None
    return q, k, v, g, bt, s0


@pytest.mark.parametrize("case", LA_CASES, ids=[c[0] for c in LA_CASES])
def test_linear_attention(pipeline, case):
    _, B, T, Hqk, H, K, V, gate, beta, l2, layout, init, parts = case
    rng = np.random.default_rng(seed(case[0]))
    cu = cu_for(parts) if parts else None
    nseq = len(parts) if parts else B
    q, k, v, g, bt, s0 = la_inputs(rng, B, T, Hqk, H, K, V, gate, beta, init, nseq,
                                   layout)
    scale = None if case[0] == "plain_default_scale" else 0.3
    kw = dict(log_decay=g, beta=bt, initial_state=s0, cu_seqlens=cu, scale=scale)
    s0_before = None if s0 is None else s0.copy()
    opts = dict(qk_norm="l2" if l2 else None, state_layout=layout)
    o, s = ops.linear_attention(q, k, v, output_final_state=True, pipeline=pipeline,
                                **opts, **kw)
    want_o, want_s = ref.linear_attention(q, k, v, output_final_state=True, **opts,
                                          **kw)
    close(o, want_o, atol=1e-4)
    close(s, want_s, atol=1e-4)
    if s0 is not None:
        np.testing.assert_array_equal(s0, s0_before)  # the caller's state is kept
    only_o = ops.linear_attention(q, k, v, pipeline=pipeline, **opts, **kw)
    assert isinstance(only_o, np.ndarray)
    close(only_o, want_o, atol=1e-4)


def test_linear_attention_non_contiguous_and_f16(pipeline):
    """Strided views are fine; f16 q/k/v give an f16 o computed in f32."""
    rng = np.random.default_rng(7)
    B, T, H, K, V = 1, 37, 2, 16, 16
    big = rnd(rng, B, H, T, 2 * K)
    q = big[..., ::2].transpose(0, 2, 1, 3)  # a strided [B, T, H, K] view
    k, v = rnd(rng, B, T, H, K), rnd(rng, B, T, H, V)
    g = -rng.uniform(0.01, 0.3, size=(B, T, H)).astype(np.float32)
    assert not q.flags.c_contiguous
    close(ops.linear_attention(q, k, v, g, scale=0.25, pipeline=pipeline),
          ref.linear_attention(q, k, v, g, scale=0.25), atol=1e-4)
    q16, k16, v16 = (a.astype(np.float16) for a in (q, k, v))
    o = ops.linear_attention(q16, k16, v16, g, scale=0.25, pipeline=pipeline)
    assert o.dtype == np.float16
    want = ref.linear_attention(*(a.astype(np.float32) for a in (q16, k16, v16)), g,
                                scale=0.25)
    np.testing.assert_allclose(o.astype(np.float32), want, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("form", ["str", "dict", "short_name"])
def test_linear_attention_tile(compiled, form):
    """A tile config goes to the compiler (the CPU builder's chunked form
    here) and does not change the result."""
    rng = np.random.default_rng(8)
    B, T, H, K, V = 1, 37, 2, 32, 48
    q, k, v, g, _, s0 = la_inputs(rng, B, T, 1, H, K, V, "scalar", False, True, B)
    config = ("#seqmix.cpu_tiling<threads = [0, 1, 0, 0], vector = [0, 0, 16, 0], "
              "chunk = 4>")
    tile = {"str": config, "dict": {"seqmix.linear_attention": config},
            "short_name": {"linear_attention": config}}[form]
    o, s = ops.linear_attention(q, k, v, g, initial_state=s0, scale=0.5,
                                output_final_state=True, pipeline="cpu", tile=tile)
    want_o, want_s = ref.linear_attention(q, k, v, g, initial_state=s0, scale=0.5,
                                          output_final_state=True)
    close(o, want_o, atol=1e-4)
    close(s, want_s, atol=1e-4)


DELTA_CHUNK_CASES = [
    # id, B, T, Hqk, H, K, V, gate, l2, layout, init, chunk, cu
    ("ungated_c4", 1, 37, 1, 2, 16, 32, None, False, "kv", True, 4, None),
    ("scalar_vk_c2_gqa", 2, 29, 1, 2, 32, 48, "scalar", True, "vk", True, 2, None),
    ("vector_c8_k48", 1, 50, 1, 2, 48, 16, "vector", True, "kv", False, 8, None),
    ("const_c4_v192", 1, 23, 2, 2, 16, 192, "const", False, "vk", True, 4, None),
    ("decode_c4", 1, 1, 1, 2, 16, 16, "scalar", False, "kv", True, 4, None),
    ("varlen_empty_c4", 1, 30, 1, 2, 16, 16, "vector", True, "kv", True, 4,
     [13, 0, 17]),
]


@pytest.mark.parametrize("case", DELTA_CHUNK_CASES,
                         ids=[c[0] for c in DELTA_CHUNK_CASES])
def test_delta_rule_chunks(compiled, case):
    """The delta rule in register chunks (the UT form: u by forward
    substitution per chunk) matches the token-by-token reference: every
    gate, both layouts, GQA, T not a multiple of the chunk, varlen."""
    _, B, T, Hqk, H, K, V, gate, l2, layout, init, chunk, parts = case
    rng = np.random.default_rng(seed(case[0]))
    cu = cu_for(parts) if parts else None
    nseq = len(parts) if parts else B
    q, k, v, g, bt, s0 = la_inputs(rng, B, T, Hqk, H, K, V, gate, True, init,
                                   nseq, layout)
    kw = dict(log_decay=g, beta=bt, initial_state=s0, cu_seqlens=cu, scale=0.3,
              qk_norm="l2" if l2 else None, state_layout=layout)
    o, s = ops.linear_attention(q, k, v, output_final_state=True, pipeline="cpu",
                                tile=("#seqmix.cpu_tiling<threads = [0, 2, 0, 0], "
                                      f"vector = [0, 0, 16, 0], chunk = {chunk}>"),
                                **kw)
    want_o, want_s = ref.linear_attention(q, k, v, output_final_state=True, **kw)
    close(o, want_o, atol=1e-4)
    close(s, want_s, atol=1e-4)


# ---------------------------------------------------------------------------
# selective_scan
# ---------------------------------------------------------------------------

SS_CASES = [
    # id, B, T, D, G, N, D_skip, z, bias, softplus, threshold, init, cu
    ("mamba_n1_groups", 2, 37, 48, 2, 1, True, True, True, True, False, True, None),
    ("varlen_threshold", 1, 37, 40, 1, 16, True, False, True, True, True, True,
     [20, 0, 17]),
    ("minimal", 1, 5, 8, 1, 4, False, False, False, False, False, False, None),
]


@pytest.mark.parametrize("case", SS_CASES, ids=[c[0] for c in SS_CASES])
def test_selective_scan(pipeline, case):
    _, B, T, D, G, N, dskip, z, bias, sp, thr, init, parts = case
    rng = np.random.default_rng(seed(case[0]))
    nseq = len(parts) if parts else B
    u = rnd(rng, B, T, D)
    delta = rnd(rng, B, T, D, lo=-3.0, hi=0.5) if sp else rnd(rng, B, T, D, lo=0.01,
                                                               hi=0.5)
    A = -rng.uniform(0.5, 4, size=(D, N)).astype(np.float32)
    Bm, Cm = rnd(rng, B, T, G, N), rnd(rng, B, T, G, N)
    kw = dict(D=rnd(rng, D) if dskip else None, z=rnd(rng, B, T, D) if z else None,
              delta_bias=rnd(rng, D) if bias else None,
              initial_state=rnd(rng, nseq, D, N) if init else None)
    extra = dict(delta_threshold=np.full(D, 0.3, np.float32) if thr else None,
                 cu_seqlens=cu_for(parts) if parts else None)
    y, h = ops.selective_scan(u, delta, A, Bm, Cm, delta_softplus=sp,
                              return_last_state=True, pipeline=pipeline, **kw, **extra)
    want_y, want_h = ref.selective_scan(u, delta, A, Bm, Cm, delta_softplus=sp,
                                        output_final_state=True, **kw, **extra)
    close(y, want_y, atol=1e-4)
    close(h, want_h, atol=1e-4)


def test_selective_scan_bf16(pipeline):
    """bf16 u, delta, B, C, z give a bf16 y; the scan runs in f32 on the
    bf16 values, so the only extra error is y's rounding (2^-8 relative)."""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf16 = ml_dtypes.bfloat16
    rng = np.random.default_rng(13)
    B, T, D, N = 1, 37, 40, 4
    u, delta, z = rnd(rng, B, T, D), rnd(rng, B, T, D, lo=-3.0, hi=0.5), rnd(rng, B, T, D)
    A = -rng.uniform(0.5, 4, size=(D, N)).astype(np.float32)
    Bm, Cm = rnd(rng, B, T, 1, N), rnd(rng, B, T, 1, N)
    u, delta, z, Bm, Cm = (a.astype(bf16) for a in (u, delta, z, Bm, Cm))
    y = ops.selective_scan(u, delta, A, Bm, Cm, z=z, delta_softplus=True,
                           pipeline=pipeline)
    assert y.dtype == bf16
    f = [a.astype(np.float32) for a in (u, delta, Bm, Cm, z)]
    want = ref.selective_scan(f[0], f[1], A, f[2], f[3], z=f[4], delta_softplus=True)
    np.testing.assert_allclose(y.astype(np.float32), want, rtol=2 ** -8, atol=1e-3)


# ---------------------------------------------------------------------------
# ssd
# ---------------------------------------------------------------------------

SSD_CASES = [
    # id, B, T, H, P, G, N, D, z, bias, softplus, limit, thr, init, cu
    ("mamba2_gqa_inf_limit", 2, 37, 4, 48, 2, 16, "h", True, True, True,
     (0.0, float("inf")), False, True, None),
    ("varlen_dhp_thr", 1, 37, 2, 8, 1, 4, "hp", False, True, True, (0.001, 2.0), True,
     True, [10, 0, 27]),
    ("minimal", 1, 6, 2, 4, 1, 8, None, False, False, False, None, False, False, None),
]


@pytest.mark.parametrize("case", SSD_CASES, ids=[c[0] for c in SSD_CASES])
def test_ssd(pipeline, case):
    _, B, T, H, P, G, N, D, z, bias, sp, limit, thr, init, parts = case
    rng = np.random.default_rng(seed(case[0]))
    nseq = len(parts) if parts else B
    x = rnd(rng, B, T, H, P)
    dt = rnd(rng, B, T, H, lo=-3.0, hi=0.5) if sp else rnd(rng, B, T, H, lo=0.01, hi=0.5)
    A = -rng.uniform(1, 4, size=(H,)).astype(np.float32)
    Bm, Cm = rnd(rng, B, T, G, N), rnd(rng, B, T, G, N)
    kw = dict(D=None if D is None else rnd(rng, *((H,) if D == "h" else (H, P))),
              z=rnd(rng, B, T, H, P) if z else None,
              dt_bias=rnd(rng, H) if bias else None,
              initial_state=rnd(rng, nseq, H, P, N) if init else None,
              cu_seqlens=cu_for(parts) if parts else None,
              dt_limit=limit,
              delta_threshold=np.full(H, 0.4, np.float32) if thr else None)
    y, s = ops.ssd(x, dt, A, Bm, Cm, dt_softplus=sp, return_final_states=True,
                   pipeline=pipeline, **kw)
    want_y, want_s = ref.ssd(x, dt, A, Bm, Cm, dt_softplus=sp, output_final_state=True,
                             **kw)
    close(y, want_y, atol=1e-4)
    close(s, want_s, atol=1e-4)


# ---------------------------------------------------------------------------
# causal_conv1d
# ---------------------------------------------------------------------------

CONV_CASES = [
    # id, B, T, D, W, bias, activation, init, cu
    ("w4_silu", 2, 37, 48, 4, True, "silu", True, None),
    ("varlen_empty", 1, 37, 8, 3, True, None, True, [5, 0, 32]),
    ("w1_swish", 1, 5, 8, 1, True, "swish", False, None),
    ("short_w5", 1, 2, 16, 5, False, "none", True, None),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_causal_conv1d(pipeline, case):
    _, B, T, D, W, bias, act, init, parts = case
    rng = np.random.default_rng(seed(case[0]))
    nseq = len(parts) if parts else B
    x, w = rnd(rng, B, T, D), rnd(rng, D, W)
    kw = dict(bias=rnd(rng, D) if bias else None,
              initial_state=rnd(rng, nseq, W - 1, D) if init else None,
              cu_seqlens=cu_for(parts) if parts else None)
    y, s = ops.causal_conv1d(x, w, activation=act, return_final_states=True,
                             pipeline=pipeline, **kw)
    ref_act = "silu" if act in ("silu", "swish") else "none"
    want_y, want_s = ref.causal_conv1d(x, w, activation=ref_act,
                                       output_final_state=True, **kw)
    close(y, want_y)
    close(s, want_s)


# ---------------------------------------------------------------------------
# Windowed attention
# ---------------------------------------------------------------------------

NA_CASES = [
    # id, spatial, H, Hkv, D, Dv, kernel, dilation, stride, causal, rpb, lse
    ("1d_gqa_rpb", (13,), 4, 2, 48, 16, 5, None, None, None, True, True),
    ("2d_dilated_causal_strided", (8, 6), 2, 1, 8, 8, (3, 3), (2, 1), (1, 2),
     (True, False), False, True),
    ("3d_causal_last", (4, 5, 6), 1, 1, 8, 8, 3, None, None, (False, False, True),
     False, False),
]


@pytest.mark.parametrize("case", NA_CASES, ids=[c[0] for c in NA_CASES])
def test_neighborhood_attention(pipeline, case):
    _, sp, H, Hkv, D, Dv, ks, dil, st, causal, rpb, lse = case
    rng = np.random.default_rng(seed(case[0]))
    q, k, v = rnd(rng, 1, *sp, H, D), rnd(rng, 1, *sp, Hkv, D), rnd(rng, 1, *sp, Hkv, Dv)
    ks_t = (ks,) * len(sp) if isinstance(ks, int) else ks
    bias = rnd(rng, H, *[2 * a - 1 for a in ks_t]) if rpb else None
    got = ops.neighborhood_attention(q, k, v, ks, dilation=dil, is_causal=causal,
                                     rpb=bias, stride=st, return_lse=lse,
                                     pipeline=pipeline)
    want = ref.neighborhood_attention(q, k, v, ks, dilation=dil, stride=st,
                                      is_causal=causal, rpb=bias, return_lse=True)
    if lse:
        close(got[0], want[0])
        close(got[1], want[1])
    else:
        close(got, want[0])


SWA_CASES = [
    # id, Tq, Tk, H, Hkv, D, Dv, window_size, causal, lse
    ("window_gqa", 37, 37, 4, 2, 48, 48, (5, 0), False, True),
    ("causal_flag", 20, 20, 2, 2, 16, 16, (-1, -1), True, False),
    ("bidirectional_tq_lt_tk", 9, 23, 2, 1, 8, 6, (3, 2), False, True),
    ("rows_without_keys", 9, 4, 1, 1, 8, 8, (1, 0), False, True),
]


@pytest.mark.parametrize("case", SWA_CASES, ids=[c[0] for c in SWA_CASES])
def test_sliding_window_attention(pipeline, case):
    _, Tq, Tk, H, Hkv, D, Dv, window, causal, lse = case
    rng = np.random.default_rng(seed(case[0]))
    q, k, v = rnd(rng, 2, Tq, H, D), rnd(rng, 2, Tk, Hkv, D), rnd(rng, 2, Tk, Hkv, Dv)
    got = ops.sliding_window_attention(q, k, v, window, causal=causal,
                                       return_lse=lse, pipeline=pipeline)
    left, right = window[0], 0 if causal else window[1]
    want = ref.sliding_window_attention(q, k, v, left, right, return_lse=True)
    if lse:
        close(got[0], want[0])
        np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-5)  # -inf ok
    else:
        close(got, want[0])


# ---------------------------------------------------------------------------
# hadamard
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 12, 48, 28, 40])
def test_hadamard(pipeline, n):
    rng = np.random.default_rng(n)
    x = rnd(rng, 2, 3, n)
    close(ops.hadamard(x, pipeline=pipeline), ref.hadamard(x), atol=2e-5)


def test_hadamard_f16_and_int8(pipeline):
    rng = np.random.default_rng(4)
    x = rnd(rng, 5, 24)
    y16 = ops.hadamard(x.astype(np.float16), pipeline=pipeline)
    assert y16.dtype == np.float16
    np.testing.assert_allclose(y16.astype(np.float32),
                               ref.hadamard(x.astype(np.float16)), rtol=1e-3, atol=1e-3)
    q = ops.hadamard(x * 3, quant_scale=0.02, pipeline=pipeline)
    assert q.dtype == np.int8
    want = ref.quantize(ref.hadamard(x * 3), 0.02)
    # One int8 step at most where the f32 sum lands next to a .5 tie.
    assert np.max(np.abs(q.astype(np.int32) - want.astype(np.int32))) <= 1


# ---------------------------------------------------------------------------
# The kernel cache
# ---------------------------------------------------------------------------

def test_kernel_cache(compiled, monkeypatch):
    """One compilation per (op, shapes, dtypes, options, pipeline, tile)."""
    compiled = []
    inner = ops._compile_text

    def counting(text, entry, pipeline, tile):
        compiled.append((pipeline, tile))
        return inner(text, entry, pipeline, tile)

    monkeypatch.setattr(ops, "_compile_text", counting)
    ops.clear_cache()
    rng = np.random.default_rng(5)
    x, w = rnd(rng, 1, 6, 8), rnd(rng, 8, 3)
    first = ops.causal_conv1d(x, w, pipeline="reference")
    again = ops.causal_conv1d(rnd(rng, 1, 6, 8), w, pipeline="reference")
    assert len(compiled) == 1 and first.shape == again.shape
    ops.causal_conv1d(rnd(rng, 1, 7, 8), w, pipeline="reference")      # shape
    ops.causal_conv1d(x.astype(np.float16), w, pipeline="reference")   # dtype
    ops.causal_conv1d(x, w, activation="silu", pipeline="reference")   # option
    ops.causal_conv1d(x, w, pipeline="cpu")                            # pipeline
    ops.causal_conv1d(x, w, pipeline="cpu", tile="#seqmix.cpu_tiling<threads = [0, 2, 0]>")
    assert len(compiled) == 6
    ops.causal_conv1d(x, w, activation="swish", pipeline="reference")  # = silu
    ops.causal_conv1d(x, w, pipeline="cpu", tile="#seqmix.cpu_tiling<threads = [0, 2, 0]>")
    assert len(compiled) == 6
    ops.clear_cache()


# ---------------------------------------------------------------------------
# Bad arguments: an exception naming the argument, nothing compiled
# ---------------------------------------------------------------------------

_r = np.random.default_rng(0)
f32 = lambda *s: _r.uniform(-1, 1, size=s).astype(np.float32)  # noqa: E731
Q, K, V = f32(2, 64, 4, 32), f32(2, 64, 4, 32), f32(2, 64, 4, 32)
U, DT, AM, BM = f32(1, 10, 8), f32(1, 10, 8), f32(8, 4), f32(1, 10, 2, 4)
X4, DT3, A1, B4 = f32(1, 10, 4, 6), f32(1, 10, 4), f32(4), f32(1, 10, 2, 3)
XC, WC = f32(2, 10, 8), f32(8, 4)
QN, KN = f32(1, 9, 2, 8), f32(1, 9, 2, 8)

la, ss, sd, cc = (ops.linear_attention, ops.selective_scan, ops.ssd,
                  ops.causal_conv1d)
na, swa, had = (ops.neighborhood_attention, ops.sliding_window_attention,
                ops.hadamard)

BAD = [
    # id, call, exception, words the message must contain
    ("la_k_rank", lambda: la(Q, K[..., 0], V), ValueError,
     ["'k'", "(B, T, Hqk, K) = (2, 64, 4, 32)", "(2, 64, 4)"]),
    ("la_v_dtype", lambda: la(Q, K, V.astype(np.float64)), TypeError, ["'v'", "float64"]),
    ("la_int_q", lambda: la(Q.astype(np.int32), K, V), TypeError, ["'q'", "dtype"]),
    ("la_gqa", lambda: la(Q[:, :, :3], K[:, :, :3], V), ValueError, ["'v'", "Hqk = 3"]),
    ("la_gate_rank", lambda: la(Q, K, V, log_decay=f32(2, 64)), ValueError,
     ["'log_decay'"]),
    ("la_gate_shape", lambda: la(Q, K, V, log_decay=f32(5)), ValueError,
     ["'log_decay'", "(H,) = (4,)"]),
    ("la_beta", lambda: la(Q, K, V, beta=f32(2, 64, 4, 1)), ValueError, ["'beta'"]),
    ("la_cu_batch", lambda: la(Q, K, V, cu_seqlens=np.array([0, 64], np.int32)),
     ValueError, ["'cu_seqlens'", "B = 2"]),
    ("la_cu_dtype", lambda: la(Q[:1], K[:1], V[:1], cu_seqlens=np.array([0., 64.])),
     TypeError, ["'cu_seqlens'", "int32"]),
    ("la_cu_end", lambda: la(Q[:1], K[:1], V[:1], cu_seqlens=np.array([0, 60])),
     ValueError, ["'cu_seqlens'", "T = 64"]),
    ("la_cu_order", lambda: la(Q[:1], K[:1], V[:1], cu_seqlens=np.array([0, 40, 30, 64])),
     ValueError, ["'cu_seqlens'", "non-decreasing"]),
    ("la_state", lambda: la(Q, K, V, initial_state=f32(2, 4, 32, 31)), ValueError,
     ["'initial_state'", "(Nseq, H, K, V) = (2, 4, 32, 32)"]),
    ("la_qk_norm", lambda: la(Q, K, V, qk_norm="l1"), ValueError, ["'qk_norm'"]),
    ("la_layout", lambda: la(Q, K, V, state_layout="KV"), ValueError, ["'state_layout'"]),
    ("la_scale_type", lambda: la(Q, K, V, scale="0.1"), TypeError, ["'scale'"]),
    ("la_scale_inf", lambda: la(Q, K, V, scale=float("inf")), ValueError, ["'scale'"]),
    ("la_flag", lambda: la(Q, K, V, output_final_state="yes"), TypeError,
     ["'output_final_state'"]),
    ("la_pipeline", lambda: la(Q, K, V, pipeline="tpu"), ValueError, ["'pipeline'"]),
    ("la_tile", lambda: la(Q, K, V, tile=3), TypeError, ["'tile'"]),
    ("ss_A", lambda: ss(U, DT, f32(7, 4), BM, BM), ValueError, ["'A'", "(D, N) = (8, ?)"]),
    ("ss_C", lambda: ss(U, DT, AM, BM, f32(1, 10, 2, 5)), ValueError,
     ["'C'", "(B, T, G, N) = (1, 10, 2, 4)"]),
    ("ss_groups", lambda: ss(U, DT, f32(8, 4), f32(1, 10, 3, 4), f32(1, 10, 3, 4)),
     ValueError, ["'B'", "G = 3"]),
    ("ss_D", lambda: ss(U, DT, AM, BM, BM, D=f32(7)), ValueError, ["'D'"]),
    ("ss_z", lambda: ss(U, DT, AM, BM, BM, z=f32(1, 10, 8).astype(np.float64)),
     TypeError, ["'z'"]),
    ("ss_softplus", lambda: ss(U, DT, AM, BM, BM, delta_softplus=1), TypeError,
     ["'delta_softplus'"]),
    ("ss_state", lambda: ss(U, DT, AM, BM, BM, initial_state=f32(1, 4, 8)), ValueError,
     ["'initial_state'"]),
    ("ssd_D_rank", lambda: sd(X4, DT3, A1, B4, B4, D=f32(4, 6, 1)), ValueError, ["'D'"]),
    ("ssd_dt", lambda: sd(X4, f32(1, 10, 2), A1, B4, B4), ValueError, ["'dt'"]),
    ("ssd_limit_order", lambda: sd(X4, DT3, A1, B4, B4, dt_limit=(2.0, 1.0)), ValueError,
     ["'dt_limit'"]),
    ("ssd_limit_type", lambda: sd(X4, DT3, A1, B4, B4, dt_limit="ab"), TypeError,
     ["'dt_limit'"]),
    ("ssd_limit_nan", lambda: sd(X4, DT3, A1, B4, B4, dt_limit=(0, float("nan"))),
     ValueError, ["'dt_limit'"]),
    ("conv_state_order", lambda: cc(XC, WC, initial_state=f32(2, 8, 3)), ValueError,
     ["'initial_state'", "transpose"]),
    ("conv_activation", lambda: cc(XC, WC, activation="relu"), ValueError,
     ["'activation'"]),
    ("conv_w0", lambda: cc(XC, f32(8, 0)), ValueError, ["'weight'"]),
    ("conv_weight", lambda: cc(XC, f32(4, 8)), ValueError, ["'weight'", "(D, W)"]),
    ("na_q_rank", lambda: na(f32(9, 2, 8), f32(9, 2, 8), f32(9, 2, 8), 3), ValueError,
     ["'q'"]),
    ("na_kernel_big", lambda: na(QN, KN, KN, 5, dilation=2), ValueError,
     ["'kernel_size'"]),
    ("na_kernel_entries", lambda: na(QN, KN, KN, (3, 3)), ValueError, ["'kernel_size'"]),
    ("na_kernel_none", lambda: na(QN, KN, KN, None), TypeError, ["'kernel_size'"]),
    ("na_kernel_zero", lambda: na(QN, KN, KN, 0), ValueError, ["'kernel_size'"]),
    ("na_stride", lambda: na(QN, KN, KN, 3, stride=4), ValueError, ["'stride'"]),
    ("na_causal_type", lambda: na(QN, KN, KN, 3, is_causal=1), TypeError, ["'is_causal'"]),
    ("na_rpb_causal", lambda: na(QN, KN, KN, 3, is_causal=True, rpb=f32(2, 5)),
     ValueError, ["'rpb'"]),
    ("na_rpb_shape", lambda: na(QN, KN, KN, 3, rpb=f32(2, 3)), ValueError,
     ["'rpb'", "(H, 2k1-1) = (2, 5)"]),
    ("na_k_heads", lambda: na(QN, f32(1, 9, 3, 8), f32(1, 9, 3, 8), 3), ValueError,
     ["'k'"]),
    ("swa_window_value", lambda: swa(QN, KN, KN, (-2, 0)), ValueError, ["'window_size'"]),
    ("swa_window_type", lambda: swa(QN, KN, KN, 5), TypeError, ["'window_size'"]),
    ("swa_window_float", lambda: swa(QN, KN, KN, (1.5, 0)), TypeError,
     ["'window_size'"]),
    ("swa_k_dim", lambda: swa(QN, f32(1, 9, 2, 7), KN), ValueError, ["'k'"]),
    ("had_n", lambda: had(f32(3, 10)), ValueError, ["'x'", "N = 10"]),
    ("had_rank0", lambda: had(np.float32(1.0)), ValueError, ["'x'"]),
    ("had_dtype", lambda: had(np.ones((2, 4), np.int32)), TypeError, ["'x'"]),
    ("had_quant", lambda: had(f32(2, 4), quant_scale=0.0), ValueError, ["'quant_scale'"]),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_arguments(monkeypatch, case):
    _, call, exc, words = case

    def no_compile(*args):
        raise AssertionError("compiled despite a bad argument")

    monkeypatch.setattr(ops, "_compile_text", no_compile)
    ops.clear_cache()
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    assert message.startswith("seqmix.ops."), message
    for w in words:
        assert w in message, message
