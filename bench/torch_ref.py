#!/usr/bin/env python3
"""Optional PyTorch baseline for bench/bench.py: the Mamba-1 selective scan
and the causal depthwise conv written with plain torch ops on CPU, timed the
same way (median of N calls after one warm-up).

    python3 bench/torch_ref.py [--T N] [--iters N] [--threads N] [--quick]

The scan is the straightforward form a framework without a fused kernel
runs: all decays and inputs for every step computed up front, then a Python
loop over T carrying the [D, N] state. It is a baseline for "what eager
PyTorch gives you", not a tuned kernel. Without torch it prints one line and
exits 0, so scripts can call it unconditionally.
"""

import argparse
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    torch = None


def available():
    return torch is not None


def selective_scan(u, delta, A, B, C, D, z, delta_bias):
    """u, delta, z [b, T, D]; A [D, N]; B, C [b, T, 1, N] (one group);
    D, delta_bias [D]. Returns (y [b, T, D], final state [b, D, N])."""
    delta = F.softplus(delta + delta_bias)
    # Every step's decay and input at once (one big vectorized exp), so the
    # loop below is only the recurrence itself.
    dA = torch.exp(delta[..., None] * A)                      # [b, T, D, N]
    dBu = delta[..., None] * B * u[..., None]                 # [b, T, D, N]
    h = torch.zeros(u.shape[0], *A.shape, dtype=u.dtype)
    ys = []
    for t in range(u.shape[1]):
        h = dA[:, t] * h + dBu[:, t]
        ys.append((h @ C[:, t, 0, :, None])[..., 0])          # [b, D]
    y = torch.stack(ys, dim=1) + u * D
    return y * F.silu(z), h


def causal_conv1d(x, w, bias):
    """x [b, T, D]; w [D, W]; bias [D]: depthwise causal conv, then silu."""
    T, W = x.shape[1], w.shape[1]
    # Pad W-1 on both sides and keep the first T outputs: the causal part.
    y = F.conv1d(x.transpose(1, 2), w[:, None, :], bias, padding=W - 1,
                 groups=w.shape[0])[..., :T]
    return F.silu(y).transpose(1, 2)


def inputs(T):
    """Model-like values (negative A, small Δ) so exp stays in range, the
    same regime seqmix-run's --random-inputs draws."""
    g = torch.Generator().manual_seed(0)
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    D, N, W = 1536, 16, 4
    scan = (r(1, T, D), r(1, T, D) * 0.1 - 2, -torch.exp(r(D, N) * 0.5),
            r(1, T, 1, N), r(1, T, 1, N), r(D), r(1, T, D), r(D) * 0.1)
    conv = (r(1, T, D), r(D, W) * 0.5, r(D))
    return {"mamba1_D1536_N16": (selective_scan, scan),
            "conv1d_D1536_W4": (causal_conv1d, conv)}


def time_ms(fn, args, iters):
    with torch.inference_mode():
        fn(*args)  # warm-up: allocator and thread pool, like seqmix-run's
        ts = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn(*args)
            ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts), min(ts)


def run(T, iters, threads):
    """[{"case", "ms", "min_ms"}] for the cases implemented here."""
    torch.set_num_threads(threads)
    out = []
    for case, (fn, args) in inputs(T).items():
        ms, mn = time_ms(fn, args, iters)
        out.append({"case": case, "ms": ms, "min_ms": mn})
    return out


def main():
    if not available():
        print("torch not installed; skipped")
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--T", type=int, default=2048)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="T = 256, 2 iterations")
    a = p.parse_args()
    T, iters = (256, 2) if a.quick else (a.T, a.iters)
    # Same table as bench.py; alone, there is no cost model to give flop or
    # bytes, so only the times are filled in.
    import bench
    print(f"T = {T}, batch 1, fp32, {a.threads} thread(s), median of {iters}")
    print(bench.HEADER)
    print("-" * len(bench.HEADER))
    for r in run(T, iters, a.threads):
        row = bench.row(r["case"], "torch")
        row["ms"], row["min_ms"] = r["ms"], r["min_ms"]
        print(bench.format_row(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
