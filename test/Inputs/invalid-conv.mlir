// A causal_conv1d whose weight has the wrong number of channels (48 vs 40):
// the verifier error every door must report (test/Plugins, test/Integration).
func.func @conv(%x: tensor<1x37x48xf32>, %w: tensor<40x4xf32>, %s0: tensor<1x3x48xf32>)
    -> (tensor<1x37x48xf32>, tensor<1x3x48xf32>) {
  %y0 = tensor.empty() : tensor<1x37x48xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x37x48xf32>, tensor<40x4xf32>)
           outs(%y0, %s0 : tensor<1x37x48xf32>, tensor<1x3x48xf32>)
         -> tensor<1x37x48xf32>, tensor<1x3x48xf32>
  return %y, %s : tensor<1x37x48xf32>, tensor<1x3x48xf32>
}
