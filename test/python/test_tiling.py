"""Tiled ops compute what untiled ops compute.

Each case tiles one op with upstream's transform dialect (tile_using_for on
the time loop, carrying the state from chunk to chunk; tile_using_forall on
parallel loops), runs the tiled module through the reference pipeline and
compares it with the numpy references. Chunks that do not divide T, chunks
shorter than a conv's history and groups shared by a tile are included.
"""

import pathlib
import tempfile

import numpy as np
import pytest

from seqmix import reference as ref
from seqmix.run import Arg, Out, arguments, opt, single_op_module, tensor_type

RTOL, ATOL = 1e-5, 1e-5


def schedule(op, steps):
    """A transform script applying `steps` (("for"|"forall", sizes), ...) in
    order to every `seqmix.<op>`."""
    lines = [f'    %h0 = transform.structured.match ops{{["seqmix.{op}"]}} in %root '
             ": (!transform.any_op) -> !transform.any_op"]
    for i, (kind, sizes) in enumerate(steps):
        lines.append(
            f"    %h{i + 1}, %l{i + 1} = transform.structured.tile_using_{kind} %h{i} "
            f"tile_sizes [{', '.join(map(str, sizes))}] "
            ": (!transform.any_op) -> (!transform.any_op, !transform.any_op)")
    return ("module attributes {transform.with_named_sequence} {\n"
            "  transform.named_sequence @__transform_main(%root: !transform.any_op "
            "{transform.readonly}) {\n" + "\n".join(lines) +
            "\n    transform.yield\n  }\n}\n")


def run_tiled(compiled, text, op, steps, inputs):
    with tempfile.TemporaryDirectory() as tmp:
        lib = pathlib.Path(tmp) / "schedule.mlir"
        lib.write_text(schedule(op, steps))
        tiled = opt(text, f"--transform-preload-library=transform-library-paths={lib}",
                    "--transform-interpreter", "--canonicalize")
    assert "seqmix." + op in tiled and ("scf.for" in tiled or "scf.forall" in tiled)
    return compiled.run(tiled, inputs)


def close(got, want):
    np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=RTOL, atol=ATOL)


def rnd(rng, *shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


@pytest.mark.parametrize("steps", [
    [("for", [0, 0, 0, 16])],                       # chunks, T = 50 not a multiple
    [("forall", [0, 2, 3, 0]), ("for", [0, 0, 0, 7])],  # threads, then chunks
])
def test_linear_attention_gated_delta_gqa(compiled, steps):
    rng = np.random.default_rng(1)
    B, T, Hqk, H, K, V = 1, 50, 2, 4, 8, 6
    q, k = rnd(rng, B, T, Hqk, K), rnd(rng, B, T, Hqk, K)
    v = rnd(rng, B, T, H, V)
    g = rnd(rng, B, T, H, K, lo=-0.5, hi=0.0)
    beta = rnd(rng, B, T, H, lo=0.0, hi=1.0)
    s0 = rnd(rng, B, H, K, V)
    ins = [Arg("q", q), Arg("k", k), Arg("v", v)]
    optional = [Arg("log_decay", g), Arg("beta", beta)]
    outs = [Out("o", tensor_type((B, T, H, V), "f32")), Out("state", init=Arg("s0", s0))]
    text = single_op_module("linear_attention", ins, optional,
                            "scale = 0.35 : f32, qk_norm = #seqmix.qk_norm<l2>", outs)
    o, s = run_tiled(compiled, text, "linear_attention", steps,
                     [a.data for a in arguments(ins, optional, outs)])
    want_o, want_s = ref.linear_attention(q, k, v, log_decay=g, beta=beta,
                                          initial_state=s0, scale=0.35,
                                          qk_norm="l2", output_final_state=True)
    close(o, want_o)
    close(s, want_s)


def test_selective_scan_channels_and_chunks(compiled):
    # 16 channels in 2 groups (8 per group); threads of 4 channels lie inside
    # one group, chunks of 8 tokens over T = 37.
    rng = np.random.default_rng(2)
    B, T, D, G, N = 1, 37, 16, 2, 4
    u, dt = rnd(rng, B, T, D), rnd(rng, B, T, D, lo=-2, hi=0.5)
    A = rnd(rng, D, N, lo=-1.5, hi=-0.1)
    Bm, Cm = rnd(rng, B, T, G, N), rnd(rng, B, T, G, N)
    Dv, z = rnd(rng, D), rnd(rng, B, T, D)
    s0 = rnd(rng, B, D, N)
    ins = [Arg("u", u), Arg("delta", dt), Arg("A", A), Arg("B", Bm), Arg("C", Cm)]
    optional = [Arg("D", Dv), Arg("z", z)]
    outs = [Out("y", tensor_type((B, T, D), "f32")), Out("state", init=Arg("s0", s0))]
    text = single_op_module("selective_scan", ins, optional, "delta_softplus", outs)
    y, s = run_tiled(compiled, text, "selective_scan",
                     [("forall", [0, 4, 0]), ("for", [0, 0, 8])],
                     [a.data for a in arguments(ins, optional, outs)])
    want_y, want_s = ref.selective_scan(u, dt, A, Bm, Cm, D=Dv, z=z, delta_softplus=True,
                                        initial_state=s0, output_final_state=True)
    close(y, want_y)
    close(s, want_s)


def test_ssd_heads_and_chunks(compiled):
    rng = np.random.default_rng(3)
    B, T, H, P, G, N = 2, 30, 4, 8, 2, 16
    x, dt = rnd(rng, B, T, H, P), rnd(rng, B, T, H, lo=-2, hi=0.5)
    A = rnd(rng, H, lo=-1.5, hi=-0.1)
    Bm, Cm = rnd(rng, B, T, G, N), rnd(rng, B, T, G, N)
    ins = [Arg("x", x), Arg("dt", dt), Arg("A", A), Arg("B", Bm), Arg("C", Cm)]
    outs = [Out("y", tensor_type((B, T, H, P), "f32")),
            Out("state", tensor_type((B, H, P, N), "f32"), "zero")]
    text = single_op_module("ssd", ins, [], "dt_softplus", outs)
    y, s = run_tiled(compiled, text, "ssd", [("forall", [1, 2, 4, 0]), ("for", [0, 0, 0, 7])],
                     [a.data for a in arguments(ins, [], outs)])
    want_y, want_s = ref.ssd(x, dt, A, Bm, Cm, dt_softplus=True, output_final_state=True)
    close(y, want_y)
    close(s, want_s)


@pytest.mark.parametrize("chunk", [2, 5])
def test_causal_conv1d_chunks_carry_history(compiled, chunk):
    # Chunks shorter and longer than the W-1 = 3 history rows.
    rng = np.random.default_rng(4)
    B, T, D, W = 2, 19, 8, 4
    x, w, b = rnd(rng, B, T, D), rnd(rng, D, W), rnd(rng, D)
    s0 = rnd(rng, B, W - 1, D)
    ins = [Arg("x", x), Arg("w", w)]
    optional = [Arg("bias", b)]
    outs = [Out("y", tensor_type((B, T, D), "f32")), Out("state", init=Arg("s0", s0))]
    text = single_op_module("causal_conv1d", ins, optional,
                            "activation = #seqmix.activation<silu>", outs)
    y, s = run_tiled(compiled, text, "causal_conv1d", [("for", [0, 0, chunk])],
                     [a.data for a in arguments(ins, optional, outs)])
    want_y, want_s = ref.causal_conv1d(x, w, bias=b, initial_state=s0, activation="silu",
                                       output_final_state=True)
    close(y, want_y)
    close(s, want_s)


def test_combine_row_tiles_accumulate(compiled):
    # Packed rows in tiles of 5 (R = 24): each tile adds its part.
    rng = np.random.default_rng(5)
    B, T, K, F = 2, 6, 2, 3
    R = B * T * K
    packed = rnd(rng, R, F)
    rows = rng.permutation(R).astype(np.int32)
    weights = rnd(rng, B, T, K)
    ins = [Arg("packed", packed), Arg("rows", rows), Arg("weights", weights)]
    outs = [Out("result", tensor_type((B, T, F), "f32"), "zero")]
    text = single_op_module("combine", ins, [], "", outs)
    (out,) = run_tiled(compiled, text, "combine", [("for", [5, 0])],
                       [a.data for a in arguments(ins, [], outs)])
    close(out, ref.combine(packed, rows, weights))


def test_route_token_threads(compiled):
    rng = np.random.default_rng(6)
    logits = rnd(rng, 1, 12, 5, lo=-3, hi=3)
    ins = [Arg("logits", logits)]
    outs = [Out("indices", tensor_type((1, 12, 2), "i32")),
            Out("weights", tensor_type((1, 12, 2), "f32"))]
    text = single_op_module("route", ins, [], "top_k = 2 : i64, renormalize", outs)
    idx, w = run_tiled(compiled, text, "route", [("forall", [0, 4])],
                       [a.data for a in arguments(ins, [], outs)])
    want_idx, want_w = ref.route(logits, 2, renormalize=True)
    np.testing.assert_array_equal(idx, want_idx)
    close(w, want_w)


def test_attention_head_threads(compiled):
    rng = np.random.default_rng(7)
    q, k, v = rnd(rng, 1, 20, 4, 8), rnd(rng, 1, 20, 2, 8), rnd(rng, 1, 20, 2, 8)
    ins = [Arg("q", q), Arg("k", k), Arg("v", v)]
    outs = [Out("o", tensor_type((1, 20, 4, 8), "f32")),
            Out("lse", tensor_type((1, 20, 4), "f32"))]
    text = single_op_module("sliding_window_attention", ins, [],
                            "window_left = 5 : i64, window_right = 0 : i64, scale = 0.3 : f32",
                            outs)
    o, lse = run_tiled(compiled, text, "sliding_window_attention", [("forall", [0, 0, 2])],
                       [a.data for a in arguments(ins, [], outs)])
    want_o, want_lse = ref.sliding_window_attention(q, k, v, window_left=5, window_right=0,
                                                    scale=0.3, return_lse=True)
    close(o, want_o)
    close(lse, want_lse)


def test_hadamard_row_threads(compiled):
    rng = np.random.default_rng(8)
    x = rnd(rng, 2, 6, 24)
    ins = [Arg("x", x)]
    outs = [Out("y", tensor_type((2, 6, 24), "f32"))]
    text = single_op_module("hadamard", ins, [], "", outs)
    (y,) = run_tiled(compiled, text, "hadamard", [("forall", [1, 3])],
                     [a.data for a in arguments(ins, [], outs)])
    close(y, ref.hadamard(x))


@pytest.mark.parametrize("op", ["linear_attention", "causal_conv1d"])
def test_split_varlen_then_chunks(compiled, op):
    # Packed sequences of lengths 7, 0, 12 and 4 (an empty one included):
    # seqmix-split-varlen makes a loop over sequences, then the time loop of
    # each sequence is tiled in chunks of 5 that never cross a boundary.
    rng = np.random.default_rng(9)
    T = 23
    cu = np.array([0, 7, 7, 19, 23], np.int32)
    N = len(cu) - 1
    if op == "linear_attention":
        q, k, v = rnd(rng, 1, T, 2, 8), rnd(rng, 1, T, 2, 8), rnd(rng, 1, T, 2, 4)
        g = rnd(rng, 1, T, 2, lo=-0.5, hi=0.0)
        s0 = rnd(rng, N, 2, 8, 4)
        ins = [Arg("q", q), Arg("k", k), Arg("v", v)]
        optional = [Arg("log_decay", g), Arg("cu_seqlens", cu)]
        outs = [Out("o", tensor_type((1, T, 2, 4), "f32")), Out("state", init=Arg("s0", s0))]
        attrs, tile = "scale = 0.5 : f32", [0, 0, 0, 5]
        want = ref.linear_attention(q, k, v, log_decay=g, initial_state=s0, cu_seqlens=cu,
                                    scale=0.5, output_final_state=True)
    else:
        x, w = rnd(rng, 1, T, 8), rnd(rng, 8, 4)
        s0 = rnd(rng, N, 3, 8)
        ins = [Arg("x", x), Arg("w", w)]
        optional = [Arg("cu_seqlens", cu)]
        outs = [Out("y", tensor_type((1, T, 8), "f32")), Out("state", init=Arg("s0", s0))]
        attrs, tile = "", [0, 0, 5]
        want = ref.causal_conv1d(x, w, initial_state=s0, cu_seqlens=cu,
                                 output_final_state=True)
    text = opt(single_op_module(op, ins, optional, attrs, outs), "--seqmix-split-varlen")
    assert "scf.forall" in text and "cu_seqlens" not in text.split("scf.forall")[1]
    got = run_tiled(compiled, text, op, [("for", tile)],
                    [a.data for a in arguments(ins, optional, outs)])
    for g_, w_ in zip(got, want):
        close(g_, w_)


def test_tiling_config_through_seqmix_tile(compiled):
    # The config on the op decides the loops (seqmix-tile); the numbers stay.
    rng = np.random.default_rng(10)
    B, T, H, K, V = 2, 45, 4, 8, 6
    q, k, v = rnd(rng, B, T, H, K), rnd(rng, B, T, H, K), rnd(rng, B, T, H, V)
    g = rnd(rng, H, lo=-0.3, hi=-0.01)
    ins = [Arg("q", q), Arg("k", k), Arg("v", v)]
    optional = [Arg("log_decay", g)]
    outs = [Out("o", tensor_type((B, T, H, V), "f32")),
            Out("state", tensor_type((B, H, K, V), "f32"), "zero")]
    want = ref.linear_attention(q, k, v, log_decay=g, scale=0.25, output_final_state=True)
    for config in ["threads = [1, 2, 0, 0], cache = [0, 0, 0, 8]",
                   "threads = [0, 0, 3, 0], cache = [0, 0, 0, 32], chunk = 16"]:
        attrs = f"scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<{config}>"
        tiled = opt(single_op_module("linear_attention", ins, optional, attrs, outs),
                    "--seqmix-tile")
        assert "scf.forall" in tiled and "scf.for" in tiled
        got = compiled.run(tiled, [a.data for a in arguments(ins, optional, outs)])
        for g_, w_ in zip(got, want):
            close(g_, w_)
