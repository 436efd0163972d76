// A Mixture-of-Memories layer (fla's MomAttention without the short conv
// and the output norm): d_model 32, 4 memories, top-2 routing, one head with
// K = V = 16, any number of tokens T (dynamic; the packed rows are R = 2T).
// Router -> stable dispatch -> per-memory k/v/beta/gate projections as
// grouped GEMMs -> gated delta rule per memory (each (batch, memory) segment
// is one varlen sequence, so a memory is not decayed at steps not routed to
// it) -> weighted combine, plus a shared memory over all tokens added with
// weight 1 -> output projection.
func.func @mom_layer(
    %x: tensor<1x?x32xf32>,
    %w_router: tensor<32x4xf32>,
    %w_q: tensor<32x16xf32>,
    %w_k_mem: tensor<4x32x16xf32>,
    %w_v_mem: tensor<4x32x16xf32>,
    %w_b_mem: tensor<4x32x1xf32>,
    %w_a_mem: tensor<4x32x1xf32>,
    %w_k_shared: tensor<32x16xf32>,
    %w_v_shared: tensor<32x16xf32>,
    %w_b_shared: tensor<32x1xf32>,
    %w_a_shared: tensor<32x1xf32>,
    %w_o: tensor<16x32xf32>)
    -> (tensor<1x?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x32xf32>
  // top-2 routing: every token fills two packed rows
  %c2 = arith.constant 2 : index
  %R = arith.muli %T, %c2 : index
  // router: top-2 of 4 memories, softmax scores renormalized
  %logits_in1 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %logits_e2 = tensor.empty(%T) : tensor<?x4xf32>
  %logits_z3 = linalg.fill ins(%zero : f32) outs(%logits_e2 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %logits_mm4 = linalg.matmul ins(%logits_in1, %w_router : tensor<?x32xf32>, tensor<32x4xf32>) outs(%logits_z3 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %logits5 = tensor.expand_shape %logits_mm4 [[0, 1], [2]] output_shape [1, %T, 4] : tensor<?x4xf32> into tensor<1x?x4xf32>
  %idx_e = tensor.empty(%T) : tensor<1x?x2xi32>
  %w_e = tensor.empty(%T) : tensor<1x?x2xf32>
  %idx, %w = seqmix.route ins(%logits5 : tensor<1x?x4xf32>) outs(%idx_e, %w_e : tensor<1x?x2xi32>, tensor<1x?x2xf32>)
             {top_k = 2 : i64, renormalize} -> tensor<1x?x2xi32>, tensor<1x?x2xf32>
  %packed_e = tensor.empty(%R) : tensor<?x32xf32>
  %offsets_e = tensor.empty() : tensor<5xi32>
  %rows_e = tensor.empty(%R) : tensor<?xi32>
  %packed, %offsets, %rows = seqmix.dispatch ins(%x, %idx : tensor<1x?x32xf32>, tensor<1x?x2xi32>)
             outs(%packed_e, %offsets_e, %rows_e : tensor<?x32xf32>, tensor<5xi32>, tensor<?xi32>)
             {num_memories = 4 : i64} -> tensor<?x32xf32>, tensor<5xi32>, tensor<?xi32>
  // per-memory projections: q shared by all memories, k, v, beta, gate per memory
  %pe6 = tensor.expand_shape %packed [[0, 1], [2]] output_shape [1, %R, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  %q_in7 = tensor.collapse_shape %pe6 [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %q_e8 = tensor.empty(%R) : tensor<?x16xf32>
  %q_z9 = linalg.fill ins(%zero : f32) outs(%q_e8 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %q_mm10 = linalg.matmul ins(%q_in7, %w_q : tensor<?x32xf32>, tensor<32x16xf32>) outs(%q_z9 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %q11 = tensor.expand_shape %q_mm10 [[0, 1], [2]] output_shape [1, %R, 16] : tensor<?x16xf32> into tensor<1x?x16xf32>
  // segment_matmul accumulates into its init: start from zeros
  %k_mem_e12 = tensor.empty(%R) : tensor<?x16xf32>
  %k_mem_z12 = linalg.fill ins(%zero : f32) outs(%k_mem_e12 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %k_mem12 = seqmix.segment_matmul ins(%packed, %w_k_mem, %offsets : tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>)
         outs(%k_mem_z12 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %k_e13 = tensor.expand_shape %k_mem12 [[0, 1], [2]] output_shape [1, %R, 16] : tensor<?x16xf32> into tensor<1x?x16xf32>
  %v_mem_e14 = tensor.empty(%R) : tensor<?x16xf32>
  %v_mem_z14 = linalg.fill ins(%zero : f32) outs(%v_mem_e14 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %v_mem14 = seqmix.segment_matmul ins(%packed, %w_v_mem, %offsets : tensor<?x32xf32>, tensor<4x32x16xf32>, tensor<5xi32>)
         outs(%v_mem_z14 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %v_e15 = tensor.expand_shape %v_mem14 [[0, 1], [2]] output_shape [1, %R, 16] : tensor<?x16xf32> into tensor<1x?x16xf32>
  %b_mem_e16 = tensor.empty(%R) : tensor<?x1xf32>
  %b_mem_z16 = linalg.fill ins(%zero : f32) outs(%b_mem_e16 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %b_mem16 = seqmix.segment_matmul ins(%packed, %w_b_mem, %offsets : tensor<?x32xf32>, tensor<4x32x1xf32>, tensor<5xi32>)
         outs(%b_mem_z16 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %b_e17 = tensor.expand_shape %b_mem16 [[0, 1], [2]] output_shape [1, %R, 1] : tensor<?x1xf32> into tensor<1x?x1xf32>
  %a_mem_e18 = tensor.empty(%R) : tensor<?x1xf32>
  %a_mem_z18 = linalg.fill ins(%zero : f32) outs(%a_mem_e18 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %a_mem18 = seqmix.segment_matmul ins(%packed, %w_a_mem, %offsets : tensor<?x32xf32>, tensor<4x32x1xf32>, tensor<5xi32>)
         outs(%a_mem_z18 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %a_e19 = tensor.expand_shape %a_mem18 [[0, 1], [2]] output_shape [1, %R, 1] : tensor<?x1xf32> into tensor<1x?x1xf32>
  %beta_e20 = tensor.empty(%R) : tensor<1x?x1xf32>
  %beta21 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%b_e17 : tensor<1x?x1xf32>) outs(%beta_e20 : tensor<1x?x1xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %one = arith.constant 1.0 : f32
    %na = arith.negf %a : f32
    %ex = math.exp %na : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x?x1xf32>
  %gate_e22 = tensor.empty(%R) : tensor<1x?x1xf32>
  %gate23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%a_e19 : tensor<1x?x1xf32>) outs(%gate_e22 : tensor<1x?x1xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %ex = math.exp %a : f32
    %lp = math.log1p %ex : f32
    %r = arith.negf %lp : f32
    linalg.yield %r : f32
  } -> tensor<1x?x1xf32>
  %qh24 = tensor.expand_shape %q11 [[0], [1], [2, 3]] output_shape [1, %R, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>
  %kh25 = tensor.expand_shape %k_e13 [[0], [1], [2, 3]] output_shape [1, %R, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>
  %vh26 = tensor.expand_shape %v_e15 [[0], [1], [2, 3]] output_shape [1, %R, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>
  %betah27 = tensor.collapse_shape %beta21 [[0], [1, 2]] : tensor<1x?x1xf32> into tensor<1x?xf32>
  %betah228 = tensor.expand_shape %betah27 [[0], [1, 2]] output_shape [1, %R, 1] : tensor<1x?xf32> into tensor<1x?x1xf32>
  // gated delta rule per memory: the segments of the packed rows are the sequences
  //   (outs: the output, and zero initial states, one per segment, whose final values are unused)
  %o_mem_e29 = tensor.empty(%R) : tensor<1x?x1x16xf32>
  %s_mem_e29 = tensor.empty() : tensor<4x1x16x16xf32>
  %s_mem0_29 = linalg.fill ins(%zero : f32) outs(%s_mem_e29 : tensor<4x1x16x16xf32>) -> tensor<4x1x16x16xf32>
  %o_mem29, %s_mem29 = seqmix.linear_attention ins(%qh24, %kh25, %vh26 : tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>)
         log_decay(%gate23 : tensor<1x?x1xf32>) beta(%betah228 : tensor<1x?x1xf32>) cu_seqlens(%offsets : tensor<5xi32>)
         outs(%o_mem_e29, %s_mem0_29 : tensor<1x?x1x16xf32>, tensor<4x1x16x16xf32>)
         {scale = 0.25 : f32, qk_norm = #seqmix.qk_norm<l2>} -> tensor<1x?x1x16xf32>, tensor<4x1x16x16xf32>
  %o_rows30 = tensor.collapse_shape %o_mem29 [[0, 1], [2, 3]] : tensor<1x?x1x16xf32> into tensor<?x16xf32>
  // combine accumulates into its init: start from zeros
  %combined_e31 = tensor.empty(%T) : tensor<1x?x16xf32>
  %combined_z31 = linalg.fill ins(%zero : f32) outs(%combined_e31 : tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %combined31 = seqmix.combine ins(%o_rows30, %rows, %w : tensor<?x16xf32>, tensor<?xi32>, tensor<1x?x2xf32>)
         outs(%combined_z31 : tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  // shared memory over every token, added with weight 1
  %qs_in32 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %qs_e33 = tensor.empty(%T) : tensor<?x16xf32>
  %qs_z34 = linalg.fill ins(%zero : f32) outs(%qs_e33 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %qs_mm35 = linalg.matmul ins(%qs_in32, %w_q : tensor<?x32xf32>, tensor<32x16xf32>) outs(%qs_z34 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %qs36 = tensor.expand_shape %qs_mm35 [[0, 1], [2]] output_shape [1, %T, 16] : tensor<?x16xf32> into tensor<1x?x16xf32>
  %ks_in37 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %ks_e38 = tensor.empty(%T) : tensor<?x16xf32>
  %ks_z39 = linalg.fill ins(%zero : f32) outs(%ks_e38 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %ks_mm40 = linalg.matmul ins(%ks_in37, %w_k_shared : tensor<?x32xf32>, tensor<32x16xf32>) outs(%ks_z39 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %ks41 = tensor.expand_shape %ks_mm40 [[0, 1], [2]] output_shape [1, %T, 16] : tensor<?x16xf32> into tensor<1x?x16xf32>
  %vs_in42 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %vs_e43 = tensor.empty(%T) : tensor<?x16xf32>
  %vs_z44 = linalg.fill ins(%zero : f32) outs(%vs_e43 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %vs_mm45 = linalg.matmul ins(%vs_in42, %w_v_shared : tensor<?x32xf32>, tensor<32x16xf32>) outs(%vs_z44 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %vs46 = tensor.expand_shape %vs_mm45 [[0, 1], [2]] output_shape [1, %T, 16] : tensor<?x16xf32> into tensor<1x?x16xf32>
  %bs_in47 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %bs_e48 = tensor.empty(%T) : tensor<?x1xf32>
  %bs_z49 = linalg.fill ins(%zero : f32) outs(%bs_e48 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %bs_mm50 = linalg.matmul ins(%bs_in47, %w_b_shared : tensor<?x32xf32>, tensor<32x1xf32>) outs(%bs_z49 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %bs51 = tensor.expand_shape %bs_mm50 [[0, 1], [2]] output_shape [1, %T, 1] : tensor<?x1xf32> into tensor<1x?x1xf32>
  %as_in52 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<1x?x32xf32> into tensor<?x32xf32>
  %as_e53 = tensor.empty(%T) : tensor<?x1xf32>
  %as_z54 = linalg.fill ins(%zero : f32) outs(%as_e53 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %as_mm55 = linalg.matmul ins(%as_in52, %w_a_shared : tensor<?x32xf32>, tensor<32x1xf32>) outs(%as_z54 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %as56 = tensor.expand_shape %as_mm55 [[0, 1], [2]] output_shape [1, %T, 1] : tensor<?x1xf32> into tensor<1x?x1xf32>
  %beta_s_e57 = tensor.empty(%T) : tensor<1x?x1xf32>
  %beta_s58 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%bs51 : tensor<1x?x1xf32>) outs(%beta_s_e57 : tensor<1x?x1xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %one = arith.constant 1.0 : f32
    %na = arith.negf %a : f32
    %ex = math.exp %na : f32
    %den = arith.addf %one, %ex : f32
    %r = arith.divf %one, %den : f32
    linalg.yield %r : f32
  } -> tensor<1x?x1xf32>
  %gate_s_e59 = tensor.empty(%T) : tensor<1x?x1xf32>
  %gate_s60 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%as56 : tensor<1x?x1xf32>) outs(%gate_s_e59 : tensor<1x?x1xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %ex = math.exp %a : f32
    %lp = math.log1p %ex : f32
    %r = arith.negf %lp : f32
    linalg.yield %r : f32
  } -> tensor<1x?x1xf32>
  %qsh61 = tensor.expand_shape %qs36 [[0], [1], [2, 3]] output_shape [1, %T, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>
  %ksh62 = tensor.expand_shape %ks41 [[0], [1], [2, 3]] output_shape [1, %T, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>
  %vsh63 = tensor.expand_shape %vs46 [[0], [1], [2, 3]] output_shape [1, %T, 1, 16] : tensor<1x?x16xf32> into tensor<1x?x1x16xf32>
  %o_shared_e64 = tensor.empty(%T) : tensor<1x?x1x16xf32>
  %s_shared_e64 = tensor.empty() : tensor<1x1x16x16xf32>
  %s_shared0_64 = linalg.fill ins(%zero : f32) outs(%s_shared_e64 : tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32>
  %o_shared64, %s_shared64 = seqmix.linear_attention ins(%qsh61, %ksh62, %vsh63 : tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>)
         log_decay(%gate_s60 : tensor<1x?x1xf32>) beta(%beta_s58 : tensor<1x?x1xf32>)
         outs(%o_shared_e64, %s_shared0_64 : tensor<1x?x1x16xf32>, tensor<1x1x16x16xf32>)
         {scale = 0.25 : f32, qk_norm = #seqmix.qk_norm<l2>} -> tensor<1x?x1x16xf32>, tensor<1x1x16x16xf32>
  %o_shared_m65 = tensor.collapse_shape %o_shared64 [[0], [1], [2, 3]] : tensor<1x?x1x16xf32> into tensor<1x?x16xf32>
  %mixed66 = arith.addf %combined31, %o_shared_m65 : tensor<1x?x16xf32>
  %out_in67 = tensor.collapse_shape %mixed66 [[0, 1], [2]] : tensor<1x?x16xf32> into tensor<?x16xf32>
  %out_e68 = tensor.empty(%T) : tensor<?x32xf32>
  %out_z69 = linalg.fill ins(%zero : f32) outs(%out_e68 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %out_mm70 = linalg.matmul ins(%out_in67, %w_o : tensor<?x16xf32>, tensor<16x32xf32>) outs(%out_z69 : tensor<?x32xf32>) -> tensor<?x32xf32>
  %out71 = tensor.expand_shape %out_mm70 [[0, 1], [2]] output_shape [1, %T, 32] : tensor<?x32xf32> into tensor<1x?x32xf32>
  return %out71 : tensor<1x?x32xf32>
}
