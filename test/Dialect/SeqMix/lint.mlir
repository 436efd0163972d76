// RUN: seqmix-opt %s -split-input-file --seqmix-lint -verify-diagnostics

// Constant offsets are checked by seqmix-lint (the verifiers read types
// only); run time checks the same rules for offsets known only then.

func.func @cu_start(%q: tensor<1x16x4x64xf32>, %o0: tensor<1x16x4x64xf32>, %s0: tensor<2x4x64x64xf32>) {
  %cu = arith.constant dense<[1, 8, 16]> : tensor<3xi32>
  // expected-error @+1 {{operand 'cu_seqlens' must start at 0, but starts at 1}}
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%o0, %s0 : tensor<1x16x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<1x16x4x64xf32>, tensor<2x4x64x64xf32>
  return
}

// -----

func.func @cu_decreasing(%q: tensor<1x16x4x64xf32>, %o0: tensor<1x16x4x64xf32>, %s0: tensor<3x4x64x64xf32>) {
  %cu = arith.constant dense<[0, 9, 8, 16]> : tensor<4xi64>
  // expected-error @+1 {{operand 'cu_seqlens' must be non-decreasing, but element 2 (8) is less than element 1 (9)}}
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>) cu_seqlens(%cu : tensor<4xi64>) outs(%o0, %s0 : tensor<1x16x4x64xf32>, tensor<3x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<1x16x4x64xf32>, tensor<3x4x64x64xf32>
  return
}

// -----

func.func @cu_end(%x: tensor<1x16x8xf32>, %w: tensor<8x4xf32>, %y0: tensor<1x16x8xf32>, %s0: tensor<2x3x8xf32>) {
  %cu = arith.constant dense<[0, 8, 15]> : tensor<3xi32>
  // expected-error @+1 {{operand 'cu_seqlens' must end at T = 16, but ends at 15}}
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x16x8xf32>, tensor<8x4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x16x8xf32>, tensor<2x3x8xf32>) -> tensor<1x16x8xf32>, tensor<2x3x8xf32>
  return
}

// -----

func.func @segment_matmul_offsets_end(%p: tensor<16x32xf32>, %w: tensor<2x32x8xf32>, %acc: tensor<16x8xf32>) {
  %o = arith.constant dense<[0, 4, 12]> : tensor<3xi32>
  // expected-error @+1 {{operand 'offsets' must end at R = 16, but ends at 12}}
  %r = seqmix.segment_matmul ins(%p, %w, %o : tensor<16x32xf32>, tensor<2x32x8xf32>, tensor<3xi32>) outs(%acc : tensor<16x8xf32>) -> tensor<16x8xf32>
  return
}

// -----

// Valid constants pass; so does a folded-in constant that the verifier
// never sees.
func.func @fine(%q: tensor<1x16x4x64xf32>, %o0: tensor<1x16x4x64xf32>, %s0: tensor<3x4x64x64xf32>) {
  %cu = arith.constant dense<[0, 0, 8, 16]> : tensor<4xi32>
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>, tensor<1x16x4x64xf32>) cu_seqlens(%cu : tensor<4xi32>) outs(%o0, %s0 : tensor<1x16x4x64xf32>, tensor<3x4x64x64xf32>) {scale = 1.0 : f32} -> tensor<1x16x4x64xf32>, tensor<3x4x64x64xf32>
  return
}
