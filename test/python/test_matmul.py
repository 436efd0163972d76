"""The CPU pipeline's register-blocked linalg.matmul (the projections around
a mixer) against numpy, on shapes that leave every kind of tail: rows not a
multiple of the micro-kernel's, columns not a multiple of its panel nor of a
vector (16-, 8- and 4-lane column vectors, then scalar columns), K not a
multiple of the K block, row blocks longer than a cache sub-block, and a
dynamic M."""

import numpy as np
import pytest

from seqmix.run import run

SHAPES = [(1, 1, 1), (37, 19, 53), (64, 768, 80), (9, 300, 17), (130, 7, 96),
          (5, 64, 3), (1030, 16, 28), (300, 40, 12)]


def matmul_module(M, K, N, dynamic):
    m = "?" if dynamic else str(M)
    dim = "%c0 = arith.constant 0 : index\n  %M = tensor.dim %a, %c0 : tensor<?x{K}xf32>\n  " \
        .replace("{K}", str(K)) if dynamic else ""
    empty = "tensor.empty(%M)" if dynamic else "tensor.empty()"
    return f"""
func.func @main(%a: tensor<{m}x{K}xf32>, %b: tensor<{K}x{N}xf32>) -> tensor<{m}x{N}xf32> {{
  {dim}%zero = arith.constant 0.0 : f32
  %e = {empty} : tensor<{m}x{N}xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<{m}x{N}xf32>) -> tensor<{m}x{N}xf32>
  %c = linalg.matmul ins(%a, %b : tensor<{m}x{K}xf32>, tensor<{K}x{N}xf32>) outs(%f : tensor<{m}x{N}xf32>) -> tensor<{m}x{N}xf32>
  return %c : tensor<{m}x{N}xf32>
}}
"""


@pytest.mark.parametrize("dynamic", [False, True], ids=["static", "dynamic_m"])
@pytest.mark.parametrize("shape", SHAPES, ids=[f"{m}x{k}x{n}" for m, k, n in SHAPES])
def test_matmul(shape, dynamic):
    M, K, N = shape
    rng = np.random.default_rng(M * 1000 + K * 10 + N)
    a = rng.uniform(-1, 1, (M, K)).astype(np.float32)
    b = rng.uniform(-1, 1, (K, N)).astype(np.float32)
    got = run(matmul_module(M, K, N, dynamic), [a, b], pipeline="cpu")[0]
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.sqrt(K))


def test_matmul_is_register_blocked():
    """The CPU pipeline gives the matmul a tiling config and the kernel."""
    from seqmix.run import opt
    text = opt(matmul_module(64, 768, 80, False), "--seqmix-select-tile-config=threads=2")
    assert "linalg.matmul {seqmix.tile = #seqmix.cpu_tiling<threads = [32, 0, 0]" in text
