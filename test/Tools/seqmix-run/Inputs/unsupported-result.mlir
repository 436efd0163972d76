func.func @main(%a: tensor<2xf32>) -> (tensor<2xf32>, index) {
  %c0 = arith.constant 0 : index
  return %a, %c0 : tensor<2xf32>, index
}
