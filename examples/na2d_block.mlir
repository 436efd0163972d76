// A 2-D neighborhood attention block (NAT / DiNAT style): a 12x12 feature
// map with 32 channels, 2 heads of 16, 5x5 windows with relative position
// bias, q/k/v and output projections.
func.func @na2d_block(
    %x: tensor<1x12x12x32xf32>,
    %w_q: tensor<32x32xf32>,
    %w_k: tensor<32x32xf32>,
    %w_v: tensor<32x32xf32>,
    %rpb: tensor<2x9x9xf32>,
    %w_o: tensor<32x32xf32>)
    -> (tensor<1x12x12x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %q_in1 = tensor.collapse_shape %x [[0, 1, 2], [3]] : tensor<1x12x12x32xf32> into tensor<144x32xf32>
  %q_e2 = tensor.empty() : tensor<144x32xf32>
  %q_z3 = linalg.fill ins(%zero : f32) outs(%q_e2 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %q_mm4 = linalg.matmul ins(%q_in1, %w_q : tensor<144x32xf32>, tensor<32x32xf32>) outs(%q_z3 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %q5 = tensor.expand_shape %q_mm4 [[0, 1, 2], [3]] output_shape [1, 12, 12, 32] : tensor<144x32xf32> into tensor<1x12x12x32xf32>
  %qh6 = tensor.expand_shape %q5 [[0], [1], [2], [3, 4]] output_shape [1, 12, 12, 2, 16] : tensor<1x12x12x32xf32> into tensor<1x12x12x2x16xf32>
  %k_in7 = tensor.collapse_shape %x [[0, 1, 2], [3]] : tensor<1x12x12x32xf32> into tensor<144x32xf32>
  %k_e8 = tensor.empty() : tensor<144x32xf32>
  %k_z9 = linalg.fill ins(%zero : f32) outs(%k_e8 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %k_mm10 = linalg.matmul ins(%k_in7, %w_k : tensor<144x32xf32>, tensor<32x32xf32>) outs(%k_z9 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %k11 = tensor.expand_shape %k_mm10 [[0, 1, 2], [3]] output_shape [1, 12, 12, 32] : tensor<144x32xf32> into tensor<1x12x12x32xf32>
  %kh12 = tensor.expand_shape %k11 [[0], [1], [2], [3, 4]] output_shape [1, 12, 12, 2, 16] : tensor<1x12x12x32xf32> into tensor<1x12x12x2x16xf32>
  %v_in13 = tensor.collapse_shape %x [[0, 1, 2], [3]] : tensor<1x12x12x32xf32> into tensor<144x32xf32>
  %v_e14 = tensor.empty() : tensor<144x32xf32>
  %v_z15 = linalg.fill ins(%zero : f32) outs(%v_e14 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %v_mm16 = linalg.matmul ins(%v_in13, %w_v : tensor<144x32xf32>, tensor<32x32xf32>) outs(%v_z15 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %v17 = tensor.expand_shape %v_mm16 [[0, 1, 2], [3]] output_shape [1, 12, 12, 32] : tensor<144x32xf32> into tensor<1x12x12x32xf32>
  %vh18 = tensor.expand_shape %v17 [[0], [1], [2], [3, 4]] output_shape [1, 12, 12, 2, 16] : tensor<1x12x12x32xf32> into tensor<1x12x12x2x16xf32>
  // 5x5 neighborhood with relative position bias, dilation 1
  %o_e19 = tensor.empty() : tensor<1x12x12x2x16xf32>
  %o19 = seqmix.neighborhood_attention ins(%qh6, %kh12, %vh18 : tensor<1x12x12x2x16xf32>, tensor<1x12x12x2x16xf32>, tensor<1x12x12x2x16xf32>)
         rpb(%rpb : tensor<2x9x9xf32>) outs(%o_e19 : tensor<1x12x12x2x16xf32>)
         {kernel_size = array<i64: 5, 5>, scale = 0.25 : f32} -> tensor<1x12x12x2x16xf32>
  %om20 = tensor.collapse_shape %o19 [[0], [1], [2], [3, 4]] : tensor<1x12x12x2x16xf32> into tensor<1x12x12x32xf32>
  %out_in21 = tensor.collapse_shape %om20 [[0, 1, 2], [3]] : tensor<1x12x12x32xf32> into tensor<144x32xf32>
  %out_e22 = tensor.empty() : tensor<144x32xf32>
  %out_z23 = linalg.fill ins(%zero : f32) outs(%out_e22 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %out_mm24 = linalg.matmul ins(%out_in21, %w_o : tensor<144x32xf32>, tensor<32x32xf32>) outs(%out_z23 : tensor<144x32xf32>) -> tensor<144x32xf32>
  %out25 = tensor.expand_shape %out_mm24 [[0, 1, 2], [3]] output_shape [1, 12, 12, 32] : tensor<144x32xf32> into tensor<1x12x12x32xf32>
  return %out25 : tensor<1x12x12x32xf32>
}
