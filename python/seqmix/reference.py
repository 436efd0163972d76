"""Independent numpy references for every seqmix op.

Each function is written straight from the formulas of docs/Ops.md:
plain loops over time, vectorised over the batch / head / channel axes, with
all arithmetic in float64. Results come back as float32 (the dialect's state
and accumulator type); integer results (route indices, dispatch offsets and
rows, quantized values) come back as int32 / int8.

Layouts are the dialect's token-major layouts: ``[B, T, H, D]`` for attention-
like ops and ``[B, T, D]`` for channel mixers. Every recurrence accepts
``initial_state`` and ``cu_seqlens`` (FlashAttention / fla packing: ``B == 1``,
``N = len(cu_seqlens) - 1`` sequences, state reset at each sequence start) and
can return its final state (``output_final_state=True`` returns a pair).

The functions are oracles, not fast paths: clarity wins over speed, but a
step costs a handful of numpy calls, so ``T`` in the tens of thousands with
small heads stays practical.
"""

import math

import numpy as np

__all__ = [
    "softplus",
    "sigmoid",
    "silu",
    "l2_normalize",
    "linear_attention",
    "selective_scan",
    "ssd",
    "ssd_via_linear_attention",
    "causal_conv1d",
    "route",
    "dispatch",
    "segment_matmul",
    "combine",
    "natten_window",
    "neighborhood_attention",
    "sliding_window_attention",
    "hadamard_matrix",
    "hadamard",
    "quantize",
    "dequantize",
    "scan",
]


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _f64(x):
    """float64 copy-or-view of an optional operand."""
    return None if x is None else np.asarray(x, dtype=np.float64)


def _f32(x):
    return np.asarray(x, dtype=np.float32)


def _expect_shape(name, arr, shape):
    """Raise a ValueError naming the operand unless arr.shape == shape."""
    if tuple(arr.shape) != tuple(shape):
        raise ValueError(
            "%s: expected shape %s, got %s" % (name, tuple(shape), tuple(arr.shape))
        )


def _expect_ndim(name, arr, ndim, layout):
    if arr.ndim != ndim:
        raise ValueError(
            "%s: expected a rank-%d tensor %s, got shape %s"
            % (name, ndim, layout, tuple(arr.shape))
        )


def softplus(x):
    """Mamba's softplus: x where x > 20, else log(1 + exp(x))."""
    x = np.asarray(x, dtype=np.float64)
    # The minimum() only keeps exp() from overflowing in the branch that
    # np.where discards anyway.
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


def sigmoid(x):
    """Logistic function, evaluated without overflow for either sign."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def silu(x):
    """x * sigmoid(x) (a.k.a. swish)."""
    x = np.asarray(x, dtype=np.float64)
    return x * sigmoid(x)


def l2_normalize(x, eps=1e-6):
    """fla's qk l2 norm over the last axis: x / sqrt(sum(x^2) + eps)."""
    x = np.asarray(x, dtype=np.float64)
    return x / np.sqrt(np.sum(x * x, axis=-1, keepdims=True) + eps)


def _check_cu_seqlens(cu_seqlens, total):
    """Validate a cu_seqlens vector against a packed length `total`."""
    cu = np.asarray(cu_seqlens)
    if cu.ndim != 1 or cu.size < 1:
        raise ValueError("cu_seqlens: expected a rank-1 tensor [N+1], got shape %s"
                         % (tuple(cu.shape),))
    if not np.issubdtype(cu.dtype, np.integer):
        raise ValueError("cu_seqlens: expected an integer tensor, got %s" % cu.dtype)
    cu = cu.astype(np.int64)
    if cu[0] != 0:
        raise ValueError("cu_seqlens: first offset must be 0, got %d" % cu[0])
    if np.any(np.diff(cu) < 0):
        raise ValueError("cu_seqlens: offsets must be non-decreasing")
    if cu[-1] != total:
        raise ValueError("cu_seqlens: last offset must equal T = %d, got %d"
                         % (total, cu[-1]))
    return cu


def _sequences(batch, length, cu_seqlens):
    """The independent sequences of a (possibly packed) batch.

    Returns (N, pieces) where each piece is (batch_slice, t0, t1, state_slice):
    the recurrence runs over times t0..t1-1 of the batch rows batch_slice,
    starting from initial_state[state_slice] and ending in
    final_state[state_slice]. Without cu_seqlens there is one piece covering
    all B rows (N = B); with it, B must be 1 and there is one piece per packed
    sequence (N = len(cu_seqlens) - 1), empty sequences included.
    """
    if cu_seqlens is None:
        return batch, [(slice(0, batch), 0, length, slice(0, batch))]
    if batch != 1:
        raise ValueError("cu_seqlens: packed sequences need batch size 1, got B = %d"
                         % batch)
    cu = _check_cu_seqlens(cu_seqlens, length)
    pieces = []
    for n in range(cu.size - 1):
        pieces.append((slice(0, 1), int(cu[n]), int(cu[n + 1]), slice(n, n + 1)))
    return cu.size - 1, pieces


def _initial_state(name, initial_state, shape):
    """float64 working copy of an optional initial state (zeros if absent)."""
    if initial_state is None:
        return np.zeros(shape, dtype=np.float64)
    s = _f64(initial_state)
    _expect_shape(name, s, shape)
    return s.copy()


# --------------------------------------------------------------------------
# Linear recurrences
# --------------------------------------------------------------------------


def _linear_attention_f64(q, k, v, log_decay, beta, initial_state, cu_seqlens,
                          scale, qk_norm, state_layout):
    """linear_attention in float64; returns (o, final_state) unrounded."""
    q, k, v = _f64(q), _f64(k), _f64(v)
    _expect_ndim("q", q, 4, "[B,T,Hqk,K]")
    nb, T, hqk, K = q.shape
    _expect_shape("k", k, q.shape)
    _expect_ndim("v", v, 4, "[B,T,H,V]")
    if v.shape[:2] != (nb, T):
        raise ValueError("v: expected shape [%d,%d,H,V], got %s"
                         % (nb, T, tuple(v.shape)))
    H, V = v.shape[2], v.shape[3]
    if hqk < 1 or H % hqk != 0:
        raise ValueError("q: %d query/key heads must divide the %d value heads"
                         % (hqk, H))
    # GQA: value head h reads query/key head h // (H / Hqk).
    qk_head = np.arange(H) // (H // hqk)

    if scale is None:
        scale = K ** -0.5
    if qk_norm not in (None, "none", "l2"):
        raise ValueError("qk_norm: expected None or 'l2', got %r" % (qk_norm,))
    if qk_norm == "l2":
        q, k = l2_normalize(q), l2_normalize(k)
    if state_layout not in ("kv", "vk"):
        raise ValueError("state_layout: expected 'kv' or 'vk', got %r"
                         % (state_layout,))

    # The rank of log_decay selects the gate.
    g = _f64(log_decay)
    if g is None:
        gate = "none"
    elif g.ndim == 1:
        gate = "per_head"  # [H], constant in time
        _expect_shape("log_decay", g, (H,))
    elif g.ndim == 3:
        gate = "per_step"  # [B,T,H], a scalar per step and head
        _expect_shape("log_decay", g, (nb, T, H))
    elif g.ndim == 4:
        gate = "per_key"  # [B,T,H,K], a vector over K per step and head
        _expect_shape("log_decay", g, (nb, T, H, K))
    else:
        raise ValueError("log_decay: expected shape [H], [B,T,H] or [B,T,H,K], got %s"
                         % (tuple(g.shape),))
    beta = _f64(beta)
    if beta is not None:
        _expect_shape("beta", beta, (nb, T, H))

    N, pieces = _sequences(nb, T, cu_seqlens)
    if state_layout == "kv":
        S0 = _initial_state("initial_state", initial_state, (N, H, K, V))
    else:
        S0 = _initial_state("initial_state", initial_state, (N, H, V, K))
        S0 = S0.transpose(0, 1, 3, 2).copy()  # work in [.., K, V]

    o = np.zeros((nb, T, H, V))
    S_final = S0.copy()
    for bs, t0, t1, ns in pieces:
        S = S0[ns].copy()  # [b, H, K, V]
        for t in range(t0, t1):
            q_t = q[bs, t][:, qk_head]  # [b, H, K]
            k_t = k[bs, t][:, qk_head]  # [b, H, K]
            v_t = v[bs, t]  # [b, H, V]
            # S' = diag(exp(g_t)) S_{t-1}
            if gate == "per_head":
                S = np.exp(g)[None, :, None, None] * S
            elif gate == "per_step":
                S = np.exp(g[bs, t])[:, :, None, None] * S
            elif gate == "per_key":
                S = np.exp(g[bs, t])[:, :, :, None] * S
            if beta is None:
                # Additive rule: S_t = S' + k_t^T v_t
                S = S + k_t[..., :, None] * v_t[..., None, :]
            else:
                # Delta rule: S_t = S' + k_t^T (beta_t (v_t - k_t S'))
                predicted = np.einsum("bhk,bhkv->bhv", k_t, S)
                correction = beta[bs, t][..., None] * (v_t - predicted)
                S = S + k_t[..., :, None] * correction[..., None, :]
            # o_t = scale * q_t S_t
            o[bs, t] = scale * np.einsum("bhk,bhkv->bhv", q_t, S)
        S_final[ns] = S
    if state_layout == "vk":
        S_final = S_final.transpose(0, 1, 3, 2)
    return o, S_final


def linear_attention(q, k, v, log_decay=None, beta=None, initial_state=None,
                     cu_seqlens=None, scale=None, qk_norm=None, state_layout="kv",
                     output_final_state=False):
    """seqmix.linear_attention (plain / gated linear attention, delta rule).

    q, k: [B,T,Hqk,K]; v: [B,T,H,V]; Hqk divides H and head h uses q/k head
    h // (H // Hqk). log_decay (natural-log decays) selects the gate by its
    shape: None (no decay), [H] (constant per head), [B,T,H] (scalar per
    step) or [B,T,H,K] (vector over K). beta [B,T,H] switches to the delta
    rule. State [N,H,K,V] for state_layout 'kv', [N,H,V,K] for 'vk'.
    scale defaults to K**-0.5, as the builders do (the IR op needs an explicit
    f32 `scale`; its verifier suggests this value); qk_norm='l2' normalises q
    and k per head first.

        S' = diag(exp(g_t)) S_{t-1}
        S_t = S' + k_t^T v_t                         (additive)
        S_t = S' + k_t^T (beta_t (v_t - k_t S'))     (delta rule)
        o_t = scale * q_t S_t

    Returns o [B,T,H,V] float32, or (o, final_state) when output_final_state.
    """
    o, S = _linear_attention_f64(q, k, v, log_decay, beta, initial_state,
                                 cu_seqlens, scale, qk_norm, state_layout)
    if output_final_state:
        return _f32(o), _f32(S)
    return _f32(o)


def _mamba_delta(name, raw, bias, use_softplus, limit, threshold):
    """The step size of Mamba-1/2: bias, softplus, clamp to limit, threshold.

    The last axis of `raw` is the channel (Mamba-1) or head (Mamba-2) axis;
    bias and threshold are vectors over it. Where the processed step is
    strictly below the threshold it becomes exactly 0, an identity step.
    """
    delta = _f64(raw)
    if bias is not None:
        b = _f64(bias)
        _expect_shape(name + "_bias", b, (delta.shape[-1],))
        delta = delta + b
    if use_softplus:
        delta = softplus(delta)
    if limit is not None:
        lo, hi = limit
        delta = np.clip(delta, lo, hi)
    if threshold is not None:
        thr = _f64(threshold)
        _expect_shape("delta_threshold", thr, (delta.shape[-1],))
        delta = np.where(delta < thr, 0.0, delta)
    return delta


def selective_scan(u, delta, A, B, C, D=None, z=None, delta_bias=None,
                   delta_threshold=None, delta_softplus=False, initial_state=None,
                   cu_seqlens=None, output_final_state=False):
    """seqmix.selective_scan (Mamba-1), token-major.

    u, delta, z: [B,T,D]; A: [D,N]; B, C: [B,T,G,N], channel d uses group
    d // (D // G); D, delta_bias, delta_threshold: [D]; state [N_seq,D,N].

        Delta = delta + delta_bias, then softplus (if delta_softplus), then
                Delta := 0 where Delta < delta_threshold
        h_t[d,n] = exp(Delta_t[d] A[d,n]) h_{t-1}[d,n]
                   + Delta_t[d] B_t[g(d),n] u_t[d]
        y_t[d] = sum_n C_t[g(d),n] h_t[d,n] + D[d] u_t[d], times silu(z_t[d])

    Returns y [B,T,D] float32, or (y, final_state) when output_final_state.
    """
    u = _f64(u)
    _expect_ndim("u", u, 3, "[B,T,D]")
    nb, T, nd = u.shape
    A = _f64(A)
    _expect_ndim("A", A, 2, "[D,N]")
    if A.shape[0] != nd:
        raise ValueError("A: expected shape [%d,N], got %s" % (nd, tuple(A.shape)))
    ns_ = A.shape[1]
    Bm, Cm = _f64(B), _f64(C)
    _expect_ndim("B", Bm, 4, "[B,T,G,N]")
    G = Bm.shape[2]
    _expect_shape("B", Bm, (nb, T, G, ns_))
    _expect_shape("C", Cm, (nb, T, G, ns_))
    if G < 1 or nd % G != 0:
        raise ValueError("B: %d groups must divide the %d channels" % (G, nd))
    group = np.arange(nd) // (nd // G)  # channel d -> group of B and C
    _expect_shape("delta", np.asarray(delta), (nb, T, nd))
    dt = _mamba_delta("delta", delta, delta_bias, delta_softplus, None,
                      delta_threshold)

    N, pieces = _sequences(nb, T, cu_seqlens)
    h0 = _initial_state("initial_state", initial_state, (N, nd, ns_))
    y = np.zeros((nb, T, nd))
    h_final = h0.copy()
    for bs, t0, t1, sl in pieces:
        h = h0[sl].copy()  # [b, D, N]
        for t in range(t0, t1):
            dt_t = dt[bs, t]  # [b, D]
            decay = np.exp(dt_t[..., None] * A[None])  # [b, D, N]
            B_t = Bm[bs, t][:, group]  # [b, D, N]
            C_t = Cm[bs, t][:, group]  # [b, D, N]
            h = decay * h + (dt_t * u[bs, t])[..., None] * B_t
            y[bs, t] = np.sum(C_t * h, axis=-1)
        h_final[sl] = h

    if D is not None:
        Dv = _f64(D)
        _expect_shape("D", Dv, (nd,))
        y = y + Dv * u
    if z is not None:
        zz = _f64(z)
        _expect_shape("z", zz, (nb, T, nd))
        y = y * silu(zz)
    if output_final_state:
        return _f32(y), _f32(h_final)
    return _f32(y)


def _ssd_operands(x, dt, A, B, C, D, z, dt_bias, delta_threshold, dt_softplus,
                  dt_limit):
    """Shared shape checks and step-size computation of the two ssd paths."""
    x = _f64(x)
    _expect_ndim("x", x, 4, "[B,T,H,P]")
    nb, T, H, P = x.shape
    _expect_shape("dt", np.asarray(dt), (nb, T, H))
    A = _f64(A)
    _expect_shape("A", A, (H,))
    Bm, Cm = _f64(B), _f64(C)
    _expect_ndim("B", Bm, 4, "[B,T,G,N]")
    G, ns_ = Bm.shape[2], Bm.shape[3]
    _expect_shape("B", Bm, (nb, T, G, ns_))
    _expect_shape("C", Cm, (nb, T, G, ns_))
    if G < 1 or H % G != 0:
        raise ValueError("B: %d groups must divide the %d heads" % (G, H))
    Dm = _f64(D)
    if Dm is not None:
        if Dm.shape == (H,):
            Dm = Dm[:, None]  # one skip weight per head
        elif Dm.shape != (H, P):
            raise ValueError("D: expected shape (%d,) or (%d, %d), got %s"
                             % (H, H, P, tuple(Dm.shape)))
    zz = _f64(z)
    if zz is not None:
        _expect_shape("z", zz, (nb, T, H, P))
    if dt_limit is not None and len(dt_limit) != 2:
        raise ValueError("dt_limit: expected a pair [lo, hi]")
    delta = _mamba_delta("dt", dt, dt_bias, dt_softplus, dt_limit, delta_threshold)
    return x, delta, A, Bm, Cm, Dm, zz


def ssd(x, dt, A, B, C, D=None, z=None, dt_bias=None, delta_threshold=None,
        dt_softplus=False, dt_limit=None, initial_state=None, cu_seqlens=None,
        output_final_state=False):
    """seqmix.ssd (Mamba-2), written as its own recurrence.

    x, z: [B,T,H,P]; dt: [B,T,H]; A: [H]; B, C: [B,T,G,N], head h uses group
    h // (H // G); D: [H] or [H,P]; dt_bias, delta_threshold: [H];
    state [N_seq,H,P,N].

        Delta = dt + dt_bias, softplus (if dt_softplus), clamp to dt_limit,
                Delta := 0 where Delta < delta_threshold
        h_t[p,n] = exp(Delta_t A) h_{t-1}[p,n] + Delta_t x_t[p] B_t[n]
        y_t[p] = sum_n h_t[p,n] C_t[n] + D x_t[p], times silu(z_t[p])

    Returns y [B,T,H,P] float32, or (y, final_state) when output_final_state.
    """
    x, delta, A, Bm, Cm, Dm, zz = _ssd_operands(
        x, dt, A, B, C, D, z, dt_bias, delta_threshold, dt_softplus, dt_limit)
    nb, T, H, P = x.shape
    G, ns_ = Bm.shape[2], Bm.shape[3]
    group = np.arange(H) // (H // G)

    N, pieces = _sequences(nb, T, cu_seqlens)
    h0 = _initial_state("initial_state", initial_state, (N, H, P, ns_))
    y = np.zeros((nb, T, H, P))
    h_final = h0.copy()
    for bs, t0, t1, sl in pieces:
        h = h0[sl].copy()  # [b, H, P, N]
        for t in range(t0, t1):
            d_t = delta[bs, t]  # [b, H]
            decay = np.exp(d_t * A)  # [b, H], one scalar per head
            B_t = Bm[bs, t][:, group]  # [b, H, N]
            C_t = Cm[bs, t][:, group]  # [b, H, N]
            inp = d_t[..., None] * x[bs, t]  # [b, H, P]
            h = decay[..., None, None] * h + inp[..., :, None] * B_t[..., None, :]
            y[bs, t] = np.einsum("bhpn,bhn->bhp", h, C_t)
        h_final[sl] = h

    if Dm is not None:
        y = y + Dm * x
    if zz is not None:
        y = y * silu(zz)
    if output_final_state:
        return _f32(y), _f32(h_final)
    return _f32(y)


def ssd_via_linear_attention(x, dt, A, B, C, D=None, z=None, dt_bias=None,
                             delta_threshold=None, dt_softplus=False, dt_limit=None,
                             initial_state=None, cu_seqlens=None,
                             output_final_state=False):
    """seqmix.ssd through its decomposition (docs/Ops.md).

    linear_attention with q = C, k = B, v = Delta x, scalar gate
    g = Delta A, scale 1 and state_layout 'vk', then the D skip and the
    silu(z) gate. Same signature and result as ssd().
    """
    x, delta, A, Bm, Cm, Dm, zz = _ssd_operands(
        x, dt, A, B, C, D, z, dt_bias, delta_threshold, dt_softplus, dt_limit)
    o, S = _linear_attention_f64(
        q=Cm, k=Bm, v=delta[..., None] * x, log_decay=delta * A[None, None, :],
        beta=None, initial_state=initial_state, cu_seqlens=cu_seqlens, scale=1.0,
        qk_norm=None, state_layout="vk")
    y = o
    if Dm is not None:
        y = y + Dm * x
    if zz is not None:
        y = y * silu(zz)
    if output_final_state:
        return _f32(y), _f32(S)
    return _f32(y)


def causal_conv1d(x, w, bias=None, initial_state=None, cu_seqlens=None,
                  activation="none", output_final_state=False):
    """seqmix.causal_conv1d, depthwise and causal, token-major.

    x: [B,T,D]; w: [D,W] (any W >= 1); bias: [D]; state [N_seq,W-1,D] with
    rows in time order, oldest first (zeros when absent).

        y_t[d] = bias[d] + sum_j w[d,j] x_{t-W+1+j}[d], then silu if asked

    The final state holds the last W-1 inputs of each sequence, history rows
    included when the sequence is shorter than W-1.
    """
    x = _f64(x)
    _expect_ndim("x", x, 3, "[B,T,D]")
    nb, T, nd = x.shape
    w = _f64(w)
    _expect_ndim("w", w, 2, "[D,W]")
    if w.shape[0] != nd or w.shape[1] < 1:
        raise ValueError("w: expected shape [%d,W] with W >= 1, got %s"
                         % (nd, tuple(w.shape)))
    W = w.shape[1]
    b = np.zeros(nd) if bias is None else _f64(bias)
    _expect_shape("bias", b, (nd,))
    if activation in (None, "none"):
        act = None
    elif activation == "silu":
        act = silu
    else:
        raise ValueError("activation: expected 'none' or 'silu', got %r"
                         % (activation,))

    N, pieces = _sequences(nb, T, cu_seqlens)
    s0 = _initial_state("initial_state", initial_state, (N, W - 1, nd))
    y = np.zeros((nb, T, nd))
    s_final = s0.copy()
    for bs, t0, t1, sl in pieces:
        L = t1 - t0
        # padded[:, i] is the input at time i - (W-1) of this sequence, so
        # x_{t-W+1+j} = padded[:, t + j].
        padded = np.concatenate([s0[sl], x[bs, t0:t1]], axis=1)  # [b, W-1+L, D]
        acc = np.broadcast_to(b, (padded.shape[0], L, nd)).copy()
        for j in range(W):
            acc += w[:, j] * padded[:, j:j + L]
        y[bs, t0:t1] = acc
        s_final[sl] = padded[:, L:]  # the last W-1 rows
    if act is not None:
        y = act(y)
    if output_final_state:
        return _f32(y), _f32(s_final)
    return _f32(y)


# --------------------------------------------------------------------------
# Memory routing (Mixture-of-Memories)
# --------------------------------------------------------------------------


def route(logits, top_k, score="softmax", renormalize=False):
    """seqmix.route: top-k memories per token.

    logits [B,T,M] -> (indices [B,T,k] int32, weights [B,T,k] float32).
    The k picks are ranked on the logits, highest first, ties going to the
    lower memory index (a stable sort of -logits). Both score functions are
    monotonic, so this is the score order, except that it never lets scores
    that saturate to the same float (sigmoid of 30 and 40 are both 1.0 in
    f32) tie. The weights are the scores, softmax or sigmoid of the logits
    (float64), of the picks; renormalize divides the k weights by their sum.
    """
    lg = _f64(logits)
    _expect_ndim("logits", lg, 3, "[B,T,M]")
    M = lg.shape[-1]
    if not 1 <= int(top_k) <= M:
        raise ValueError("top_k: expected 1 <= top_k <= %d, got %r" % (M, top_k))
    if score == "softmax":
        e = np.exp(lg - lg.max(axis=-1, keepdims=True))
        s = e / e.sum(axis=-1, keepdims=True)
    elif score == "sigmoid":
        s = sigmoid(lg)
    else:
        raise ValueError("score: expected 'softmax' or 'sigmoid', got %r" % (score,))
    order = np.argsort(-lg, axis=-1, kind="stable")[..., :int(top_k)]
    w = np.take_along_axis(s, order, axis=-1)
    if renormalize:
        w = w / w.sum(axis=-1, keepdims=True)
    return order.astype(np.int32), _f32(w)


def dispatch(x, indices, num_memories):
    """seqmix.dispatch: stable grouping of token copies by (batch, memory).

    x [B,T,F..] and indices [B,T,k] -> (packed [B*T*k, F..],
    offsets [B*M+1] int32, rows [B*T*k] int32). Packed rows are sorted by
    (b, m, t, j); segment s = b*M + m spans offsets[s]..offsets[s+1]; rows[r]
    = (b*T + t)*k + j is the slot packed row r was copied from. packed keeps
    x's dtype (it is a pure gather).
    """
    x = np.asarray(x)
    idx = np.asarray(indices)
    _expect_ndim("indices", idx, 3, "[B,T,k]")
    nb, T, k = idx.shape
    if x.ndim < 2 or x.shape[:2] != (nb, T):
        raise ValueError("x: expected shape [%d,%d,F..], got %s"
                         % (nb, T, tuple(x.shape)))
    M = int(num_memories)
    if M < 1:
        raise ValueError("num_memories: expected >= 1, got %d" % M)
    idx = idx.astype(np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= M):
        raise ValueError("indices: values must lie in [0, %d)" % M)

    b, t, j = np.meshgrid(np.arange(nb), np.arange(T), np.arange(k), indexing="ij")
    slot = ((b * T + t) * k + j).ravel()
    segment = (b * M + idx).ravel()
    # np.lexsort sorts by its last key first: (segment, t, j) = (b, m, t, j).
    order = np.lexsort((j.ravel(), t.ravel(), segment))
    rows = slot[order]
    packed = x.reshape((nb * T,) + x.shape[2:])[rows // k]
    counts = np.bincount(segment, minlength=nb * M)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return packed, offsets.astype(np.int32), rows.astype(np.int32)


def segment_matmul(packed, W, offsets):
    """seqmix.segment_matmul: packed [R,Din] x W [M,Din,Dout] -> [R,Dout].

    Rows offsets[s]..offsets[s+1] are multiplied by W[s % M].
    """
    p = _f64(packed)
    _expect_ndim("packed", p, 2, "[R,Din]")
    Wm = _f64(W)
    _expect_ndim("W", Wm, 3, "[M,Din,Dout]")
    if Wm.shape[1] != p.shape[1]:
        raise ValueError("W: expected shape [M,%d,Dout], got %s"
                         % (p.shape[1], tuple(Wm.shape)))
    off = _check_cu_seqlens(offsets, p.shape[0])
    M = Wm.shape[0]
    out = np.zeros((p.shape[0], Wm.shape[2]))
    for s in range(off.size - 1):
        lo, hi = off[s], off[s + 1]
        out[lo:hi] = p[lo:hi] @ Wm[s % M]
    return _f32(out)


def combine(packed, rows, weights):
    """seqmix.combine: out[b,t] = sum_j w[b,t,j] * packed[row(b,t,j)].

    packed [R,F..], rows [R] (from dispatch), weights [B,T,k] with
    R = B*T*k; row(b,t,j) is the packed row r with rows[r] == (b*T+t)*k + j.
    Returns [B,T,F..] float32.
    """
    p = _f64(packed)
    w = _f64(weights)
    _expect_ndim("weights", w, 3, "[B,T,k]")
    nb, T, k = w.shape
    R = nb * T * k
    r = np.asarray(rows).astype(np.int64)
    _expect_shape("rows", r, (R,))
    if p.shape[0] != R:
        raise ValueError("packed: expected %d rows, got %d" % (R, p.shape[0]))
    if not np.array_equal(np.sort(r), np.arange(R)):
        raise ValueError("rows: expected a permutation of 0..%d" % (R - 1))
    inverse = np.empty(R, dtype=np.int64)
    inverse[r] = np.arange(R)  # slot -> packed row
    gathered = p[inverse].reshape((nb, T, k) + p.shape[1:])
    out = np.einsum("btj,btj...->bt...", w, gathered)
    return _f32(out)


# --------------------------------------------------------------------------
# Windowed attention
# --------------------------------------------------------------------------


def natten_window(i, length, kernel_size, dilation=1, stride=1, causal=False):
    """Key indices (ascending) that query i sees along one NA axis.

    NATTEN's reference-mask rule (REFERENCES.md section 5):
    - Dilation d splits the axis into d interleaved groups: query i is in
      group g = i % d at position ii = i // d, and group g holds
      ceil((length - g) / d) tokens. Windows are formed inside the group and
      mapped back to axis indices g + d * position.
    - Stride s: queries form groups of s consecutive (group) positions and
      all of them use the window of a leader: the middle member s // 2 when
      non-causal, the last member s - 1 when causal (clamped to the group).
    - Non-causal: wl = k // 2 keys left of the leader, wr = k // 2 + k % 2 - 1
      right of it; a window that would leave the group is shifted back inside,
      so it always holds exactly k keys.
    - Causal: the window starts where the leader's would, k - 1 keys before
      the leader (truncated at 0), and ends at the query itself.
    """
    k, d, s = kernel_size, dilation, stride
    g = i % d  # dilation group of the query
    ii = i // d  # position inside that group
    n = (length - g + d - 1) // d  # tokens in the group
    if causal:
        leader = min((ii // s) * s + s - 1, n - 1)
        start = max(leader - (k - 1), 0)
        end = min(ii + 1, n)
    else:
        wl = k // 2
        wr = k // 2 + k % 2 - 1
        leader = min((ii // s) * s + s // 2, n - 1)
        start = max(leader - wl, 0)
        if leader + wr >= n:
            # The right edge would pass the end: shift the window left so
            # that it ends at the last token of the group.
            start += n - wr - leader - 1
        end = start + k
    return g + d * np.arange(start, end)


def _per_axis(name, value, rank, default):
    """Normalise an int/bool-or-tuple NA parameter to a tuple of length rank."""
    if value is None:
        value = default
    if np.ndim(value) == 0:
        return (value,) * rank
    value = tuple(value)
    if len(value) != rank:
        raise ValueError("%s: expected %d values (one per spatial axis), got %d"
                         % (name, rank, len(value)))
    return value


def _softmax_rows(logits):
    """Softmax over the last axis and its natural-log normaliser (lse)."""
    m = logits.max(axis=-1, keepdims=True)
    e = np.exp(logits - m)
    total = e.sum(axis=-1, keepdims=True)
    return e / total, (m + np.log(total))[..., 0]


def neighborhood_attention(q, k, v, kernel_size, dilation=None, stride=None,
                           is_causal=None, scale=None, rpb=None, return_lse=False):
    """seqmix.neighborhood_attention with NATTEN semantics, 1 to 3 spatial axes.

    q [B,X1..Xr,H,Dqk], k [B,X1..Xr,Hkv,Dqk], v [B,X1..Xr,Hkv,Dv] ->
    o [B,X1..Xr,H,Dv] (and lse [B,X1..Xr,H] when return_lse). Query head h
    reads kv head h // (H // Hkv). kernel_size, dilation (default 1), stride
    (default 1) and is_causal (default False) are an int/bool or one value per
    axis; the neighbourhood is the product of the per-axis windows of
    natten_window(). scale defaults to Dqk**-0.5, as the builders do (the IR
    op needs an explicit f32 `scale`). rpb [H, 2k1-1, .., 2kr-1]
    is added to the logits at index (key - query) / dilation + k - 1 per
    axis; it is not allowed with a causal axis.
    """
    q, k, v = _f64(q), _f64(k), _f64(v)
    rank = q.ndim - 3
    if not 1 <= rank <= 3:
        raise ValueError("q: expected shape [B,X1..Xr,H,D] with 1 <= r <= 3, got %s"
                         % (tuple(q.shape),))
    nb, spatial, H, dqk = q.shape[0], q.shape[1:-2], q.shape[-2], q.shape[-1]
    if k.ndim != q.ndim or k.shape[:-2] != q.shape[:-2] or k.shape[-1] != dqk:
        raise ValueError("k: expected shape %s, got %s"
                         % (tuple(q.shape[:-2]) + ("Hkv", dqk), tuple(k.shape)))
    hkv = k.shape[-2]
    if v.ndim != q.ndim or v.shape[:-1] != k.shape[:-1]:
        raise ValueError("v: expected shape %s, got %s"
                         % (tuple(k.shape[:-1]) + ("Dv",), tuple(v.shape)))
    dv = v.shape[-1]
    if hkv < 1 or H % hkv != 0:
        raise ValueError("k: %d kv heads must divide the %d query heads" % (hkv, H))
    kv_head = np.arange(H) // (H // hkv)

    ks = tuple(int(a) for a in _per_axis("kernel_size", kernel_size, rank, 1))
    dil = tuple(int(a) for a in _per_axis("dilation", dilation, rank, 1))
    st = tuple(int(a) for a in _per_axis("stride", stride, rank, 1))
    causal = tuple(bool(a) for a in _per_axis("is_causal", is_causal, rank, False))
    for a in range(rank):
        if ks[a] < 1 or dil[a] < 1 or st[a] < 1:
            raise ValueError("axis %d: kernel_size, dilation and stride must be >= 1"
                             % a)
        if ks[a] * dil[a] > spatial[a]:
            raise ValueError("axis %d: kernel_size %d x dilation %d exceeds the "
                             "axis length %d" % (a, ks[a], dil[a], spatial[a]))
        if st[a] > ks[a]:
            raise ValueError("axis %d: stride %d exceeds kernel_size %d"
                             % (a, st[a], ks[a]))
    if scale is None:
        scale = dqk ** -0.5
    bias = _f64(rpb)
    if bias is not None:
        if any(causal):
            raise ValueError("rpb: not allowed together with a causal axis")
        _expect_shape("rpb", bias, (H,) + tuple(2 * a - 1 for a in ks))

    # Per-axis windows of every query index.
    windows = [
        [natten_window(i, spatial[a], ks[a], dil[a], st[a], causal[a])
         for i in range(spatial[a])]
        for a in range(rank)
    ]

    o = np.zeros((nb,) + spatial + (H, dv))
    lse = np.zeros((nb,) + spatial + (H,))
    everything = (slice(None),)
    for pos in np.ndindex(*spatial):
        wins = [windows[a][pos[a]] for a in range(rank)]
        nkeys = int(np.prod([len(w) for w in wins]))
        grid = np.ix_(*wins)
        keys = k[everything + grid].reshape(nb, nkeys, hkv, dqk)[:, :, kv_head]
        vals = v[everything + grid].reshape(nb, nkeys, hkv, dv)[:, :, kv_head]
        q_pos = q[everything + pos]  # [B, H, Dqk]
        logits = scale * np.einsum("bhd,bnhd->bhn", q_pos, keys)
        if bias is not None:
            rel = [(wins[a] - pos[a]) // dil[a] + ks[a] - 1 for a in range(rank)]
            logits = logits + bias[everything + np.ix_(*rel)].reshape(H, nkeys)
        p, row_lse = _softmax_rows(logits)
        o[everything + pos] = np.einsum("bhn,bnhd->bhd", p, vals)
        lse[everything + pos] = row_lse
    if return_lse:
        return _f32(o), _f32(lse)
    return _f32(o)


def sliding_window_attention(q, k, v, window_left=-1, window_right=-1, scale=None,
                             return_lse=False):
    """seqmix.sliding_window_attention with FlashAttention semantics.

    q [B,Tq,H,D], k [B,Tk,Hkv,D], v [B,Tk,Hkv,Dv] -> o [B,Tq,H,Dv] (and
    lse [B,Tq,H] when return_lse). Query i is aligned to key c = i + Tk - Tq
    (bottom-right) and sees keys j with c - window_left <= j <= c +
    window_right, a negative window being unbounded on that side; windows are
    truncated at the borders. A row with no key gives o = 0 and lse = -inf.
    scale defaults to D**-0.5, as the builders do (the IR op needs an explicit
    f32 `scale`).
    """
    q, k, v = _f64(q), _f64(k), _f64(v)
    _expect_ndim("q", q, 4, "[B,Tq,H,D]")
    _expect_ndim("k", k, 4, "[B,Tk,Hkv,D]")
    _expect_ndim("v", v, 4, "[B,Tk,Hkv,Dv]")
    nb, tq, H, D = q.shape
    tk, hkv = k.shape[1], k.shape[2]
    _expect_shape("k", k, (nb, tk, hkv, D))
    if v.shape[:3] != (nb, tk, hkv):
        raise ValueError("v: expected shape [%d,%d,%d,Dv], got %s"
                         % (nb, tk, hkv, tuple(v.shape)))
    if hkv < 1 or H % hkv != 0:
        raise ValueError("k: %d kv heads must divide the %d query heads" % (hkv, H))
    kv_head = np.arange(H) // (H // hkv)
    if scale is None:
        scale = D ** -0.5

    o = np.zeros((nb, tq, H, v.shape[3]))
    lse = np.full((nb, tq, H), -np.inf)
    for i in range(tq):
        c = i + tk - tq
        lo = 0 if window_left < 0 else max(c - window_left, 0)
        hi = tk - 1 if window_right < 0 else min(c + window_right, tk - 1)
        if lo > hi:
            continue  # fully masked: o stays 0, lse stays -inf
        keys = k[:, lo:hi + 1][:, :, kv_head]  # [B, n, H, D]
        vals = v[:, lo:hi + 1][:, :, kv_head]
        logits = scale * np.einsum("bhd,bnhd->bhn", q[:, i], keys)
        p, row_lse = _softmax_rows(logits)
        o[:, i] = np.einsum("bhn,bnhd->bhd", p, vals)
        lse[:, i] = row_lse
    if return_lse:
        return _f32(o), _f32(lse)
    return _f32(o)


# --------------------------------------------------------------------------
# Quantization helpers
# --------------------------------------------------------------------------

_HADAMARD_BASES = (1, 12, 20, 28)


def _hadamard_factors(n):
    """Split n = m * 2^p with m in {1, 12, 20, 28}; returns (m, 2^p)."""
    n = int(n)
    for m in _HADAMARD_BASES:
        if n >= m and n % m == 0:
            p2 = n // m
            if p2 & (p2 - 1) == 0:
                return m, p2
    raise ValueError("hadamard: N = %d is not m * 2^p with m in {1, 12, 20, 28}" % n)


def _sylvester(n):
    """Sylvester matrix S_n (n a power of two): S_1 = [1], S_2n = [[S,S],[S,-S]]."""
    S = np.ones((1, 1))
    while S.shape[0] < n:
        S = np.block([[S, S], [S, -S]])
    return S


def _jacobsthal(q):
    """Q[a,b] = chi(a - b) over GF(q), q prime, chi the quadratic character."""
    squares = {(x * x) % q for x in range(1, q)}
    chi = np.array([0] + [1 if r in squares else -1 for r in range(1, q)],
                   dtype=np.float64)
    a = np.arange(q)
    return chi[(a[:, None] - a[None, :]) % q]


def _paley1(q):
    """Paley I of order q + 1 (q = 3 mod 4): H = I + [[0, 1^T], [-1, Q]]."""
    S = np.zeros((q + 1, q + 1))
    S[0, 1:] = 1.0
    S[1:, 0] = -1.0
    S[1:, 1:] = _jacobsthal(q)
    return np.eye(q + 1) + S


def _paley2(q):
    """Paley II of order 2(q + 1) (q = 1 mod 4).

    C = [[0, 1^T], [1, Q]]; every entry becomes a 2x2 block:
    0 -> [[1,-1],[-1,-1]] and +-1 -> +-[[1,1],[1,-1]].
    """
    C = np.zeros((q + 1, q + 1))
    C[0, 1:] = 1.0
    C[1:, 0] = 1.0
    C[1:, 1:] = _jacobsthal(q)
    zero_block = np.array([[1.0, -1.0], [-1.0, -1.0]])
    unit_block = np.array([[1.0, 1.0], [1.0, -1.0]])
    H = np.zeros((2 * (q + 1), 2 * (q + 1)))
    for a in range(q + 1):
        for b in range(q + 1):
            block = zero_block if C[a, b] == 0 else C[a, b] * unit_block
            H[2 * a:2 * a + 2, 2 * b:2 * b + 2] = block
    return H


def _hadamard_base(m):
    if m == 1:
        return np.ones((1, 1))
    if m == 12:
        return _paley1(11)
    if m == 20:
        return _paley1(19)
    if m == 28:
        return _paley2(13)
    raise ValueError("hadamard: no base matrix of order %d" % m)


def hadamard_matrix(n):
    """The pinned, unnormalised +-1 Hadamard matrix H_N (float64).

    H_N = H_m kron S_{2^p} (index i = a * 2^p + b) with H_1 = [1], H_12 and
    H_20 Paley I (q = 11, 19), H_28 Paley II (q = 13), natural GF(q) order.
    """
    m, p2 = _hadamard_factors(n)
    return np.kron(_hadamard_base(m), _sylvester(p2))


def hadamard(x):
    """seqmix.hadamard: y = x . H_N / sqrt(N) over the last axis (float32).

    With x viewed as X[.., a, b] = x[.., a*2^p + b], the product with
    H_m kron S is H_m^T . X . S, so large N never builds the dense matrix.
    """
    x = _f64(x)
    n = x.shape[-1]
    m, p2 = _hadamard_factors(n)
    X = x.reshape(x.shape[:-1] + (m, p2))
    Y = _hadamard_base(m).T @ (X @ _sylvester(p2))  # Y[.., c, d]
    return _f32(Y.reshape(x.shape) / math.sqrt(n))


def quantize(x, scale):
    """int8 quantization: clamp(round_half_even(x / scale), -128, 127).

    Computed in float32 on purpose: the dialect divides in f32, and a float64
    quotient could round differently at the exact .5 ties.
    """
    quotient = np.asarray(x, dtype=np.float32) / np.asarray(scale, dtype=np.float32)
    return np.clip(np.rint(quotient), -128, 127).astype(np.int8)


def dequantize(q, scale):
    """x = scale * q in float32."""
    return (np.asarray(scale, dtype=np.float32)
            * np.asarray(q).astype(np.float32)).astype(np.float32)


# --------------------------------------------------------------------------
# Generic recurrence
# --------------------------------------------------------------------------


def _as_work(a):
    """float64 for floating data; integer and boolean data stay as they are."""
    a = np.asarray(a)
    return a.astype(np.float64) if np.issubdtype(a.dtype, np.floating) else a


def _as_result(a):
    return a.astype(np.float32) if np.issubdtype(a.dtype, np.floating) else a


def scan(step_fn, xs, inits, cu_seqlens=None):
    """seqmix.scan: a generic sequential recurrence.

    xs: list of per-step inputs, each [B,T,..]; inits: list of states, each
    [N,..] (N = B, or the number of packed sequences with cu_seqlens).
    step_fn(x_t, states) gets lists of arrays with a leading batch axis
    (x_t[i] = xs[i][:, t]) and returns (next_states, y_t), two lists.
    Returns (ys, finals): each ys[i] is [B,T,..], each finals[i] is [N,..].
    Floating data is carried in float64 and returned as float32.
    """
    xs = [_as_work(a) for a in xs]
    inits = [_as_work(s) for s in inits]
    if not xs:
        raise ValueError("xs: scan needs at least one per-step input")
    nb, T = xs[0].shape[:2]
    for i, a in enumerate(xs):
        if a.shape[:2] != (nb, T):
            raise ValueError("xs[%d]: expected shape [%d,%d,..], got %s"
                             % (i, nb, T, tuple(a.shape)))
    N, pieces = _sequences(nb, T, cu_seqlens)
    for i, s in enumerate(inits):
        if s.ndim < 1 or s.shape[0] != N:
            raise ValueError("inits[%d]: expected %d rows, got shape %s"
                             % (i, N, tuple(s.shape)))

    finals = [s.copy() for s in inits]
    ys = None

    def allocate(step_outputs):
        return [np.zeros((nb, T) + np.shape(y)[1:], dtype=np.asarray(y).dtype)
                for y in step_outputs]

    for bs, t0, t1, sl in pieces:
        state = [s[sl].copy() for s in inits]
        for t in range(t0, t1):
            state, y_t = step_fn([a[bs, t] for a in xs], state)
            state = [np.asarray(s) for s in state]
            if ys is None:
                ys = allocate(y_t)
            for Y, y in zip(ys, y_t):
                Y[bs, t] = y
        for F, s in zip(finals, state):
            F[sl] = s
    if ys is None:
        # No step ran (T = 0 or only empty sequences): learn the output
        # shapes from one call on a zero-sized batch.
        _, y_t = step_fn([np.zeros((0,) + a.shape[2:], a.dtype) for a in xs],
                         [np.zeros((0,) + s.shape[1:], s.dtype) for s in inits])
        ys = allocate(y_t)
    return [_as_result(y) for y in ys], [_as_result(f) for f in finals]
