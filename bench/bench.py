#!/usr/bin/env python3
"""seqmix benchmarks: the shapes users run today, each compiled with the
reference and cpu pipelines (and optionally PyTorch) and timed in one run.

    python3 bench/bench.py [--iters N] [--threads N] [--T N] [--only NAME]
                           [--quick] [--no-machine] [--torch]
                           [--json PATH] [--plot PATH]
    python3 bench/bench.py --gpu=gpu|gpu-emulated [--quick] [--only NAME]

First measures this machine (bench/machine.py) and hands the per-core rates
to every seqmix-run call, so the roofline share is against this machine, not
the built-in estimate. Prints one table (median ms, GFLOP/s, GB/s, roofline
share, limiting resource, bound, speed-up over the reference pipeline),
writes every row as JSON and, when matplotlib is installed, a roofline plot.
Each row is the median of --iters calls after a warm-up; a call under 5 ms is
timed again over about a second of calls, decode steps over 50 x --iters.

--gpu prints the GPU table instead (bench/gpu-check.sh runs it on a GPU):
the same cases at 8 times the batch, plus sliding windows at T = 32768,
in ms, TFLOP/s and GB/s against an H200's limits.

Not a test: nothing here asserts a time.
"""

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "bench"))

from seqmix.run import (Arg, Out, parse_bench, single_op_module,  # noqa: E402
                        tensor_type, tool)

import numpy as np  # noqa: E402


def f32(*shape):
    # Only shapes matter: seqmix-run draws the data (--random-inputs).
    return np.zeros(shape, np.float32)


def outs(y_shape, state_shape):
    """The output (tensor.empty) and a zero initial state (its final value is
    returned too, as every recurrence does)."""
    return [Out("y", tensor_type(y_shape, "f32")),
            Out("state", tensor_type(state_shape, "f32"), "zero")]


def tiling(cache_t):
    # Channels split in two thread tiles (one per core of the 2-core bench
    # machine), 16-wide vectors; only the time-chunk length differs, so the
    # two configs show what the chunk alone is worth.
    return (f"seqmix.tile = #seqmix.cpu_tiling<threads = [0, 768, 0], "
            f"cache = [0, 0, {cache_t}], vector = [0, 16, 0]>")


def mamba1(T, tile=None, state_in=False):
    D, N = 1536, 16
    ins = [Arg("u", f32(1, T, D)), Arg("delta", f32(1, T, D)), Arg("A", f32(D, N)),
           Arg("B", f32(1, T, 1, N)), Arg("C", f32(1, T, 1, N))]
    opt = [Arg("D", f32(D)), Arg("z", f32(1, T, D)), Arg("delta_bias", f32(D))]
    attrs = "delta_softplus" + (", " + tile if tile else "")
    o = outs((1, T, D), (1, D, N))
    if state_in:
        # Decode: the previous state is a donated function argument (read,
        # not zero-filled, and updated in place as in a real model step), so
        # its bytes count as traffic and nothing copies it first.
        o[1] = Out("state", init=Arg("state0", f32(1, D, N), writable=True))
    return single_op_module("selective_scan", ins, opt, attrs, o)


def mamba2(T, chunk=None):
    H, P, N = 24, 64, 128
    ins = [Arg("x", f32(1, T, H, P)), Arg("dt", f32(1, T, H)), Arg("A", f32(H)),
           Arg("B", f32(1, T, 1, N)), Arg("C", f32(1, T, 1, N))]
    opt = [Arg("D", f32(H)), Arg("z", f32(1, T, H, P)), Arg("dt_bias", f32(H))]
    attrs = "dt_softplus"
    if chunk:
        # Heads split over the two cores; only the register chunk differs.
        attrs += (", seqmix.tile = #seqmix.cpu_tiling<threads = [0, 12, 0, 0], "
                  f"vector = [0, 0, 16, 0], chunk = {chunk}>")
    return single_op_module("ssd", ins, opt, attrs, outs((1, T, H, P), (1, H, P, N)))


def conv(T):
    D, W = 1536, 4
    return single_op_module("causal_conv1d", [Arg("x", f32(1, T, D)), Arg("w", f32(D, W))],
                            [Arg("bias", f32(D))],
                            "activation = #seqmix.activation<silu>",
                            outs((1, T, D), (1, W - 1, D)))


def gla(T, H=16, K=64, gate="vector", delta=False, chunk=None, state_in=False):
    # Issue-sized linear attention: GLA (a gate over K per step) and simple
    # GLA (one gate per head and step), with the final state.
    ins = [Arg("q", f32(1, T, H, K)), Arg("k", f32(1, T, H, K)), Arg("v", f32(1, T, H, K))]
    # The gated delta rule (MoM's memory update) adds beta and the qk l2 norm.
    g = f32(1, T, H, K) if gate == "vector" else f32(1, T, H)
    opt = [Arg("log_decay", g)] + ([Arg("beta", f32(1, T, H))] if delta else [])
    attrs = f"scale = {K ** -0.5!r} : f32" + (", qk_norm = #seqmix.qk_norm<l2>" if delta else "")
    if chunk:
        # Heads split over the two cores, 16-wide column vectors; only the
        # register chunk differs (1 = the recurrent form).
        attrs += (", seqmix.tile = #seqmix.cpu_tiling<threads = [0, 8, 0, 0], "
                  f"vector = [0, 0, 16, 0], chunk = {chunk}>")
    o = outs((1, T, H, K), (1, H, K, K))
    if state_in:
        # Decode: the previous state is a donated argument, as in mamba1.
        o[1] = Out("state", init=Arg("state0", f32(1, H, K, K), writable=True))
    return single_op_module("linear_attention", ins, opt, attrs, o)


def segment_matmul(T, Dout=256, rows_per_token=2):
    # MoM's grouped projection: top-2 routing packs R = 2 T rows into
    # B * M = 4 segments (seqmix-run's random offsets), d_model 1024 to a
    # 256-wide memory.
    R, Din, M = rows_per_token * T, 1024, 4
    return single_op_module("segment_matmul", [Arg("packed", f32(R, Din)), Arg("W", f32(M, Din, Dout)),
                                                Arg("offsets", np.zeros(M + 1, np.int32))],
                            [], "", [Out("result", tensor_type((R, Dout), "f32"), "zero")])


def _matmul(out, a, rows, din, w, dout):
    """IR lines for %out = %a [rows, din] x %w [din, dout] (zero init)."""
    return [f"  %{out}_e = tensor.empty() : tensor<{rows}x{dout}xf32>",
            f"  %{out}_z = linalg.fill ins(%zero : f32) outs(%{out}_e : tensor<{rows}x{dout}xf32>)"
            f" -> tensor<{rows}x{dout}xf32>",
            f"  %{out} = linalg.matmul ins(%{a}, %{w} : tensor<{rows}x{din}xf32>, tensor<{din}x{dout}xf32>)"
            f" outs(%{out}_z : tensor<{rows}x{dout}xf32>) -> tensor<{rows}x{dout}xf32>"]


def _segment_matmul(out, a, rows, din, w, dout, M):
    return [f"  %{out}_e = tensor.empty() : tensor<{rows}x{dout}xf32>",
            f"  %{out}_z = linalg.fill ins(%zero : f32) outs(%{out}_e : tensor<{rows}x{dout}xf32>)"
            f" -> tensor<{rows}x{dout}xf32>",
            f"  %{out} = seqmix.segment_matmul ins(%{a}, %{w}, %offsets : tensor<{rows}x{din}xf32>, "
            f"tensor<{M}x{din}x{dout}xf32>, tensor<{M + 1}xi32>) outs(%{out}_z : tensor<{rows}x{dout}xf32>)"
            f" -> tensor<{rows}x{dout}xf32>"]


def gated_delta_layer(T, M=None, top_k=2, H=4, K=128):
    """The issue's MoM layer (M memories, top-k) or, with M = None, the
    dense gated-delta layer of the same width it is measured against, at
    4 T = 8192 tokens, d_model = H K = 512. Dense: q, k, v, beta and gate
    projections, the rule over all tokens, the output projection. MoM: the
    router, a stable dispatch of x, q shared and k, v, beta, gate per memory
    (grouped GEMMs), the rule over the packed rows (one sequence per
    (batch, memory) segment), the weighted combine, the output projection.
    beta and the gate are the raw projections (their activations are
    elementwise and the same on both sides)."""
    T = 4 * T
    d = H * K
    R = top_k * T if M else T
    args = [f"%x: tensor<1x{T}x{d}xf32>", f"%wq: tensor<{d}x{d}xf32>", f"%wo: tensor<{d}x{d}xf32>"]
    if M:
        args += [f"%wr: tensor<{d}x{M}xf32>"] + \
            [f"%w{n}: tensor<{M}x{d}x{w}xf32>" for n, w in (("k", d), ("v", d), ("b", H), ("a", H))]
    else:
        args += [f"%w{n}: tensor<{d}x{w}xf32>" for n, w in (("k", d), ("v", d), ("b", H), ("a", H))]
    lines = [f"func.func @main({', '.join(args)}) -> (tensor<1x{T}x{d}xf32>) {{",
             "  %zero = arith.constant 0.0 : f32",
             f"  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x{T}x{d}xf32> into tensor<{T}x{d}xf32>"]
    src = "x2"
    if M:
        lines += _matmul("logits2", "x2", T, d, "wr", M)
        lines += [
            f"  %logits = tensor.expand_shape %logits2 [[0, 1], [2]] output_shape [1, {T}, {M}] : "
            f"tensor<{T}x{M}xf32> into tensor<1x{T}x{M}xf32>",
            f"  %ie = tensor.empty() : tensor<1x{T}x{top_k}xi32>",
            f"  %we = tensor.empty() : tensor<1x{T}x{top_k}xf32>",
            f"  %idx, %w = seqmix.route ins(%logits : tensor<1x{T}x{M}xf32>) "
            f"outs(%ie, %we : tensor<1x{T}x{top_k}xi32>, tensor<1x{T}x{top_k}xf32>) "
            f"{{top_k = {top_k} : i64, renormalize}} -> tensor<1x{T}x{top_k}xi32>, tensor<1x{T}x{top_k}xf32>",
            f"  %pe = tensor.empty() : tensor<{R}x{d}xf32>",
            f"  %oe = tensor.empty() : tensor<{M + 1}xi32>",
            f"  %re = tensor.empty() : tensor<{R}xi32>",
            f"  %packed, %offsets, %rows = seqmix.dispatch ins(%x, %idx : tensor<1x{T}x{d}xf32>, "
            f"tensor<1x{T}x{top_k}xi32>) outs(%pe, %oe, %re : tensor<{R}x{d}xf32>, tensor<{M + 1}xi32>, "
            f"tensor<{R}xi32>) {{num_memories = {M} : i64}} -> tensor<{R}x{d}xf32>, tensor<{M + 1}xi32>, "
            f"tensor<{R}xi32>"]
        src = "packed"
        lines += _matmul("q2", src, R, d, "wq", d)
        for n, w in (("k", d), ("v", d), ("b", H), ("a", H)):
            lines += _segment_matmul(f"{n}2", src, R, d, f"w{n}", w, M)
    else:
        for n, w in (("q", d), ("k", d), ("v", d), ("b", H), ("a", H)):
            lines += _matmul(f"{n}2", src, R, d, f"w{n}", w)
    qkv = f"tensor<1x{R}x{H}x{K}xf32>"
    for n in "qkv":
        lines.append(f"  %{n}h = tensor.expand_shape %{n}2 [[0, 1], [2, 3]] output_shape [1, {R}, {H}, {K}] : "
                     f"tensor<{R}x{d}xf32> into {qkv}")
    for n in "ba":
        lines.append(f"  %{n}h = tensor.expand_shape %{n}2 [[0, 1], [2]] output_shape [1, {R}, {H}] : "
                     f"tensor<{R}x{H}xf32> into tensor<1x{R}x{H}xf32>")
    S = M or 1
    lines += [
        f"  %ye = tensor.empty() : {qkv}",
        f"  %se = tensor.empty() : tensor<{S}x{H}x{K}x{K}xf32>",
        f"  %s0 = linalg.fill ins(%zero : f32) outs(%se : tensor<{S}x{H}x{K}x{K}xf32>) -> tensor<{S}x{H}x{K}x{K}xf32>",
        f"  %y, %s = seqmix.linear_attention ins(%qh, %kh, %vh : {qkv}, {qkv}, {qkv}) "
        f"log_decay(%ah : tensor<1x{R}x{H}xf32>) beta(%bh : tensor<1x{R}x{H}xf32>) "
        + (f"cu_seqlens(%offsets : tensor<{M + 1}xi32>) " if M else "") +
        f"outs(%ye, %s0 : {qkv}, tensor<{S}x{H}x{K}x{K}xf32>) "
        f"{{scale = {K ** -0.5!r} : f32, qk_norm = #seqmix.qk_norm<l2>}} -> {qkv}, tensor<{S}x{H}x{K}x{K}xf32>",
        f"  %y2 = tensor.collapse_shape %y [[0, 1], [2, 3]] : {qkv} into tensor<{R}x{d}xf32>"]
    if M:
        lines += [
            f"  %ce = tensor.empty() : tensor<1x{T}x{d}xf32>",
            f"  %c0 = linalg.fill ins(%zero : f32) outs(%ce : tensor<1x{T}x{d}xf32>) -> tensor<1x{T}x{d}xf32>",
            f"  %mixed = seqmix.combine ins(%y2, %rows, %w : tensor<{R}x{d}xf32>, tensor<{R}xi32>, "
            f"tensor<1x{T}x{top_k}xf32>) outs(%c0 : tensor<1x{T}x{d}xf32>) -> tensor<1x{T}x{d}xf32>",
            f"  %mixed2 = tensor.collapse_shape %mixed [[0, 1], [2]] : tensor<1x{T}x{d}xf32> into tensor<{T}x{d}xf32>"]
    else:
        lines.append(f"  %mixed2 = tensor.collapse_shape %y [[0, 1], [2, 3]] : {qkv} into tensor<{T}x{d}xf32>")
    lines += _matmul("out2", "mixed2", T, d, "wo", d)
    lines += [f"  %out = tensor.expand_shape %out2 [[0, 1], [2]] output_shape [1, {T}, {d}] : "
              f"tensor<{T}x{d}xf32> into tensor<1x{T}x{d}xf32>",
              f"  return %out : tensor<1x{T}x{d}xf32>", "}"]
    return "\n".join(lines)


def sliding_window(T, scale_T=4, left=511):
    # The attention layers of a hybrid: window (511, 0), H = 8, D = 64, at
    # 4 T = 8192 tokens (the issue's shape). With left = -1 and scale_T = 2:
    # full causal attention at 4096 tokens, the online-softmax builder with
    # no window but causality.
    T, H, D = scale_T * T, 8, 64
    ins = [Arg("q", f32(1, T, H, D)), Arg("k", f32(1, T, H, D)), Arg("v", f32(1, T, H, D))]
    return single_op_module("sliding_window_attention", ins, [],
                            f"window_left = {left} : i64, window_right = 0 : i64, scale = 0.125 : f32",
                            [Out("o", tensor_type((1, T, H, D), "f32"))])


def causal(T):
    return sliding_window(T, scale_T=2, left=-1)


def neighborhood_1d(T):
    # NA 1-D at the issue's shape: 16 T = 32768 tokens, kernel 2048, H = 4,
    # D = 64 (cpu only: the naive loops take minutes).
    T, H, D = 16 * T, 4, 64
    kernel = min(2048, T)  # short runs (tests) keep a valid kernel
    ins = [Arg("q", f32(1, T, H, D)), Arg("k", f32(1, T, H, D)), Arg("v", f32(1, T, H, D))]
    return single_op_module("neighborhood_attention", ins, [],
                            f"kernel_size = array<i64: {kernel}>, scale = 0.125 : f32",
                            [Out("o", tensor_type((1, T, H, D), "f32"))])


def neighborhood(spatial, kernel):
    # NATTEN's image / video shapes: H = 4, D = 32 (T does not apply).
    H, D = 4, 32
    ins = [Arg(n, f32(1, *spatial, H, D)) for n in ("q", "k", "v")]
    ks = ", ".join(map(str, kernel))
    return single_op_module("neighborhood_attention", ins, [],
                            f"kernel_size = array<i64: {ks}>, scale = {D ** -0.5!r} : f32",
                            [Out("o", tensor_type((1, *spatial, H, D), "f32"))])


def hadamard(T):
    # int8 output as docs/Ops.md declares it: a quant.uniform destination
    # fuses the rotation with round-half-even + clamp. The scale only changes
    # how many values saturate, not the work.
    q = tensor_type((1, T, 1536), "!quant.uniform<i8:f32, 0.02>")
    return single_op_module("hadamard", [Arg("x", f32(1, T, 1536))], [], "",
                            [Out("y", q)])


def diagonal_scan(T):
    # bench/cases/diagonal_scan.mlir at a static T (the random inputs of
    # seqmix-run size dynamic dims at 64).
    text = (ROOT / "bench" / "cases" / "diagonal_scan.mlir").read_text()
    return text.replace("1x?x", f"1x{T}x").replace("tensor.empty(%T)",
                                                     "tensor.empty()")


BOTH = ("reference", "cpu")
# name -> (module builder(T), pipelines, case whose reference row the
# speed-up is taken against). Forced tile configs make sense on cpu only.
CASES = {
    "mamba1_D1536_N16": (mamba1, BOTH, None),
    "mamba1_tile_chunk16": (lambda T: mamba1(T, tiling(16)), ("cpu",), "mamba1_D1536_N16"),
    "mamba1_tile_chunk256": (lambda T: mamba1(T, tiling(256)), ("cpu",), "mamba1_D1536_N16"),
    "mamba1_decode": (lambda T: mamba1(1, state_in=True), BOTH, None),
    "conv1d_D1536_W4": (conv, BOTH, None),
    "mamba2_H24_P64_N128": (mamba2, BOTH, None),
    "mamba2_tile_chunk1": (lambda T: mamba2(T, chunk=1), ("cpu",), "mamba2_H24_P64_N128"),
    "mamba2_tile_chunk4": (lambda T: mamba2(T, chunk=4), ("cpu",), "mamba2_H24_P64_N128"),
    # Linear attention runs at 4x the table's T (8192 by default), the
    # length its targets are set at.
    "gla_H16_K64_T8192": (lambda T: gla(4 * T), BOTH, None),
    "gla_tile_chunk1": (lambda T: gla(4 * T, chunk=1), ("cpu",), "gla_H16_K64_T8192"),
    "gla_tile_chunk4": (lambda T: gla(4 * T, chunk=4), ("cpu",), "gla_H16_K64_T8192"),
    "simple_gla_H16_K128_T8192": (lambda T: gla(4 * T, K=128, gate="scalar"), BOTH, None),
    "gated_delta_H16_K128_T8192": (lambda T: gla(4 * T, K=128, gate="scalar", delta=True), BOTH, None),
    "gated_delta_tile_chunk1": (lambda T: gla(4 * T, K=128, gate="scalar", delta=True, chunk=1),
                                ("cpu",), "gated_delta_H16_K128_T8192"),
    "gated_delta_decode_H16_K128": (lambda T: gla(1, K=128, gate="scalar", delta=True, state_in=True),
                                    BOTH, None),
    "segment_matmul_1024x256_M4": (segment_matmul, BOTH, None),
    # MoM against the dense layer of the same width (T = 8192; the naive
    # loops would take minutes).
    "dense_gdn_layer_H4_K128": (gated_delta_layer, ("cpu",), None),
    "mom_layer_M4_k2_H4_K128": (lambda T: gated_delta_layer(T, M=4), ("cpu",), None),
    # The issue's size: 16384 rows (8 T), 1024 x 1024 weights.
    "segment_matmul_1024x1024_R16384": (lambda T: segment_matmul(T, 1024, 8), ("cpu",), None),
    "swa_T8192_W512_H8_D64": (sliding_window, BOTH, None),
    "causal_T4096_H8_D64": (causal, ("cpu",), None),
    "na1d_T32768_k2048_H4_D64": (neighborhood_1d, ("cpu",), None),
    "na2d_56x56_k7x7_H4_D32": (lambda T: neighborhood((56, 56), (7, 7)), BOTH, None),
    "na3d_16x32x32_k3x7x7_H4": (lambda T: neighborhood((16, 32, 32), (3, 7, 7)), BOTH, None),
    "hadamard_N1536_T2048_int8": (hadamard, BOTH, None),
    # The same recurrence as mamba1 (less the epilogue), user-authored.
    "diag_scan_D1536_N16": (diagonal_scan, BOTH, None),
}

#: The H200's limits the GPU table is read against: dense bf16 on the tensor
#: cores, and HBM bandwidth.
H200_TFLOPS, H200_TBS = 990.0, 4.8
GPU_BATCH = 8
#: Cases of the GPU table only (bench/gpu-check.sh): NA 2-D is in CASES.
GPU_CASES = {
    "swa_T32768_W2048_H8_D64": lambda T: sliding_window(T, scale_T=16, left=2047),
}


def with_batch(module, batch):
    """The module at `batch` sequences: every tensor whose leading dimension
    is the batch of 1 gets `batch`. Layers (which pack or reshape tokens
    into rows) keep batch 1."""
    if any(w in module for w in ("cu_seqlens", "seqmix.dispatch",
                                 "collapse_shape", "expand_shape")):
        return module
    return re.sub(r"tensor<1x", f"tensor<{batch}x", module)


def gpu_main(a):
    """The GPU table: every case of the CPU table (not the forced tiles) at
    GPU_BATCH times the batch, and GPU_CASES, on the gpu pipeline (or its
    CPU emulation, for a dry run), read against the H200's limits."""
    T, iters = (256, 2) if a.quick else (a.T, a.iters)
    batch = 1 if a.quick else GPU_BATCH
    cases = {n: c[0] for n, c in CASES.items() if "cpu" in c[1] and not c[2]}
    cases.update(GPU_CASES)
    print(f"{a.gpu} pipeline, T = {T}, batch {batch} (layers 1), fp32, "
          f"median of {iters}; limits: {H200_TFLOPS:.0f} TFLOP/s (bf16 tensor "
          f"cores), {H200_TBS} TB/s (HBM)")
    head = (f"{'case':<32} {'ms':>11} {'TFLOP/s':>9} {'% peak':>7} {'GB/s':>9} "
            f"{'% HBM':>7}")
    print(head)
    print("-" * len(head))
    rows = []
    for name, build in cases.items():
        if a.only and a.only not in name:
            continue
        b, err = seqmix_run(with_batch(build(T), batch), a.gpu, iters, 1, None)
        r = row(name, a.gpu, b, err)
        rows.append(r)
        if err:
            print(f"{name:<32} error: {err}", flush=True)
            continue
        s = r["ms"] * 1e-3
        tflops = (r["flop"] or 0) / s * 1e-12
        gbs = (r["bytes"] or 0) / s * 1e-9
        r.update(gflops=tflops * 1e3, gbs=gbs, roofline_pct=None)
        print(f"{name:<32} {r['ms']:>11.4f} {tflops:>9.3f} "
              f"{100 * tflops / H200_TFLOPS:>6.2f}% {gbs:>9.1f} "
              f"{100 * gbs / (H200_TBS * 1e3):>6.2f}%", flush=True)
    with open(a.json, "w") as f:
        json.dump({"T": T, "iters": iters, "batch": batch, "pipeline": a.gpu,
                   "rows": rows}, f, indent=1)
    print(f"\njson: {a.json}")


def seqmix_run(module, pipeline, iters, threads, machine_flag):
    """(parsed bench dict, None) or (None, error line)."""
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(module)
        f.flush()
        cmd = [tool("seqmix-run"), f.name, f"--pipeline={pipeline}",
               "--random-inputs=0", f"--bench={iters}", f"--threads={threads}"]
        if machine_flag:
            cmd.append(machine_flag)
        # The tool is relinked in place while the compiler is being worked
        # on; a missing binary for a few seconds is not a benchmark failure.
        for _ in range(10):
            if os.path.exists(cmd[0]):
                break
            time.sleep(3)
        out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        lines = (out.stderr.strip() or out.stdout.strip() or "no output").splitlines()
        return None, f"exit {out.returncode}: {lines[-1]}"
    r = parse_bench(out.stdout)
    return (r, None) if r else (None, "no bench line")


def row(case, pipeline, b=None, error=None):
    """One result row; the JSON keeps exactly these keys."""
    b = b or {}
    return {"case": case, "pipeline": pipeline, "ms": b.get("median_ms"),
            "min_ms": b.get("min_ms"), "gflops": b.get("GFLOP/s"),
            "gbs": b.get("GB/s"), "roofline_pct": b.get("roofline"),
            "limit": b.get("limit"), "bound_ms": b.get("bound_ms"),
            "flop": b.get("flop"), "bytes": b.get("bytes"), "exp": b.get("exp"),
            "speedup": None, "error": error}


HEADER = (f"{'case':<26} {'pipeline':<9} {'ms':>11} {'GFLOP/s':>9} {'GB/s':>8} "
          f"{'roofline':>9} {'limit':>5} {'bound ms':>10} {'vs ref':>7}")


def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def format_row(r):
    if r["error"]:
        return f"{r['case']:<26} {r['pipeline']:<9} error: {r['error']}"
    s = (f"{r['case']:<26} {r['pipeline']:<9} {fmt(r['ms'], '.4f'):>11} "
         f"{fmt(r['gflops'], '.2f'):>9} {fmt(r['gbs'], '.3f'):>8} "
         f"{fmt(r['roofline_pct'], '.2f') + ('%' if r['roofline_pct'] is not None else ''):>9} "
         f"{r['limit'] or '-':>5} {fmt(r['bound_ms'], '.4f'):>10} "
         f"{fmt(r['speedup'], '.2f') + ('x' if r['speedup'] else ''):>7}")
    # Decode steps are tens of microseconds: say so in the unit people use.
    if r["ms"] is not None and r["ms"] < 1:
        s += f"  ({r['ms'] * 1e3:.1f} us)"
    return s


def set_speedup(r, ref_ms):
    if r["ms"] and ref_ms:
        r["speedup"] = ref_ms / r["ms"]


def print_machine(m, threads):
    n = f"{threads} thread" + "s" * (threads > 1)
    print(f"machine (bench/machine.py, {m['vector_bits']}-bit vectors)")
    print(f"  {'':14}{'1 thread':>10}{n:>12}")
    for key, label, spec in (("fma_gflops", "FMA GFLOP/s", ".1f"),
                             ("dram_gbs", "DRAM GB/s", ".1f"),
                             ("exp_gps", "exp G/s", ".2f")):
        print(f"  {label:14}{m['threads1'][key]:>10{spec}}{m['threadsN'][key]:>12{spec}}")


def machine_flag(m, threads):
    # seqmix-run takes per-core rates and multiplies them by
    # min(threads, cores); dividing the N-thread totals by the same number
    # gives back exactly the measured N-thread roofline (shared DRAM and
    # turbo loss included), which 1-thread rates times N would overstate.
    k = max(1, min(threads, os.cpu_count() or threads))
    t = m["threadsN"]
    return (f"--machine=peak-gflops={t['fma_gflops'] / k:.4g},"
            f"dram-gbs={t['dram_gbs'] / k:.4g},exp-gps={t['exp_gps'] / k:.4g}")


def plot(rows, m, threads, path):
    """Roofline plot: achieved GFLOP/s against flop/byte, with the measured
    N-thread (and 1-thread) ceilings. Returns a status line."""
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only; no display on bench machines
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib not installed"
    pts = [r for r in rows if r["gflops"] and r["flop"] and r["bytes"]]
    if not pts:
        return "plot skipped: no row has flop and bytes"
    fig, ax = plt.subplots(figsize=(9, 6))
    ai = [r["flop"] / r["bytes"] for r in pts]
    if m:
        x = np.logspace(np.log10(min(ai) / 4), np.log10(max(ai) * 4), 200)
        for key, style, label in (("threadsN", "-", f"{threads} threads"),
                                  ("threads1", ":", "1 thread")):
            peak, bw = m[key]["fma_gflops"], m[key]["dram_gbs"]
            ax.plot(x, np.minimum(peak, x * bw), "k" + style, lw=1,
                    label=f"roofline {label}: {peak:.0f} GFLOP/s, {bw:.1f} GB/s")
    markers = {"reference": "o", "cpu": "s", "torch": "^"}
    for pipe, mk in markers.items():
        sel = [(a, r) for a, r in zip(ai, pts) if r["pipeline"] == pipe]
        if sel:
            ax.scatter([a for a, _ in sel], [r["gflops"] for _, r in sel],
                       marker=mk, label=pipe, zorder=3)
    # Reference labels below their point, the others above, so the two rows
    # of one case do not collide; within a pipeline they step by a line in
    # turn, since neighbouring cases often sit at one height.
    seen = {}
    for a, r in zip(ai, pts):
        k = seen[r["pipeline"]] = seen.get(r["pipeline"], -1) + 1
        dy = (-10 if r["pipeline"] == "reference" else 3) + (k % 2) * (
            -8 if r["pipeline"] == "reference" else 8)
        ax.annotate(f"{r['case']} ({r['pipeline']})", (a, r["gflops"]), fontsize=6,
                    xytext=(4, dy), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (flop / byte)")
    ax.set_ylabel("achieved GFLOP/s")
    ax.set_title("seqmix roofline")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"plot: {path}"


def torch_rows(T, iters, threads, rows):
    """PyTorch timings for the cases it implements. Work, bytes and the bound
    come from the same case's cpu row: same math, same machine, same threads."""
    import torch_ref
    if not torch_ref.available():
        print("torch not installed; skipped")
        return []
    out = []
    for r in torch_ref.run(T, iters, threads):
        cpu = next((c for c in rows if c["case"] == r["case"]
                    and c["pipeline"] == "cpu" and not c["error"]), None)
        t = row(r["case"], "torch")
        t["ms"], t["min_ms"] = r["ms"], r["min_ms"]
        if cpu and cpu["flop"]:
            s = t["ms"] * 1e-3
            t.update(flop=cpu["flop"], bytes=cpu["bytes"], exp=cpu["exp"],
                     limit=cpu["limit"], bound_ms=cpu["bound_ms"],
                     gflops=cpu["flop"] / s * 1e-9, gbs=cpu["bytes"] / s * 1e-9,
                     roofline_pct=100 * cpu["bound_ms"] / t["ms"])
        ref = next((c for c in rows if c["case"] == r["case"]
                    and c["pipeline"] == "reference" and c["ms"]), None)
        set_speedup(t, ref and ref["ms"])
        out.append(t)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--T", type=int, default=2048)
    p.add_argument("--only", default="", help="run the cases whose name contains this")
    p.add_argument("--quick", action="store_true", help="T = 256, 2 iterations")
    p.add_argument("--no-machine", action="store_true",
                   help="skip measuring; seqmix-run's built-in machine estimate")
    p.add_argument("--torch", action="store_true", help="add PyTorch rows (bench/torch_ref.py)")
    p.add_argument("--json", default=str(ROOT / "bench" / "results.json"))
    p.add_argument("--plot", default=str(ROOT / "bench" / "roofline.png"))
    p.add_argument("--gpu", choices=("gpu", "gpu-emulated"),
                   help="the GPU table instead (bench/gpu-check.sh): the cases at "
                        f"{GPU_BATCH}x the batch on this pipeline, against the "
                        "H200's limits; gpu-emulated runs it on the CPU (use "
                        "--quick: batch 1, T = 256)")
    a = p.parse_args()
    if a.gpu:
        return gpu_main(a)
    T, iters = (256, 2) if a.quick else (a.T, a.iters)

    m, flag = None, None
    if not a.no_machine:
        try:
            import machine
            m = machine.measure(a.threads)
            print_machine(m, a.threads)
            flag = machine_flag(m, a.threads)
            print(f"  passed as {flag}\n")
        except Exception as e:  # no compiler, say: the table is still useful
            print(f"machine measurement failed ({e}); using seqmix-run's defaults\n")

    print(f"T = {T}, batch 1, fp32, {a.threads} thread(s), median of {iters}")
    print(HEADER)
    print("-" * len(HEADER))
    rows = []
    for name, (build, pipes, ref_case) in CASES.items():
        if a.only and a.only not in name:
            continue
        module = build(T)
        for pipe in pipes:
            # A call of tens of microseconds is timed many times: the first
            # calls after compiling still wake the thread pool up.
            n = iters * 50 if "decode" in name else iters
            b, err = seqmix_run(module, pipe, n, a.threads, flag)
            # Calls of a few milliseconds are timed again, about a second's
            # worth of them: the first calls after compiling still fill the
            # runtime's block cache and wake the thread pool up, which a
            # median of five does not outweigh.
            if b and n == iters and b.get("median_ms", 5) < 5:
                more = max(n, int(1000 / max(b["median_ms"], 0.01)))
                b2, _ = seqmix_run(module, pipe, more, a.threads, flag)
                b = b2 or b
            r = row(name, pipe, b, err)
            rows.append(r)  # first, so a reference row finds itself: 1.00x
            ref = next((x for x in rows if x["case"] == (ref_case or name)
                        and x["pipeline"] == "reference"), None)
            set_speedup(r, ref and ref["ms"])
            print(format_row(r), flush=True)
    if a.torch:
        for r in torch_rows(T, iters, a.threads, rows):
            rows.append(r)
            print(format_row(r))

    with open(a.json, "w") as f:
        json.dump({"T": T, "iters": iters, "threads": a.threads, "machine": m,
                   "machine_flag": flag, "rows": rows}, f, indent=1)
    print(f"\njson: {a.json}")
    print(plot(rows, m, a.threads, a.plot))


if __name__ == "__main__":
    main()
