"""The CPU pipeline's inline transcendentals (seqmix-approximate-math)
against libm, over the f32 range. The bounds asserted here are the ones
docs/Transcendentals.md states; the reference pipeline calls libm and must
match numpy to the last ulp or so."""

import numpy as np
import pytest

from seqmix.run import run

N = 1 << 16


def elementwise(body, n=N):
    """A module applying `body` (MLIR text over %a, yielding %r) to a
    vector of n f32 values."""
    return f"""
func.func @main(%x: tensor<{n}xf32>) -> tensor<{n}xf32> {{
  %empty = tensor.empty() : tensor<{n}xf32>
  %y = linalg.generic {{indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                        iterator_types = ["parallel"]}}
      ins(%x : tensor<{n}xf32>) outs(%empty : tensor<{n}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    {body}
    linalg.yield %r : f32
  }} -> tensor<{n}xf32>
  return %y : tensor<{n}xf32>
}}
"""


def sweep(lo, hi, n=N):
    return np.linspace(lo, hi, n, dtype=np.float64).astype(np.float32)


def rel_err(got, want):
    want = np.asarray(want, np.float64)
    return np.abs(got.astype(np.float64) - want) / np.maximum(np.abs(want), 1e-30)


# (name, MLIR body, numpy in float64, input range, max relative error on the
# range where the result is a normal float, cpu pipeline)
CASES = [
    ("exp", "%r = math.exp %a : f32", np.exp, (-87.0, 88.7), 2.5e-7),
    ("exp_small", "%r = math.exp %a : f32", np.exp, (-1.0, 1.0), 2e-7),
    ("log1p", "%r = math.log1p %a : f32", np.log1p, (-0.99, 1e4), 2e-7),
    ("tanh", "%r = math.tanh %a : f32", np.tanh, (-9.0, 9.0), 3e-7),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("pipeline", ["reference", "cpu"])
def test_transcendental(case, pipeline):
    name, body, f, (lo, hi), bound = case
    x = sweep(lo, hi)
    got = run(elementwise(body), [x], pipeline=pipeline)[0]
    err = rel_err(got, f(x.astype(np.float64)))
    # libm itself is within about an ulp; the approximations within `bound`.
    assert err.max() <= (2e-7 if pipeline == "reference" else bound), err.max()


def test_exp_out_of_range():
    """Below e^-87 the CPU exp flushes to 0 (values under 2^-125); above
    FLT_MAX it is inf; NaN stays NaN."""
    x = np.array([-1e30, -200.0, -88.0, 88.8, 100.0, 1e30, np.inf, -np.inf,
                  np.nan, 0.0], np.float32)
    n = len(x)
    got = run(elementwise("%r = math.exp %a : f32", n), [x], pipeline="cpu")[0]
    assert (got[:3] <= 2.0 ** -125).all() and (got[:3] >= 0).all()
    assert np.isinf(got[3:7]).all() and (got[3:7] > 0).all()
    assert got[7] == 0
    assert np.isnan(got[8]) and got[9] == 1.0


def test_mamba_formulas():
    """softplus and silu as the scans use them (log1p(exp(x)), x / (1 +
    exp(-x))) stay within 4e-7 relative (1e-7 absolute near 0)."""
    x = sweep(-20.0, 20.0)
    softplus = ("%c20 = arith.constant 20.0 : f32\n"
                "%e = math.exp %a : f32\n%l = math.log1p %e : f32\n"
                "%big = arith.cmpf ogt, %a, %c20 : f32\n"
                "%r = arith.select %big, %a, %l : f32")
    silu = ("%one = arith.constant 1.0 : f32\n%n = arith.negf %a : f32\n"
            "%e = math.exp %n : f32\n%d = arith.addf %e, %one : f32\n"
            "%r = arith.divf %a, %d : f32")
    xd = x.astype(np.float64)
    for body, want in [(softplus, np.log1p(np.exp(xd))), (silu, xd / (1 + np.exp(-xd)))]:
        got = run(elementwise(body), [x], pipeline="cpu")[0].astype(np.float64)
        assert (np.abs(got - want) <= 4e-7 * np.abs(want) + 1e-7).all()
