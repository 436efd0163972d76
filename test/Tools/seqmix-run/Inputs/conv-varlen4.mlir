func.func @main(%x: tensor<1x8x4xf32>, %w: tensor<4x3xf32>, %cu: tensor<4xi32>) -> tensor<1x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x8x4xf32>
  %e = tensor.empty() : tensor<3x2x4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2x4xf32>) -> tensor<3x2x4xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x4xf32>, tensor<4x3xf32>) cu_seqlens(%cu : tensor<4xi32>) outs(%y0, %s0 : tensor<1x8x4xf32>, tensor<3x2x4xf32>) -> tensor<1x8x4xf32>, tensor<3x2x4xf32>
  return %y : tensor<1x8x4xf32>
}
