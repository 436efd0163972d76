// A hybrid stack in the Apriel-H1 style: Mamba-2 (SSD) mixer layers with a
// sliding-window attention layer between them, each with a residual
// connection (norms and MLPs left to the surrounding model). d_model 32,
// any number of tokens T (dynamic); SSD with 2 heads of 16 and d_state 8;
// attention with 2 heads of 16 and a causal window of 16 tokens.
func.func @hybrid(
    %x: tensor<1x?x32xf32>,
    %m1_wx: tensor<32x32xf32>,
    %m1_wdt: tensor<32x2xf32>,
    %m1_wb: tensor<32x8xf32>,
    %m1_wc: tensor<32x8xf32>,
    %m1_A_log: tensor<2xf32>,
    %m1_D: tensor<2xf32>,
    %m1_dt_bias: tensor<2xf32>,
    %m1_wo: tensor<32x32xf32>,
    %a_wq: tensor<32x32xf32>,
    %a_wk: tensor<32x32xf32>,
    %a_wv: tensor<32x32xf32>,
    %a_wo: tensor<32x32xf32>,
    %m2_wx: tensor<32x32xf32>,
    %m2_wdt: tensor<32x2xf32>,
    %m2_wb: tensor<32x8xf32>,
    %m2_wc: tensor<32x8xf32>,
    %m2_A_log: tensor<2xf32>,
    %m2_D: tensor<2xf32>,
    %m2_dt_bias: tensor<2xf32>,
    %m2_wo: tensor<32x32xf32>)
    -> (tensor<1x?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x32xf32>
  // layer 1: Mamba-2
  %m1x_in1 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m1x_e2 = tensor.empty(%T) : tensor<?x32xf32>
  %m1x_z3 = linalg.fill ins(%zero : f32) outs(%m1x_e2 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m1x_mm4 = linalg.matmul ins(%m1x_in1, %m1_wx : tensor<?x32xf32>, tensor<32x32xf32>) outs(%m1x_z3 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m1x5 = tensor.expand_shape %m1x_mm4 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %m1xh6 = tensor.expand_shape %m1x5 [[0], [1], [2, 3]] output_shape [1, %T, 2, 16] : tensor<1x?x32xf32> into tensor<1x?x2x16xf32>
  %m1dt_in7 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m1dt_e8 = tensor.empty(%T) : tensor<?x2xf32>
  %m1dt_z9 = linalg.fill ins(%zero : f32) outs(%m1dt_e8 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %m1dt_mm10 = linalg.matmul ins(%m1dt_in7, %m1_wdt : tensor<?x32xf32>, tensor<32x2xf32>) outs(%m1dt_z9 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %m1dt11 = tensor.expand_shape %m1dt_mm10 [[0, 1], [2]] output_shape [1, %T, 2] : tensor<?x2xf32> into tensor<1x?x2xf32>
  %m1b_in12 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m1b_e13 = tensor.empty(%T) : tensor<?x8xf32>
  %m1b_z14 = linalg.fill ins(%zero : f32) outs(%m1b_e13 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1b_mm15 = linalg.matmul ins(%m1b_in12, %m1_wb : tensor<?x32xf32>, tensor<32x8xf32>) outs(%m1b_z14 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1b16 = tensor.expand_shape %m1b_mm15 [[0, 1], [2]] output_shape [1, %T, 8] : tensor<?x8xf32> into tensor<1x?x8xf32>
  %m1c_in17 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m1c_e18 = tensor.empty(%T) : tensor<?x8xf32>
  %m1c_z19 = linalg.fill ins(%zero : f32) outs(%m1c_e18 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1c_mm20 = linalg.matmul ins(%m1c_in17, %m1_wc : tensor<?x32xf32>, tensor<32x8xf32>) outs(%m1c_z19 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1c21 = tensor.expand_shape %m1c_mm20 [[0, 1], [2]] output_shape [1, %T, 8] : tensor<?x8xf32> into tensor<1x?x8xf32>
  %m1bh22 = tensor.expand_shape %m1b16 [[0], [1], [2, 3]] output_shape [1, %T, 1, 8] : tensor<1x?x8xf32> into tensor<1x?x1x8xf32>
  %m1ch23 = tensor.expand_shape %m1c21 [[0], [1], [2, 3]] output_shape [1, %T, 1, 8] : tensor<1x?x8xf32> into tensor<1x?x1x8xf32>
  %m1A_e24 = tensor.empty() : tensor<2xf32>
  %m1A25 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
       ins(%m1_A_log : tensor<2xf32>) outs(%m1A_e24 : tensor<2xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %ex = math.exp %a : f32
    %r = arith.negf %ex : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  %m1y_e26 = tensor.empty(%T) : tensor<1x?x2x16xf32>
  %m1s_e26 = tensor.empty() : tensor<1x2x16x8xf32>
  %m1s0_26 = linalg.fill ins(%zero : f32) outs(%m1s_e26 : tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  %m1y26, %m1s26 = seqmix.ssd ins(%m1xh6, %m1dt11, %m1A25, %m1bh22, %m1ch23 : tensor<1x?x2x16xf32>, tensor<1x?x2xf32>, tensor<2xf32>, tensor<1x?x1x8xf32>, tensor<1x?x1x8xf32>)
         D(%m1_D : tensor<2xf32>) dt_bias(%m1_dt_bias : tensor<2xf32>) outs(%m1y_e26, %m1s0_26 : tensor<1x?x2x16xf32>, tensor<1x2x16x8xf32>)
         {dt_softplus} -> tensor<1x?x2x16xf32>, tensor<1x2x16x8xf32>
  %m1ym27 = tensor.collapse_shape %m1y26 [[0], [1], [2, 3]] : tensor<1x?x2x16xf32> into tensor<1x?x32xf32>
  %m1o_in28 = tensor.collapse_shape %m1ym27 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m1o_e29 = tensor.empty(%T) : tensor<?x32xf32>
  %m1o_z30 = linalg.fill ins(%zero : f32) outs(%m1o_e29 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m1o_mm31 = linalg.matmul ins(%m1o_in28, %m1_wo : tensor<?x32xf32>, tensor<32x32xf32>) outs(%m1o_z30 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m1o32 = tensor.expand_shape %m1o_mm31 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %m1res33 = arith.addf %x, %m1o32 : tensor<1x?x32xf32>
  // layer 2: sliding-window attention (window 16, causal), residual
  %aq_in34 = tensor.collapse_shape %m1res33 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %aq_e35 = tensor.empty(%T) : tensor<?x32xf32>
  %aq_z36 = linalg.fill ins(%zero : f32) outs(%aq_e35 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %aq_mm37 = linalg.matmul ins(%aq_in34, %a_wq : tensor<?x32xf32>, tensor<32x32xf32>) outs(%aq_z36 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %aq38 = tensor.expand_shape %aq_mm37 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %aqh39 = tensor.expand_shape %aq38 [[0], [1], [2, 3]] output_shape [1, %T, 2, 16] : tensor<1x?x32xf32> into tensor<1x?x2x16xf32>
  %ak_in40 = tensor.collapse_shape %m1res33 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %ak_e41 = tensor.empty(%T) : tensor<?x32xf32>
  %ak_z42 = linalg.fill ins(%zero : f32) outs(%ak_e41 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %ak_mm43 = linalg.matmul ins(%ak_in40, %a_wk : tensor<?x32xf32>, tensor<32x32xf32>) outs(%ak_z42 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %ak44 = tensor.expand_shape %ak_mm43 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %akh45 = tensor.expand_shape %ak44 [[0], [1], [2, 3]] output_shape [1, %T, 2, 16] : tensor<1x?x32xf32> into tensor<1x?x2x16xf32>
  %av_in46 = tensor.collapse_shape %m1res33 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %av_e47 = tensor.empty(%T) : tensor<?x32xf32>
  %av_z48 = linalg.fill ins(%zero : f32) outs(%av_e47 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %av_mm49 = linalg.matmul ins(%av_in46, %a_wv : tensor<?x32xf32>, tensor<32x32xf32>) outs(%av_z48 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %av50 = tensor.expand_shape %av_mm49 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %avh51 = tensor.expand_shape %av50 [[0], [1], [2, 3]] output_shape [1, %T, 2, 16] : tensor<1x?x32xf32> into tensor<1x?x2x16xf32>
  %attn_e52 = tensor.empty(%T) : tensor<1x?x2x16xf32>
  %attn52 = seqmix.sliding_window_attention ins(%aqh39, %akh45, %avh51 : tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>)
         outs(%attn_e52 : tensor<1x?x2x16xf32>) {window_left = 16 : i64, window_right = 0 : i64, scale = 0.25 : f32} -> tensor<1x?x2x16xf32>
  %attn_m53 = tensor.collapse_shape %attn52 [[0], [1], [2, 3]] : tensor<1x?x2x16xf32> into tensor<1x?x32xf32>
  %attn_o_in54 = tensor.collapse_shape %attn_m53 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %attn_o_e55 = tensor.empty(%T) : tensor<?x32xf32>
  %attn_o_z56 = linalg.fill ins(%zero : f32) outs(%attn_o_e55 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %attn_o_mm57 = linalg.matmul ins(%attn_o_in54, %a_wo : tensor<?x32xf32>, tensor<32x32xf32>) outs(%attn_o_z56 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %attn_o58 = tensor.expand_shape %attn_o_mm57 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %h259 = arith.addf %m1res33, %attn_o58 : tensor<1x?x32xf32>
  // layer 3: Mamba-2
  %m2x_in60 = tensor.collapse_shape %h259 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m2x_e61 = tensor.empty(%T) : tensor<?x32xf32>
  %m2x_z62 = linalg.fill ins(%zero : f32) outs(%m2x_e61 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m2x_mm63 = linalg.matmul ins(%m2x_in60, %m2_wx : tensor<?x32xf32>, tensor<32x32xf32>) outs(%m2x_z62 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m2x64 = tensor.expand_shape %m2x_mm63 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %m2xh65 = tensor.expand_shape %m2x64 [[0], [1], [2, 3]] output_shape [1, %T, 2, 16] : tensor<1x?x32xf32> into tensor<1x?x2x16xf32>
  %m2dt_in66 = tensor.collapse_shape %h259 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m2dt_e67 = tensor.empty(%T) : tensor<?x2xf32>
  %m2dt_z68 = linalg.fill ins(%zero : f32) outs(%m2dt_e67 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %m2dt_mm69 = linalg.matmul ins(%m2dt_in66, %m2_wdt : tensor<?x32xf32>, tensor<32x2xf32>) outs(%m2dt_z68 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %m2dt70 = tensor.expand_shape %m2dt_mm69 [[0, 1], [2]] output_shape [1, %T, 2] : tensor<?x2xf32> into tensor<1x?x2xf32>
  %m2b_in71 = tensor.collapse_shape %h259 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m2b_e72 = tensor.empty(%T) : tensor<?x8xf32>
  %m2b_z73 = linalg.fill ins(%zero : f32) outs(%m2b_e72 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m2b_mm74 = linalg.matmul ins(%m2b_in71, %m2_wb : tensor<?x32xf32>, tensor<32x8xf32>) outs(%m2b_z73 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m2b75 = tensor.expand_shape %m2b_mm74 [[0, 1], [2]] output_shape [1, %T, 8] : tensor<?x8xf32> into tensor<1x?x8xf32>
  %m2c_in76 = tensor.collapse_shape %h259 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m2c_e77 = tensor.empty(%T) : tensor<?x8xf32>
  %m2c_z78 = linalg.fill ins(%zero : f32) outs(%m2c_e77 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m2c_mm79 = linalg.matmul ins(%m2c_in76, %m2_wc : tensor<?x32xf32>, tensor<32x8xf32>) outs(%m2c_z78 : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m2c80 = tensor.expand_shape %m2c_mm79 [[0, 1], [2]] output_shape [1, %T, 8] : tensor<?x8xf32> into tensor<1x?x8xf32>
  %m2bh81 = tensor.expand_shape %m2b75 [[0], [1], [2, 3]] output_shape [1, %T, 1, 8] : tensor<1x?x8xf32> into tensor<1x?x1x8xf32>
  %m2ch82 = tensor.expand_shape %m2c80 [[0], [1], [2, 3]] output_shape [1, %T, 1, 8] : tensor<1x?x8xf32> into tensor<1x?x1x8xf32>
  %m2A_e83 = tensor.empty() : tensor<2xf32>
  %m2A84 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
       ins(%m2_A_log : tensor<2xf32>) outs(%m2A_e83 : tensor<2xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %ex = math.exp %a : f32
    %r = arith.negf %ex : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  %m2y_e85 = tensor.empty(%T) : tensor<1x?x2x16xf32>
  %m2s_e85 = tensor.empty() : tensor<1x2x16x8xf32>
  %m2s0_85 = linalg.fill ins(%zero : f32) outs(%m2s_e85 : tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  %m2y85, %m2s85 = seqmix.ssd ins(%m2xh65, %m2dt70, %m2A84, %m2bh81, %m2ch82 : tensor<1x?x2x16xf32>, tensor<1x?x2xf32>, tensor<2xf32>, tensor<1x?x1x8xf32>, tensor<1x?x1x8xf32>)
         D(%m2_D : tensor<2xf32>) dt_bias(%m2_dt_bias : tensor<2xf32>) outs(%m2y_e85, %m2s0_85 : tensor<1x?x2x16xf32>, tensor<1x2x16x8xf32>)
         {dt_softplus} -> tensor<1x?x2x16xf32>, tensor<1x2x16x8xf32>
  %m2ym86 = tensor.collapse_shape %m2y85 [[0], [1], [2, 3]] : tensor<1x?x2x16xf32> into tensor<1x?x32xf32>
  %m2o_in87 = tensor.collapse_shape %m2ym86 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %m2o_e88 = tensor.empty(%T) : tensor<?x32xf32>
  %m2o_z89 = linalg.fill ins(%zero : f32) outs(%m2o_e88 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m2o_mm90 = linalg.matmul ins(%m2o_in87, %m2_wo : tensor<?x32xf32>, tensor<32x32xf32>) outs(%m2o_z89 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m2o91 = tensor.expand_shape %m2o_mm90 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %m2res92 = arith.addf %h259, %m2o91 : tensor<1x?x32xf32>
  return %m2res92 : tensor<1x?x32xf32>
}
