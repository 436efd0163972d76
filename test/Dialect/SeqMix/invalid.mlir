// RUN: seqmix-opt %s -split-input-file -verify-diagnostics

// One case per verifier message. Shape messages name the operand or the init
// (the `outs` destination) and spell the expected shape symbolically and with
// the sizes bound so far.

// -----

// === Shared shape and element-type checks

func.func @la_rank(%q: tensor<2x16x4xf32>, %v: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x4x64xf32>) {
  // expected-error @+1 {{operand 'q' must have rank 4 with shape [B, T, Hqk, K], but got tensor<2x16x4xf32>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %v : tensor<2x16x4xf32>, tensor<2x16x4xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x4x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x4x64xf32>
  return
}

// -----

func.func @la_k_shape(%q: tensor<2x16x4x64xf32>, %k: tensor<2x16x4x32xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'k' must have shape [B, T, Hqk, K] = [2, 16, 4, 64], but got tensor<2x16x4x32xf32> (K is 64, dimension 3 is 32)}}
  %o, %fs = seqmix.linear_attention ins(%q, %k, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_v_time(%q: tensor<2x16x4x64xf32>, %v: tensor<2x17x4x64xf32>, %init_o: tensor<2x17x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'v' must have shape [B, T, H, V] = [2, 16, ?, ?], but got tensor<2x17x4x64xf32> (T is 16, dimension 1 is 17)}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %v : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x17x4x64xf32>) outs(%init_o, %init_state : tensor<2x17x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x17x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_elt(%q: tensor<2x16x4x64xi32>, %v: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'q' must have element type f32, f16 or bf16, but got tensor<2x16x4x64xi32>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %v : tensor<2x16x4x64xi32>, tensor<2x16x4x64xi32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_gqa(%q: tensor<2x16x4x64xf32>, %v: tensor<2x16x6x64xf32>, %init_o: tensor<2x16x6x64xf32>, %init_state: tensor<2x6x64x64xf32>) {
  // expected-error @+1 {{operand 'v' heads (GQA): H = 6 must be a multiple of Hqk = 4}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %v : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x6x64xf32>) outs(%init_o, %init_state : tensor<2x16x6x64xf32>, tensor<2x6x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x6x64xf32>, tensor<2x6x64x64xf32>
  return
}

// -----

func.func @la_log_decay_rank(%q: tensor<2x16x4x64xf32>, %g: tensor<2x4xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'log_decay' must have shape [H] (constant), [B, T, H] (scalar) or [B, T, H, K] (vector gate), but has rank 2}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) log_decay(%g : tensor<2x4xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_log_decay_heads(%q: tensor<2x16x4x64xf32>, %g: tensor<8xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'log_decay' must have shape [H] = [4], but got tensor<8xf32>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) log_decay(%g : tensor<8xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_vector_gate(%q: tensor<2x16x4x64xf32>, %g: tensor<2x16x4x32xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'log_decay' must have shape [B, T, H, K] = [2, 16, 4, 64]}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) log_decay(%g : tensor<2x16x4x32xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_beta(%q: tensor<2x16x4x64xf32>, %b: tensor<2x16x4x1xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'beta' must have rank 3 with shape [B, T, H] = [2, 16, 4]}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) beta(%b : tensor<2x16x4x1xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_state_f32(%q: tensor<2x16x4x64xf32>, %s: tensor<2x4x64x64xf16>, %init_o: tensor<2x16x4x64xf32>) {
  // expected-error @+1 {{init 'state' must have element type f32 (states are f32), but got tensor<2x4x64x64xf16>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %s : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf16>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf16>
  return
}

// -----

func.func @la_state_layout(%q: tensor<2x16x4x64xf32>, %v: tensor<2x16x4x32xf32>, %s: tensor<2x4x64x32xf32>, %init_o: tensor<2x16x4x32xf32>) {
  // expected-error @+1 {{init 'state' must have shape [Nseq, H, V, K] = [2, 4, 32, 64], but got tensor<2x4x64x32xf32>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %v : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x32xf32>) outs(%init_o, %s : tensor<2x16x4x32xf32>, tensor<2x4x64x32xf32>) {scale = 1.0 : f32, state_layout = #seqmix.state_layout<vk>} -> tensor<2x16x4x32xf32>, tensor<2x4x64x32xf32>
  return
}

// -----

func.func @la_final_state(%q: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<1x4x64x64xf32>) {
  // expected-error @+1 {{init 'state' must have shape [Nseq, H, K, V] = [2, 4, 64, 64], but got tensor<1x4x64x64xf32>}}
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<1x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<1x4x64x64xf32>
  return
}

// -----

func.func @la_final_state_f32(%q: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xbf16>) {
  // expected-error @+1 {{init 'state' must have element type f32 (states are f32), but got tensor<2x4x64x64xbf16>}}
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xbf16>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xbf16>
  return
}

// -----

func.func @la_result(%q: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x32xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{init 'o' must have shape [B, T, H, V] = [2, 16, 4, 64], but got tensor<2x16x4x32xf32>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x32xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x32xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @la_result_elt(%q: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x64xi8>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{init 'o' must have element type f32, f16 or bf16, but got tensor<2x16x4x64xi8>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xi8>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xi8>, tensor<2x4x64x64xf32>
  return
}

// -----

// === Destinations (outs)

// In tensor form each result has the type of its init.
func.func @la_result_type(%q: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{expected type of operand #3 ('tensor<2x16x4x64xf32>') to match type of corresponding result ('tensor<2x16x4x64xf16>')}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf16>, tensor<2x4x64x64xf32>
  return
}

// -----

// A recurrence always has a state init (its value is the initial state).
func.func @la_no_state(%q: tensor<2x16x4x64xf32>, %init_o: tensor<2x16x4x64xf32>) {
  // expected-error @+1 {{needs 2 destinations, outs(%o, %state), but got 1}}
  %o = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) outs(%init_o : tensor<2x16x4x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>
  return
}

// -----

// === cu_seqlens

// The verifier reads types only: the values of a constant cu_seqlens (start
// at 0, non-decreasing, end at T) are checked at run time, see
// test/Tools/seqmix-run/bad-offsets.mlir.

func.func @cu_batch(%q: tensor<2x16x4x64xf32>, %cu: tensor<3xi32>, %init_o: tensor<2x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'cu_seqlens' packs sequences into a batch of 1, but B = 2}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>, tensor<2x16x4x64xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%init_o, %init_state : tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<2x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @cu_elt(%q: tensor<1x16x4x64xf32>, %cu: tensor<3xf32>, %init_o: tensor<1x16x4x64xf32>, %init_state: tensor<2x4x64x64xf32>) {
  // expected-error @+1 {{operand 'cu_seqlens' must have element type i32 or i64, but got tensor<3xf32>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>) cu_seqlens(%cu : tensor<3xf32>) outs(%init_o, %init_state : tensor<1x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<1x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @cu_rank(%q: tensor<1x16x4x64xf32>, %cu: tensor<3x1xi32>, %init_o: tensor<1x16x4x64xf32>, %init_state: tensor<1x4x64x64xf32>) {
  // expected-error @+1 {{operand 'cu_seqlens' must have rank 1 with shape [Nseq+1], but got tensor<3x1xi32>}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>) cu_seqlens(%cu : tensor<3x1xi32>) outs(%init_o, %init_state : tensor<1x16x4x64xf32>, tensor<1x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<1x16x4x64xf32>, tensor<1x4x64x64xf32>
  return
}

// -----

func.func @cu_empty(%q: tensor<1x16x4x64xf32>, %cu: tensor<0xi32>, %init_o: tensor<1x16x4x64xf32>, %init_state: tensor<1x4x64x64xf32>) {
  // expected-error @+1 {{operand 'cu_seqlens' must hold at least one offset (shape [Nseq+1]), but got 0}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>) cu_seqlens(%cu : tensor<0xi32>) outs(%init_o, %init_state : tensor<1x16x4x64xf32>, tensor<1x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<1x16x4x64xf32>, tensor<1x4x64x64xf32>
  return
}

// -----

func.func @cu_state_rows(%q: tensor<1x16x4x64xf32>, %s: tensor<3x4x64x64xf32>, %init_o: tensor<1x16x4x64xf32>) {
  %cu = arith.constant dense<[0, 8, 16]> : tensor<3xi32>
  // expected-error @+1 {{init 'state' must have shape [Nseq, H, K, V] = [2, 4, 64, 64], but got tensor<3x4x64x64xf32> (Nseq is 2, dimension 0 is 3)}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%init_o, %s : tensor<1x16x4x64xf32>, tensor<3x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<1x16x4x64xf32>, tensor<3x4x64x64xf32>
  return
}

// -----

// === selective_scan

func.func @ss_groups(%u: tensor<1x8x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x8x3x16xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x32x16xf32>) {
  // expected-error @+1 {{operand 'B' groups: D = 32 must be a multiple of G = 3}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x16xf32>, tensor<1x8x3x16xf32>, tensor<1x8x3x16xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x32x16xf32>) -> tensor<1x8x32xf32>, tensor<1x32x16xf32>
  return
}

// -----

func.func @ss_A(%u: tensor<1x8x32xf32>, %A: tensor<16x16xf32>, %B: tensor<1x8x1x16xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x32x16xf32>) {
  // expected-error @+1 {{operand 'A' must have shape [D, N] = [32, ?], but got tensor<16x16xf32>}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<16x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x32x16xf32>) -> tensor<1x8x32xf32>, tensor<1x32x16xf32>
  return
}

// -----

func.func @ss_C(%u: tensor<1x8x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x8x1x16xf32>, %C: tensor<1x8x1x8xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x32x16xf32>) {
  // expected-error @+1 {{operand 'C' must have shape [B, T, G, N] = [1, 8, 1, 16]}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %C : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x8xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x32x16xf32>) -> tensor<1x8x32xf32>, tensor<1x32x16xf32>
  return
}

// -----

func.func @ss_quant_zero_point(%u: tensor<1x8x32x!quant.uniform<i8:f32, 0.1:3>>, %A: tensor<32x16xf32>, %B: tensor<1x8x1x16xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x32x16xf32>) {
  // expected-error @+1 {{operand 'u' must have element type f32, f16, bf16 or per-tensor symmetric !quant.uniform<i8:f32, scale>}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x8x32x!quant.uniform<i8:f32, 0.1:3>>, tensor<1x8x32x!quant.uniform<i8:f32, 0.1:3>>, tensor<32x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x32x16xf32>) -> tensor<1x8x32xf32>, tensor<1x32x16xf32>
  return
}

// -----

func.func @ss_quant_A(%u: tensor<1x8x32xf32>, %A: tensor<32x16x!quant.uniform<i8:f32, 0.1>>, %B: tensor<1x8x1x16xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x32x16xf32>) {
  // expected-error @+1 {{operand 'A' must have element type f32, f16 or bf16}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x16x!quant.uniform<i8:f32, 0.1>>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x32x16xf32>) -> tensor<1x8x32xf32>, tensor<1x32x16xf32>
  return
}

// -----

func.func @ss_D(%u: tensor<1x8x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x8x1x16xf32>, %D: tensor<16xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x32x16xf32>) {
  // expected-error @+1 {{operand 'D' must have shape [D] = [32], but got tensor<16xf32>}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>) D(%D : tensor<16xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x32x16xf32>) -> tensor<1x8x32xf32>, tensor<1x32x16xf32>
  return
}

// -----

func.func @ss_threshold(%u: tensor<1x8x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x8x1x16xf32>, %t: tensor<1x32xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x32x16xf32>) {
  // expected-error @+1 {{operand 'delta_threshold' must have rank 1 with shape [D] = [32]}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>) delta_threshold(%t : tensor<1x32xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x32x16xf32>) -> tensor<1x8x32xf32>, tensor<1x32x16xf32>
  return
}

// -----

func.func @ss_state(%u: tensor<1x8x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x8x1x16xf32>, %s: tensor<1x32x8xf32>, %init_y: tensor<1x8x32xf32>) {
  // expected-error @+1 {{init 'state' must have shape [Nseq, D, N] = [1, 32, 16], but got tensor<1x32x8xf32>}}
  %y, %fs = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x8x32xf32>, tensor<1x8x32xf32>, tensor<32x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>) outs(%init_y, %s : tensor<1x8x32xf32>, tensor<1x32x8xf32>) -> tensor<1x8x32xf32>, tensor<1x32x8xf32>
  return
}

// -----

// === ssd

func.func @ssd_D_rank(%x: tensor<1x8x4x16xf32>, %dt: tensor<1x8x4xf32>, %A: tensor<4xf32>, %B: tensor<1x8x1x32xf32>, %D: tensor<1x4x16xf32>, %init_y: tensor<1x8x4x16xf32>, %init_state: tensor<1x4x16x32xf32>) {
  // expected-error @+1 {{operand 'D' must have shape [H] or [H, P], but has rank 3}}
  %y, %fs = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x8x4x16xf32>, tensor<1x8x4xf32>, tensor<4xf32>, tensor<1x8x1x32xf32>, tensor<1x8x1x32xf32>) D(%D : tensor<1x4x16xf32>) outs(%init_y, %init_state : tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>) -> tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>
  return
}

// -----

func.func @ssd_D_shape(%x: tensor<1x8x4x16xf32>, %dt: tensor<1x8x4xf32>, %A: tensor<4xf32>, %B: tensor<1x8x1x32xf32>, %D: tensor<4x8xf32>, %init_y: tensor<1x8x4x16xf32>, %init_state: tensor<1x4x16x32xf32>) {
  // expected-error @+1 {{operand 'D' must have shape [H, P] = [4, 16], but got tensor<4x8xf32>}}
  %y, %fs = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x8x4x16xf32>, tensor<1x8x4xf32>, tensor<4xf32>, tensor<1x8x1x32xf32>, tensor<1x8x1x32xf32>) D(%D : tensor<4x8xf32>) outs(%init_y, %init_state : tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>) -> tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>
  return
}

// -----

func.func @ssd_dt_limit(%x: tensor<1x8x4x16xf32>, %dt: tensor<1x8x4xf32>, %A: tensor<4xf32>, %B: tensor<1x8x1x32xf32>, %init_y: tensor<1x8x4x16xf32>, %init_state: tensor<1x4x16x32xf32>) {
  // expected-error @+1 {{attribute 'dt_limit' must be [lo, hi] with lo <= hi}}
  %y, %fs = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x8x4x16xf32>, tensor<1x8x4xf32>, tensor<4xf32>, tensor<1x8x1x32xf32>, tensor<1x8x1x32xf32>) outs(%init_y, %init_state : tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>) {dt_limit = array<f32: 1.0, 0.5>} -> tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>
  return
}

// -----

func.func @ssd_groups(%x: tensor<1x8x4x16xf32>, %dt: tensor<1x8x4xf32>, %A: tensor<4xf32>, %B: tensor<1x8x3x32xf32>, %init_y: tensor<1x8x4x16xf32>, %init_state: tensor<1x4x16x32xf32>) {
  // expected-error @+1 {{operand 'B' groups: H = 4 must be a multiple of G = 3}}
  %y, %fs = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x8x4x16xf32>, tensor<1x8x4xf32>, tensor<4xf32>, tensor<1x8x3x32xf32>, tensor<1x8x3x32xf32>) outs(%init_y, %init_state : tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>) -> tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>
  return
}

// -----

func.func @ssd_dt(%x: tensor<1x8x4x16xf32>, %dt: tensor<1x8x2xf32>, %A: tensor<4xf32>, %B: tensor<1x8x1x32xf32>, %init_y: tensor<1x8x4x16xf32>, %init_state: tensor<1x4x16x32xf32>) {
  // expected-error @+1 {{operand 'dt' must have shape [B, T, H] = [1, 8, 4], but got tensor<1x8x2xf32>}}
  %y, %fs = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x8x4x16xf32>, tensor<1x8x2xf32>, tensor<4xf32>, tensor<1x8x1x32xf32>, tensor<1x8x1x32xf32>) outs(%init_y, %init_state : tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>) -> tensor<1x8x4x16xf32>, tensor<1x4x16x32xf32>
  return
}

// -----

func.func @ssd_final(%x: tensor<1x8x4x16xf32>, %dt: tensor<1x8x4xf32>, %A: tensor<4xf32>, %B: tensor<1x8x1x32xf32>, %init_y: tensor<1x8x4x16xf32>, %init_state: tensor<1x4x32x16xf32>) {
  // expected-error @+1 {{init 'state' must have shape [Nseq, H, P, N] = [1, 4, 16, 32], but got tensor<1x4x32x16xf32>}}
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x8x4x16xf32>, tensor<1x8x4xf32>, tensor<4xf32>, tensor<1x8x1x32xf32>, tensor<1x8x1x32xf32>) outs(%init_y, %init_state : tensor<1x8x4x16xf32>, tensor<1x4x32x16xf32>) -> tensor<1x8x4x16xf32>, tensor<1x4x32x16xf32>
  return
}

// -----

// === causal_conv1d

func.func @conv_w0(%x: tensor<1x8x32xf32>, %w: tensor<32x0xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x0x32xf32>) {
  // expected-error @+1 {{operand 'w' must have a kernel width W >= 1, but W = 0}}
  %y, %fs = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x32xf32>, tensor<32x0xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x0x32xf32>) -> tensor<1x8x32xf32>, tensor<1x0x32xf32>
  return
}

// -----

func.func @conv_w(%x: tensor<1x8x32xf32>, %w: tensor<16x4xf32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x3x32xf32>) {
  // expected-error @+1 {{operand 'w' must have shape [D, W] = [32, ?], but got tensor<16x4xf32>}}
  %y, %fs = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x32xf32>, tensor<16x4xf32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x3x32xf32>) -> tensor<1x8x32xf32>, tensor<1x3x32xf32>
  return
}

// -----

func.func @conv_state(%x: tensor<1x8x32xf32>, %w: tensor<32x4xf32>, %s: tensor<1x4x32xf32>, %init_y: tensor<1x8x32xf32>) {
  // expected-error @+1 {{init 'state' must have shape [Nseq, W-1, D] = [1, 3, 32], but got tensor<1x4x32xf32>}}
  %y, %fs = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x32xf32>, tensor<32x4xf32>) outs(%init_y, %s : tensor<1x8x32xf32>, tensor<1x4x32xf32>) -> tensor<1x8x32xf32>, tensor<1x4x32xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x8x32xf32>, %w: tensor<32x4xf32>, %b: tensor<32xi32>, %init_y: tensor<1x8x32xf32>, %init_state: tensor<1x3x32xf32>) {
  // expected-error @+1 {{operand 'bias' must have element type f32, f16 or bf16, but got tensor<32xi32>}}
  %y, %fs = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x32xf32>, tensor<32x4xf32>) bias(%b : tensor<32xi32>) outs(%init_y, %init_state : tensor<1x8x32xf32>, tensor<1x3x32xf32>) -> tensor<1x8x32xf32>, tensor<1x3x32xf32>
  return
}

// -----

// === routing

// Unranked operands are rejected by the ODS constraint before any seqmix check.
func.func @route_unranked(%l: tensor<*xf32>, %init_indices: tensor<1x8x2xi32>, %init_weights: tensor<1x8x2xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of any type values or memref of any type values, but got 'tensor<*xf32>'}}
  %i, %w = "seqmix.route"(%l, %init_indices, %init_weights) <{operandSegmentSizes = array<i32: 1, 2>, top_k = 2 : i64}> : (tensor<*xf32>, tensor<1x8x2xi32>, tensor<1x8x2xf32>) -> (tensor<1x8x2xi32>, tensor<1x8x2xf32>)
  return
}

// -----

func.func @route_top_k(%l: tensor<1x8x4xf32>, %init_indices: tensor<1x8x5xi32>, %init_weights: tensor<1x8x5xf32>) {
  // expected-error @+1 {{attribute 'top_k' must be in [1, M] = [1, 4], but got 5}}
  %i, %w = seqmix.route ins(%l : tensor<1x8x4xf32>) outs(%init_indices, %init_weights : tensor<1x8x5xi32>, tensor<1x8x5xf32>) {top_k = 5 : i64} -> tensor<1x8x5xi32>, tensor<1x8x5xf32>
  return
}

// -----

func.func @route_no_top_k(%l: tensor<1x8x4xf32>, %init_indices: tensor<1x8x2xi32>, %init_weights: tensor<1x8x2xf32>) {
  // expected-error @+1 {{requires attribute 'top_k'}}
  %i, %w = seqmix.route ins(%l : tensor<1x8x4xf32>) outs(%init_indices, %init_weights : tensor<1x8x2xi32>, tensor<1x8x2xf32>) -> tensor<1x8x2xi32>, tensor<1x8x2xf32>
  return
}

// -----

func.func @route_rank(%l: tensor<8x4xf32>, %init_indices: tensor<8x1x1xi32>, %init_weights: tensor<8x1x1xf32>) {
  // expected-error @+1 {{operand 'logits' must have rank 3 with shape [B, T, M], but got tensor<8x4xf32>}}
  %i, %w = seqmix.route ins(%l : tensor<8x4xf32>) outs(%init_indices, %init_weights : tensor<8x1x1xi32>, tensor<8x1x1xf32>) {top_k = 1 : i64} -> tensor<8x1x1xi32>, tensor<8x1x1xf32>
  return
}

// -----

// Result types are no longer inferred: the inits carry them and are checked.
func.func @route_indices_init(%l: tensor<1x8x4xf32>, %init_indices: tensor<1x8x2xi64>, %init_weights: tensor<1x8x2xf32>) {
  // expected-error @+1 {{init 'indices' must have element type i32, but got tensor<1x8x2xi64>}}
  %i, %w = seqmix.route ins(%l : tensor<1x8x4xf32>) outs(%init_indices, %init_weights : tensor<1x8x2xi64>, tensor<1x8x2xf32>) {top_k = 2 : i64} -> tensor<1x8x2xi64>, tensor<1x8x2xf32>
  return
}

// -----

func.func @route_weights_init(%l: tensor<1x8x4xf32>, %init_indices: tensor<1x8x2xi32>, %init_weights: tensor<1x8x3xf32>) {
  // expected-error @+1 {{init 'weights' must have shape [B, T, k] = [1, 8, 2], but got tensor<1x8x3xf32>}}
  %i, %w = seqmix.route ins(%l : tensor<1x8x4xf32>) outs(%init_indices, %init_weights : tensor<1x8x2xi32>, tensor<1x8x3xf32>) {top_k = 2 : i64} -> tensor<1x8x2xi32>, tensor<1x8x3xf32>
  return
}

// -----

func.func @dispatch_rank(%x: tensor<8xf32>, %i: tensor<1x8x2xi32>, %init_packed: tensor<128xf32>, %init_offsets: tensor<33xi32>, %init_rows: tensor<128xi32>) {
  // expected-error @+1 {{operand 'x' must have shape [B, T, F..], but has rank 1}}
  %p, %o, %r = seqmix.dispatch ins(%x, %i : tensor<8xf32>, tensor<1x8x2xi32>) outs(%init_packed, %init_offsets, %init_rows : tensor<128xf32>, tensor<33xi32>, tensor<128xi32>) {num_memories = 4 : i64} -> tensor<128xf32>, tensor<33xi32>, tensor<128xi32>
  return
}

// -----

func.func @dispatch_indices(%x: tensor<1x8x16xf32>, %i: tensor<1x8x2xf32>, %init_packed: tensor<16x16xf32>, %init_offsets: tensor<5xi32>, %init_rows: tensor<16xi32>) {
  // expected-error @+1 {{operand 'indices' must have element type i32 or i64, but got tensor<1x8x2xf32>}}
  %p, %o, %r = seqmix.dispatch ins(%x, %i : tensor<1x8x16xf32>, tensor<1x8x2xf32>) outs(%init_packed, %init_offsets, %init_rows : tensor<16x16xf32>, tensor<5xi32>, tensor<16xi32>) {num_memories = 4 : i64} -> tensor<16x16xf32>, tensor<5xi32>, tensor<16xi32>
  return
}

// -----

func.func @dispatch_indices_shape(%x: tensor<1x8x16xf32>, %i: tensor<2x8x2xi32>, %init_packed: tensor<16x16xf32>, %init_offsets: tensor<5xi32>, %init_rows: tensor<16xi32>) {
  // expected-error @+1 {{operand 'indices' must have shape [B, T, k] = [1, 8, ?], but got tensor<2x8x2xi32>}}
  %p, %o, %r = seqmix.dispatch ins(%x, %i : tensor<1x8x16xf32>, tensor<2x8x2xi32>) outs(%init_packed, %init_offsets, %init_rows : tensor<16x16xf32>, tensor<5xi32>, tensor<16xi32>) {num_memories = 4 : i64} -> tensor<16x16xf32>, tensor<5xi32>, tensor<16xi32>
  return
}

// -----

func.func @dispatch_memories(%x: tensor<1x8x16xf32>, %i: tensor<1x8x2xi32>, %init_packed: tensor<16x16xf32>, %init_offsets: tensor<1xi32>, %init_rows: tensor<16xi32>) {
  // expected-error @+1 {{attribute 'num_memories' must be >= 1, but got 0}}
  %p, %o, %r = seqmix.dispatch ins(%x, %i : tensor<1x8x16xf32>, tensor<1x8x2xi32>) outs(%init_packed, %init_offsets, %init_rows : tensor<16x16xf32>, tensor<1xi32>, tensor<16xi32>) {num_memories = 0 : i64} -> tensor<16x16xf32>, tensor<1xi32>, tensor<16xi32>
  return
}

// -----

func.func @dispatch_no_memories(%x: tensor<1x8x16xf32>, %i: tensor<1x8x2xi32>, %init_packed: tensor<16x16xf32>, %init_offsets: tensor<5xi32>, %init_rows: tensor<16xi32>) {
  // expected-error @+1 {{requires attribute 'num_memories'}}
  %p, %o, %r = seqmix.dispatch ins(%x, %i : tensor<1x8x16xf32>, tensor<1x8x2xi32>) outs(%init_packed, %init_offsets, %init_rows : tensor<16x16xf32>, tensor<5xi32>, tensor<16xi32>) -> tensor<16x16xf32>, tensor<5xi32>, tensor<16xi32>
  return
}

// -----

func.func @dispatch_packed_elt(%x: tensor<1x8x16xf32>, %i: tensor<1x8x2xi32>, %init_packed: tensor<16x16xbf16>, %init_offsets: tensor<5xi32>, %init_rows: tensor<16xi32>) {
  // expected-error @+1 {{init 'packed' must have the element type of 'x' (f32), but got tensor<16x16xbf16>}}
  %p, %o, %r = seqmix.dispatch ins(%x, %i : tensor<1x8x16xf32>, tensor<1x8x2xi32>) outs(%init_packed, %init_offsets, %init_rows : tensor<16x16xbf16>, tensor<5xi32>, tensor<16xi32>) {num_memories = 4 : i64} -> tensor<16x16xbf16>, tensor<5xi32>, tensor<16xi32>
  return
}

// -----

func.func @segment_matmul_din(%p: tensor<16x32xf32>, %w: tensor<4x16x8xf32>, %o: tensor<5xi32>, %init_result: tensor<16x8xf32>) {
  // expected-error @+1 {{operand 'weight' must have shape [M, Din, Dout] = [?, 32, ?], but got tensor<4x16x8xf32>}}
  %r = seqmix.segment_matmul ins(%p, %w, %o : tensor<16x32xf32>, tensor<4x16x8xf32>, tensor<5xi32>) outs(%init_result : tensor<16x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @segment_matmul_segments(%p: tensor<16x32xf32>, %w: tensor<4x32x8xf32>, %o: tensor<6xi32>, %init_result: tensor<16x8xf32>) {
  // expected-error @+1 {{operand 'offsets' must describe a multiple of M = 4 segments, but describes S = 5}}
  %r = seqmix.segment_matmul ins(%p, %w, %o : tensor<16x32xf32>, tensor<4x32x8xf32>, tensor<6xi32>) outs(%init_result : tensor<16x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @segment_matmul_no_memory(%p: tensor<16x32xf32>, %w: tensor<0x32x8xf32>, %o: tensor<1xi32>, %init_result: tensor<16x8xf32>) {
  // expected-error @+1 {{operand 'weight' must hold at least one memory (M >= 1)}}
  %r = seqmix.segment_matmul ins(%p, %w, %o : tensor<16x32xf32>, tensor<0x32x8xf32>, tensor<1xi32>) outs(%init_result : tensor<16x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @combine_rank(%p: tensor<f32>, %r: tensor<16xi32>, %w: tensor<1x8x2xf32>, %init_result: tensor<1x8xf32>) {
  // expected-error @+1 {{operand 'packed' must have shape [R, F..], but has rank 0}}
  %o = seqmix.combine ins(%p, %r, %w : tensor<f32>, tensor<16xi32>, tensor<1x8x2xf32>) outs(%init_result : tensor<1x8xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @combine_row_count(%p: tensor<16x32xf32>, %r: tensor<15xi32>, %w: tensor<1x8x2xf32>, %init_result: tensor<1x8x32xf32>) {
  // expected-error @+1 {{operand 'rows' must have shape [R] = [16], but got tensor<15xi32>}}
  %o = seqmix.combine ins(%p, %r, %w : tensor<16x32xf32>, tensor<15xi32>, tensor<1x8x2xf32>) outs(%init_result : tensor<1x8x32xf32>) -> tensor<1x8x32xf32>
  return
}

// -----

func.func @dispatch_offsets_init(%x: tensor<1x8x16xf32>, %i: tensor<1x8x2xi32>, %init_packed: tensor<16x16xf32>, %init_offsets: tensor<4xi32>, %init_rows: tensor<16xi32>) {
  // expected-error @+1 {{init 'offsets' must have shape [B*M+1] = [5], but got tensor<4xi32>}}
  %p, %o, %r = seqmix.dispatch ins(%x, %i : tensor<1x8x16xf32>, tensor<1x8x2xi32>) outs(%init_packed, %init_offsets, %init_rows : tensor<16x16xf32>, tensor<4xi32>, tensor<16xi32>) {num_memories = 4 : i64} -> tensor<16x16xf32>, tensor<4xi32>, tensor<16xi32>
  return
}

// -----

func.func @segment_matmul_result_init(%p: tensor<16x32xf32>, %w: tensor<4x32x8xf32>, %o: tensor<5xi32>, %init_result: tensor<16x32xf32>) {
  // expected-error @+1 {{init 'result' must have shape [R, Dout] = [16, 8], but got tensor<16x32xf32>}}
  %r = seqmix.segment_matmul ins(%p, %w, %o : tensor<16x32xf32>, tensor<4x32x8xf32>, tensor<5xi32>) outs(%init_result : tensor<16x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

func.func @combine_result_init(%p: tensor<16x32xf32>, %r: tensor<16xi32>, %w: tensor<1x8x2xf32>, %init_result: tensor<1x16x32xf32>) {
  // expected-error @+1 {{init 'result' must have shape [B, T, F1] = [1, 8, 32], but got tensor<1x16x32xf32>}}
  %o = seqmix.combine ins(%p, %r, %w : tensor<16x32xf32>, tensor<16xi32>, tensor<1x8x2xf32>) outs(%init_result : tensor<1x16x32xf32>) -> tensor<1x16x32xf32>
  return
}

// -----

// === neighborhood_attention

func.func @na_rank(%q: tensor<1x16x64xf32>, %init_o: tensor<1x16x64xf32>) {
  // expected-error @+1 {{operand 'q' must have rank 4, 5 or 6 ([B, X1..Xr, H, Dqk] with r in 1..3), but has rank 3}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x64xf32>, tensor<1x16x64xf32>, tensor<1x16x64xf32>) outs(%init_o : tensor<1x16x64xf32>) {kernel_size = array<i64: 3>, scale = 1.0 : f32} -> tensor<1x16x64xf32>
  return
}

// -----

func.func @na_kernel_entries(%q: tensor<1x16x16x2x32xf32>, %init_o: tensor<1x16x16x2x32xf32>) {
  // expected-error @+1 {{attribute 'kernel_size' must have 2 entries (one per spatial axis), but has 1}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x16x2x32xf32>, tensor<1x16x16x2x32xf32>, tensor<1x16x16x2x32xf32>) outs(%init_o : tensor<1x16x16x2x32xf32>) {kernel_size = array<i64: 3>, scale = 1.0 : f32} -> tensor<1x16x16x2x32xf32>
  return
}

// -----

func.func @na_causal_entries(%q: tensor<1x16x16x2x32xf32>, %init_o: tensor<1x16x16x2x32xf32>) {
  // expected-error @+1 {{attribute 'is_causal' must have 2 entries (one per spatial axis), but has 3}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x16x2x32xf32>, tensor<1x16x16x2x32xf32>, tensor<1x16x16x2x32xf32>) outs(%init_o : tensor<1x16x16x2x32xf32>) {kernel_size = array<i64: 3, 3>, is_causal = array<i1: true, false, false>, scale = 1.0 : f32} -> tensor<1x16x16x2x32xf32>
  return
}

// -----

func.func @na_kernel_positive(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>) {
  // expected-error @+1 {{attribute 'kernel_size' must be >= 1 on every axis, but axis 0 has 0}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o : tensor<1x16x2x32xf32>) {kernel_size = array<i64: 0>, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>
  return
}

// -----

func.func @na_dilation(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>) {
  // expected-error @+1 {{attribute 'dilation' must be >= 1 on every axis, but axis 0 has 0}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o : tensor<1x16x2x32xf32>) {kernel_size = array<i64: 3>, dilation = array<i64: 0>, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>
  return
}

// -----

func.func @na_stride(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>) {
  // expected-error @+1 {{attribute 'stride' must be in [1, kernel_size] on every axis, but axis 0 has stride 4 and kernel_size 3}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o : tensor<1x16x2x32xf32>) {kernel_size = array<i64: 3>, stride = array<i64: 4>, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>
  return
}

// -----

func.func @na_window_too_big(%q: tensor<1x16x12x2x32xf32>, %init_o: tensor<1x16x12x2x32xf32>) {
  // expected-error @+1 {{kernel_size x dilation = 7 x 2 must not exceed X2 = 12 on axis 1}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x12x2x32xf32>, tensor<1x16x12x2x32xf32>, tensor<1x16x12x2x32xf32>) outs(%init_o : tensor<1x16x12x2x32xf32>) {kernel_size = array<i64: 3, 7>, dilation = array<i64: 1, 2>, scale = 1.0 : f32} -> tensor<1x16x12x2x32xf32>
  return
}

// -----

// Huge attribute values do not overflow the check.
func.func @na_window_huge(%q: tensor<1x4x1x8xf32>, %init_o: tensor<1x4x1x8xf32>) {
  // expected-error @+1 {{kernel_size x dilation = 4611686018427387904 x 4 must not exceed X1 = 4 on axis 0}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) outs(%init_o : tensor<1x4x1x8xf32>) {kernel_size = array<i64: 4611686018427387904>, dilation = array<i64: 4>, stride = array<i64: 1>, scale = 1.0 : f32} -> tensor<1x4x1x8xf32>
  return
}

// -----

func.func @na_rpb_causal(%q: tensor<1x16x2x32xf32>, %rpb: tensor<2x5xf32>, %init_o: tensor<1x16x2x32xf32>) {
  // expected-error @+1 {{operand 'rpb' is not allowed together with a causal axis}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) rpb(%rpb : tensor<2x5xf32>) outs(%init_o : tensor<1x16x2x32xf32>) {kernel_size = array<i64: 3>, is_causal = array<i1: true>, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>
  return
}

// -----

func.func @na_rpb_shape(%q: tensor<1x16x16x2x32xf32>, %rpb: tensor<2x5x5xf32>, %init_o: tensor<1x16x16x2x32xf32>) {
  // expected-error @+1 {{operand 'rpb' must have shape [H, 2k1-1, 2k2-1] = [2, 5, 13], but got tensor<2x5x5xf32>}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x16x2x32xf32>, tensor<1x16x16x2x32xf32>, tensor<1x16x16x2x32xf32>) rpb(%rpb : tensor<2x5x5xf32>) outs(%init_o : tensor<1x16x16x2x32xf32>) {kernel_size = array<i64: 3, 7>, scale = 1.0 : f32} -> tensor<1x16x16x2x32xf32>
  return
}

// -----

func.func @na_gqa(%q: tensor<1x16x4x32xf32>, %k: tensor<1x16x3x32xf32>, %init_o: tensor<1x16x4x32xf32>) {
  // expected-error @+1 {{operand 'k' heads (GQA): H = 4 must be a multiple of Hkv = 3}}
  %o = seqmix.neighborhood_attention ins(%q, %k, %k : tensor<1x16x4x32xf32>, tensor<1x16x3x32xf32>, tensor<1x16x3x32xf32>) outs(%init_o : tensor<1x16x4x32xf32>) {kernel_size = array<i64: 3>, scale = 1.0 : f32} -> tensor<1x16x4x32xf32>
  return
}

// -----

func.func @na_spatial(%q: tensor<1x16x16x2x32xf32>, %k: tensor<1x16x8x2x32xf32>, %init_o: tensor<1x16x16x2x32xf32>) {
  // expected-error @+1 {{operand 'k' must have shape [B, X1, X2, Hkv, Dqk] = [1, 16, 16, ?, 32], but got tensor<1x16x8x2x32xf32>}}
  %o = seqmix.neighborhood_attention ins(%q, %k, %k : tensor<1x16x16x2x32xf32>, tensor<1x16x8x2x32xf32>, tensor<1x16x8x2x32xf32>) outs(%init_o : tensor<1x16x16x2x32xf32>) {kernel_size = array<i64: 3, 3>, scale = 1.0 : f32} -> tensor<1x16x16x2x32xf32>
  return
}

// -----

func.func @na_lse(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_lse: tensor<1x16x2xf16>) {
  // expected-error @+1 {{init 'lse' must have element type f32 (states are f32), but got tensor<1x16x2xf16>}}
  %o, %l = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_lse : tensor<1x16x2x32xf32>, tensor<1x16x2xf16>) {kernel_size = array<i64: 3>, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>, tensor<1x16x2xf16>
  return
}

// -----

// === sliding_window_attention

func.func @swa_window(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>) {
  // expected-error @+1 {{attributes 'window_left' and 'window_right' must be >= 0 or -1 (unbounded), but got (-2, 0)}}
  %o = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o : tensor<1x16x2x32xf32>) {window_left = -2 : i64, window_right = 0 : i64, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>
  return
}

// -----

func.func @swa_kv_len(%q: tensor<1x16x2x32xf32>, %k: tensor<1x20x2x32xf32>, %v: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>) {
  // expected-error @+1 {{operand 'v' must have shape [B, Tk, Hkv, Dv] = [1, 20, 2, ?], but got tensor<1x16x2x32xf32>}}
  %o = seqmix.sliding_window_attention ins(%q, %k, %v : tensor<1x16x2x32xf32>, tensor<1x20x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o : tensor<1x16x2x32xf32>) {window_left = -1 : i64, window_right = 0 : i64, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>
  return
}

// -----

func.func @swa_lse(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_lse: tensor<1x2x16xf32>) {
  // expected-error @+1 {{init 'lse' must have shape [B, Tq, H] = [1, 16, 2], but got tensor<1x2x16xf32>}}
  %o, %l = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_lse : tensor<1x16x2x32xf32>, tensor<1x2x16xf32>) {window_left = 4 : i64, window_right = 0 : i64, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>, tensor<1x2x16xf32>
  return
}

// -----

func.func @swa_gqa(%q: tensor<1x16x3x32xf32>, %k: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x3x32xf32>) {
  // expected-error @+1 {{operand 'k' heads (GQA): H = 3 must be a multiple of Hkv = 2}}
  %o = seqmix.sliding_window_attention ins(%q, %k, %k : tensor<1x16x3x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o : tensor<1x16x3x32xf32>) {window_left = 4 : i64, window_right = 0 : i64, scale = 1.0 : f32} -> tensor<1x16x3x32xf32>
  return
}

// -----

// === hadamard

func.func @hadamard_n(%x: tensor<4x36xf32>, %init_y: tensor<4x36xf32>) {
  // expected-error @+1 {{operand 'x' last dimension N = 36 must be m * 2^p with m in {1, 12, 20, 28}}}
  %y = seqmix.hadamard ins(%x : tensor<4x36xf32>) outs(%init_y : tensor<4x36xf32>) -> tensor<4x36xf32>
  return
}

// -----

func.func @hadamard_odd(%x: tensor<4x44xf32>, %init_y: tensor<4x44xf32>) {
  // expected-error @+1 {{operand 'x' last dimension N = 44 must be m * 2^p with m in {1, 12, 20, 28}}}
  %y = seqmix.hadamard ins(%x : tensor<4x44xf32>) outs(%init_y : tensor<4x44xf32>) -> tensor<4x44xf32>
  return
}

// -----

func.func @hadamard_dynamic(%x: tensor<4x?xf32>, %init_y: tensor<4x?xf32>) {
  // expected-error @+1 {{operand 'x' must have a static last dimension N (the Hadamard matrix is fixed at compile time)}}
  %y = seqmix.hadamard ins(%x : tensor<4x?xf32>) outs(%init_y : tensor<4x?xf32>) -> tensor<4x?xf32>
  return
}

// -----

func.func @hadamard_scalar(%x: tensor<f32>, %init_y: tensor<f32>) {
  // expected-error @+1 {{operand 'x' must have rank >= 1 ([.., N]), but has rank 0}}
  %y = seqmix.hadamard ins(%x : tensor<f32>) outs(%init_y : tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @hadamard_result(%x: tensor<4x64xf32>, %init_y: tensor<4x64x!quant.uniform<u8:f32, 0.1>>) {
  // expected-error @+1 {{init 'y' must have element type f32, f16, bf16 or per-tensor symmetric !quant.uniform<i8:f32, scale>, but got tensor<4x64x!quant.uniform<u8:f32, 1.000000e-01>>}}
  %y = seqmix.hadamard ins(%x : tensor<4x64xf32>) outs(%init_y : tensor<4x64x!quant.uniform<u8:f32, 0.1>>) -> tensor<4x64x!quant.uniform<u8:f32, 0.1>>
  return
}

// -----

func.func @hadamard_shape(%x: tensor<4x64xf32>, %init_y: tensor<4x32xf32>) {
  // expected-error @+1 {{init 'y' must have shape [L0, N] = [4, 64], but got tensor<4x32xf32>}}
  %y = seqmix.hadamard ins(%x : tensor<4x64xf32>) outs(%init_y : tensor<4x32xf32>) -> tensor<4x32xf32>
  return
}

// -----

// === scan

func.func @scan_input_rank(%x: tensor<8xf32>, %h: tensor<2x8xf32>) {
  // expected-error @+1 {{operand 'ins#0' must have shape [B, T, ..], but has rank 1}}
  %s = seqmix.scan ins(%x : tensor<8xf32>) init(%h : tensor<2x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    seqmix.yield %st : tensor<8xf32>
  } -> tensor<2x8xf32>
  return
}

// -----

func.func @scan_no_state(%x: tensor<2x4x8xf32>, %init_y: tensor<2x4x8xf32>) {
  // expected-error @+1 {{needs at least one 'init' state}}
  %y = "seqmix.scan"(%x, %init_y) <{operandSegmentSizes = array<i32: 1, 0, 0, 1>}> ({
  ^bb0(%xt: tensor<8xf32>):
    seqmix.yield %xt : tensor<8xf32>
  }) : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @scan_state_batch(%x: tensor<2x4x8xf32>, %h: tensor<3x8xf32>) {
  // expected-error @+1 {{operand 'init#0' must have shape [Nseq, init#0.d1] = [2, ?], but got tensor<3x8xf32>}}
  %s = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<3x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    seqmix.yield %st : tensor<8xf32>
  } -> tensor<3x8xf32>
  return
}

// -----

func.func @scan_state_rank(%x: tensor<1x4xf32>, %h: tensor<f32>) {
  // expected-error @+1 {{operand 'init#0' must have shape [Nseq, ..], but has rank 0}}
  %s = seqmix.scan ins(%x : tensor<1x4xf32>) init(%h : tensor<f32>) {
  ^bb0(%xt: tensor<f32>, %st: tensor<f32>):
    seqmix.yield %st : tensor<f32>
  } -> tensor<f32>
  return
}

// -----

func.func @scan_args(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>) {
  // expected-error @+1 {{body must take 2 arguments (one per input, then one per state), but takes 1}}
  %s = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) {
  ^bb0(%st: tensor<8xf32>):
    seqmix.yield %st : tensor<8xf32>
  } -> tensor<2x8xf32>
  return
}

// -----

func.func @scan_arg_type(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>) {
  // expected-error @+1 {{body argument #0 must be 'tensor<8xf32>' (a step of ins#0), but is 'tensor<4x8xf32>'}}
  %s = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) {
  ^bb0(%xt: tensor<4x8xf32>, %st: tensor<8xf32>):
    seqmix.yield %st : tensor<8xf32>
  } -> tensor<2x8xf32>
  return
}

// -----

func.func @scan_yield_count(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>, %g: tensor<2x8xf32>) {
  %s:2 = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h, %g : tensor<2x8xf32>, tensor<2x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>, %gt: tensor<8xf32>):
    // expected-error @+1 {{'seqmix.yield' op must yield 2 values (the next state of each init, then one step of each outs), but yields 1}}
    seqmix.yield %st : tensor<8xf32>
  } -> tensor<2x8xf32>, tensor<2x8xf32>
  return
}

// -----

// One result per destination: the final states, then the stacked outputs.
func.func @scan_result_count(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>, %init_y: tensor<2x4x8xf32>) {
  // expected-error @+1 {{expected the number of tensor results (1) to be equal to the number of output tensors (2)}}
  %s = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) outs(%init_y : tensor<2x4x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    seqmix.yield %st, %xt : tensor<8xf32>, tensor<8xf32>
  } -> tensor<2x8xf32>
  return
}

// -----

func.func @scan_yield_state(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>) {
  %s = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    %c = arith.truncf %st : tensor<8xf32> to tensor<8xf16>
    // expected-error @+1 {{'seqmix.yield' op state #0 must be 'tensor<8xf32>', but is 'tensor<8xf16>'}}
    seqmix.yield %c : tensor<8xf16>
  } -> tensor<2x8xf32>
  return
}

// -----

func.func @scan_final_state(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>) {
  // expected-error @+1 {{expected type of operand #1 ('tensor<2x8xf32>') to match type of corresponding result ('tensor<2x8xf16>')}}
  %s = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    seqmix.yield %st : tensor<8xf32>
  } -> tensor<2x8xf16>
  return
}

// -----

func.func @scan_output_ranked(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>, %init_y: tensor<2x4xf32>) {
  %s, %y = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) outs(%init_y : tensor<2x4xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    %c = arith.constant 0.0 : f32
    // expected-error @+1 {{'seqmix.yield' op output #0 must be 'tensor<f32>' (one step of outs#0), but is 'f32'}}
    seqmix.yield %st, %c : tensor<8xf32>, f32
  } -> tensor<2x8xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @scan_output_type(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>, %init_y: tensor<2x5x8xf32>) {
  // expected-error @+1 {{init 'outs#0' must have shape [B, T, outs#0.d2] = [2, 4, ?], but got tensor<2x5x8xf32> (T is 4, dimension 1 is 5)}}
  %s, %y = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) outs(%init_y : tensor<2x5x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    seqmix.yield %st, %xt : tensor<8xf32>, tensor<8xf32>
  } -> tensor<2x8xf32>, tensor<2x5x8xf32>
  return
}

// -----

func.func @scan_outs_rank(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>, %init_y: tensor<2xf32>) {
  // expected-error @+1 {{init 'outs#0' must have shape [B, T, ..], but has rank 1}}
  %s, %y = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) outs(%init_y : tensor<2xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    seqmix.yield %st, %st : tensor<8xf32>, tensor<8xf32>
  } -> tensor<2x8xf32>, tensor<2xf32>
  return
}

// -----

func.func @scan_terminator(%x: tensor<2x4x8xf32>, %h: tensor<2x8xf32>) {
  // expected-error @+1 {{body must end with seqmix.yield}}
  %s = seqmix.scan ins(%x : tensor<2x4x8xf32>) init(%h : tensor<2x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %st: tensor<8xf32>):
    llvm.unreachable
  } -> tensor<2x8xf32>
  return
}

// -----

func.func @scan_cu_batch(%x: tensor<2x4xf32>, %h: tensor<2xf32>, %cu: tensor<3xi32>) {
  // expected-error @+1 {{operand 'cu_seqlens' packs sequences into a batch of 1, but B = 2}}
  %s = seqmix.scan ins(%x : tensor<2x4xf32>) cu_seqlens(%cu : tensor<3xi32>) init(%h : tensor<2xf32>) {
  ^bb0(%xt: tensor<f32>, %st: tensor<f32>):
    seqmix.yield %st : tensor<f32>
  } -> tensor<2xf32>
  return
}

// -----

func.func @yield_parent(%x: tensor<8xf32>) {
  // expected-error @+1 {{expects parent op 'seqmix.scan'}}
  seqmix.yield %x : tensor<8xf32>
}

// -----

// === seqmix.tile: tiling configs

func.func @tile_key(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{#seqmix.cpu_tiling has no key 'block_q'; valid keys: threads, cache, vector, query, chunk}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.cpu_tiling<block_q = [64]>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_query_zero(%q: tensor<1x8x8x2x16xf32>, %o0: tensor<1x8x8x2x16xf32>) {
  // expected-error @+1 {{#seqmix.cpu_tiling 'query' must hold sizes >= 1 (a query tile covers at least one query per axis)}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>) outs(%o0 : tensor<1x8x8x2x16xf32>) {kernel_size = array<i64: 3, 5>, scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16], query = [0, 16]>} -> tensor<1x8x8x2x16xf32>
  return
}

// -----

func.func @tile_query_axes(%q: tensor<1x8x8x2x16xf32>, %o0: tensor<1x8x8x2x16xf32>) {
  // expected-error @+1 {{'seqmix.neighborhood_attention' op 'query' must give one size per spatial axis (2), but gives 1}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>) outs(%o0 : tensor<1x8x8x2x16xf32>) {kernel_size = array<i64: 3, 5>, scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16], query = [16]>} -> tensor<1x8x8x2x16xf32>
  return
}

// -----

func.func @tile_query_rows(%q: tensor<1x8x8x2x16xf32>, %o0: tensor<1x8x8x2x16xf32>) {
  // expected-error @+1 {{'seqmix.neighborhood_attention' op 'query' size 5 on spatial axis 0 is not supported: at most 4 rows}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>) outs(%o0 : tensor<1x8x8x2x16xf32>) {kernel_size = array<i64: 3, 5>, scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16], query = [5, 16]>} -> tensor<1x8x8x2x16xf32>
  return
}

// -----

func.func @tile_query_outer(%q: tensor<1x4x8x8x2x16xf32>, %o0: tensor<1x4x8x8x2x16xf32>) {
  // expected-error @+1 {{'seqmix.neighborhood_attention' op 'query' size 2 on spatial axis 0 is not supported: only the axis before the last, undilated, of a neighborhood with lanes over queries takes more than 1}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x4x8x8x2x16xf32>, tensor<1x4x8x8x2x16xf32>, tensor<1x4x8x8x2x16xf32>) outs(%o0 : tensor<1x4x8x8x2x16xf32>) {kernel_size = array<i64: 3, 3, 5>, scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 0, 16], query = [2, 1, 16]>} -> tensor<1x4x8x8x2x16xf32>
  return
}

// -----

func.func @tile_query_lanes(%q: tensor<1x8x8x2x16xf32>, %o0: tensor<1x8x8x2x16xf32>) {
  // expected-error @+1 {{'seqmix.neighborhood_attention' op 'query' on the last axis must be the vector width 16 (lanes over queries), but is 8}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>, tensor<1x8x8x2x16xf32>) outs(%o0 : tensor<1x8x8x2x16xf32>) {kernel_size = array<i64: 3, 5>, scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16], query = [2, 8]>} -> tensor<1x8x8x2x16xf32>
  return
}

// -----

func.func @tile_query_swa(%q: tensor<1x64x2x16xf32>, %o0: tensor<1x64x2x16xf32>) {
  // expected-error @+1 {{'seqmix.sliding_window_attention' op 'query' on the last axis must be at most 8 (query rows with lanes over keys), but is 9}}
  %o = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>) outs(%o0 : tensor<1x64x2x16xf32>) {window_left = 8 : i64, window_right = 0 : i64, scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16], query = [9]>} -> tensor<1x64x2x16xf32>
  return
}

// -----

func.func @tile_query_op(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{'seqmix.linear_attention' op 'query' applies to windowed attention only}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.cpu_tiling<query = [4]>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_duplicate(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{duplicate #seqmix.cpu_tiling key 'chunk'}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.cpu_tiling<chunk = 64, chunk = 32>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_negative(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{#seqmix.cpu_tiling level 'cache' must hold sizes >= 0 (0 leaves a loop untiled), but holds -4}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.cpu_tiling<cache = [0, 0, 0, -4]>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_chunk_positive(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{#seqmix.gpu_tiling 'warps' must be >= 1, but is 0}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.gpu_tiling<warps = 0>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_pow2(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{'chunk' must be a power of two, but is 48}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.cpu_tiling<chunk = 48>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_loops(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{tiling level 'serial' must give one size per loop (b, h, v, t), but gives 3}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.cpu_tiling<cache = [0, 0, 64]>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_reduction_threads(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{tiling level 'parallel' cannot spread the reduction loop 't' over threads}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 0, 16]>} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

func.func @tile_kind(%q: tensor<1x16x2x32xf32>, %init_o: tensor<1x16x2x32xf32>, %init_state: tensor<1x2x32x32xf32>) {
  // expected-error @+1 {{'seqmix.tile' must be a tiling config (#seqmix.cpu_tiling or #seqmix.gpu_tiling), but got 64 : i64}}
  %o, %fs = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%init_o, %init_state : tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>) {scale = 1.0 : f32, seqmix.tile = 64} -> tensor<1x16x2x32xf32>, tensor<1x2x32x32xf32>
  return
}

// -----

// expected-error @+1 {{'seqmix.tile' is only valid on seqmix ops and linalg.matmul, not on 'func.func'}}
func.func @tile_on_func() attributes {seqmix.tile = #seqmix.cpu_tiling<chunk = 64>} {
  return
}

// -----

// expected-error @+1 {{'seqmix.checked' is a unit attribute of seqmix ops}}
func.func @checked_on_func() attributes {seqmix.checked} {
  return
}

// -----

// expected-error @+1 {{'seqmix.builder' is a string attribute}}
func.func @builder_not_string() attributes {seqmix.builder = 1 : i64} {
  return
}

// -----

// expected-error @+1 {{'seqmix.block_threads' is a thread count >= 1 on a block region (scf.execute_region) or its thread loops (scf.parallel)}}
func.func @block_threads_on_func() attributes {seqmix.block_threads = 32 : i64} {
  return
}

// -----

func.func @block_threads_zero() {
  // expected-error @+1 {{'seqmix.block_threads' is a thread count >= 1}}
  scf.execute_region no_inline {
    scf.yield
  } {seqmix.block_threads = 0 : i64}
  return
}

// -----

func.func @thread_private_scalar() {
  // expected-error @+1 {{'seqmix.thread_private' is a unit attribute of a memref.alloca whose first dimension is the thread}}
  %a = memref.alloca() {seqmix.thread_private} : memref<f32>
  return
}

// -----

// expected-error @+1 {{unknown seqmix attribute 'seqmix.chunk'}}
func.func @unknown_attr() attributes {seqmix.chunk = 64} {
  return
}

// -----

func.func @tile_untileable_loop(%x: tensor<1x16x8xf32>, %w: tensor<8x4xf32>, %cu: tensor<3xi32>, %y0: tensor<1x16x8xf32>, %s0: tensor<2x3x8xf32>) {
  // expected-error @+1 {{tiling level 'serial' cannot tile loop 't' (it is taken whole; see the op's docs)}}
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x16x8xf32>, tensor<8x4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x16x8xf32>, tensor<2x3x8xf32>) {seqmix.tile = #seqmix.cpu_tiling<cache = [0, 0, 4]>} -> tensor<1x16x8xf32>, tensor<2x3x8xf32>
  return
}

// -----

// GPU blocks may spread a query loop (the scalar lowering makes the grid),
// but not the sequence loop of a packed recurrence, nor may CPU threads.
func.func @gpu_blocks_on_sequences(%x: tensor<1x16x8xf32>, %w: tensor<8x4xf32>, %cu: tensor<3xi32>, %y0: tensor<1x16x8xf32>, %s0: tensor<2x3x8xf32>) {
  // expected-error @+1 {{tiling level 'parallel' cannot tile loop 'b' (it is taken whole; see the op's docs)}}
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x16x8xf32>, tensor<8x4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x16x8xf32>, tensor<2x3x8xf32>) {seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 8, 0]>} -> tensor<1x16x8xf32>, tensor<2x3x8xf32>
  return
}

// -----

func.func @cpu_threads_on_queries(%q: tensor<1x8x2x4xf32>, %o0: tensor<1x8x2x4xf32>) {
  // expected-error @+1 {{tiling level 'parallel' cannot tile loop 'i' (it is taken whole; see the op's docs)}}
  %o = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>) outs(%o0 : tensor<1x8x2x4xf32>) {window_left = 2 : i64, window_right = 0 : i64, seqmix.tile = #seqmix.cpu_tiling<threads = [0, 4, 0]>} -> tensor<1x8x2x4xf32>
  return
}

// -----

func.func @tile_route_chunk(%l: tensor<1x8x4xf32>, %init_indices: tensor<1x8x2xi32>, %init_weights: tensor<1x8x2xf32>) {
  // expected-error @+1 {{'chunk' applies to recurrences only}}
  %i, %w = seqmix.route ins(%l : tensor<1x8x4xf32>) outs(%init_indices, %init_weights : tensor<1x8x2xi32>, tensor<1x8x2xf32>) {top_k = 2 : i64, seqmix.tile = #seqmix.cpu_tiling<chunk = 64>} -> tensor<1x8x2xi32>, tensor<1x8x2xf32>
  return
}

// -----

func.func @neighborhood_attention_too_many_outs(%q: tensor<1x16x2x32xf32>, %o0: tensor<1x16x2x32xf32>, %l0: tensor<1x16x2xf32>) {
  // expected-error @+1 {{needs 1 or 2 destinations, outs(%o, %lse), but got 3}}
  %o:3 = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>, tensor<1x16x2x32xf32>) outs(%o0, %l0, %l0 : tensor<1x16x2x32xf32>, tensor<1x16x2xf32>, tensor<1x16x2xf32>) {kernel_size = array<i64: 3>, scale = 1.0 : f32} -> tensor<1x16x2x32xf32>, tensor<1x16x2xf32>, tensor<1x16x2xf32>
  return
}

// -----

func.func @scale_not_f32(%q: tensor<1x16x2x64xf32>, %o0: tensor<1x16x2x64xf32>, %s0: tensor<1x2x64x64xf32>) {
  // expected-error @+1 {{attribute 'scale' must be an f32, e.g. scale = 0.125 : f32, but got f64}}
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x64xf32>, tensor<1x16x2x64xf32>, tensor<1x16x2x64xf32>) outs(%o0, %s0 : tensor<1x16x2x64xf32>, tensor<1x2x64x64xf32>) {scale = 0.125} -> tensor<1x16x2x64xf32>, tensor<1x2x64x64xf32>
  return
}

// -----

func.func @scale_missing(%q: tensor<1x16x2x16xf32>, %o0: tensor<1x16x2x16xf32>) {
  // expected-error @+1 {{requires attribute 'scale', e.g. scale = 0.25 : f32 (D^-1/2, fla's and FlashAttention's default; Lightning and Mamba use 1)}}
  %o = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x16x2x16xf32>, tensor<1x16x2x16xf32>, tensor<1x16x2x16xf32>) outs(%o0 : tensor<1x16x2x16xf32>) {window_left = 4 : i64, window_right = 0 : i64} -> tensor<1x16x2x16xf32>
  return
}

// -----

func.func @conv_state_channel_major(%x: tensor<2x16x8xf32>, %w: tensor<8x4xf32>, %y0: tensor<2x16x8xf32>, %s0: tensor<2x8x3xf32>) {
  // expected-error @+1 {{init 'state' must have shape [Nseq, W-1, D] = [2, 3, 8], but got tensor<2x8x3xf32>: that is causal-conv1d's [B, D, W-1] order; seqmix states are token-major, oldest row first (transpose it)}}
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<2x16x8xf32>, tensor<8x4xf32>) outs(%y0, %s0 : tensor<2x16x8xf32>, tensor<2x8x3xf32>) -> tensor<2x16x8xf32>, tensor<2x8x3xf32>
  return
}
