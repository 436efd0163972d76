"""Every model graph in examples/ runs through the reference pipeline and
matches a numpy composition of the same layer built from reference.py.

Weights are drawn at 1/sqrt(fan_in) so activations stay O(1) and the
comparison is meaningful at rtol 1e-4 (several f32 GEMMs and a scan in a
different summation order than the float64 references).

Every example takes a dynamic T; the inputs' shapes decide it. The
prefill / decode examples (mamba_step, mamba2_step) are also checked against
themselves: splitting a sequence into calls that hand their states on gives
the same outputs and final states as one call (rtol = atol = 1e-5)."""

import pathlib
import re
import subprocess

import numpy as np
import pytest

from seqmix import reference as ref

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def weights(rng, *shape):
    fan_in = shape[-2] if len(shape) >= 2 else shape[-1]
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)


def run_example(compiled, name, entry, inputs):
    return compiled.run((EXAMPLES / f"{name}.mlir").read_text(), inputs,
                        entry=entry)


def close(got, want, rtol=1e-4, atol=1e-4):
    np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=rtol,
                               atol=atol)


def mm(x, w):
    return np.asarray(x, np.float64) @ np.asarray(w, np.float64)


def mamba_weights(rng):
    """@mamba_block's weights, in argument order after x."""
    w_in, conv_w = weights(rng, 64, 256), weights(rng, 128, 4)
    conv_b, w_x, w_dt = weights(rng, 128), weights(rng, 128, 36), weights(rng, 4, 128)
    dt_bias = np.log(np.expm1(rng.uniform(0.001, 0.1, 128))).astype(np.float32)
    A_log = np.log(np.tile(np.arange(1, 17, dtype=np.float32), (128, 1)))
    D, w_out = np.ones(128, np.float32), weights(rng, 128, 64)
    return [w_in, conv_w, conv_b, w_x, w_dt, dt_bias, A_log, D, w_out]


def mamba_ref(x, w, conv_state=None, ssm_state=None):
    """The Mamba-1 mixer in numpy: (out, final conv state, final SSM state)."""
    w_in, conv_w, conv_b, w_x, w_dt, dt_bias, A_log, D, w_out = w
    xz = mm(x, w_in)
    xi, z = xz[..., :128], xz[..., 128:]
    xc, sc = ref.causal_conv1d(xi, conv_w, bias=conv_b, activation="silu",
                               initial_state=conv_state, output_final_state=True)
    dbc = mm(xc, w_x)
    dt = mm(dbc[..., :4], w_dt)
    Bm, Cm = dbc[..., None, 4:20], dbc[..., None, 20:36]
    y, h = ref.selective_scan(xc, dt, -np.exp(A_log), Bm, Cm, D=D, z=z,
                              delta_bias=dt_bias, delta_softplus=True,
                              initial_state=ssm_state, output_final_state=True)
    return mm(y, w_out), sc, h


def test_mamba_block(compiled):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 100, 64)).astype(np.float32)
    w = mamba_weights(rng)
    out = run_example(compiled, "mamba_block", "mamba_block", [x] + w)[0]
    close(out, mamba_ref(x, w)[0])


def mamba2_weights(rng):
    """@mamba2_block's weights, in argument order after x."""
    w_in, conv_w, conv_b = weights(rng, 64, 292), weights(rng, 160, 4), weights(rng, 160)
    A_log = np.log(rng.uniform(1, 16, 4)).astype(np.float32)
    D = np.ones(4, np.float32)
    dt_bias = np.log(np.expm1(rng.uniform(0.001, 0.1, 4))).astype(np.float32)
    w_out = weights(rng, 128, 64)
    return [w_in, conv_w, conv_b, A_log, D, dt_bias, w_out]


def mamba2_ref(x, w, conv_state=None, ssm_state=None):
    """The Mamba-2 mixer in numpy: (out, final conv state, final SSM state)."""
    w_in, conv_w, conv_b, A_log, D, dt_bias, w_out = w
    T = x.shape[1]
    p = mm(x, w_in)
    z, xbc, dt = p[..., :128], p[..., 128:288], p[..., 288:]
    xbc, sc = ref.causal_conv1d(xbc, conv_w, bias=conv_b, activation="silu",
                                initial_state=conv_state, output_final_state=True)
    xs = xbc[..., :128].reshape(1, T, 4, 32)
    Bm, Cm = xbc[..., None, 128:144], xbc[..., None, 144:160]
    y, h = ref.ssd(xs, dt, -np.exp(A_log), Bm, Cm, D=D, z=z.reshape(1, T, 4, 32),
                   dt_bias=dt_bias, dt_softplus=True, initial_state=ssm_state,
                   output_final_state=True)
    return mm(y.reshape(1, T, 128), w_out), sc, h


def test_mamba2_block(compiled):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 100, 64)).astype(np.float32)
    w = mamba2_weights(rng)
    out = run_example(compiled, "mamba2_block", "mamba2_block", [x] + w)[0]
    close(out, mamba2_ref(x, w)[0])


@pytest.mark.parametrize("T", [100, 3])
def test_gla_layer(compiled, T):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, T, 64)).astype(np.float32)
    w = [weights(rng, 64, 64) for _ in range(5)]
    out = run_example(compiled, "gla_layer", "gla_layer", [x] + w)[0]
    q, k, v, gk = (mm(x, wi).reshape(1, T, 2, 32) for wi in w[:4])
    g = -ref.softplus(-gk) / 16
    o = ref.linear_attention(q, k, v, log_decay=g, scale=32 ** -0.5)
    close(out, mm(o.reshape(1, T, 64), w[4]))


@pytest.mark.parametrize("height,width", [(12, 12), (6, 9)])
def test_na2d_block(compiled, height, width):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, height, width, 32)).astype(np.float32)
    wq, wk, wv = (weights(rng, 32, 32) for _ in range(3))
    rpb, wo = weights(rng, 2, 9, 9), weights(rng, 32, 32)
    out = run_example(compiled, "na2d_block", "na2d_block", [x, wq, wk, wv, rpb, wo])[0]
    q, k, v = (mm(x, wi).reshape(1, height, width, 2, 16) for wi in (wq, wk, wv))
    o = ref.neighborhood_attention(q, k, v, (5, 5), scale=0.25, rpb=rpb)
    close(out, mm(o.reshape(1, height, width, 32), wo))


def test_quamba_block(compiled):
    rng = np.random.default_rng(4)
    T, D, N = 64, 48, 8
    q8 = lambda *s: rng.integers(-127, 128, size=s).astype(np.int8)
    u, dt, Bq, Cq, z = q8(1, T, D), q8(1, T, D), q8(1, T, 1, N), q8(1, T, 1, N), q8(1, T, D)
    A_log = np.log(np.tile(np.arange(1, N + 1, dtype=np.float32), (D, 1)))
    Dsk, dt_bias, w_out = np.ones(D, np.float32), weights(rng, D), weights(rng, D, 32)
    out, yq = run_example(compiled, "quamba_block", "quamba_block",
                          [u, dt, A_log, Bq, Cq, Dsk, z, dt_bias, w_out])
    dq = ref.dequantize
    y = ref.selective_scan(dq(u, 0.05), dq(dt, 0.02), -np.exp(A_log), dq(Bq, 0.03),
                           dq(Cq, 0.03), D=Dsk, z=dq(z, 0.05), delta_bias=dt_bias,
                           delta_softplus=True)
    want_q = ref.quantize(ref.hadamard(y), 0.02)
    assert yq.dtype == np.int8
    # int8 rounding may differ by one step where the f32 sum sits on a tie.
    assert np.abs(yq.astype(np.int32) - want_q.astype(np.int32)).max() <= 1
    close(out, mm(dq(yq, 0.02), w_out))


def mamba2_layer_ref(x, p):
    H, P = 2, 16
    xs = mm(x, p["wx"]).reshape(1, -1, H, P)
    dt, Bm, Cm = mm(x, p["wdt"]), mm(x, p["wb"])[..., None, :], mm(x, p["wc"])[..., None, :]
    y = ref.ssd(xs, dt, -np.exp(p["A_log"]), Bm, Cm, D=p["D"],
                dt_bias=p["dt_bias"], dt_softplus=True)
    return x + mm(y.reshape(1, -1, H * P), p["wo"])


def test_hybrid(compiled):
    rng = np.random.default_rng(5)
    d, H, P, N = 32, 2, 16, 8
    x = rng.standard_normal((1, 64, d)).astype(np.float32)

    def mamba_params():
        return dict(wx=weights(rng, d, H * P), wdt=weights(rng, d, H),
                    wb=weights(rng, d, N), wc=weights(rng, d, N),
                    A_log=np.log(rng.uniform(1, 8, H)).astype(np.float32),
                    D=np.ones(H, np.float32),
                    dt_bias=np.log(np.expm1(rng.uniform(0.01, 0.1, H))).astype(np.float32),
                    wo=weights(rng, H * P, d))
    keys = ["wx", "wdt", "wb", "wc", "A_log", "D", "dt_bias", "wo"]
    m1, m2 = mamba_params(), mamba_params()
    attn = [weights(rng, d, d) for _ in range(4)]
    args = [x] + [m1[k] for k in keys] + attn + [m2[k] for k in keys]
    out = run_example(compiled, "hybrid", "hybrid", args)[0]
    h1 = mamba2_layer_ref(x, m1)
    q, k, v = (mm(h1, w).reshape(1, 64, 2, 16) for w in attn[:3])
    o = ref.sliding_window_attention(q, k, v, 16, 0, scale=0.25)
    h2 = h1 + mm(o.reshape(1, 64, d), attn[3])
    close(out, mamba2_layer_ref(h2, m2))


def test_mom_layer(compiled):
    rng = np.random.default_rng(6)
    T, d, M, k, K = 64, 32, 4, 2, 16
    x = rng.standard_normal((1, T, d)).astype(np.float32)
    w = dict(router=weights(rng, d, M), q=weights(rng, d, K),
             k_mem=weights(rng, M, d, K), v_mem=weights(rng, M, d, K),
             b_mem=weights(rng, M, d, 1), a_mem=weights(rng, M, d, 1),
             k_s=weights(rng, d, K), v_s=weights(rng, d, K),
             b_s=weights(rng, d, 1), a_s=weights(rng, d, 1), o=weights(rng, K, d))
    order = ["router", "q", "k_mem", "v_mem", "b_mem", "a_mem", "k_s", "v_s",
             "b_s", "a_s", "o"]
    out = run_example(compiled, "mom_layer", "mom_layer", [x] + [w[n] for n in order])[0]
    idx, wt = ref.route(mm(x, w["router"]), k, renormalize=True)
    packed, offsets, rows = ref.dispatch(x, idx, M)
    R = T * k
    q = mm(packed, w["q"]).reshape(1, R, 1, K)
    km = ref.segment_matmul(packed, w["k_mem"], offsets).reshape(1, R, 1, K)
    vm = ref.segment_matmul(packed, w["v_mem"], offsets).reshape(1, R, 1, K)
    beta = ref.sigmoid(ref.segment_matmul(packed, w["b_mem"], offsets)).reshape(1, R, 1)
    gate = -ref.softplus(ref.segment_matmul(packed, w["a_mem"], offsets)).reshape(1, R, 1)
    om = ref.linear_attention(q, km, vm, log_decay=gate, beta=beta,
                              cu_seqlens=offsets, scale=0.25, qk_norm="l2")
    mixed = ref.combine(om.reshape(R, K), rows, wt)
    qs = mm(x, w["q"]).reshape(1, T, 1, K)
    ks, vs = mm(x, w["k_s"]).reshape(1, T, 1, K), mm(x, w["v_s"]).reshape(1, T, 1, K)
    bs, gs = ref.sigmoid(mm(x, w["b_s"])), -ref.softplus(mm(x, w["a_s"]))
    osh = ref.linear_attention(qs, ks, vs, log_decay=gs, beta=bs, scale=0.25,
                               qk_norm="l2")
    close(out, mm(mixed + osh.reshape(1, T, K), w["o"]))


# The prefill / decode examples, by entry: (weights builder, numpy layer,
# conv state shape, SSM state shape). Their arguments are x, the conv state,
# the SSM state, then the weights of the matching block.
STEPS = {
    "mamba_step": (mamba_weights, mamba_ref, (1, 3, 128), (1, 128, 16)),
    "mamba2_step": (mamba2_weights, mamba2_ref, (1, 3, 160), (1, 4, 32, 16)),
}


@pytest.fixture
def step_example(compiled):
    """step_example(name, seed) -> (rng, weights, x [1, 8, 64], zero states,
    numpy layer, step(x, conv_state, ssm_state) -> [out, conv, ssm])."""
    def make(name, seed):
        make_weights, layer_ref, conv_shape, ssm_shape = STEPS[name]
        rng = np.random.default_rng(seed)
        w = make_weights(rng)
        x = rng.standard_normal((1, 8, 64)).astype(np.float32)
        zeros = (np.zeros(conv_shape, np.float32), np.zeros(ssm_shape, np.float32))

        def step(x, conv_state, ssm_state):
            return run_example(compiled, name, name, [x, conv_state, ssm_state] + w)
        return rng, w, x, zeros, layer_ref, step
    return make


@pytest.mark.parametrize("name", sorted(STEPS))
def test_step_matches_reference(step_example, name):
    """From nonzero states, the step's output and both final states match
    the numpy layer."""
    rng, w, x, (c0, s0), layer_ref, step = step_example(name, 10)
    c0 = rng.standard_normal(c0.shape).astype(np.float32)
    s0 = rng.standard_normal(s0.shape).astype(np.float32)
    got = step(x[:, :5], c0, s0)
    want = layer_ref(x[:, :5], w, conv_state=c0, ssm_state=s0)
    assert [g.shape for g in got] == [(1, 5, 64), c0.shape, s0.shape]
    for g, r in zip(got, want):
        close(g, r)


@pytest.mark.parametrize("name,block", [("mamba_step", "mamba_block"),
                                        ("mamba2_step", "mamba2_block")])
def test_step_from_zero_states_is_the_block(step_example, compiled, name, block):
    """Prefill from zero states gives the block example's output."""
    _, w, x, (c0, s0), _, step = step_example(name, 11)
    out = step(x, c0, s0)[0]
    close(out, run_example(compiled, block, block, [x] + w)[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_two_decode_steps_equal_one_call(step_example, name):
    """Two T = 1 steps, the states of the first fed to the second, equal one
    T = 2 call: outputs concatenated, final states equal."""
    _, _, x, (c0, s0), _, step = step_example(name, 12)
    o1, c1, s1 = step(x[:, 0:1], c0, s0)
    o2, c2, s2 = step(x[:, 1:2], c1, s1)
    o, c, s = step(x[:, 0:2], c0, s0)
    close(np.concatenate([o1, o2], axis=1), o, rtol=1e-5, atol=1e-5)
    close(c2, c, rtol=1e-5, atol=1e-5)
    close(s2, s, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_prefill_then_decode_equals_one_call(step_example, name):
    """Prefill of T = 7, then one decode step from its states, equals one
    T = 8 call."""
    _, _, x, (c0, s0), _, step = step_example(name, 13)
    o7, c7, s7 = step(x[:, :7], c0, s0)
    o1, c8, s8 = step(x[:, 7:8], c7, s7)
    o, c, s = step(x, c0, s0)
    close(np.concatenate([o7, o1], axis=1), o, rtol=1e-5, atol=1e-5)
    close(c8, c, rtol=1e-5, atol=1e-5)
    close(s8, s, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dim", [16, 64])
@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.mlir")))
def test_example_random_inputs_check(compiled, name, dim):
    """seqmix-run --random-inputs on every example, compared with the
    reference pipeline; --dim sizes the dynamic T (na2d_block: height and
    width)."""
    extra = ["--random-inputs=0", "--check=reference", f"--dim={dim}"]
    if name == "na2d_block":
        # The CPU pipeline's online softmax sums in another order than the
        # reference's two passes; outputs of magnitude ~20 (random
        # projections) that cancel to ~1e-2 then differ by a few 1e-6.
        extra.append("--atol=5e-5")
    outs = compiled.run((EXAMPLES / f"{name}.mlir").read_text(), [], entry=name,
                        extra=extra)
    # Model-like random inputs (decays <= 0, A < 0, small Δ, scaled weights)
    # keep every output finite.
    for i, out in enumerate(outs):
        if np.issubdtype(out.dtype, np.floating):
            assert np.isfinite(out).all(), f"{name}: output {i} is not finite"


def test_main_job_command(compiled):
    """scripts/main.sh's command, verbatim: no --entry, no --dim."""
    proc = subprocess.run(
        [compiled.tool("seqmix-run"), str(EXAMPLES / "mamba_block.mlir"),
         "--pipeline=cpu", "--random-inputs=0", "--check=reference", "--bench=10"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "PASS" in proc.stdout and "bench:" in proc.stdout


# The complete functions of docs/Authoring.md: each one runs, and the two
# layers it builds match numpy.
AUTHORING = EXAMPLES.parent / "docs" / "Authoring.md"


def authoring_functions():
    """{name: module text} for every ```mlir block of the guide that is a
    whole function (the others are fragments)."""
    blocks = re.findall(r"```mlir\n(.*?)```", AUTHORING.read_text(), re.S)
    return {re.search(r"func\.func @(\w+)", b).group(1): b
            for b in blocks if b.lstrip().startswith("func.func")}


def test_authoring_has_functions():
    assert sorted(authoring_functions()) == ["mingru", "retnet_layer"]


@pytest.mark.parametrize("name", sorted(authoring_functions()))
def test_authoring_function_runs(compiled, name):
    """The guide's command: seqmix-run --random-inputs=0 --dim=16."""
    compiled.run(authoring_functions()[name], [], entry=name,
                 extra=["--random-inputs=0", "--dim=16", "--check=reference"])


def test_authoring_retnet(compiled):
    rng = np.random.default_rng(20)
    x = rng.standard_normal((1, 8, 64)).astype(np.float32)
    s0 = rng.standard_normal((1, 4, 16, 16)).astype(np.float32)
    w_qkv, w_o = weights(rng, 64, 192), weights(rng, 64, 64)
    text = authoring_functions()["retnet_layer"]
    run = lambda x, s: compiled.run(text, [x, s, w_qkv, w_o], entry="retnet_layer")
    out, s = run(x, s0)
    qkv = mm(x, w_qkv).reshape(1, 8, 12, 16)
    decay = np.log1p(-2.0 ** (-5.0 - np.arange(4)))
    o, s_ref = ref.linear_attention(qkv[:, :, :4], qkv[:, :, 4:8], qkv[:, :, 8:],
                                    log_decay=decay, initial_state=s0, scale=0.25,
                                    output_final_state=True)
    close(out, mm(o.reshape(1, 8, 64), w_o))
    close(s, s_ref)
    # prefill 7 + decode 1 = one call of 8
    o7, s7 = run(x[:, :7], s0)
    o1, s8 = run(x[:, 7:], s7)
    close(np.concatenate([o7, o1], axis=1), out, rtol=1e-5, atol=1e-5)
    close(s8, s, rtol=1e-5, atol=1e-5)


def test_authoring_mingru(compiled):
    rng = np.random.default_rng(21)
    x = rng.standard_normal((1, 9, 32)).astype(np.float32)
    h0 = rng.standard_normal((1, 32)).astype(np.float32)
    w_z, w_h = weights(rng, 32, 32), weights(rng, 32, 32)
    y, h = compiled.run(authoring_functions()["mingru"], [x, h0, w_z, w_h],
                        entry="mingru")
    z, cand = ref.sigmoid(mm(x, w_z)), mm(x, w_h)
    hs, ys = np.asarray(h0, np.float64), []
    for t in range(9):
        hs = (1 - z[:, t]) * hs + z[:, t] * cand[:, t]
        ys.append(hs)
    close(y, np.stack(ys, axis=1))
    close(h, hs)
