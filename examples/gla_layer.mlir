// A GLA layer (d_model 64, 2 heads, K = V = 32), any number of tokens T
// (a dynamic size: every intermediate is sized from tensor.dim %x, 1):
//   q, k, v and gate projections, the gate as logsigmoid(x W_g) / 16 (fla's
//   normaliser), linear attention with a vector gate over K (chunked GLA
//   semantics), output projection.
func.func @gla_layer(
    %x: tensor<1x?x64xf32>,
    %w_q: tensor<64x64xf32>,
    %w_k: tensor<64x64xf32>,
    %w_v: tensor<64x64xf32>,
    %w_g: tensor<64x64xf32>,
    %w_o: tensor<64x64xf32>)
    -> (tensor<1x?x64xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  // projections
  %q_in1 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %q_e2 = tensor.empty(%T) : tensor<?x64xf32>
  %q_z3 = linalg.fill ins(%zero : f32) outs(%q_e2 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %q_mm4 = linalg.matmul ins(%q_in1, %w_q : tensor<?x64xf32>, tensor<64x64xf32>) outs(%q_z3 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %q5 = tensor.expand_shape %q_mm4 [[0, 1], [2]] output_shape [1, %T, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  %k_in6 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %k_e7 = tensor.empty(%T) : tensor<?x64xf32>
  %k_z8 = linalg.fill ins(%zero : f32) outs(%k_e7 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %k_mm9 = linalg.matmul ins(%k_in6, %w_k : tensor<?x64xf32>, tensor<64x64xf32>) outs(%k_z8 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %k10 = tensor.expand_shape %k_mm9 [[0, 1], [2]] output_shape [1, %T, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  %v_in11 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %v_e12 = tensor.empty(%T) : tensor<?x64xf32>
  %v_z13 = linalg.fill ins(%zero : f32) outs(%v_e12 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %v_mm14 = linalg.matmul ins(%v_in11, %w_v : tensor<?x64xf32>, tensor<64x64xf32>) outs(%v_z13 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %v15 = tensor.expand_shape %v_mm14 [[0, 1], [2]] output_shape [1, %T, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  %gk_in16 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %gk_e17 = tensor.empty(%T) : tensor<?x64xf32>
  %gk_z18 = linalg.fill ins(%zero : f32) outs(%gk_e17 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %gk_mm19 = linalg.matmul ins(%gk_in16, %w_g : tensor<?x64xf32>, tensor<64x64xf32>) outs(%gk_z18 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %gk20 = tensor.expand_shape %gk_mm19 [[0, 1], [2]] output_shape [1, %T, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  // GLA's gate: log-decay = logsigmoid(x W_g) / 16 (<= 0)
  %g_e21 = tensor.empty(%T) : tensor<1x?x64xf32>
  %g22 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%gk20 : tensor<1x?x64xf32>) outs(%g_e21 : tensor<1x?x64xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %na = arith.negf %a : f32
    %ex = math.exp %na : f32
    %lp = math.log1p %ex : f32
    %c16 = arith.constant 16.0 : f32
    %q = arith.divf %lp, %c16 : f32
    %r = arith.negf %q : f32
    linalg.yield %r : f32
  } -> tensor<1x?x64xf32>
  %qh23 = tensor.expand_shape %q5 [[0], [1], [2, 3]] output_shape [1, %T, 2, 32] : tensor<1x?x64xf32> into tensor<1x?x2x32xf32>
  %kh24 = tensor.expand_shape %k10 [[0], [1], [2, 3]] output_shape [1, %T, 2, 32] : tensor<1x?x64xf32> into tensor<1x?x2x32xf32>
  %vh25 = tensor.expand_shape %v15 [[0], [1], [2, 3]] output_shape [1, %T, 2, 32] : tensor<1x?x64xf32> into tensor<1x?x2x32xf32>
  %gh26 = tensor.expand_shape %g22 [[0], [1], [2, 3]] output_shape [1, %T, 2, 32] : tensor<1x?x64xf32> into tensor<1x?x2x32xf32>
  // the recurrence: a vector gate over K
  //   (outs: the output, and the state, zero here, whose final value is unused)
  %o_e27 = tensor.empty(%T) : tensor<1x?x2x32xf32>
  %s_e27 = tensor.empty() : tensor<1x2x32x32xf32>
  %s0_27 = linalg.fill ins(%zero : f32) outs(%s_e27 : tensor<1x2x32x32xf32>) -> tensor<1x2x32x32xf32>
  %o27, %s27 = seqmix.linear_attention ins(%qh23, %kh24, %vh25 : tensor<1x?x2x32xf32>, tensor<1x?x2x32xf32>, tensor<1x?x2x32xf32>)
         log_decay(%gh26 : tensor<1x?x2x32xf32>) outs(%o_e27, %s0_27 : tensor<1x?x2x32xf32>, tensor<1x2x32x32xf32>)
         {scale = 0.176776695 : f32} -> tensor<1x?x2x32xf32>, tensor<1x2x32x32xf32>
  %om28 = tensor.collapse_shape %o27 [[0], [1], [2, 3]] : tensor<1x?x2x32xf32> into tensor<1x?x64xf32>
  %out_in29 = tensor.collapse_shape %om28 [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %out_e30 = tensor.empty(%T) : tensor<?x64xf32>
  %out_z31 = linalg.fill ins(%zero : f32) outs(%out_e30 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %out_mm32 = linalg.matmul ins(%out_in29, %w_o : tensor<?x64xf32>, tensor<64x64xf32>) outs(%out_z31 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %out33 = tensor.expand_shape %out_mm32 [[0, 1], [2]] output_shape [1, %T, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  return %out33 : tensor<1x?x64xf32>
}
