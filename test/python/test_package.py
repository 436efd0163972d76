"""The kernel API (seqmix.compile) and the installed package.

seqmix.compile on module text: results against the references, tile
overrides, strided, bfloat16 and torch inputs, and every kind of bad input
raising a Python exception that names the argument (never a crash). The last
test imports the package that `pip install .` put into a fresh virtual
environment (scripts/test.sh makes build/venv) and runs a GLA through the
functional API there.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import seqmix
from seqmix import reference as ref

ROOT = pathlib.Path(__file__).resolve().parents[2]

GLA = """
func.func @gla(%q: tensor<1x?x4x48xf32>, %k: tensor<1x?x4x48xf32>,
               %v: tensor<1x?x4x32xf32>, %g: tensor<1x?x4x48xf32>)
    -> (tensor<1x?x4x32xf32>, tensor<1x4x48x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %q, %c1 : tensor<1x?x4x48xf32>
  %o0 = tensor.empty(%T) : tensor<1x?x4x32xf32>
  %e = tensor.empty() : tensor<1x4x48x32xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x48x32xf32>) -> tensor<1x4x48x32xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x?x4x48xf32>,
             tensor<1x?x4x48xf32>, tensor<1x?x4x32xf32>)
           log_decay(%g : tensor<1x?x4x48xf32>)
           outs(%o0, %s0 : tensor<1x?x4x32xf32>, tensor<1x4x48x32xf32>)
           {scale = 0.125 : f32} -> tensor<1x?x4x32xf32>, tensor<1x4x48x32xf32>
  return %o, %s : tensor<1x?x4x32xf32>, tensor<1x4x48x32xf32>
}
"""

CONV_VARLEN = """
func.func @conv(%x: tensor<1x12x8xf32>, %w: tensor<8x3xf32>, %cu: tensor<3xi32>)
    -> tensor<1x12x8xf32> {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x12x8xf32>
  %e = tensor.empty() : tensor<2x2x8xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2x8xf32>) -> tensor<2x2x8xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x12x8xf32>, tensor<8x3xf32>)
           cu_seqlens(%cu : tensor<3xi32>)
           outs(%y0, %s0 : tensor<1x12x8xf32>, tensor<2x2x8xf32>)
         -> tensor<1x12x8xf32>, tensor<2x2x8xf32>
  return %y : tensor<1x12x8xf32>
}
"""


@pytest.fixture(scope="module", autouse=True)
def native():
    if importlib.util.find_spec("seqmix._seqmix") is None:
        if os.environ.get("CI"):
            pytest.fail("seqmix's native extension is not built")
        pytest.skip("seqmix's native extension is not built")


def gla_inputs(T, seed=0):
    rng = np.random.default_rng(seed)
    q, k = (rng.uniform(-1, 1, (1, T, 4, 48)).astype(np.float32) for _ in "qk")
    v = rng.uniform(-1, 1, (1, T, 4, 32)).astype(np.float32)
    g = (-0.2 * rng.uniform(0, 1, (1, T, 4, 48))).astype(np.float32)
    return q, k, v, g


def gla_reference(q, k, v, g):
    o, s = ref.linear_attention(q, k, v, log_decay=g, scale=0.125,
                                output_final_state=True)
    return o, s


@pytest.mark.parametrize("pipeline", ["reference", "cpu"])
def test_gla_kernel(pipeline):
    kernel = seqmix.compile(GLA, pipeline=pipeline)
    assert kernel.entry == "gla"
    assert [a.name for a in kernel.inputs] == ["q", "k", "v", "g"]
    assert kernel.inputs[0].shape == (1, None, 4, 48)
    for T in (37, 1):  # one kernel, any T
        args = gla_inputs(T)
        o, s = kernel(*args)
        want_o, want_s = gla_reference(*args)
        np.testing.assert_allclose(o, want_o, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(s.reshape(want_s.shape), want_s, rtol=1e-4,
                                   atol=1e-5)


def test_inputs_stay_and_strided_inputs():
    kernel = seqmix.compile(GLA)
    q, k, v, g = gla_inputs(37)
    copies = [a.copy() for a in (q, k, v, g)]
    o, _ = kernel(q, k, v, g)
    for a, c in zip((q, k, v, g), copies):
        np.testing.assert_array_equal(a, c)
    # k as a transposed view: same values, other strides.
    kt = np.ascontiguousarray(k.transpose(3, 1, 2, 0)).transpose(3, 1, 2, 0)
    assert not kt.flags.c_contiguous
    o2, _ = kernel(q, kt, v, g)
    np.testing.assert_array_equal(o, o2)


def test_tile_overrides():
    args = gla_inputs(37)
    want, _ = gla_reference(*args)
    for tile in ("#seqmix.cpu_tiling<chunk = 4>",
                 {"linear_attention": "#seqmix.cpu_tiling<chunk = 2>"},
                 {"seqmix.linear_attention": "#seqmix.cpu_tiling<chunk = 1>"}):
        o, _ = seqmix.compile(GLA, tile=tile)(*args)
        np.testing.assert_allclose(o, want, rtol=1e-4, atol=1e-5)


def test_entry_choice_and_path(tmp_path):
    path = tmp_path / "gla.mlir"
    path.write_text(GLA)
    kernel = seqmix.compile(path, entry="@gla")
    assert kernel.entry == "gla"
    with pytest.raises(seqmix.Error, match=r"no func.func @nope"):
        seqmix.compile(GLA, entry="nope")


def test_bf16_through_ml_dtypes():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    text = GLA.replace("x48xf32>, %k", "x48xbf16>, %k").replace(
        "%q, %c1 : tensor<1x?x4x48xf32>", "%q, %c1 : tensor<1x?x4x48xbf16>")
    text = text.replace("ins(%q, %k, %v : tensor<1x?x4x48xf32>",
                        "ins(%q, %k, %v : tensor<1x?x4x48xbf16>")
    kernel = seqmix.compile(text)
    assert kernel.inputs[0].dtype_name == "bfloat16"
    q, k, v, g = gla_inputs(16)
    qb = q.astype(ml_dtypes.bfloat16)
    o, _ = kernel(qb, k, v, g)
    want, _ = gla_reference(qb.astype(np.float32), k, v, g)
    np.testing.assert_allclose(o, want, rtol=1e-4, atol=1e-5)
    with pytest.raises(TypeError, match=r"argument #0 \('q'\) must be bfloat16, "
                                        r"got float32"):
        kernel(q, k, v, g)


def test_torch_tensors():
    torch = pytest.importorskip("torch")
    kernel = seqmix.compile(GLA)
    args = gla_inputs(37)
    o, s = kernel(*(torch.from_numpy(a) for a in args))
    assert isinstance(o, torch.Tensor)
    want, _ = gla_reference(*args)
    np.testing.assert_allclose(o.numpy(), want, rtol=1e-4, atol=1e-5)


def test_bad_calls_raise_naming_the_argument():
    kernel = seqmix.compile(GLA)
    q, k, v, g = gla_inputs(37)
    with pytest.raises(TypeError, match=r"@gla takes 4 arrays \(q, k, v, g\), got 3"):
        kernel(q, k, v)
    with pytest.raises(TypeError, match=r"argument #3 \('g'\) must be float32, "
                                        r"got float64"):
        kernel(q, k, v, g.astype(np.float64))
    with pytest.raises(ValueError, match=r"argument #1 \('k'\) must have shape "
                                         r"\(1, \?, 4, 48\), got \(1, 37, 4\)"):
        kernel(q, k[..., 0], v, g)
    # Dynamic sizes that disagree: the compiled code's own check says so.
    with pytest.raises(seqmix.Error, match=r"run-time check failed"):
        kernel(q, k[:, :36], v, g)


def test_failed_runtime_check_is_an_error_and_the_kernel_stays_usable():
    kernel = seqmix.compile(CONV_VARLEN)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (1, 12, 8)).astype(np.float32)
    w = rng.uniform(-1, 1, (8, 3)).astype(np.float32)
    with pytest.raises(seqmix.Error, match=r"run-time check failed: "
                                           r"seqmix.causal_conv1d: operand 'cu_seqlens'"):
        kernel(x, w, np.array([1, 5, 12], np.int32))
    y = kernel(x, w, np.array([0, 5, 12], np.int32))
    want = np.concatenate([ref.causal_conv1d(x[:, :5], w),
                           ref.causal_conv1d(x[:, 5:], w)], axis=1)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)


def test_bad_modules_and_options():
    with pytest.raises(seqmix.Error, match=r"cannot parse the module:\n"
                                           r"module:1:13: expected non-function type"):
        seqmix.compile("func.func @f(")
    with pytest.raises(seqmix.Error, match=r"'seqmix.causal_conv1d' op"):
        seqmix.compile(CONV_VARLEN.replace("tensor<8x3xf32>)\n", "tensor<8x4xf32>)\n", 1)
                       .replace("%w: tensor<8x3xf32>", "%w: tensor<8x4xf32>"))
    with pytest.raises(ValueError, match=r"pipeline must be one of"):
        seqmix.compile(GLA, pipeline="tpu")
    from conftest import PIPELINES
    if "gpu" not in PIPELINES:
        with pytest.raises(seqmix.Error, match=r"^no GPU: "):
            seqmix.compile(GLA, pipeline="gpu")
    with pytest.raises(seqmix.Error, match=r"tile override for 'seqmix.linear_attention'"):
        seqmix.compile(GLA, tile={"linear_attention": "42"})
    with pytest.raises(TypeError, match=r"tile: expected None"):
        seqmix.compile(GLA, tile=4)


VENV_PYTHON = ROOT / "build" / "venv" / "bin" / "python"

VENV_CHECK = """
import numpy as np, seqmix
assert "site-packages" in seqmix.__file__, seqmix.__file__
rng = np.random.default_rng(0)
q, k = (rng.standard_normal((2, 37, 4, 48), dtype=np.float32) for _ in "qk")
v = rng.standard_normal((2, 37, 4, 32), dtype=np.float32)
g = (-0.2 * rng.random((2, 37, 4, 48))).astype(np.float32)
o = seqmix.ops.linear_attention(q, k, v, log_decay=g)
want = seqmix.reference.linear_attention(q, k, v, log_decay=g, scale=48 ** -0.5)
np.testing.assert_allclose(o, want, rtol=1e-4, atol=1e-5)
print("GLA matches the reference")
"""


def test_installed_package_in_a_fresh_venv(tmp_path):
    """scripts/test.sh installs the package with `pip install .` into a
    fresh build/venv; outside CI a missing venv skips this."""
    if not VENV_PYTHON.exists():
        if os.environ.get("CI"):
            pytest.fail("build/venv is missing: scripts/test.sh makes it")
        pytest.skip("no build/venv (scripts/test.sh makes it)")
    out = subprocess.run([str(VENV_PYTHON), "-I", "-c", VENV_CHECK], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "GLA matches the reference" in out.stdout
