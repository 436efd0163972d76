#!/usr/bin/env python3
"""seqmix benchmarks: the shapes users run today,
each compiled with every available CPU pipeline and timed by seqmix-run
--bench. Prints one table: ms (median), GFLOP/s, GB/s and the share of this
machine's roofline, with the speed-up over the naive reference pipeline
measured in the same run.

    python3 bench/bench.py [--iters N] [--threads N] [--only NAME] [--quick]

Not a test: nothing here asserts a time.
"""

import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

from seqmix.run import Arg, Out, single_op_module, tensor_type, tool  # noqa: E402

import numpy as np  # noqa: E402


def f32(*shape):
    return np.zeros(shape, np.float32)


def outs(y_shape, state_shape):
    """The output (tensor.empty) and a zero initial state (its final value is
    returned too, as every recurrence does)."""
    return [Out("y", tensor_type(y_shape, "f32")),
            Out("state", tensor_type(state_shape, "f32"), "zero")]


def mamba1(T):
    D, N = 1536, 16
    ins = [Arg("u", f32(1, T, D)), Arg("delta", f32(1, T, D)), Arg("A", f32(D, N)),
           Arg("B", f32(1, T, 1, N)), Arg("C", f32(1, T, 1, N))]
    opt = [Arg("D", f32(D)), Arg("z", f32(1, T, D)), Arg("delta_bias", f32(D))]
    return single_op_module("selective_scan", ins, opt, "delta_softplus",
                            outs((1, T, D), (1, D, N)))


def mamba2(T):
    H, P, N = 24, 64, 128
    ins = [Arg("x", f32(1, T, H, P)), Arg("dt", f32(1, T, H)), Arg("A", f32(H)),
           Arg("B", f32(1, T, 1, N)), Arg("C", f32(1, T, 1, N))]
    opt = [Arg("D", f32(H)), Arg("dt_bias", f32(H))]
    return single_op_module("ssd", ins, opt, "dt_softplus",
                            outs((1, T, H, P), (1, H, P, N)))


def conv(T):
    D, W = 1536, 4
    return single_op_module("causal_conv1d", [Arg("x", f32(1, T, D)), Arg("w", f32(D, W))],
                            [Arg("bias", f32(D))],
                            "activation = #seqmix.activation<silu>",
                            outs((1, T, D), (1, W - 1, D)))


def gla(T):
    H, K = 16, 64
    ins = [Arg("q", f32(1, T, H, K)), Arg("k", f32(1, T, H, K)), Arg("v", f32(1, T, H, K))]
    return single_op_module("linear_attention", ins, [Arg("log_decay", f32(1, T, H, K))],
                            "scale = 0.125 : f32", outs((1, T, H, K), (1, H, K, K)))


CASES = {
    "mamba1_D1536_N16": mamba1,
    "mamba2_H24_P64_N128": mamba2,
    "conv1d_D1536_W4": conv,
    "gla_H16_K64": gla,
}
PIPELINES = ["reference", "cpu"]
BENCH_RE = re.compile(r"bench: median_ms=(\S+) min_ms=(\S+) GFLOP/s=(\S+) "
                      r"GB/s=(\S+)(?: roofline=(\S+)%)?")


def run(module, pipeline, iters, threads):
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(module)
        f.flush()
        cmd = [tool("seqmix-run"), f.name, f"--pipeline={pipeline}",
               "--random-inputs=0", f"--bench={iters}", f"--threads={threads}"]
        out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip().splitlines()[-1]
    m = BENCH_RE.search(out.stdout)
    return (m.groups() if m else None), None


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--T", type=int, default=2048)
    p.add_argument("--only", default="")
    p.add_argument("--quick", action="store_true", help="T = 256, 2 iterations")
    a = p.parse_args()
    T, iters = (256, 2) if a.quick else (a.T, a.iters)
    print(f"T = {T}, batch 1, fp32, {a.threads} thread(s), median of {iters}")
    hdr = f"{'case':<22} {'pipeline':<10} {'ms':>10} {'GFLOP/s':>9} {'GB/s':>8} {'roofline':>9} {'vs ref':>7}"
    print(hdr)
    print("-" * len(hdr))
    for name, build in CASES.items():
        if a.only and a.only not in name:
            continue
        module = build(T)
        ref_ms = None
        for pipe in PIPELINES:
            r, err = run(module, pipe, iters, a.threads)
            if r is None:
                print(f"{name:<22} {pipe:<10} {'error: ' + (err or 'no bench line')}")
                continue
            ms, _, gflops, gbs, roof = r
            ms = float(ms)
            if pipe == "reference":
                ref_ms = ms
            speedup = f"{ref_ms / ms:.2f}x" if ref_ms else "-"
            share = f"{float(roof):.2f}%" if roof else "-"
            print(f"{name:<22} {pipe:<10} {ms:>10.3f} {float(gflops):>9.2f} "
                  f"{float(gbs):>8.3f} {share:>9} {speedup:>7}")


if __name__ == "__main__":
    main()
