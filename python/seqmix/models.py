"""Model blocks as seqmix IR text, at any size, with weights initialized
the way the models initialize them (so that outputs are O(1), as in a real
layer, rather than the +-1e6 that unit uniform weights give).

    text = mamba_block(d_model=768)
    inputs = mamba_block_inputs(rng, T=2048, d_model=768)

examples/mamba_block.mlir is this block at d_model = 64.
"""

import numpy as np


def mamba_block(d_model=768, expand=2, d_state=16, dt_rank=None, d_conv=4):
    """A Mamba-1 mixer block, token-major, any number of tokens T:
    in_proj -> [x | z], causal_conv1d + bias + silu on x, x_proj -> [dt | B | C],
    dt_proj (its bias is the scan's delta_bias, softplus in the scan),
    selective_scan with the D skip and the silu(z) gate (A = -exp(A_log)),
    out_proj. Arguments: x, w_in, conv_w, conv_b, w_x, w_dt, dt_bias, A_log,
    D, w_out."""
    m, di, n, w = d_model, expand * d_model, d_state, d_conv
    r = dt_rank or -(-d_model // 16)
    xp = r + 2 * n

    def mm(out, a, b, rows_k, cols):
        return f"""  %e_{out} = tensor.empty(%T) : tensor<?x{cols}xf32>
  %f_{out} = linalg.fill ins(%zero : f32) outs(%e_{out} : tensor<?x{cols}xf32>) -> tensor<?x{cols}xf32>
  %{out} = linalg.matmul ins(%{a}, %{b} : tensor<?x{rows_k}xf32>, tensor<{rows_k}x{cols}xf32>) outs(%f_{out} : tensor<?x{cols}xf32>) -> tensor<?x{cols}xf32>"""

    return f"""#id2 = affine_map<(d, n) -> (d, n)>
func.func @mamba_block(%x: tensor<1x?x{m}xf32>, %w_in: tensor<{m}x{2 * di}xf32>,
                       %conv_w: tensor<{di}x{w}xf32>, %conv_b: tensor<{di}xf32>,
                       %w_x: tensor<{di}x{xp}xf32>, %w_dt: tensor<{r}x{di}xf32>,
                       %dt_bias: tensor<{di}xf32>, %A_log: tensor<{di}x{n}xf32>,
                       %D: tensor<{di}xf32>, %w_out: tensor<{di}x{m}xf32>)
    -> tensor<1x?x{m}xf32> {{
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x{m}xf32>
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x{m}xf32> into tensor<?x{m}xf32>
{mm("xz2", "x2", "w_in", m, 2 * di)}
  %xz = tensor.expand_shape %xz2 [[0, 1], [2]] output_shape [1, %T, {2 * di}] : tensor<?x{2 * di}xf32> into tensor<1x?x{2 * di}xf32>
  %xi = tensor.extract_slice %xz[0, 0, 0] [1, %T, {di}] [1, 1, 1] : tensor<1x?x{2 * di}xf32> to tensor<1x?x{di}xf32>
  %z = tensor.extract_slice %xz[0, 0, {di}] [1, %T, {di}] [1, 1, 1] : tensor<1x?x{2 * di}xf32> to tensor<1x?x{di}xf32>
  %ec = tensor.empty(%T) : tensor<1x?x{di}xf32>
  %esc = tensor.empty() : tensor<1x{w - 1}x{di}xf32>
  %sc0 = linalg.fill ins(%zero : f32) outs(%esc : tensor<1x{w - 1}x{di}xf32>) -> tensor<1x{w - 1}x{di}xf32>
  %xc, %sc = seqmix.causal_conv1d ins(%xi, %conv_w : tensor<1x?x{di}xf32>, tensor<{di}x{w}xf32>)
          bias(%conv_b : tensor<{di}xf32>) outs(%ec, %sc0 : tensor<1x?x{di}xf32>, tensor<1x{w - 1}x{di}xf32>)
          {{activation = #seqmix.activation<silu>}} -> tensor<1x?x{di}xf32>, tensor<1x{w - 1}x{di}xf32>
  %xc2 = tensor.collapse_shape %xc [[0, 1], [2]] : tensor<1x?x{di}xf32> into tensor<?x{di}xf32>
{mm("dbc", "xc2", "w_x", di, xp)}
  %dt_low = tensor.extract_slice %dbc[0, 0] [%T, {r}] [1, 1] : tensor<?x{xp}xf32> to tensor<?x{r}xf32>
  %B2 = tensor.extract_slice %dbc[0, {r}] [%T, {n}] [1, 1] : tensor<?x{xp}xf32> to tensor<?x{n}xf32>
  %C2 = tensor.extract_slice %dbc[0, {r + n}] [%T, {n}] [1, 1] : tensor<?x{xp}xf32> to tensor<?x{n}xf32>
  %B = tensor.expand_shape %B2 [[0, 1], [2, 3]] output_shape [1, %T, 1, {n}] : tensor<?x{n}xf32> into tensor<1x?x1x{n}xf32>
  %C = tensor.expand_shape %C2 [[0, 1], [2, 3]] output_shape [1, %T, 1, {n}] : tensor<?x{n}xf32> into tensor<1x?x1x{n}xf32>
{mm("dt2", "dt_low", "w_dt", r, di)}
  %dt = tensor.expand_shape %dt2 [[0, 1], [2]] output_shape [1, %T, {di}] : tensor<?x{di}xf32> into tensor<1x?x{di}xf32>
  %eA = tensor.empty() : tensor<{di}x{n}xf32>
  %A = linalg.generic {{indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}}
       ins(%A_log : tensor<{di}x{n}xf32>) outs(%eA : tensor<{di}x{n}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    %neg = arith.negf %ex : f32
    linalg.yield %neg : f32
  }} -> tensor<{di}x{n}xf32>
  %ey = tensor.empty(%T) : tensor<1x?x{di}xf32>
  %esh = tensor.empty() : tensor<1x{di}x{n}xf32>
  %h0 = linalg.fill ins(%zero : f32) outs(%esh : tensor<1x{di}x{n}xf32>) -> tensor<1x{di}x{n}xf32>
  %y, %h = seqmix.selective_scan ins(%xc, %dt, %A, %B, %C : tensor<1x?x{di}xf32>, tensor<1x?x{di}xf32>,
                                     tensor<{di}x{n}xf32>, tensor<1x?x1x{n}xf32>, tensor<1x?x1x{n}xf32>)
         D(%D : tensor<{di}xf32>) z(%z : tensor<1x?x{di}xf32>) delta_bias(%dt_bias : tensor<{di}xf32>)
         outs(%ey, %h0 : tensor<1x?x{di}xf32>, tensor<1x{di}x{n}xf32>)
         {{delta_softplus}} -> tensor<1x?x{di}xf32>, tensor<1x{di}x{n}xf32>
  %y2 = tensor.collapse_shape %y [[0, 1], [2]] : tensor<1x?x{di}xf32> into tensor<?x{di}xf32>
{mm("o2", "y2", "w_out", di, m)}
  %o = tensor.expand_shape %o2 [[0, 1], [2]] output_shape [1, %T, {m}] : tensor<?x{m}xf32> into tensor<1x?x{m}xf32>
  return %o : tensor<1x?x{m}xf32>
}}
"""


def mamba_block_inputs(rng, T, d_model=768, expand=2, d_state=16, dt_rank=None,
                       d_conv=4):
    """Inputs of mamba_block, initialized as Mamba does: projections uniform
    in +-1/sqrt(fan_in), A_log = log(1..N) on every channel, dt_bias the
    inverse softplus of dt drawn log-uniformly in [1e-3, 1e-1], D = 1; x is
    a unit-variance activation."""
    m, di, n, w = d_model, expand * d_model, d_state, d_conv
    r = dt_rank or -(-d_model // 16)

    def proj(k, c):
        b = 1 / np.sqrt(k)
        return rng.uniform(-b, b, (k, c)).astype(np.float32)

    dt = np.exp(rng.uniform(np.log(1e-3), np.log(1e-1), di))
    dt_bias = dt + np.log(-np.expm1(-dt))  # softplus^-1(dt)
    return [
        rng.standard_normal((1, T, m)).astype(np.float32),
        proj(m, 2 * di),
        rng.uniform(-1 / np.sqrt(w), 1 / np.sqrt(w), (di, w)).astype(np.float32),
        rng.uniform(-1 / np.sqrt(w), 1 / np.sqrt(w), di).astype(np.float32),
        proj(di, r + 2 * n),
        rng.uniform(-r ** -0.5, r ** -0.5, (r, di)).astype(np.float32),
        dt_bias.astype(np.float32),
        np.log(np.tile(np.arange(1, n + 1, dtype=np.float32), (di, 1))),
        np.ones(di, np.float32),
        proj(di, m),
    ]
