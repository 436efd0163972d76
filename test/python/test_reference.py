"""Self-consistency tests of the numpy references (no compiler involved).

Every check pits a reference against a second, differently written
formulation (closed forms, chunked products, masked dense attention,
np.convolve, hand-worked examples) or against an algebraic property.
"""

import numpy as np
import pytest

from seqmix import reference as ref


def close(actual, expected, tol=2e-5):
    np.testing.assert_allclose(np.asarray(actual, np.float64),
                               np.asarray(expected, np.float64),
                               rtol=tol, atol=tol)


def rng_for(seed):
    return np.random.default_rng(seed)


# ==========================================================================
# Hadamard and quantization
# ==========================================================================


def allowed_orders(limit):
    orders = set()
    for m in (1, 12, 20, 28):
        n = m
        while n <= limit:
            orders.add(n)
            n *= 2
    return sorted(orders)


@pytest.mark.parametrize("n", allowed_orders(512) + [1536, 5120])
def test_hadamard_matrix_is_orthogonal(n):
    H = ref.hadamard_matrix(n)
    assert H.shape == (n, n)
    assert np.all(np.abs(H) == 1)
    # Sums of +-1 up to 5120 are exact in float32, which keeps 5120 quick.
    Hf = H.astype(np.float32)
    assert np.array_equal(Hf @ Hf.T, n * np.eye(n, dtype=np.float32))


@pytest.mark.parametrize("n", [0, 3, 6, 10, 14, 36, 44, 52, 60, 100])
def test_hadamard_rejects_other_orders(n):
    with pytest.raises(ValueError):
        ref.hadamard_matrix(n)


def test_hadamard_base_matrices_are_pinned():
    for m in (12, 20):
        H = ref.hadamard_matrix(m)
        # Paley I: I + skew part, first row all ones, first column -1 below.
        assert np.array_equal(H + H.T, 2 * np.eye(m))
        assert np.all(H[0] == 1)
        assert np.all(H[1:, 0] == -1)
    H12 = ref.hadamard_matrix(12)
    # Q[a,b] = chi(a - b) over GF(11): chi(1) = 1, chi(-1) = chi(10) = -1.
    assert H12[2, 1] == 1 and H12[1, 2] == -1
    # Q[0,2] = chi(-2) = chi(9) = 1 since 9 = 3^2.
    assert H12[1, 3] == 1
    H28 = ref.hadamard_matrix(28)
    assert np.array_equal(H28, H28.T)  # Paley II is symmetric
    assert np.array_equal(H28[:2, :2], [[1, -1], [-1, -1]])  # C[0,0] = 0
    assert np.array_equal(H28[:2, 2:4], [[1, 1], [1, -1]])  # C[0,1] = 1


def test_hadamard_is_kronecker_with_sylvester():
    H = ref.hadamard_matrix(1536)
    assert np.array_equal(H, np.kron(ref.hadamard_matrix(12), ref.hadamard_matrix(128)))
    S4 = ref.hadamard_matrix(4)
    assert np.array_equal(S4, [[1, 1, 1, 1], [1, -1, 1, -1],
                               [1, 1, -1, -1], [1, -1, -1, 1]])


@pytest.mark.parametrize("n", [1, 2, 12, 40, 56, 320, 1536])
def test_hadamard_transform(n):
    rng = rng_for(n)
    x = rng.normal(size=(3, 2, n))
    H = ref.hadamard_matrix(n)
    y = ref.hadamard(x)
    assert y.dtype == np.float32 and y.shape == x.shape
    close(y, x @ H / np.sqrt(n), 1e-5)
    # Orthonormal: the norm is kept and x . H^T / sqrt(N) undoes it.
    close(np.linalg.norm(y, axis=-1), np.linalg.norm(x, axis=-1), 1e-5)
    close(y.astype(np.float64) @ H.T / np.sqrt(n), x, 1e-5)


def test_hadamard_transform_5120_structured():
    x = rng_for(5).normal(size=(2, 5120))
    y = ref.hadamard(x)
    H = ref.hadamard_matrix(5120).astype(np.float32)
    close(y, x.astype(np.float32) @ H / np.float32(np.sqrt(5120)), 1e-4)


def test_quantize_round_half_even_and_clamp():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 200.0, -200.0, 127.4,
                  -128.6, 126.5, -127.5], np.float32)
    q = ref.quantize(x, 1.0)
    assert q.dtype == np.int8
    assert q.tolist() == [0, 2, 2, 0, -2, -2, 0, 127, -128, 127, -128, 126, -128]
    # x / scale: 0.25 / 0.5 = 0.5 -> 0 and 0.75 / 0.5 = 1.5 -> 2.
    assert ref.quantize(np.array([0.25, 0.75, -0.75]), 0.5).tolist() == [0, 2, -2]


def test_quantize_dequantize_round_trip():
    s = 0.037
    x = rng_for(1).uniform(-4.5, 4.5, size=1000).astype(np.float32)
    back = ref.dequantize(ref.quantize(x, s), s)
    assert back.dtype == np.float32
    assert np.max(np.abs(back - x)) <= s / 2 * (1 + 1e-5)
    assert np.array_equal(ref.dequantize(np.array([-128, 0, 127], np.int8), 0.5),
                          np.array([-64.0, 0.0, 63.5], np.float32))


# ==========================================================================
# Linear attention
# ==========================================================================


def expand_heads(x, H):
    """Repeat query/key heads so head h holds qk head h // (H / Hqk)."""
    return np.repeat(x, H // x.shape[2], axis=2)


def full_gate(log_decay, B, T, H, K):
    """Any log_decay form as a [B,T,H,K] array of per-key log decays."""
    if log_decay is None:
        return np.zeros((B, T, H, K))
    g = np.asarray(log_decay, np.float64)
    if g.ndim == 1:
        return np.broadcast_to(g[None, None, :, None], (B, T, H, K))
    if g.ndim == 3:
        return np.broadcast_to(g[..., None], (B, T, H, K))
    return g


def chunked_linear_attention(q, k, v, g, S0, scale, chunk):
    """Additive linear attention as intra-chunk masked products plus an
    inter-chunk state (the Lightning-2 / fla chunk algorithm); chunk = T is
    the fully parallel masked-matrix form. q, k, g: [B,T,H,K] (heads already
    expanded), v: [B,T,H,V], S0: [B,H,K,V]."""
    B, T, H, K = q.shape
    S = S0.copy()
    o = np.zeros(v.shape)
    for c0 in range(0, T, chunk):
        c1 = min(c0 + chunk, T)
        L = c1 - c0
        qc, kc, vc = q[:, c0:c1], k[:, c0:c1], v[:, c0:c1]
        G = np.cumsum(g[:, c0:c1], axis=1)  # decay from the chunk start, inclusive
        # Pairwise decay exp(G_t - G_s) for s <= t; exact zeros above the diagonal.
        causal = np.tril(np.ones((L, L), bool))[None, :, :, None, None]
        gap = np.where(causal, G[:, :, None] - G[:, None, :], -np.inf)
        scores = np.einsum("bthk,bshk,btshk->bhts", qc, kc, np.exp(gap))
        intra = np.einsum("bhts,bshv->bthv", scores, vc)
        inter = np.einsum("bthk,bhkv->bthv", qc * np.exp(G), S)
        o[:, c0:c1] = scale * (intra + inter)
        to_end = np.exp(G[:, -1:] - G)  # decay from step s to the chunk end
        S = (np.exp(G[:, -1])[..., None] * S
             + np.einsum("bshk,bshv->bhkv", kc * to_end, vc))
    return o, S


def la_inputs(rng, B=2, T=23, H=4, Hqk=2, K=5, V=3):
    q = rng.normal(size=(B, T, Hqk, K))
    k = rng.normal(size=(B, T, Hqk, K))
    v = rng.normal(size=(B, T, H, V))
    return q, k, v


def make_gate(rng, kind, B, T, H, K):
    if kind == "none":
        return None
    if kind == "head":
        return -rng.uniform(0.01, 0.4, size=H)
    if kind == "step":
        return -rng.uniform(0.01, 0.6, size=(B, T, H))
    return -rng.uniform(0.01, 0.8, size=(B, T, H, K))


@pytest.mark.parametrize("gate", ["none", "head", "step", "key"])
@pytest.mark.parametrize("chunk", [5, 23])
def test_linear_attention_matches_chunked_form(gate, chunk):
    rng = rng_for(len(gate) * 100 + chunk)
    B, T, H, Hqk, K, V = 2, 23, 4, 2, 5, 3
    q, k, v = la_inputs(rng, B, T, H, Hqk, K, V)
    g = make_gate(rng, gate, B, T, H, K)
    S0 = rng.normal(size=(B, H, K, V))
    scale = 0.37
    o, S = ref.linear_attention(q, k, v, log_decay=g, initial_state=S0, scale=scale,
                                output_final_state=True)
    assert o.dtype == np.float32 and S.dtype == np.float32
    o2, S2 = chunked_linear_attention(expand_heads(q, H), expand_heads(k, H), v,
                                      full_gate(g, B, T, H, K), S0, scale, chunk)
    close(o, o2)
    close(S, S2)


def test_linear_attention_default_scale_and_vk_layout():
    rng = rng_for(7)
    B, T, H, K, V = 1, 9, 2, 4, 6
    q, k, v = la_inputs(rng, B, T, H, H, K, V)
    g = make_gate(rng, "step", B, T, H, K)
    S0 = rng.normal(size=(B, H, K, V))
    o_kv, S_kv = ref.linear_attention(q, k, v, log_decay=g, initial_state=S0,
                                      output_final_state=True)
    o_vk, S_vk = ref.linear_attention(q, k, v, log_decay=g,
                                      initial_state=S0.transpose(0, 1, 3, 2),
                                      state_layout="vk", output_final_state=True)
    close(o_kv, o_vk)
    close(S_vk, S_kv.transpose(0, 1, 3, 2))
    o_scaled = ref.linear_attention(q, k, v, log_decay=g, initial_state=S0,
                                    scale=K ** -0.5)
    close(o_kv, o_scaled)
    # Without output_final_state only o comes back.
    assert isinstance(ref.linear_attention(q, k, v), np.ndarray)


def delta_rule_matrix_form(q, k, v, g, beta, S0, scale):
    """Delta rule as S_t = A_t S_{t-1} + beta_t k_t^T v_t with the explicit
    K x K transition A_t = (I - beta_t k_t^T k_t) diag(exp(g_t))."""
    B, T, H, K = q.shape
    o = np.zeros(v.shape)
    S = S0.copy()
    for b in range(B):
        for h in range(H):
            state = S[b, h]
            for t in range(T):
                kt = k[b, t, h][:, None]  # column vector [K,1]
                A = (np.eye(K) - beta[b, t, h] * kt @ kt.T) @ np.diag(np.exp(g[b, t, h]))
                state = A @ state + beta[b, t, h] * kt @ v[b, t, h][None, :]
                o[b, t, h] = scale * q[b, t, h] @ state
            S[b, h] = state
    return o, S


@pytest.mark.parametrize("gate", ["none", "head", "step", "key"])
def test_delta_rule_matches_transition_matrix_form(gate):
    rng = rng_for(11 + len(gate))
    B, T, H, Hqk, K, V = 2, 11, 4, 2, 5, 3
    q, k, v = la_inputs(rng, B, T, H, Hqk, K, V)
    g = make_gate(rng, gate, B, T, H, K)
    beta = rng.uniform(0, 1, size=(B, T, H))
    S0 = rng.normal(size=(B, H, K, V))
    o, S = ref.linear_attention(q, k, v, log_decay=g, beta=beta, initial_state=S0,
                                qk_norm="l2", output_final_state=True)
    qn = q / np.sqrt(np.sum(q * q, -1, keepdims=True) + 1e-6)
    kn = k / np.sqrt(np.sum(k * k, -1, keepdims=True) + 1e-6)
    o2, S2 = delta_rule_matrix_form(expand_heads(qn, H), expand_heads(kn, H), v,
                                    full_gate(g, B, T, H, K), beta, S0, K ** -0.5)
    close(o, o2)
    close(S, S2)


def test_delta_rule_stores_the_association():
    # beta = 1 and a unit key overwrite the value stored under that key, so
    # reading with q = k returns v exactly (up to the 1e-6 of the l2 norm).
    rng = rng_for(3)
    B, T, H, K, V = 1, 6, 2, 8, 4
    k = rng.normal(size=(B, T, H, K))
    v = rng.normal(size=(B, T, H, V))
    S0 = rng.normal(size=(B, H, K, V))
    o = ref.linear_attention(k, k, v, beta=np.ones((B, T, H)), qk_norm="l2",
                             initial_state=S0, scale=1.0)
    close(o, v, 1e-5)


def test_qk_norm_matches_manual_normalisation():
    rng = rng_for(4)
    q, k, v = la_inputs(rng, 1, 8, 2, 1, 4, 3)
    n = lambda x: x / np.sqrt(np.sum(x * x, -1, keepdims=True) + 1e-6)
    close(ref.linear_attention(q, k, v, qk_norm="l2"), ref.linear_attention(n(q), n(k), v))


def test_linear_attention_rejects_bad_shapes():
    q, k, v = la_inputs(rng_for(0), 1, 4, 3, 2, 4, 3)  # 2 qk heads, 3 value heads
    with pytest.raises(ValueError, match="q"):
        ref.linear_attention(q, k, v)
    q, k, v = la_inputs(rng_for(0), 1, 4, 4, 2, 4, 3)
    with pytest.raises(ValueError, match="log_decay"):
        ref.linear_attention(q, k, v, log_decay=np.zeros((1, 4)))
    with pytest.raises(ValueError, match="initial_state"):
        ref.linear_attention(q, k, v, initial_state=np.zeros((1, 4, 3, 4)))
    with pytest.raises(ValueError, match="cu_seqlens"):
        ref.linear_attention(q, k, v, cu_seqlens=np.array([0, 2, 5]))
    with pytest.raises(ValueError, match="cu_seqlens"):
        ref.linear_attention(q, k, v, cu_seqlens=np.array([0, 3, 2, 4]))
    with pytest.raises(ValueError, match="cu_seqlens"):
        ref.linear_attention(np.concatenate([q, q]), np.concatenate([k, k]),
                             np.concatenate([v, v]), cu_seqlens=np.array([0, 4]))


# ==========================================================================
# Mamba-1 / Mamba-2
# ==========================================================================


def selective_scan_closed_form(u, delta, A, B, C, D, h0):
    """y_t[d] = sum_n C_t[n] (sum_{s<=t} exp(A[d,n] (L_t - L_s)) delta_s B_s[n] u_s
    + exp(A[d,n] L_t) h0[d,n]) + D u_t with L_t = sum_{r<=t} delta_r[d]."""
    nb, T, nd = u.shape
    G = B.shape[2]
    Bd = np.repeat(B, nd // G, axis=2)  # [b, T, D, N]
    Cd = np.repeat(C, nd // G, axis=2)
    L = np.cumsum(delta, axis=1)  # [b, T, D]
    gap = L[:, :, None, :] - L[:, None, :, :]  # [b, t, s, D]
    causal = np.tril(np.ones((T, T), bool))[None, :, :, None, None]
    kernel = np.where(causal, np.exp(gap[..., None] * A), 0.0)  # [b, t, s, D, N]
    inputs = (delta * u)[..., None] * Bd  # [b, s, D, N]
    h = np.einsum("btsdn,bsdn->btdn", kernel, inputs) + np.exp(L[..., None] * A) * h0[:, None]
    return np.sum(Cd * h, axis=-1) + D * u, h[:, -1]


def test_selective_scan_matches_closed_form():
    rng = rng_for(21)
    nb, T, nd, G, N = 2, 10, 6, 3, 4
    u = rng.normal(size=(nb, T, nd))
    delta = rng.uniform(0.05, 0.6, size=(nb, T, nd))
    A = -rng.uniform(0.2, 2.0, size=(nd, N))
    B = rng.normal(size=(nb, T, G, N))
    C = rng.normal(size=(nb, T, G, N))
    D = rng.normal(size=nd)
    h0 = rng.normal(size=(nb, nd, N))
    y, h = ref.selective_scan(u, delta, A, B, C, D=D, initial_state=h0,
                              output_final_state=True)
    y2, h2 = selective_scan_closed_form(u, delta, A, B, C, D, h0)
    close(y, y2)
    close(h, h2)


def test_selective_scan_bias_softplus_and_gate():
    rng = rng_for(22)
    nb, T, nd, N = 1, 7, 4, 3
    u = rng.normal(size=(nb, T, nd))
    raw = rng.normal(size=(nb, T, nd)) * 3
    raw[0, 0, 0] = 25.0  # above the softplus threshold: passed through
    bias = rng.normal(size=nd)
    A = -rng.uniform(0.2, 2.0, size=(nd, N))
    B = rng.normal(size=(nb, T, 1, N))
    C = rng.normal(size=(nb, T, 1, N))
    z = rng.normal(size=(nb, T, nd))
    y = ref.selective_scan(u, raw, A, B, C, z=z, delta_bias=bias, delta_softplus=True)
    x = raw + bias
    sp = np.where(x > 20, x, np.log(1 + np.exp(x)))
    base = ref.selective_scan(u, sp, A, B, C)
    close(y, base * z / (1 + np.exp(-z)))


def ssd_inputs(rng, nb=2, T=12, H=4, P=3, G=2, N=5):
    return dict(
        x=rng.normal(size=(nb, T, H, P)),
        dt=rng.normal(size=(nb, T, H)),
        B=rng.normal(size=(nb, T, G, N)),
        C=rng.normal(size=(nb, T, G, N)),
        z=rng.normal(size=(nb, T, H, P)),
    )


@pytest.mark.parametrize("d_shape", ["head", "head_dim"])
def test_ssd_matches_its_decomposition(d_shape):
    rng = rng_for(31)
    nb, T, H, P, G, N = 2, 12, 4, 3, 2, 5
    t = ssd_inputs(rng, nb, T, H, P, G, N)
    static = dict(A=-rng.uniform(0.5, 4, size=H),
                  D=rng.normal(size=H if d_shape == "head" else (H, P)),
                  dt_bias=rng.normal(size=H), delta_threshold=np.full(H, 0.3),
                  dt_softplus=True, dt_limit=(0.0, 1.5))
    h0 = rng.normal(size=(nb, H, P, N))
    y, h = ref.ssd(**t, **static, initial_state=h0, output_final_state=True)
    y2, h2 = ref.ssd_via_linear_attention(**t, **static, initial_state=h0,
                                          output_final_state=True)
    close(y, y2)
    close(h, h2)
    # Packed sequences too.
    t1 = {key: a[:1] for key, a in t.items()}
    cu = np.array([0, 4, 4, 12], np.int64)
    s0 = rng.normal(size=(3, H, P, N))
    y, h = ref.ssd(**t1, **static, initial_state=s0, cu_seqlens=cu,
                   output_final_state=True)
    y2, h2 = ref.ssd_via_linear_attention(**t1, **static, initial_state=s0,
                                          cu_seqlens=cu, output_final_state=True)
    close(y, y2)
    close(h, h2)


def test_ssd_equals_selective_scan_with_shared_decay():
    # Mamba-2 is Mamba-1 with A constant over the state index and Delta shared
    # by the P channels of a head (channel d = h*P + p; groups line up).
    rng = rng_for(32)
    nb, T, H, P, G, N = 2, 9, 4, 3, 2, 5
    t = ssd_inputs(rng, nb, T, H, P, G, N)
    A = -rng.uniform(0.5, 4, size=H)
    D = rng.normal(size=H)
    bias = rng.normal(size=H)
    h0 = rng.normal(size=(nb, H, P, N))
    y, h = ref.ssd(**t, A=A, D=D, dt_bias=bias, dt_softplus=True, initial_state=h0,
                   output_final_state=True)
    y1, h1 = ref.selective_scan(
        t["x"].reshape(nb, T, H * P), np.repeat(t["dt"], P, axis=2),
        np.repeat(A, P)[:, None] * np.ones((1, N)), t["B"], t["C"],
        D=np.repeat(D, P), z=t["z"].reshape(nb, T, H * P),
        delta_bias=np.repeat(bias, P), delta_softplus=True,
        initial_state=h0.reshape(nb, H * P, N), output_final_state=True)
    close(y.reshape(nb, T, H * P), y1)
    close(h.reshape(nb, H * P, N), h1)


def test_delta_threshold_skips_tokens_exactly():
    rng = rng_for(33)
    nb, T, H, P, G, N = 1, 14, 3, 2, 1, 4
    t = ssd_inputs(rng, nb, T, H, P, G, N)
    keep = rng.uniform(size=T) < 0.5
    keep[0] = keep[-1] = True
    keep[3] = False
    t["dt"] = np.where(keep[None, :, None], rng.uniform(0.4, 1.0, size=(nb, T, H)),
                       rng.uniform(0.0, 0.2, size=(nb, T, H)))
    A = -rng.uniform(0.5, 2, size=H)
    h0 = rng.normal(size=(nb, H, P, N))
    thr = np.full(H, 0.3)
    y, h = ref.ssd(**t, A=A, delta_threshold=thr, initial_state=h0,
                   output_final_state=True)
    kept = {key: a[:, keep] for key, a in t.items()}
    y_k, h_k = ref.ssd(**kept, A=A, initial_state=h0, output_final_state=True)
    close(h, h_k)
    close(y[:, keep], y_k)

    # The same filter on Mamba-1.
    u = rng.normal(size=(nb, T, H))
    A1 = -rng.uniform(0.5, 2, size=(H, N))
    B = rng.normal(size=(nb, T, 1, N))
    C = rng.normal(size=(nb, T, 1, N))
    y, h = ref.selective_scan(u, t["dt"], A1, B, C, delta_threshold=thr,
                              output_final_state=True)
    y_k, h_k = ref.selective_scan(u[:, keep], t["dt"][:, keep], A1, B[:, keep],
                                  C[:, keep], output_final_state=True)
    close(h, h_k)
    close(y[:, keep], y_k)


def test_delta_threshold_is_strict_and_zero_is_neutral_with_softplus():
    rng = rng_for(34)
    nb, T, H, P, N = 1, 6, 2, 2, 3
    t = ssd_inputs(rng, nb, T, H, P, 1, N)
    A = -np.ones(H)
    t["dt"] = np.full((nb, T, H), 0.25)
    plain = ref.ssd(**t, A=A)
    # Delta == threshold is kept (the test is strictly less than).
    close(ref.ssd(**t, A=A, delta_threshold=np.full(H, 0.25)), plain, 0)
    t["dt"] = rng.normal(size=(nb, T, H)) * 4
    close(ref.ssd(**t, A=A, dt_softplus=True, delta_threshold=np.zeros(H)),
          ref.ssd(**t, A=A, dt_softplus=True), 0)
    u = rng.normal(size=(nb, T, H))
    d = rng.normal(size=(nb, T, H)) * 4
    A1 = -np.ones((H, N))
    B = rng.normal(size=(nb, T, 1, N))
    close(ref.selective_scan(u, d, A1, B, B, delta_softplus=True,
                             delta_threshold=np.zeros(H)),
          ref.selective_scan(u, d, A1, B, B, delta_softplus=True), 0)


def test_ssd_dt_limit_clamps_after_softplus():
    rng = rng_for(35)
    t = ssd_inputs(rng, 1, 8, 2, 2, 1, 3)
    A = -np.ones(2)
    raw = t["dt"]
    x = np.where(raw > 20, raw, np.log1p(np.exp(raw)))
    clamped = dict(t, dt=np.clip(x, 0.3, 0.9))
    close(ref.ssd(**t, A=A, dt_softplus=True, dt_limit=(0.3, 0.9)),
          ref.ssd(**clamped, A=A))


# ==========================================================================
# Causal conv1d
# ==========================================================================


@pytest.mark.parametrize("W", [1, 2, 4, 7])
def test_causal_conv1d_matches_np_convolve(W):
    rng = rng_for(40 + W)
    nb, T, nd = 2, 11, 3
    x = rng.normal(size=(nb, T, nd))
    w = rng.normal(size=(nd, W))
    bias = rng.normal(size=nd)
    hist = rng.normal(size=(nb, W - 1, nd))
    y, s = ref.causal_conv1d(x, w, bias=bias, initial_state=hist,
                             output_final_state=True)
    y0 = ref.causal_conv1d(x, w, bias=bias)
    for b in range(nb):
        for d in range(nd):
            # np.convolve(a, w[::-1])[n] = sum_j w[j] a[n - (W-1) + j]
            zero_hist = np.convolve(x[b, :, d], w[d, ::-1])[:T] + bias[d]
            close(y0[b, :, d], zero_hist)
            padded = np.concatenate([hist[b, :, d], x[b, :, d]])
            with_hist = np.convolve(padded, w[d, ::-1])[W - 1:W - 1 + T] + bias[d]
            close(y[b, :, d], with_hist)
    history_and_input = np.concatenate([hist, x], axis=1)
    assert s.shape == (nb, W - 1, nd)
    close(s, history_and_input[:, T:])  # the last W-1 of W-1+T rows
    ys = ref.causal_conv1d(x, w, bias=bias, activation="silu")
    close(ys, y0 / (1 + np.exp(-y0.astype(np.float64))))


def test_causal_conv1d_short_sequence_keeps_history_in_state():
    rng = rng_for(45)
    W, nd = 5, 2
    x = rng.normal(size=(1, 2, nd))
    w = rng.normal(size=(nd, W))
    hist = rng.normal(size=(1, W - 1, nd))
    _, s = ref.causal_conv1d(x, w, initial_state=hist, output_final_state=True)
    close(s[0], np.concatenate([hist[0, 2:], x[0]]))


# ==========================================================================
# Recurrences in pieces: state hand-over, decode steps, packed sequences
# ==========================================================================


def case_linear_attention(gate, delta=False, layout="kv"):
    def make(rng, nb, T):
        H, Hqk, K, V = 4, 2, 3, 2
        q, k, v = la_inputs(rng, nb, T, H, Hqk, K, V)
        timed = dict(q=q, k=k, v=v)
        static = dict(scale=0.6, state_layout=layout)
        g = make_gate(rng, gate, nb, T, H, K)
        if gate == "head":
            static["log_decay"] = g
        elif g is not None:
            timed["log_decay"] = g
        if delta:
            timed["beta"] = rng.uniform(0, 1, size=(nb, T, H))
            static["qk_norm"] = "l2"
        shape = (H, K, V) if layout == "kv" else (H, V, K)
        return ref.linear_attention, timed, static, shape
    return make


def case_selective_scan(rng, nb, T):
    nd, G, N = 4, 2, 3
    timed = dict(u=rng.normal(size=(nb, T, nd)), delta=rng.normal(size=(nb, T, nd)),
                 B=rng.normal(size=(nb, T, G, N)), C=rng.normal(size=(nb, T, G, N)),
                 z=rng.normal(size=(nb, T, nd)))
    static = dict(A=-rng.uniform(0.2, 2, size=(nd, N)), D=rng.normal(size=nd),
                  delta_bias=rng.normal(size=nd), delta_softplus=True,
                  delta_threshold=np.full(nd, 0.2))
    return ref.selective_scan, timed, static, (nd, N)


def case_ssd(rng, nb, T):
    H, P, G, N = 4, 2, 2, 3
    timed = ssd_inputs(rng, nb, T, H, P, G, N)
    static = dict(A=-rng.uniform(0.5, 3, size=H), D=rng.normal(size=(H, P)),
                  dt_bias=rng.normal(size=H), dt_softplus=True, dt_limit=(0.0, 2.0),
                  delta_threshold=np.full(H, 0.1))
    return ref.ssd, timed, static, (H, P, N)


def case_ssd_composite(rng, nb, T):
    fn, timed, static, shape = case_ssd(rng, nb, T)
    return ref.ssd_via_linear_attention, timed, static, shape


def case_conv(rng, nb, T):
    nd, W = 3, 4
    timed = dict(x=rng.normal(size=(nb, T, nd)))
    static = dict(w=rng.normal(size=(nd, W)), bias=rng.normal(size=nd),
                  activation="silu")
    return ref.causal_conv1d, timed, static, (W - 1, nd)


RECURRENCES = {
    "la": case_linear_attention("none"),
    "la_head_gate": case_linear_attention("head"),
    "la_step_gate_vk": case_linear_attention("step", layout="vk"),
    "la_key_gate": case_linear_attention("key"),
    "gated_delta": case_linear_attention("step", delta=True),
    "delta_key_gate_vk": case_linear_attention("key", delta=True, layout="vk"),
    "selective_scan": case_selective_scan,
    "ssd": case_ssd,
    "ssd_composite": case_ssd_composite,
    "causal_conv1d": case_conv,
}


def time_slice(timed, t0, t1):
    return {key: a[:, t0:t1] for key, a in timed.items()}


@pytest.mark.parametrize("name", sorted(RECURRENCES))
def test_state_handover_and_decode_steps(name):
    rng = rng_for(len(name) * 7)
    nb, T, split = 2, 13, 6
    fn, timed, static, shape = RECURRENCES[name](rng, nb, T)
    s0 = rng.normal(size=(nb,) + shape)
    y, s = fn(**timed, **static, initial_state=s0, output_final_state=True)
    # Two halves with the state handed over.
    y1, s1 = fn(**time_slice(timed, 0, split), **static, initial_state=s0,
                output_final_state=True)
    y2, s2 = fn(**time_slice(timed, split, T), **static, initial_state=s1,
                output_final_state=True)
    close(np.concatenate([y1, y2], axis=1), y)
    close(s2, s)
    # T = 1 decode steps.
    state = s0
    for t in range(T):
        y_t, state = fn(**time_slice(timed, t, t + 1), **static, initial_state=state,
                        output_final_state=True)
        close(y_t[:, 0], y[:, t])
    close(state, s)


@pytest.mark.parametrize("name", sorted(RECURRENCES))
def test_packed_sequences_equal_separate_calls(name):
    rng = rng_for(len(name) * 13)
    cu = [0, 5, 5, 12, 20, 20]
    fn, timed, static, shape = RECURRENCES[name](rng, 1, cu[-1])
    s0 = rng.normal(size=(len(cu) - 1,) + shape)
    y, s = fn(**timed, **static, initial_state=s0, cu_seqlens=np.array(cu, np.int32),
              output_final_state=True)
    assert s.shape == s0.shape
    for n in range(len(cu) - 1):
        yn, sn = fn(**time_slice(timed, cu[n], cu[n + 1]), **static,
                    initial_state=s0[n:n + 1], output_final_state=True)
        close(y[:, cu[n]:cu[n + 1]], yn)
        close(s[n], sn[0])
    # Empty sequences hand their initial state straight through.
    close(s[1], s0[1], 1e-7)
    close(s[4], s0[4], 1e-7)
    # Without an initial state every sequence starts from zeros.
    y0 = fn(**timed, **static, cu_seqlens=np.array(cu, np.int64))
    yn = fn(**time_slice(timed, 12, 20), **static)
    close(y0[:, 12:20], yn)


def test_long_sequences_with_strong_decay_stay_finite():
    rng = rng_for(50)
    T = 16384
    H, K, V = 2, 4, 4
    q, k, v = la_inputs(rng, 1, T, H, H, K, V)
    # exp(-1000) underflows to 0: every step forgets everything before it.
    o, S = ref.linear_attention(q, k, v, log_decay=np.full(H, -1000.0), scale=1.0,
                                output_final_state=True)
    assert np.all(np.isfinite(o)) and np.all(np.isfinite(S))
    close(o, np.einsum("bthk,bthk,bthv->bthv", q, k, v), 1e-5)
    g = -rng.uniform(0, 60, size=(1, T, H, K))
    beta = rng.uniform(0, 1, size=(1, T, H))
    o, S = ref.linear_attention(q, k, v, log_decay=g, beta=beta, qk_norm="l2",
                                output_final_state=True)
    assert np.all(np.isfinite(o)) and np.all(np.isfinite(S))
    t = ssd_inputs(rng, 1, T, H, 2, 1, 4)
    t["dt"] = t["dt"] * 30
    y, h = ref.ssd(**t, A=-np.full(H, 50.0), dt_softplus=True, output_final_state=True)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(h))


# ==========================================================================
# Generic scan
# ==========================================================================


def test_scan_reproduces_scalar_gated_linear_attention():
    rng = rng_for(60)
    nb, T, H, K, V = 2, 10, 2, 3, 4
    q, k, v = la_inputs(rng, nb, T, H, H, K, V)
    g = make_gate(rng, "step", nb, T, H, K)
    S0 = rng.normal(size=(nb, H, K, V))

    def step(x_t, states):
        q_t, k_t, v_t, g_t = x_t
        (S,) = states
        S = np.exp(g_t)[..., None, None] * S + k_t[..., :, None] * v_t[..., None, :]
        return [S], [np.einsum("bhk,bhkv->bhv", q_t, S)]

    ys, finals = ref.scan(step, [q, k, v, g], [S0])
    o, S = ref.linear_attention(q, k, v, log_decay=g, initial_state=S0, scale=1.0,
                                output_final_state=True)
    assert ys[0].dtype == np.float32
    close(ys[0], o)
    close(finals[0], S)

    cu = np.array([0, 3, 3, 10])
    s0 = rng.normal(size=(3, H, K, V))
    args = [a[:1] for a in (q, k, v, g)]
    ys, finals = ref.scan(step, args, [s0], cu_seqlens=cu)
    o, S = ref.linear_attention(*args[:3], log_decay=args[3], initial_state=s0,
                                scale=1.0, cu_seqlens=cu, output_final_state=True)
    close(ys[0], o)
    close(finals[0], S)

    # T = 0: no step runs, outputs still get their shapes.
    ys, finals = ref.scan(step, [a[:, :0] for a in (q, k, v, g)], [S0])
    assert ys[0].shape == (nb, 0, H, V)
    close(finals[0], S0, 1e-7)


# ==========================================================================
# Routing, dispatch, grouped matmul, combine
# ==========================================================================


def test_route_ties_go_to_the_lower_index():
    logits = np.array([[[1.0, 3.0, 3.0, 0.0, 3.0], [2.0, 2.0, 2.0, 2.0, 2.0]]])
    idx, w = ref.route(logits, 2)
    assert idx.dtype == np.int32 and w.dtype == np.float32
    assert idx.tolist() == [[[1, 2], [0, 1]]]
    close(w[0, 1], [0.2, 0.2], 1e-7)
    idx, w = ref.route(logits, 3, score="sigmoid")
    assert idx.tolist() == [[[1, 2, 4], [0, 1, 2]]]
    close(w, 1 / (1 + np.exp(-np.array([[[3.0, 3, 3], [2, 2, 2]]]))), 1e-7)


def test_route_ranks_on_logits_when_scores_saturate():
    # sigmoid(30) and sigmoid(40) are both 1.0 in f32, sigmoid(40) and
    # sigmoid(50) both 1.0 even in float64: the picks follow the logits, the
    # weights stay the (saturated) scores.
    assert np.float32(ref.sigmoid(30.0)) == np.float32(ref.sigmoid(40.0)) == 1.0
    assert ref.sigmoid(40.0) == ref.sigmoid(50.0) == 1.0
    logits = np.array([[[30.0, -1.0, 40.0, -1.0], [40.0, 50.0, -1.0, 45.0]]],
                      np.float32)
    idx, w = ref.route(logits, 1, score="sigmoid")
    assert idx.tolist() == [[[2], [1]]]
    close(w, 1.0, 1e-7)
    idx, w = ref.route(logits, 3, score="sigmoid")
    assert idx.tolist() == [[[2, 0, 1], [1, 3, 0]]]
    close(w[..., :2], 1.0, 1e-7)
    # softmax: logits 0 and 1e-17 give equal float64 scores; the larger
    # logit still comes first (equal logits go to the lower index).
    lg = np.array([[[0.0, 1e-17, 0.0]]])
    assert np.exp(lg[0, 0, 0] - lg[0, 0, 1]) == 1.0
    assert ref.route(lg, 3)[0].tolist() == [[[1, 0, 2]]]


@pytest.mark.parametrize("score", ["softmax", "sigmoid"])
def test_route_descending_and_renormalised(score):
    logits = rng_for(61).normal(size=(2, 7, 6))
    idx, w = ref.route(logits, 3, score=score)
    z = logits - logits.max(-1, keepdims=True)
    probs = (np.exp(z) / np.exp(z).sum(-1, keepdims=True) if score == "softmax"
             else 1 / (1 + np.exp(-logits)))
    expected = np.argsort(-logits, axis=-1)[..., :3]  # no ties in random data
    assert np.array_equal(idx, expected)
    close(w, np.take_along_axis(probs, expected, -1), 1e-6)
    assert np.all(np.diff(w, axis=-1) <= 0)
    _, wr = ref.route(logits, 3, score=score, renormalize=True)
    close(wr.sum(-1), 1.0, 1e-6)
    close(wr, w / w.sum(-1, keepdims=True), 1e-6)


def test_dispatch_hand_worked_example():
    x = np.arange(3.0)[None, :, None] * np.ones((1, 3, 2))
    idx = np.array([[[0, 2], [2, 0], [1, 2]]])
    packed, offsets, rows = ref.dispatch(x, idx, 3)
    assert offsets.dtype == np.int32 and rows.dtype == np.int32
    assert offsets.tolist() == [0, 2, 3, 6]
    # memory 0: (t0,j0),(t1,j1); memory 1: (t2,j0); memory 2: (t0,j1),(t1,j0),(t2,j1)
    assert rows.tolist() == [0, 3, 4, 1, 2, 5]
    assert packed[:, 0].tolist() == [0, 1, 2, 0, 1, 2]


def test_dispatch_order_and_combine_round_trip():
    rng = rng_for(62)
    nb, T, M, k, F = 2, 9, 4, 2, 5
    x = rng.normal(size=(nb, T, F))
    idx, w = ref.route(rng.normal(size=(nb, T, M)), k, renormalize=True)
    packed, offsets, rows = ref.dispatch(x, idx, M)
    R = nb * T * k
    assert packed.shape == (R, F) and offsets.shape == (nb * M + 1,)
    assert offsets[0] == 0 and offsets[-1] == R
    assert sorted(rows.tolist()) == list(range(R))
    keys = []
    for r in range(R):
        b, rem = divmod(int(rows[r]), T * k)
        t, j = divmod(rem, k)
        m = int(idx[b, t, j])
        s = b * M + m
        assert offsets[s] <= r < offsets[s + 1]  # in its (batch, memory) segment
        assert np.array_equal(packed[r], x[b, t])
        keys.append((b, m, t, j))
    assert keys == sorted(keys)
    # Weights summing to 1 give x back.
    close(ref.combine(packed, rows, w), x, 1e-6)
    # Per-memory projections, then the weighted sum.
    Wm = rng.normal(size=(M, F, 3))
    proj = ref.segment_matmul(packed, Wm, offsets)
    expected = np.einsum("btj,btjo->bto", w, np.einsum("btf,btjfo->btjo", x, Wm[idx]))
    close(ref.combine(proj, rows, w), expected)


def test_segment_matmul_uses_w_of_s_mod_m():
    rng = rng_for(63)
    packed = rng.normal(size=(7, 3))
    Wm = rng.normal(size=(2, 3, 4))
    offsets = np.array([0, 2, 2, 5, 7])  # segments 0..3 -> W[0], W[1], W[0], W[1]
    out = ref.segment_matmul(packed, Wm, offsets)
    close(out[:2], packed[:2] @ Wm[0])
    close(out[2:5], packed[2:5] @ Wm[0])
    close(out[5:], packed[5:] @ Wm[1])


def test_memories_are_not_decayed_on_unrouted_steps():
    # A memory's recurrence over its packed rows equals the recurrence over
    # only the tokens routed to it.
    rng = rng_for(64)
    nb, T, M, k, H, K, V = 1, 12, 3, 2, 2, 3, 2
    idx, _ = ref.route(rng.normal(size=(nb, T, M)), k)
    feats = rng.normal(size=(nb, T, H, 2 * K + V + 1))
    packed, offsets, rows = ref.dispatch(feats, idx, M)
    p = packed[None]
    q, kk, v = p[..., :K], p[..., K:2 * K], p[..., 2 * K:2 * K + V]
    g = -np.abs(p[..., -1])
    o, S = ref.linear_attention(q, kk, v, log_decay=g, cu_seqlens=offsets,
                                output_final_state=True)
    for m in range(M):
        routed = np.any(idx[0] == m, axis=-1)
        f = feats[:, routed]
        om, Sm = ref.linear_attention(f[..., :K], f[..., K:2 * K], f[..., 2 * K:2 * K + V],
                                      log_decay=-np.abs(f[..., -1]),
                                      output_final_state=True)
        close(o[:, offsets[m]:offsets[m + 1]], om)
        close(S[m], Sm[0])


# ==========================================================================
# Windowed attention
# ==========================================================================


def masked_attention(q, k, v, mask, scale, bias=None):
    """Dense softmax attention over token-flattened inputs with a boolean
    mask [Tq, Tk] (True = visible); masked-out rows give 0 and lse -inf.
    q [B,Tq,H,D], k/v [B,Tk,Hkv,D]; bias [H,Tq,Tk] optional."""
    H = q.shape[2]
    k = expand_heads(k, H)
    v = expand_heads(v, H)
    logits = scale * np.einsum("bqhd,bkhd->bhqk", q, k)
    if bias is not None:
        logits = logits + bias[None]
    logits = np.where(mask[None, None], logits, -np.inf)
    m = np.max(logits, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(logits - m)
    total = e.sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(total > 0, e / total, 0.0)
        lse = np.where(total[..., 0] > 0, np.log(total[..., 0]) + m[..., 0], -np.inf)
    o = np.einsum("bhqk,bkhd->bqhd", p, v)
    return o, lse.transpose(0, 2, 1)


def attn_inputs(rng, nb, Tq, Tk, H, Hkv, D, Dv=None):
    return (rng.normal(size=(nb, Tq, H, D)), rng.normal(size=(nb, Tk, Hkv, D)),
            rng.normal(size=(nb, Tk, Hkv, Dv or D)))


def test_sliding_window_causal_is_causal_attention():
    rng = rng_for(70)
    T, D = 11, 4
    q, k, v = attn_inputs(rng, 2, T, T, 4, 2, D, 3)
    o, lse = ref.sliding_window_attention(q, k, v, -1, 0, return_lse=True)
    o2, lse2 = masked_attention(q, k, v, np.tril(np.ones((T, T), bool)), D ** -0.5)
    close(o, o2)
    close(lse, lse2)
    close(ref.sliding_window_attention(q, k, v),
          masked_attention(q, k, v, np.ones((T, T), bool), D ** -0.5)[0])


@pytest.mark.parametrize("Tq,Tk,left,right", [
    (5, 9, 2, 0), (9, 9, 3, 2), (9, 5, -1, 0), (9, 5, 1, 1), (4, 12, -1, 3),
    (6, 6, 0, 0), (7, 3, 2, -1)])
def test_sliding_window_bottom_right_alignment(Tq, Tk, left, right):
    rng = rng_for(Tq * 31 + Tk)
    q, k, v = attn_inputs(rng, 1, Tq, Tk, 2, 1, 3)
    i = np.arange(Tq)[:, None] + Tk - Tq
    j = np.arange(Tk)[None, :]
    mask = np.ones((Tq, Tk), bool)
    if left >= 0:
        mask &= j >= i - left
    if right >= 0:
        mask &= j <= i + right
    o, lse = ref.sliding_window_attention(q, k, v, left, right, scale=0.5,
                                          return_lse=True)
    o2, lse2 = masked_attention(q, k, v, mask, 0.5)
    close(o, o2)
    close(lse, lse2)
    empty = ~mask.any(axis=1)
    assert np.all(o[:, empty] == 0)
    assert np.all(np.isneginf(lse[:, empty]))
    if (Tq, Tk, left, right) == (9, 5, -1, 0):
        assert empty.tolist() == [True] * 4 + [False] * 5


@pytest.mark.parametrize("L,k,d,s,causal,expected", [
    (7, 3, 1, 1, False, {0: [0, 1, 2], 3: [2, 3, 4], 6: [4, 5, 6]}),
    (7, 4, 1, 1, False, {0: [0, 1, 2, 3], 3: [1, 2, 3, 4], 6: [3, 4, 5, 6]}),
    (8, 3, 2, 1, False, {0: [0, 2, 4], 1: [1, 3, 5], 4: [2, 4, 6], 7: [3, 5, 7]}),
    (9, 3, 1, 3, False, {0: [0, 1, 2], 2: [0, 1, 2], 4: [3, 4, 5], 8: [6, 7, 8]}),
    (8, 3, 1, 2, False, {0: [0, 1, 2], 1: [0, 1, 2], 2: [2, 3, 4], 7: [5, 6, 7]}),
    (7, 3, 1, 1, True, {0: [0], 1: [0, 1], 4: [2, 3, 4]}),
    (7, 3, 1, 2, True, {0: [0], 1: [0, 1], 2: [1, 2], 3: [1, 2, 3], 6: [4, 5, 6]}),
    (7, 2, 3, 1, True, {0: [0], 4: [1, 4], 6: [3, 6]}),
])
def test_natten_window_examples(L, k, d, s, causal, expected):
    for i, keys in expected.items():
        assert ref.natten_window(i, L, k, d, s, causal).tolist() == keys


def test_natten_window_properties():
    for L in range(1, 14):
        for k in range(1, L + 1):
            for d in range(1, L // k + 1):
                for s in range(1, k + 1):
                    for i in range(L):
                        w = ref.natten_window(i, L, k, d, s, False)
                        assert len(w) == k  # shifted, never truncated
                        assert np.all((w >= 0) & (w < L))
                        assert np.all(w % d == i % d)
                        assert i in w
                        c = ref.natten_window(i, L, k, d, s, True)
                        assert c[-1] == i and 1 <= len(c) <= k
                        assert np.all(np.diff(c) == d)
                        if s == 1:
                            assert len(c) == min(k, i // d + 1)


def na_mask(shape, ks, dil, st, causal):
    """Dense [Tq, Tk] mask of NA over the flattened spatial axes, built from
    the per-axis windows."""
    positions = list(np.ndindex(*shape))
    mask = np.zeros((len(positions), len(positions)), bool)
    for a, qp in enumerate(positions):
        wins = [set(ref.natten_window(qp[ax], shape[ax], ks[ax], dil[ax], st[ax],
                                      causal[ax]).tolist()) for ax in range(len(shape))]
        for b, kp in enumerate(positions):
            mask[a, b] = all(kp[ax] in wins[ax] for ax in range(len(shape)))
    return mask


def flat(x, nspatial):
    return x.reshape((x.shape[0], -1) + x.shape[1 + nspatial:])


@pytest.mark.parametrize("shape", [(9,), (4, 5), (3, 4, 3)])
def test_na_full_kernel_is_full_attention(shape):
    rng = rng_for(sum(shape))
    r = len(shape)
    n = int(np.prod(shape))
    q = rng.normal(size=(2,) + shape + (4, 3))
    k = rng.normal(size=(2,) + shape + (2, 3))
    v = rng.normal(size=(2,) + shape + (2, 5))
    o, lse = ref.neighborhood_attention(q, k, v, kernel_size=shape, return_lse=True)
    assert o.shape == (2,) + shape + (4, 5) and lse.shape == (2,) + shape + (4,)
    o2, lse2 = masked_attention(flat(q, r), flat(k, r), flat(v, r),
                                np.ones((n, n), bool), 3 ** -0.5)
    close(flat(o, r), o2)
    close(lse.reshape(2, n, 4), lse2)


@pytest.mark.parametrize("shape,ks,dil,st,causal", [
    ((10,), (3,), (2,), (1,), (False,)),
    ((10,), (4,), (1,), (3,), (True,)),
    ((7, 6), (3, 2), (2, 1), (1, 2), (False, True)),
    ((6, 7), (5, 3), (1, 2), (5, 1), (True, False)),
    ((4, 5, 6), (2, 3, 3), (1, 1, 2), (2, 3, 1), (False, True, False)),
])
def test_na_matches_dense_masked_attention(shape, ks, dil, st, causal):
    rng = rng_for(int(np.prod(shape)))
    r = len(shape)
    q = rng.normal(size=(1,) + shape + (2, 4))
    k = rng.normal(size=(1,) + shape + (1, 4))
    v = rng.normal(size=(1,) + shape + (1, 2))
    o, lse = ref.neighborhood_attention(q, k, v, ks, dilation=dil, stride=st,
                                        is_causal=causal, scale=0.8, return_lse=True)
    o2, lse2 = masked_attention(flat(q, r), flat(k, r), flat(v, r),
                                na_mask(shape, ks, dil, st, causal), 0.8)
    close(flat(o, r), o2)
    close(lse.reshape(lse2.shape), lse2)


def test_na_causal_1d_equals_sliding_window():
    rng = rng_for(71)
    q, k, v = attn_inputs(rng, 2, 12, 12, 2, 2, 4)
    for kernel in (1, 3, 5):
        close(ref.neighborhood_attention(q, k, v, kernel, is_causal=True),
              ref.sliding_window_attention(q, k, v, kernel - 1, 0))
    # Non-causal windows agree with a symmetric sliding window away from
    # the borders, where NA shifts its window instead of truncating it.
    o_na = ref.neighborhood_attention(q, k, v, 5)
    o_sw = ref.sliding_window_attention(q, k, v, 2, 2)
    close(o_na[:, 2:10], o_sw[:, 2:10])
    assert not np.allclose(o_na[:, 0], o_sw[:, 0])


def test_na_blocked_and_dilated_groups():
    rng = rng_for(72)
    L = 12
    q, k, v = attn_inputs(rng, 1, L, L, 1, 1, 3)
    # stride == kernel_size: Swin-style blocks of 3.
    blocks = np.arange(L) // 3
    close(ref.neighborhood_attention(q, k, v, 3, stride=3),
          masked_attention(q, k, v, blocks[:, None] == blocks[None, :], 3 ** -0.5)[0])
    # kernel_size x dilation == L: every query sees its whole parity group.
    parity = np.arange(L) % 2
    close(ref.neighborhood_attention(q, k, v, 6, dilation=2),
          masked_attention(q, k, v, parity[:, None] == parity[None, :], 3 ** -0.5)[0])


def test_na_rpb_index_convention():
    rng = rng_for(73)
    L, ks, H = 9, 3, 2
    q, k, v = attn_inputs(rng, 1, L, L, H, H, 4)
    base = ref.neighborhood_attention(q, k, v, ks)
    # A constant bias changes nothing.
    close(ref.neighborhood_attention(q, k, v, ks, rpb=np.full((H, 2 * ks - 1), 3.0)),
          base)
    # A huge bias at index (key - query) + k - 1 = k selects key = query + 1.
    rpb = np.zeros((H, 2 * ks - 1))
    rpb[:, ks] = 100.0
    o = ref.neighborhood_attention(q, k, v, ks, rpb=rpb)
    close(o[0, :L - 1], v[0, 1:], 1e-5)
    # Dilation divides the offset: with d = 2, key = query + 2.
    o = ref.neighborhood_attention(q, k, v, ks, dilation=2, rpb=rpb)
    close(o[0, :L - 2], v[0, 2:], 1e-5)
    # 2-D: bias index [k-1 + 1, k-1 - 1] selects (x+1, y-1).
    q2, k2, v2 = (a.reshape(1, 3, 3, H, -1) for a in (q, k, v))
    rpb2 = np.zeros((H, 5, 5))
    rpb2[:, 3, 1] = 100.0
    o = ref.neighborhood_attention(q2, k2, v2, (3, 3), rpb=rpb2)
    close(o[0, :2, 1:], v2[0, 1:, :2], 1e-5)


def test_na_rejects_invalid_parameters():
    q, k, v = attn_inputs(rng_for(0), 1, 8, 8, 2, 2, 4)
    with pytest.raises(ValueError, match="exceeds the axis"):
        ref.neighborhood_attention(q, k, v, 5, dilation=2)
    with pytest.raises(ValueError, match="stride"):
        ref.neighborhood_attention(q, k, v, 3, stride=4)
    with pytest.raises(ValueError, match="rpb"):
        ref.neighborhood_attention(q, k, v, 3, is_causal=True, rpb=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="rpb"):
        ref.neighborhood_attention(q, k, v, 3, rpb=np.zeros((2, 3)))
