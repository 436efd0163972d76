"""Compiled routing, windowed attention, Hadamard and generic scans against
the numpy references (reference pipeline)."""

import pathlib
import zlib

import numpy as np
import pytest

from seqmix import reference as ref
from seqmix.run import Arg, Out, arguments, func, single_op_module, tensor_type

from half_floats import HALF_REL, close_to_scale, half_inputs


def seed(name):
    return zlib.crc32(name.encode())


def rnd(rng, *shape):
    return rng.uniform(-1, 1, size=shape).astype(np.float32)


def close(got, want, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=rtol,
                               atol=atol)


# ---------------------------------------------------------------------------
# Mixture-of-Memories routing
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("T", [13, 37])
@pytest.mark.parametrize("score,renorm,k", [("softmax", True, 2),
                                            ("sigmoid", False, 3),
                                            ("softmax", False, 1)])
def test_route(compiled, score, renorm, k, T):
    """T = 37: two 16-token vectors of the CPU pipeline's route and a
    scalar tail, with ties in both."""
    rng = np.random.default_rng(seed(score + str(k)))
    B, M = 2, 5
    logits = rnd(rng, B, T, M)
    logits[0, 0] = 0.5          # every memory tied: picks 0, 1, ..
    logits[1, 2, 1:4] = 0.25    # a three-way tie
    logits[1, T - 1, ::2] = -0.5
    attrs = f"top_k = {k} : i64, score = #seqmix.score<{score}>"
    if renorm:
        attrs += ", renormalize"
    idx, w = compiled.run(route_module(logits, k, attrs), [logits])
    want_i, want_w = ref.route(logits, k, score=score, renormalize=renorm)
    np.testing.assert_array_equal(idx, want_i)
    close(w, want_w)


def route_module(logits, k, attrs):
    B, T, _ = logits.shape
    return single_op_module("route", [Arg("logits", logits)], [], attrs,
                            [Out("indices", tensor_type((B, T, k), "i32")),
                             Out("weights", tensor_type((B, T, k), "f32"))])


def test_route_ranks_on_logits_not_saturated_scores(compiled):
    """Sigmoid scores of logits 30 and 40 are both 1.0f in f32: the pick
    follows the logits (memory 2, logit 40), not a tie of the scores (which
    would go to the lower index); the weight is still the score."""
    logits = np.full((1, 2, 4), -1.0, np.float32)
    logits[0, :, 0] = 30.0
    logits[0, :, 2] = 40.0
    logits[0, 1, 3] = 35.0   # second token: order 40, 35, 30
    assert np.float32(ref.sigmoid(30.0)) == np.float32(ref.sigmoid(40.0)) == 1.0
    attrs = "top_k = 1 : i64, score = #seqmix.score<sigmoid>"
    idx, w = compiled.run(route_module(logits, 1, attrs), [logits])
    np.testing.assert_array_equal(idx, [[[2], [2]]])
    close(w, [[[1.0], [1.0]]])
    want_i, want_w = ref.route(logits, 1, score="sigmoid")
    np.testing.assert_array_equal(idx, want_i)
    close(w, want_w)
    attrs = "top_k = 3 : i64, score = #seqmix.score<sigmoid>"
    idx, w = compiled.run(route_module(logits, 3, attrs), [logits])
    np.testing.assert_array_equal(idx, [[[2, 0, 1], [2, 3, 0]]])
    want_i, want_w = ref.route(logits, 3, score="sigmoid")
    np.testing.assert_array_equal(idx, want_i)
    close(w, want_w)


def routing_module(B, T, F, M, k, Dout):
    """route -> dispatch -> segment_matmul -> combine, returning every
    intermediate. segment_matmul and combine accumulate into zeros."""
    logits = Arg("logits", np.zeros((B, T, M), np.float32))
    x = Arg("x", np.zeros((B, T, F), np.float32))
    W = Arg("W", np.zeros((M, F, Dout), np.float32))
    R = B * T * k
    t = tensor_type
    ti, tw = t((B, T, k), 'i32'), t((B, T, k), 'f32')
    tp, toff, trows = t((R, F), 'f32'), t((B * M + 1,), 'i32'), t((R,), 'i32')
    th, to = t((R, Dout), 'f32'), t((B, T, Dout), 'f32')
    body = [
        f"%ie = tensor.empty() : {ti}",
        f"%we = tensor.empty() : {tw}",
        f"%i, %w = seqmix.route ins(%logits : {logits.type}) outs(%ie, %we : {ti}, {tw}) "
        f"{{top_k = {k} : i64, renormalize}} -> {ti}, {tw}",
        f"%pe = tensor.empty() : {tp}",
        f"%offe = tensor.empty() : {toff}",
        f"%rowse = tensor.empty() : {trows}",
        f"%p, %off, %rows = seqmix.dispatch ins(%x, %i : {x.type}, {ti}) "
        f"outs(%pe, %offe, %rowse : {tp}, {toff}, {trows}) "
        f"{{num_memories = {M} : i64}} -> {tp}, {toff}, {trows}",
        "%zero = arith.constant 0.0 : f32",
        f"%he = tensor.empty() : {th}",
        f"%h0 = linalg.fill ins(%zero : f32) outs(%he : {th}) -> {th}",
        f"%h = seqmix.segment_matmul ins(%p, %W, %off : {tp}, {W.type}, {toff}) outs(%h0 : {th}) -> {th}",
        f"%oe = tensor.empty() : {to}",
        f"%o0 = linalg.fill ins(%zero : f32) outs(%oe : {to}) -> {to}",
        f"%o = seqmix.combine ins(%h, %rows, %w : {th}, {trows}, {tw}) outs(%o0 : {to}) -> {to}",
    ]
    rets = [("%i", t((B, T, k), "i32")), ("%w", t((B, T, k), "f32")),
            ("%p", t((R, F), "f32")), ("%off", t((B * M + 1,), "i32")),
            ("%rows", t((R,), "i32")), ("%h", t((R, Dout), "f32")),
            ("%o", t((B, T, Dout), "f32"))]
    return func("main", [logits, x, W], body, rets)


def test_mom_routing_chain(compiled):
    rng = np.random.default_rng(1)
    B, T, F, M, k, Dout = 2, 11, 6, 4, 2, 5
    logits, x, W = rnd(rng, B, T, M), rnd(rng, B, T, F), rnd(rng, M, F, Dout)
    logits[1, :, 3] = 5.0  # memory 3 takes every token of batch 1
    idx, w, p, off, rows, h, o = compiled.run(routing_module(B, T, F, M, k, Dout),
                                              [logits, x, W])
    wi, ww = ref.route(logits, k, renormalize=True)
    np.testing.assert_array_equal(idx, wi)
    wp, woff, wrows = ref.dispatch(x, wi, M)
    np.testing.assert_array_equal(off, woff)
    np.testing.assert_array_equal(rows, wrows)
    close(p, wp)
    wh = ref.segment_matmul(wp, W, woff)
    close(h, wh)
    close(o, ref.combine(wh, wrows, ww))


def test_segment_matmul_accumulates_into_init(compiled):
    """result = init + packed · W[s mod M] per segment, like linalg.matmul;
    rows of an empty segment keep their init."""
    rng = np.random.default_rng(31)
    R, F, M, Dout = 10, 6, 3, 4
    packed, W = rnd(rng, R, F), rnd(rng, M, F, Dout)
    off = np.array([0, 3, 3, 7, 8, 8, 10], np.int32)   # B = 2 batches of M = 3
    acc = rnd(rng, R, Dout) * 4
    ins = [Arg("packed", packed), Arg("W", W), Arg("offsets", off)]
    dest = [Out("result", init=Arg("acc", acc))]
    text = single_op_module("segment_matmul", ins, [], "", dest)
    got = compiled.run(text, [a.data for a in arguments(ins, [], dest)])[0]
    close(got, acc.astype(np.float64) + ref.segment_matmul(packed, W, off))


@pytest.mark.parametrize("Dout", [50, 16, 3])
def test_segment_matmul_register_tiles(compiled, Dout):
    """Wide enough for the CPU pipeline's matmul kernel per segment: panels
    of NR columns, a one-vector panel and scalar columns (Dout = 50),
    segments longer and shorter than MR, empty segments, i64 offsets."""
    rng = np.random.default_rng(seed(f"segmm{Dout}"))
    R, F, M = 70, 40, 3
    packed, W = rnd(rng, R, F), rnd(rng, M, F, Dout)
    off = np.array([0, 17, 17, 20, 45, 61, 70], np.int64)
    acc = rnd(rng, R, Dout)
    ins = [Arg("packed", packed), Arg("W", W), Arg("offsets", off)]
    dest = [Out("result", init=Arg("acc", acc))]
    text = single_op_module("segment_matmul", ins, [], "", dest)
    got = compiled.run(text, [a.data for a in arguments(ins, [], dest)])[0]
    close(got, acc.astype(np.float64) + ref.segment_matmul(packed, W, off),
          atol=1e-4)


def test_combine_accumulates_into_init(compiled):
    """result = init + Σ_j w · packed[row]: combine adds to what it is given
    (e.g. a residual or the shared memory's output)."""
    rng = np.random.default_rng(32)
    B, T, k, M, F = 2, 5, 2, 3, 4
    idx = np.stack([rng.permutation(M)[:k] for _ in range(B * T)]).reshape(B, T, k)
    _, _, rows = ref.dispatch(np.zeros((B, T, 1), np.float32), idx, M)
    packed, w = rnd(rng, B * T * k, F), rng.uniform(0, 1, (B, T, k)).astype(np.float32)
    acc = rnd(rng, B, T, F) * 4
    ins = [Arg("packed", packed), Arg("rows", rows), Arg("weights", w)]
    dest = [Out("result", init=Arg("acc", acc))]
    text = single_op_module("combine", ins, [], "", dest)
    got = compiled.run(text, [a.data for a in arguments(ins, [], dest)])[0]
    close(got, acc.astype(np.float64) + ref.combine(packed, rows, w))


@pytest.mark.parametrize("features", [(40,), (3, 20), (64,)])
def test_combine_register_tiles(compiled, features):
    """Wide enough for the CPU pipeline's combine on vectors: 16-lane
    chunks of the last feature axis and the features left over, an outer
    feature axis, threads over features (64), slots in any order."""
    rng = np.random.default_rng(seed(f"combine{features}"))
    B, T, k, M = 2, 9, 2, 4
    idx = np.stack([rng.permutation(M)[:k] for _ in range(B * T)]).reshape(B, T, k)
    _, _, rows = ref.dispatch(np.zeros((B, T, 1), np.float32), idx, M)
    packed = rnd(rng, B * T * k, *features)
    w = rng.uniform(0, 1, (B, T, k)).astype(np.float32)
    acc = rnd(rng, B, T, *features)
    ins = [Arg("packed", packed), Arg("rows", rows), Arg("weights", w)]
    dest = [Out("result", init=Arg("acc", acc))]
    text = single_op_module("combine", ins, [], "", dest)
    got = compiled.run(text, [a.data for a in arguments(ins, [], dest)])[0]
    close(got, acc.astype(np.float64) + ref.combine(packed, rows, w))


def test_dispatch_feature_axes_and_empty_memories(compiled):
    """Several feature axes, i64 indices, memories nobody picks."""
    rng = np.random.default_rng(2)
    B, T, k, M = 1, 7, 2, 6
    x = rnd(rng, B, T, 3, 2)
    idx = rng.integers(0, 3, size=(B, T, k)).astype(np.int64)
    a, i = Arg("x", x), Arg("idx", idx)
    R = B * T * k
    text = single_op_module("dispatch", [a, i], [], f"num_memories = {M} : i64",
                            [Out("packed", tensor_type((R, 3, 2), "f32")),
                             Out("offsets", tensor_type((B * M + 1,), "i32")),
                             Out("rows", tensor_type((R,), "i32"))])
    p, off, rows = compiled.run(text, [x, idx])
    wp, woff, wrows = ref.dispatch(x, idx, M)
    close(p, wp)
    np.testing.assert_array_equal(off, woff)
    np.testing.assert_array_equal(rows, wrows)


# ---------------------------------------------------------------------------
# Windowed attention
# ---------------------------------------------------------------------------

NA_CASES = [
    # id, spatial, H, Hkv, D, Dv, kernel, dilation, stride, causal, rpb, lse
    ("1d", (13,), 2, 2, 8, 8, (5,), None, None, None, False, True),
    ("1d_even_gqa", (11,), 4, 2, 8, 6, (4,), None, None, None, False, False),
    ("1d_dilated_strided", (16,), 2, 1, 8, 8, (3,), (2,), (2,), None, True, True),
    ("1d_causal_strided", (12,), 2, 2, 8, 8, (5,), None, (3,), (True,), False, True),
    ("2d_rpb", (7, 9), 2, 2, 8, 8, (3, 5), None, None, None, True, True),
    ("2d_mixed", (8, 6), 2, 1, 6, 4, (3, 3), (2, 1), (1, 2), (True, False), False, True),
    ("3d", (4, 5, 6), 1, 1, 8, 8, (3, 3, 3), (1, 1, 2), None, (False, False, True), False, True),
    ("full_window", (6,), 1, 1, 8, 8, (6,), None, None, None, False, True),
    # 1-D, no dilation, Dv a multiple of 16: the CPU pipeline's online-softmax
    # tiles (windows shifted at both borders, strides, causal, rpb, GQA).
    ("wide_1d_rpb_gqa", (45,), 4, 2, 32, 32, (9,), None, None, None, True, True),
    ("wide_1d_even_strided", (70,), 2, 2, 64, 64, (20,), None, (4,), None, False, True),
    ("wide_1d_causal", (37,), 2, 1, 48, 16, (13,), None, (2,), (True,), False, True),
    ("wide_1d_full", (21,), 1, 1, 16, 48, (21,), None, None, None, True, False),
    # 2-D and 3-D without dilation: boxes of key runs along the last axis
    # (runs shorter and longer than a 16-key tile, rows not a multiple of 4).
    ("wide_2d_rpb_gqa", (9, 23), 4, 2, 32, 32, (3, 7), None, None, None, True, True),
    ("wide_2d_causal_strided", (10, 18), 2, 2, 16, 16, (5, 5), None, (2, 1), (True, False), False, True),
    ("wide_3d_causal", (4, 6, 19), 2, 1, 32, 16, (3, 3, 5), None, None, (True, False, False), False, True),
    # Dilated, last-axis kernel <= 16, no rpb: vectors of queries, offsets
    # stepping by the dilation (axis lengths not multiples of it).
    ("wide_1d_dilated_strided", (50,), 2, 1, 16, 16, (7,), (3,), (2,), None, False, True),
    ("wide_2d_dilated", (11, 20), 2, 1, 16, 16, (3, 5), (2, 3), None, None, False, True),
    ("wide_3d_dilated_causal", (5, 9, 20), 2, 2, 32, 32, (3, 3, 5), (1, 2, 3), None, (True, False, False), False, True),
    ("wide_2d_dilated_rpb", (12, 19), 2, 2, 16, 16, (3, 5), (2, 2), None, None, True, True),
    ("wide_1d_rpb_strided", (41,), 2, 1, 16, 32, (7,), None, (3,), None, True, True),
    # NATTEN's plain last axis (no rpb, causal mask, dilation or stride
    # there): static steps, border lanes' keys broadcast; vectors with left
    # or right border lanes, both, or none; a row shorter than a vector;
    # kernels of a whole vector and even ones; D not a multiple of 16.
    ("centered_2d_gqa", (9, 37), 4, 2, 32, 32, (5, 7), None, None, None, False, True),
    ("centered_2d_k16", (5, 20), 2, 2, 16, 16, (3, 16), None, None, None, False, True),
    ("centered_2d_even", (6, 21), 2, 2, 16, 32, (4, 6), None, None, None, False, True),
    ("centered_2d_long_rows", (3, 70), 1, 1, 16, 16, (3, 9), None, None, None, False, False),
    ("centered_3d_d48", (3, 4, 18), 2, 1, 48, 48, (3, 3, 3), None, None, None, False, True),
    ("centered_1d_short", (9,), 2, 2, 32, 16, (9,), None, None, None, False, True),
    # The ring of transposed key rows: windows that go back in row order
    # (the frames of a dilated or strided outer axis, a causal one with GQA
    # heads sharing the ring).
    ("ring_3d_dilated_outer", (7, 6, 20), 2, 1, 16, 16, (3, 3, 5), (2, 1, 1), (1, 2, 1), None, False, True),
    ("ring_3d_causal_outer_gqa", (6, 9, 21), 4, 2, 16, 16, (3, 5, 7), None, None, (True, False, False), False, True),
    ("ring_3d_strided_outer", (9, 5, 17), 2, 2, 16, 16, (3, 3, 7), None, (3, 1, 1), None, False, False),
]


def na_attrs(ks, dil, st, causal):
    """neighborhood_attention's kernel, dilation, stride and causal axes as
    IR attributes (those given)."""
    attrs = [f"kernel_size = array<i64: {', '.join(map(str, ks))}>"]
    if dil:
        attrs.append(f"dilation = array<i64: {', '.join(map(str, dil))}>")
    if st:
        attrs.append(f"stride = array<i64: {', '.join(map(str, st))}>")
    if causal:
        attrs.append("is_causal = array<i1: " +
                     ", ".join("true" if c else "false" for c in causal) + ">")
    return attrs


@pytest.mark.parametrize("case", NA_CASES, ids=[c[0] for c in NA_CASES])
def test_neighborhood_attention(compiled, case):
    _, sp, H, Hkv, D, Dv, ks, dil, st, causal, rpb, lse = case
    rng = np.random.default_rng(seed(case[0]))
    q, k, v = rnd(rng, 1, *sp, H, D), rnd(rng, 1, *sp, Hkv, D), rnd(rng, 1, *sp, Hkv, Dv)
    scale = D ** -0.5
    opt, kw = [], {}
    if rpb:
        kw["rpb"] = rnd(rng, H, *[2 * x - 1 for x in ks])
        opt.append(Arg("rpb", kw["rpb"]))
    attrs = na_attrs(ks, dil, st, causal) + [f"scale = {scale!r} : f32"]
    dest = [Out("o", tensor_type((1, *sp, H, Dv), "f32"))]
    if lse:
        dest.append(Out("lse", tensor_type((1, *sp, H), "f32")))
    text = single_op_module("neighborhood_attention",
                            [Arg("q", q), Arg("k", k), Arg("v", v)], opt,
                            ", ".join(attrs), dest)
    outs = compiled.run(text, [q, k, v] + [a.data for a in opt])
    want = ref.neighborhood_attention(q, k, v, ks, dilation=dil, stride=st,
                                      is_causal=causal, scale=scale,
                                      return_lse=True, **kw)
    close(outs[0], want[0])
    if lse:
        close(outs[1], want[1])


SWA_CASES = [
    # id, Tq, Tk, H, Hkv, D, Dv, left, right
    ("causal", 20, 20, 2, 2, 8, 8, -1, 0),
    ("window", 33, 33, 4, 2, 8, 6, 5, 0),
    ("bidirectional", 17, 17, 2, 1, 8, 8, 3, 2),
    ("decode_tq1", 1, 30, 2, 2, 16, 16, 7, 0),
    ("tq_gt_tk_masked_rows", 9, 4, 1, 1, 8, 8, 1, 0),
    ("full", 5, 12, 2, 2, 8, 8, -1, -1),
    # Wide enough for the CPU pipeline's online-softmax tiles (16 keys, Dv
    # a multiple of 16): windows cutting tiles, query blocks of 4 and a
    # remainder row, GQA, Tq != Tk, rows without keys, D = 48 and 192.
    ("wide_causal_gqa", 37, 37, 4, 2, 64, 64, -1, 0),
    ("wide_window", 70, 70, 2, 1, 48, 48, 21, 0),
    ("wide_bidirectional", 45, 61, 2, 2, 192, 32, 9, 17),
    ("wide_decode", 1, 100, 2, 1, 64, 64, 40, 0),
    ("wide_tq_gt_tk", 23, 9, 1, 1, 32, 16, 2, 0),
    ("wide_full", 19, 50, 2, 2, 16, 128, -1, -1),
    # The GPU's flash blocks: three blocks of 128 queries, windows of 156
    # keys over several tiles of 64, a block's keys reaching past its
    # last query.
    ("long_window_blocks", 300, 300, 2, 1, 32, 16, 150, 5),
]


@pytest.mark.parametrize("case", SWA_CASES, ids=[c[0] for c in SWA_CASES])
def test_sliding_window_attention(compiled, case):
    _, Tq, Tk, H, Hkv, D, Dv, left, right = case
    rng = np.random.default_rng(seed(case[0]))
    q, k, v = rnd(rng, 2, Tq, H, D), rnd(rng, 2, Tk, Hkv, D), rnd(rng, 2, Tk, Hkv, Dv)
    scale = D ** -0.5
    attrs = (f"window_left = {left} : i64, window_right = {right} : i64, "
             f"scale = {scale!r} : f32")
    text = single_op_module("sliding_window_attention",
                            [Arg("q", q), Arg("k", k), Arg("v", v)], [], attrs,
                            [Out("o", tensor_type((2, Tq, H, Dv), "f32")),
                             Out("lse", tensor_type((2, Tq, H), "f32"))])
    o, lse = compiled.run(text, [q, k, v])
    wo, wl = ref.sliding_window_attention(q, k, v, left, right, scale=scale,
                                          return_lse=True)
    close(o, wo)
    np.testing.assert_allclose(lse, wl, rtol=1e-5, atol=1e-5)  # -inf == -inf


HALF_CASES = [
    # id, op, spatial, H, Hkv, D, Dv, attributes (NA: kernel, dilation,
    # stride, causal, rpb; SWA: left, right)
    ("swa_window_gqa", "swa", (150,), 4, 2, 64, 48, (40, 0)),
    ("swa_bidirectional", "swa", (45,), 2, 2, 32, 32, (9, 17)),
    ("na1d_dilated_causal", "na", (50,), 2, 1, 16, 16, ((7,), (3,), (2,), (True,), False)),
    ("na2d_rpb_gqa", "na", (9, 23), 4, 2, 32, 32, ((3, 7), None, None, None, True)),
    ("na3d_causal", "na", (4, 6, 19), 2, 1, 32, 16, ((3, 3, 5), None, None, (True, False, False), False)),
]


@pytest.mark.parametrize("dtype", ["bf16", "f16"])
@pytest.mark.parametrize("case", HALF_CASES, ids=[c[0] for c in HALF_CASES])
def test_windowed_attention_half_inputs(compiled, case, dtype):
    """bf16 and f16 q, k, v (the GPU pipelines' tensor-core form: query
    blocks of whole warps, key tiles past the window's end, rows without
    queries): sliding windows and neighborhoods in 1-3 D with GQA, rpb,
    dilation, stride and causal axes; o and lse against the reference on
    the rounded inputs."""
    _, kind, sp, H, Hkv, D, Dv, attrs = case
    rng = np.random.default_rng(seed(case[0] + dtype))
    q, k, v = rnd(rng, 1, *sp, H, D), rnd(rng, 1, *sp, Hkv, D), rnd(rng, 1, *sp, Hkv, Dv)
    raw, (qf, kf, vf) = half_inputs(dtype, [q, k, v])
    scale = D ** -0.5
    opt, kw = [], {}
    if kind == "swa":
        left, right = attrs
        op = "sliding_window_attention"
        text_attrs = [f"window_left = {left} : i64", f"window_right = {right} : i64"]
    else:
        ks, dil, st, causal, rpb = attrs
        op = "neighborhood_attention"
        text_attrs = na_attrs(ks, dil, st, causal)
        if rpb:
            kw["rpb"] = rnd(rng, H, *[2 * x - 1 for x in ks])
            opt.append(Arg("rpb", kw["rpb"]))
    text_attrs.append(f"scale = {scale!r} : f32")
    ins = [Arg(n, r, dtype) for n, r in zip("qkv", raw)]
    dest = [Out("o", tensor_type((1, *sp, H, Dv), "f32")),
            Out("lse", tensor_type((1, *sp, H), "f32"))]
    text = single_op_module(op, ins, opt, ", ".join(text_attrs), dest)
    o, lse = compiled.run(text, raw + [a.data for a in opt])
    if kind == "swa":
        want = ref.sliding_window_attention(qf, kf, vf, left, right, scale=scale,
                                            return_lse=True)
    else:
        want = ref.neighborhood_attention(qf, kf, vf, ks, dilation=dil, stride=st,
                                          is_causal=causal, scale=scale,
                                          return_lse=True, **kw)
    close_to_scale(o, want[0], HALF_REL[dtype])
    # The scores are exact products of the rounded inputs, summed in f32.
    np.testing.assert_allclose(lse, want[1], rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------
# Hadamard
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 16, 12, 24, 20, 40, 28, 56, 1536])
def test_hadamard(compiled, n):
    rng = np.random.default_rng(n)
    rows = 3 if n < 1000 else 2
    x = rnd(rng, rows, n)
    a = Arg("x", x)
    text = single_op_module("hadamard", [a], [], "", [Out("y", a.type)])
    y = compiled.run(text, [x])[0]
    close(y, ref.hadamard(x), atol=2e-5)


def test_hadamard_int8(compiled):
    """Rotation fused with int8 quantization: round half to even, clamp."""
    rng = np.random.default_rng(4)
    x = rnd(rng, 4, 12) * 3
    scale = 0.02
    a = Arg("x", x)
    qt = tensor_type((4, 12), f"!quant.uniform<i8:f32, {scale!r}>")
    text = single_op_module("hadamard", [a], [], "", [Out("y", qt)])
    y = compiled.run(text, [x])[0]
    assert y.dtype == np.int8
    want = ref.quantize(ref.hadamard(x), scale)
    # One step of int8 at most where the f32 sum lands next to a .5 tie.
    assert np.max(np.abs(y.astype(np.int32) - want.astype(np.int32))) <= 1
    assert np.mean(y == want) > 0.95


def test_qcast_rounds_half_even_and_clamps(compiled):
    """quant.qcast lowers with round-half-even and clamping (MLIR's own
    lower-quant-ops truncates and does not clamp)."""
    x = np.array([[0.25, 0.75, -0.25, -0.75, 1.25, 300.0, -300.0, 0.74]],
                 np.float32)
    scale = 0.5
    a = Arg("x", x)
    qt = tensor_type(x.shape, f"!quant.uniform<i8:f32, {scale!r}>")
    text = func("main", [a], [f"%q = quant.qcast %x : {a.type} to {qt}"],
                [("%q", qt)])
    q = compiled.run(text, [x])[0]
    np.testing.assert_array_equal(q, ref.quantize(x, scale))
    np.testing.assert_array_equal(q, [[0, 2, 0, -2, 2, 127, -128, 1]])


# ---------------------------------------------------------------------------
# Generic scan
# ---------------------------------------------------------------------------

def scan_module(B, T, C, nseq, cu):
    """h_t = a_t * h_{t-1} + x_t; y_t = h_t * 2 (a minGRU-style step)."""
    a = Arg("a", np.zeros((B, T, C), np.float32))
    x = Arg("x", np.zeros((B, T, C), np.float32))
    h0 = Arg("h0", np.zeros((nseq, C), np.float32))
    args = [a, x, h0]
    cu_txt = ""
    if cu is not None:
        c = Arg("cu", cu)
        args.append(c)
        cu_txt = f" cu_seqlens(%cu : {c.type})"
    st = tensor_type((C,), "f32")
    ty = tensor_type((B, T, C), "f32")
    body = [
        f"%y0 = tensor.empty() : {ty}",
        f"%s, %y = seqmix.scan ins(%a, %x : {a.type}, {x.type}){cu_txt} init(%h0 : {h0.type}) outs(%y0 : {ty}) {{",
        f"^bb0(%at: {st}, %xt: {st}, %h: {st}):",
        f"  %m = arith.mulf %at, %h : {st}",
        f"  %n = arith.addf %m, %xt : {st}",
        f"  %two = arith.constant dense<2.0> : {st}",
        f"  %o = arith.mulf %n, %two : {st}",
        f"  seqmix.yield %n, %o : {st}, {st}",
        f"}} -> {h0.type}, {tensor_type((B, T, C), 'f32')}",
    ]
    return func("main", args, body,
                [("%s", h0.type), ("%y", tensor_type((B, T, C), "f32"))])


@pytest.mark.parametrize("varlen", [False, True])
def test_scan(compiled, varlen):
    rng = np.random.default_rng(9)
    B, T, C = (1, 19, 4) if varlen else (3, 10, 4)
    cu = np.array([0, 6, 6, 19], np.int32) if varlen else None
    nseq = 3
    a = rng.uniform(0, 1, (B, T, C)).astype(np.float32)
    x, h0 = rnd(rng, B, T, C), rnd(rng, nseq, C)
    data = [a, x, h0] + ([cu] if varlen else [])
    s, y = compiled.run(scan_module(B, T, C, nseq, cu), data)

    def step(xs, states):
        h = xs[0] * states[0] + xs[1]
        return [h], [2 * h]

    wy, ws = ref.scan(step, [a, x], [h0], cu_seqlens=cu)
    close(s, ws[0])
    close(y, wy[0])


def diagonal_scan_module(D, N):
    """bench/cases/diagonal_scan.mlir at other sizes: a [D, N] state, A
    captured from outside the body, B and C shared by all channels."""
    text = (pathlib.Path(__file__).parents[2] / "bench" / "cases" /
            "diagonal_scan.mlir").read_text()
    return text.replace("1536", str(D)).replace("x16x", f"x{N}x") \
               .replace("x16xf32", f"x{N}xf32").replace("<16xf32>", f"<{N}xf32>")


@pytest.mark.parametrize("D,N", [(40, 4), (96, 16), (7, 3)])
def test_scan_diagonal_recurrence(compiled, D, N):
    """A user-authored diagonal recurrence (the Mamba-1 scan without its
    epilogue): the CPU pipeline runs it as scans over channel blocks on
    threads (seqmix-block-scan); D = 7 is prime (blocks of one channel)."""
    rng = np.random.default_rng(seed(f"diag{D}{N}"))
    T = 23
    u, dt = rnd(rng, 1, T, D), rng.uniform(0.01, 0.5, (1, T, D)).astype(np.float32)
    A = -rng.uniform(0.5, 4, (D, N)).astype(np.float32)
    B, C, h0 = rnd(rng, 1, T, N), rnd(rng, 1, T, N), rnd(rng, 1, D, N)
    y, h = compiled.run(diagonal_scan_module(D, N), [u, dt, A, B, C, h0])
    state = h0[0].astype(np.float64)
    want = np.zeros((1, T, D))
    for t in range(T):
        state = (np.exp(dt[0, t, :, None] * A) * state
                 + (dt[0, t] * u[0, t])[:, None] * B[0, t][None, :])
        want[0, t] = state @ C[0, t]
    close(y, want, atol=1e-4)
    close(h, state[None], atol=1e-4)
