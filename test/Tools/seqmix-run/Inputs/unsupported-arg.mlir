func.func @main(%a: tensor<2xf64>, %m: memref<2xf32>) -> tensor<2xf64> {
  return %a : tensor<2xf64>
}
