// One Mamba-2 layer for prefill and decode alike: the mixer of
// mamba2_block.mlir with its two states passed in and handed back.
//   prefill: T = the prompt's length, both states zero;
//   decode:  T = 1 (or a few tokens), the states the previous call returned.
// Both states are donated ({bufferization.writable = true}) and updated in
// place; the returned states alias them.
//   conv_state [1, W-1, conv_dim] = [1, 3, 160]: the last 3 inputs of the
//     short convolution over x, B and C, oldest first;
//   ssm_state  [1, heads, headdim, d_state] = [1, 4, 32, 16]: the SSD state.
// Returns the layer output and the two final states.
func.func @mamba2_step(%x: tensor<1x?x64xf32>,
                       %conv_state: tensor<1x3x160xf32> {bufferization.writable = true},
                       %ssm_state: tensor<1x4x32x16xf32> {bufferization.writable = true},
                       %w_in: tensor<64x292xf32>,
                       %conv_w: tensor<160x4xf32>, %conv_b: tensor<160xf32>,
                       %A_log: tensor<4xf32>, %D: tensor<4xf32>,
                       %dt_bias: tensor<4xf32>, %w_out: tensor<128x64xf32>)
    -> (tensor<1x?x64xf32>, tensor<1x3x160xf32>, tensor<1x4x32x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %eA = tensor.empty() : tensor<4xf32>
  %A = linalg.generic {indexing_maps = [affine_map<(h) -> (h)>, affine_map<(h) -> (h)>],
                       iterator_types = ["parallel"]}
       ins(%A_log : tensor<4xf32>) outs(%eA : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    %n = arith.negf %e : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>

  // in_proj
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %e0 = tensor.empty(%T) : tensor<?x292xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x292xf32>) -> tensor<?x292xf32>
  %proj2 = linalg.matmul ins(%x2, %w_in : tensor<?x64xf32>, tensor<64x292xf32>) outs(%f0 : tensor<?x292xf32>) -> tensor<?x292xf32>
  %proj = tensor.expand_shape %proj2 [[0, 1], [2]] output_shape [1, %T, 292] : tensor<?x292xf32> into tensor<1x?x292xf32>
  %z3 = tensor.extract_slice %proj[0, 0, 0] [1, %T, 128] [1, 1, 1] : tensor<1x?x292xf32> to tensor<1x?x128xf32>
  %xbc = tensor.extract_slice %proj[0, 0, 128] [1, %T, 160] [1, 1, 1] : tensor<1x?x292xf32> to tensor<1x?x160xf32>
  %dt = tensor.extract_slice %proj[0, 0, 288] [1, %T, 4] [1, 1, 1] : tensor<1x?x292xf32> to tensor<1x?x4xf32>

  // short convolution over x, B and C together
  //   (outs: the output, and the conv state: the argument in, the new state out)
  %ec = tensor.empty(%T) : tensor<1x?x160xf32>
  %xbc_c, %sc = seqmix.causal_conv1d ins(%xbc, %conv_w : tensor<1x?x160xf32>, tensor<160x4xf32>)
             bias(%conv_b : tensor<160xf32>) outs(%ec, %conv_state : tensor<1x?x160xf32>, tensor<1x3x160xf32>)
             {activation = #seqmix.activation<silu>}
           -> tensor<1x?x160xf32>, tensor<1x3x160xf32>
  %xs3 = tensor.extract_slice %xbc_c[0, 0, 0] [1, %T, 128] [1, 1, 1] : tensor<1x?x160xf32> to tensor<1x?x128xf32>
  %B3 = tensor.extract_slice %xbc_c[0, 0, 128] [1, %T, 16] [1, 1, 1] : tensor<1x?x160xf32> to tensor<1x?x16xf32>
  %C3 = tensor.extract_slice %xbc_c[0, 0, 144] [1, %T, 16] [1, 1, 1] : tensor<1x?x160xf32> to tensor<1x?x16xf32>
  %xs = tensor.expand_shape %xs3 [[0], [1], [2, 3]] output_shape [1, %T, 4, 32] : tensor<1x?x128xf32> into tensor<1x?x4x32xf32>
  %z = tensor.expand_shape %z3 [[0], [1], [2, 3]] output_shape [1, %T, 4, 32] : tensor<1x?x128xf32> into tensor<1x?x4x32xf32>
  %B = tensor.expand_shape %B3 [[0], [1], [2, 3]] output_shape [1, %T, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>
  %C = tensor.expand_shape %C3 [[0], [1], [2, 3]] output_shape [1, %T, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>

  // the SSD scan
  //   (outs: the output, and the SSM state: the argument in, the new state out)
  %ey = tensor.empty(%T) : tensor<1x?x4x32xf32>
  %y, %h = seqmix.ssd ins(%xs, %dt, %A, %B, %C : tensor<1x?x4x32xf32>, tensor<1x?x4xf32>,
                          tensor<4xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>)
         D(%D : tensor<4xf32>) z(%z : tensor<1x?x4x32xf32>) dt_bias(%dt_bias : tensor<4xf32>)
         outs(%ey, %ssm_state : tensor<1x?x4x32xf32>, tensor<1x4x32x16xf32>)
         {dt_softplus} -> tensor<1x?x4x32xf32>, tensor<1x4x32x16xf32>

  // out_proj
  %y2 = tensor.collapse_shape %y [[0, 1], [2, 3]] : tensor<1x?x4x32xf32> into tensor<?x128xf32>
  %e1 = tensor.empty(%T) : tensor<?x64xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %out2 = linalg.matmul ins(%y2, %w_out : tensor<?x128xf32>, tensor<128x64xf32>) outs(%f1 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %out = tensor.expand_shape %out2 [[0, 1], [2]] output_shape [1, %T, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  return %out, %sc, %h : tensor<1x?x64xf32>, tensor<1x3x160xf32>, tensor<1x4x32x16xf32>
}
