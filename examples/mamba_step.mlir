// One Mamba-1 layer for prefill and decode alike: the mixer of
// mamba_block.mlir with its two states passed in and handed back.
//   prefill: T = the prompt's length, both states zero;
//   decode:  T = 1 (or a few tokens), the states the previous call returned.
// Both states are donated ({bufferization.writable = true}): each recurrence
// takes the argument as its state destination, so one-shot bufferization
// updates the caller's buffer in place and the returned state aliases it.
//   conv_state [1, W-1, d_inner] = [1, 3, 128]: the last 3 inputs of the
//     short convolution, oldest first (time-major, not causal-conv1d's
//     channel-major [B, D, W-1]);
//   ssm_state  [1, d_inner, d_state] = [1, 128, 16]: the selective scan's h.
// Returns the layer output and the two final states.
#id1 = affine_map<(d) -> (d)>
#id2 = affine_map<(d, n) -> (d, n)>
func.func @mamba_step(%x: tensor<1x?x64xf32>,
                      %conv_state: tensor<1x3x128xf32> {bufferization.writable = true},
                      %ssm_state: tensor<1x128x16xf32> {bufferization.writable = true},
                      %w_in: tensor<64x256xf32>,
                      %conv_w: tensor<128x4xf32>, %conv_b: tensor<128xf32>,
                      %w_x: tensor<128x36xf32>, %w_dt: tensor<4x128xf32>,
                      %dt_bias: tensor<128xf32>, %A_log: tensor<128x16xf32>,
                      %D: tensor<128xf32>, %w_out: tensor<128x64xf32>)
    -> (tensor<1x?x64xf32>, tensor<1x3x128xf32>, tensor<1x128x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x64xf32>

  // in_proj
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %e0 = tensor.empty(%T) : tensor<?x256xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?x256xf32>) -> tensor<?x256xf32>
  %xz2 = linalg.matmul ins(%x2, %w_in : tensor<?x64xf32>, tensor<64x256xf32>) outs(%f0 : tensor<?x256xf32>) -> tensor<?x256xf32>
  %xz = tensor.expand_shape %xz2 [[0, 1], [2]] output_shape [1, %T, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
  %xi = tensor.extract_slice %xz[0, 0, 0] [1, %T, 128] [1, 1, 1] : tensor<1x?x256xf32> to tensor<1x?x128xf32>
  %z = tensor.extract_slice %xz[0, 0, 128] [1, %T, 128] [1, 1, 1] : tensor<1x?x256xf32> to tensor<1x?x128xf32>

  // short convolution
  //   (outs: the output, and the conv state: the argument in, the new state out)
  %ec = tensor.empty(%T) : tensor<1x?x128xf32>
  %xc, %sc = seqmix.causal_conv1d ins(%xi, %conv_w : tensor<1x?x128xf32>, tensor<128x4xf32>)
          bias(%conv_b : tensor<128xf32>) outs(%ec, %conv_state : tensor<1x?x128xf32>, tensor<1x3x128xf32>)
          {activation = #seqmix.activation<silu>}
        -> tensor<1x?x128xf32>, tensor<1x3x128xf32>

  // x_proj -> dt (rank 4), B, C; dt_proj back to d_inner
  %xc2 = tensor.collapse_shape %xc [[0, 1], [2]] : tensor<1x?x128xf32> into tensor<?x128xf32>
  %e1 = tensor.empty(%T) : tensor<?x36xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?x36xf32>) -> tensor<?x36xf32>
  %dbc = linalg.matmul ins(%xc2, %w_x : tensor<?x128xf32>, tensor<128x36xf32>) outs(%f1 : tensor<?x36xf32>) -> tensor<?x36xf32>
  %dt_low = tensor.extract_slice %dbc[0, 0] [%T, 4] [1, 1] : tensor<?x36xf32> to tensor<?x4xf32>
  %B2 = tensor.extract_slice %dbc[0, 4] [%T, 16] [1, 1] : tensor<?x36xf32> to tensor<?x16xf32>
  %C2 = tensor.extract_slice %dbc[0, 20] [%T, 16] [1, 1] : tensor<?x36xf32> to tensor<?x16xf32>
  %B = tensor.expand_shape %B2 [[0, 1], [2, 3]] output_shape [1, %T, 1, 16] : tensor<?x16xf32> into tensor<1x?x1x16xf32>
  %C = tensor.expand_shape %C2 [[0, 1], [2, 3]] output_shape [1, %T, 1, 16] : tensor<?x16xf32> into tensor<1x?x1x16xf32>
  %e2 = tensor.empty(%T) : tensor<?x128xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x128xf32>) -> tensor<?x128xf32>
  %dt2 = linalg.matmul ins(%dt_low, %w_dt : tensor<?x4xf32>, tensor<4x128xf32>) outs(%f2 : tensor<?x128xf32>) -> tensor<?x128xf32>
  %dt = tensor.expand_shape %dt2 [[0, 1], [2]] output_shape [1, %T, 128] : tensor<?x128xf32> into tensor<1x?x128xf32>

  // A = -exp(A_log)
  %eA = tensor.empty() : tensor<128x16xf32>
  %A = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
       ins(%A_log : tensor<128x16xf32>) outs(%eA : tensor<128x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    %n = arith.negf %ex : f32
    linalg.yield %n : f32
  } -> tensor<128x16xf32>

  // the selective scan with everything fused
  //   (outs: the output, and the SSM state: the argument in, the new state out)
  %ey = tensor.empty(%T) : tensor<1x?x128xf32>
  %y, %h = seqmix.selective_scan ins(%xc, %dt, %A, %B, %C : tensor<1x?x128xf32>, tensor<1x?x128xf32>,
                                     tensor<128x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>)
         D(%D : tensor<128xf32>) z(%z : tensor<1x?x128xf32>) delta_bias(%dt_bias : tensor<128xf32>)
         outs(%ey, %ssm_state : tensor<1x?x128xf32>, tensor<1x128x16xf32>)
         {delta_softplus} -> tensor<1x?x128xf32>, tensor<1x128x16xf32>

  // out_proj
  %y2 = tensor.collapse_shape %y [[0, 1], [2]] : tensor<1x?x128xf32> into tensor<?x128xf32>
  %e3 = tensor.empty(%T) : tensor<?x64xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %o2 = linalg.matmul ins(%y2, %w_out : tensor<?x128xf32>, tensor<128x64xf32>) outs(%f3 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %o = tensor.expand_shape %o2 [[0, 1], [2]] output_shape [1, %T, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  return %o, %sc, %h : tensor<1x?x64xf32>, tensor<1x3x128xf32>, tensor<1x128x16xf32>
}
