func.func @main(%x: tensor<1x8x4xf32>, %w: tensor<4x3xf32>, %cu: tensor<4xi32>) -> tensor<1x8x4xf32> {
  %y = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x4xf32>, tensor<4x3xf32>) cu_seqlens(%cu : tensor<4xi32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}
