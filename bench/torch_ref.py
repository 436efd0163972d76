#!/usr/bin/env python3
"""Optional PyTorch baseline for bench/bench.py: the same math written with
plain torch ops on CPU, timed the same way (median of N calls after one
warm-up).

    python3 bench/torch_ref.py [--T N] [--iters N] [--threads N] [--quick]

What a user without a fused kernel runs:
- the Mamba-1 selective scan: every step's decay and input computed up
  front, then a Python loop over T carrying the [D, N] state;
- the causal depthwise conv: F.conv1d;
- linear attention (GLA, simple GLA) and the gated delta rule: the chunked
  form (64-token chunks: intra-chunk matmuls under a decay mask, the state
  carried chunk to chunk; for the delta rule the WY form, its triangular
  system solved by forward substitution), batched over heads;
- Mamba-2 SSD: the chunked "minimal" form (segment sums, four einsums);
- segment_matmul: one matmul per segment;
- windowed attention: scaled_dot_product_attention with the equivalent
  boolean mask (query blocks, so that the mask and scores fit in memory),
  and is_causal for causal attention.
Baselines for "what eager PyTorch gives you", not tuned kernels. Without
torch it prints one line and exits 0, so scripts can call it
unconditionally.
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


CHUNK = 64


def _chunks(x, C=CHUNK):
    """[b, T, ...] -> [b, T / C, C, ...] (T a multiple of C)."""
    return x.reshape(x.shape[0], x.shape[1] // C, C, *x.shape[2:])


def chunked_gla(q, k, v, log_decay, scale):
    """q, k [b, T, H, K]; v [b, T, H, V]; log_decay [b, T, H, K] (GLA) or
    [b, T, H] (simple GLA). Returns (o [b, T, H, V], state [b, H, K, V])."""
    if log_decay.dim() == 3:
        log_decay = log_decay[..., None].expand_as(k)
    b, T, H, K = q.shape
    # [b, H, n, C, K]: heads batched, chunks in order.
    q, k, v, g = (_chunks(x).permute(0, 3, 1, 2, 4) for x in (q * scale, k, v, log_decay))
    g = g.cumsum(3)  # within each chunk
    causal = torch.ones(CHUNK, CHUNK, dtype=torch.bool).tril()
    # Intra-chunk: q_i k_j exp(g_i - g_j) for j <= i, relative to the
    # chunk's first step so that no exp grows with T.
    qg, kg = q * torch.exp(g), k * torch.exp(-g)
    A = (qg @ kg.transpose(-1, -2)).masked_fill(~causal, 0)
    o = A @ v
    S = torch.zeros(b, H, K, v.shape[-1], dtype=q.dtype)
    last = g[:, :, :, -1:, :]  # [b, H, n, 1, K]
    kd = k * torch.exp(last - g)
    for c in range(q.shape[2]):
        o[:, :, c] += qg[:, :, c] @ S
        S = torch.exp(last[:, :, c, 0])[..., None] * S + kd[:, :, c].transpose(-1, -2) @ v[:, :, c]
    return o.permute(0, 2, 3, 1, 4).reshape(b, T, H, -1), S


def chunked_gated_delta(q, k, v, log_decay, beta, scale):
    """The gated delta rule with qk l2 norm, chunked in the WY form.
    q, k [b, T, H, K]; v [b, T, H, V]; log_decay, beta [b, T, H]."""
    b, T, H, K = q.shape
    q, k = F.normalize(q, dim=-1) * scale, F.normalize(k, dim=-1)
    q, k, v = (_chunks(x).permute(0, 3, 1, 2, 4) for x in (q, k, v))
    g, beta = (_chunks(x).permute(0, 3, 1, 2) for x in (log_decay, beta))
    g = g.cumsum(-1)
    decay = torch.exp(g[..., :, None] - g[..., None, :]).tril()  # [b, H, n, C, C]
    kb = k * beta[..., None]
    # T = (I + strictly-lower(diag(beta) K K^T decay))^-1 by forward
    # substitution, then W = T diag(beta) K exp(g), U = T diag(beta) V.
    L = -(kb @ k.transpose(-1, -2) * decay).tril(-1)
    for i in range(1, CHUNK):
        L[..., i, :i] = L[..., i, :i] + (L[..., i, :, None] * L[..., :, :i]).sum(-2)
    Tm = L + torch.eye(CHUNK, dtype=q.dtype)
    w, u = Tm @ (kb * torch.exp(g)[..., None]), Tm @ (v * beta[..., None])
    S = torch.zeros(b, H, K, v.shape[-1], dtype=q.dtype)
    o = torch.empty_like(v)
    intra = (q @ k.transpose(-1, -2) * decay)
    last = g[..., -1:]
    kd = k * torch.exp(last - g)[..., None]
    for c in range(q.shape[2]):
        vc = u[:, :, c] - w[:, :, c] @ S
        o[:, :, c] = (q[:, :, c] * torch.exp(g[:, :, c])[..., None]) @ S + intra[:, :, c] @ vc
        S = torch.exp(last[:, :, c])[..., None] * S + kd[:, :, c].transpose(-1, -2) @ vc
    return o.permute(0, 2, 3, 1, 4).reshape(b, T, H, -1), S


def gated_delta_step(q, k, v, log_decay, beta, state, scale):
    """One decode step: q, k, v [b, 1, H, K]; log_decay, beta [b, 1, H];
    state [b, H, K, V] updated in place."""
    q, k = F.normalize(q[:, 0], dim=-1) * scale, F.normalize(k[:, 0], dim=-1)
    state.mul_(torch.exp(log_decay[:, 0])[..., None, None])
    err = v[:, 0] - (k[..., None, :] @ state)[..., 0, :]
    state.add_(k[..., :, None] * (beta[:, 0, :, None] * err)[..., None, :])
    return (q[..., None, :] @ state)[..., 0, :][:, None], state


def _segsum(x):
    """[..., C] -> [..., C, C]: sum of x over (j, i] below the diagonal,
    -inf above it."""
    C = x.shape[-1]
    x = x[..., None].expand(*x.shape, C).tril(-1)
    s = x.cumsum(-2)
    return s.masked_fill(~torch.ones(C, C, dtype=torch.bool).tril(), -torch.inf)


def ssd(x, dt, A, B, C, D, z, dt_bias):
    """Mamba-2 SSD, chunked: x, z [b, T, H, P]; dt [b, T, H]; A, D, dt_bias
    [H]; B, C [b, T, 1, N] (one group). Returns (y, state [b, H, P, N])."""
    dt = F.softplus(dt + dt_bias)
    X = _chunks(x * dt[..., None])                      # [b, n, l, H, P]
    Ad = _chunks(A * dt).permute(0, 3, 1, 2)            # [b, H, n, l]
    Bc, Cc = _chunks(B[:, :, 0]), _chunks(C[:, :, 0])   # [b, n, l, N]
    Acum = Ad.cumsum(-1)
    L = torch.exp(_segsum(Ad))                          # [b, H, n, l, l]
    y = torch.einsum("bcln,bcsn,bhcls,bcshp->bclhp", Cc, Bc, L, X)
    decay = torch.exp(Acum[..., -1:] - Acum)            # [b, H, n, l]
    states = torch.einsum("bcln,bhcl,bclhp->bchpn", Bc, decay, X)
    states = torch.cat([torch.zeros_like(states[:, :1]), states], 1)
    chunk_decay = torch.exp(_segsum(F.pad(Acum[..., -1], (1, 0))))  # [b, H, n+1, n+1]
    states = torch.einsum("bhzc,bchpn->bzhpn", chunk_decay, states)
    prev, final = states[:, :-1], states[:, -1]
    y = y + torch.einsum("bcln,bchpn,bhcl->bclhp", Cc, prev, torch.exp(Acum))
    y = y.reshape(x.shape) + x * D[:, None]
    return y * F.silu(z), final


def segment_matmul(packed, W, offsets):
    out = torch.empty(packed.shape[0], W.shape[-1], dtype=packed.dtype)
    for m in range(W.shape[0]):
        a, e = offsets[m], offsets[m + 1]
        torch.matmul(packed[a:e], W[m], out=out[a:e])
    return out


def masked_attention(q, k, v, allowed, scale, block=1024):
    """softmax(q k^T scale + mask) v over [b, T, H, D], `allowed(rows)` the
    boolean mask of a block of query rows against every key."""
    q, k, v = (x.transpose(1, 2) for x in (q, k, v))  # [b, H, T, D]
    o = torch.empty_like(q)
    for i in range(0, q.shape[2], block):
        rows = torch.arange(i, min(i + block, q.shape[2]))
        o[:, :, rows] = F.scaled_dot_product_attention(
            q[:, :, rows], k, v, attn_mask=allowed(rows), scale=scale)
    return o.transpose(1, 2)


def natten_mask(spatial, kernel):
    """allowed(rows) for NATTEN's rule (no dilation, stride or causal
    mask): a query's window starts at clamp(x - k // 2, 0, L - k) per axis."""
    axes = []
    for L, kk in zip(spatial, kernel):
        x = torch.arange(L)
        start = (x - kk // 2).clamp(0, L - kk)
        axes.append((x[None, :] >= start[:, None]) & (x[None, :] < start[:, None] + kk))
    full = axes[0]
    for m in axes[1:]:
        full = (full[:, None, :, None] & m[None, :, None, :]).reshape(
            full.shape[0] * m.shape[0], -1)
    return lambda rows: full[rows]


def causal_attention(q, k, v, scale):
    o = F.scaled_dot_product_attention(*(x.transpose(1, 2) for x in (q, k, v)),
                                       is_causal=True, scale=scale)
    return o.transpose(1, 2)


def inputs(T):
    """Model-like values (negative A, small Δ) so exp stays in range, the
    same regime seqmix-run's --random-inputs draws."""
    g = torch.Generator().manual_seed(0)
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    D, N, W = 1536, 16, 4
    scan = (r(1, T, D), r(1, T, D) * 0.1 - 2, -torch.exp(r(D, N) * 0.5),
            r(1, T, 1, N), r(1, T, 1, N), r(D), r(1, T, D), r(D) * 0.1)
    conv = (r(1, T, D), r(D, W) * 0.5, r(D))
    cases = {"mamba1_D1536_N16": (selective_scan, scan),
             "conv1d_D1536_W4": (causal_conv1d, conv)}
    # Linear attention at 4 T tokens, gates in (-0.1, 0) per step.
    gate = lambda *s: -torch.sigmoid(r(*s)) * 0.1  # noqa: E731
    T4 = 4 * T
    for name, K, gshape in (("gla_H16_K64_T8192", 64, (1, T4, 16, 64)),
                            ("simple_gla_H16_K128_T8192", 128, (1, T4, 16))):
        cases[name] = (chunked_gla, (r(1, T4, 16, K), r(1, T4, 16, K), r(1, T4, 16, K),
                                     gate(*gshape), K ** -0.5))
    cases["gated_delta_H16_K128_T8192"] = (
        chunked_gated_delta, (r(1, T4, 16, 128), r(1, T4, 16, 128), r(1, T4, 16, 128),
                              gate(1, T4, 16), torch.sigmoid(r(1, T4, 16)), 128 ** -0.5))
    cases["gated_delta_decode_H16_K128"] = (
        gated_delta_step, (r(1, 1, 16, 128), r(1, 1, 16, 128), r(1, 1, 16, 128),
                           gate(1, 1, 16), torch.sigmoid(r(1, 1, 16)),
                           r(1, 16, 128, 128) * 0.1, 128 ** -0.5))
    H, P, N = 24, 64, 128
    cases["mamba2_H24_P64_N128"] = (
        ssd, (r(1, T, H, P), r(1, T, H) * 0.1 - 2, -torch.exp(r(H) * 0.5),
              r(1, T, 1, N), r(1, T, 1, N), r(H), r(1, T, H, P), r(H) * 0.1))
    R = 2 * T
    cases["segment_matmul_1024x256_M4"] = (
        segment_matmul, (r(R, 1024), r(4, 1024, 256), [0, R // 4, R // 2, 3 * R // 4, R]))
    att = lambda T_, H_, D_: [r(1, T_, H_, D_) for _ in range(3)]  # noqa: E731
    T8 = 4 * T
    band = lambda rows: (torch.arange(T8)[None, :] <= rows[:, None]) & (  # noqa: E731
        torch.arange(T8)[None, :] >= rows[:, None] - 511)
    cases["swa_T8192_W512_H8_D64"] = (masked_attention, (*att(T8, 8, 64), band, 0.125))
    cases["causal_T4096_H8_D64"] = (causal_attention, (*att(2 * T, 8, 64), 0.125))
    for name, sp, ks in (("na2d_56x56_k7x7_H4_D32", (56, 56), (7, 7)),
                         ("na3d_16x32x32_k3x7x7_H4", (16, 32, 32), (3, 7, 7))):
        n = 1
        for x in sp:
            n *= x
        q, k, v = att(n, 4, 32)
        cases[name] = (masked_attention, (q, k, v, natten_mask(sp, ks), 32 ** -0.5))
    return cases


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
