// RUN: seqmix-opt %s | seqmix-opt | FileCheck %s
// RUN: seqmix-opt %s --mlir-print-op-generic | seqmix-opt | FileCheck %s
// RUN: seqmix-opt %s -split-input-file -verify-diagnostics

// Round trip of every op in custom and generic form. Every combination of
// optional operands is covered by ops-combinations.mlir. Destinations are
// `outs` operands; a recurrence's second init is its initial state and its
// second result the final state.

// CHECK-LABEL: func @linear_attention_plain
// CHECK: seqmix.linear_attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x64x4x64xf32>, tensor<2x64x4x64xf32>, tensor<2x64x4x64xf32>) outs(%{{.*}}, %{{.*}} : tensor<2x64x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.250000e-01 : f32} -> tensor<2x64x4x64xf32>, tensor<2x4x64x64xf32>
func.func @linear_attention_plain(%q: tensor<2x64x4x64xf32>, %k: tensor<2x64x4x64xf32>, %v: tensor<2x64x4x64xf32>, %o0: tensor<2x64x4x64xf32>, %s0: tensor<2x4x64x64xf32>) -> tensor<2x64x4x64xf32> {
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<2x64x4x64xf32>, tensor<2x64x4x64xf32>, tensor<2x64x4x64xf32>) outs(%o0, %s0 : tensor<2x64x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 0.125 : f32} -> tensor<2x64x4x64xf32>, tensor<2x4x64x64xf32>
  return %o : tensor<2x64x4x64xf32>
}

// Constant per-head decay (Lightning Attention-2, RetNet), no scaling; a zero
// initial state built in the function.
// CHECK-LABEL: func @linear_attention_constant_decay
// CHECK: %[[ZERO:.+]] = linalg.fill
// CHECK: log_decay(%{{.*}} : tensor<4xf32>) outs(%{{.*}}, %[[ZERO]] : tensor<1x100x4x48xf16>, tensor<1x4x48x48xf32>) {scale = 1.000000e+00 : f32}
func.func @linear_attention_constant_decay(%q: tensor<1x100x4x48xf16>, %k: tensor<1x100x4x48xf16>, %v: tensor<1x100x4x48xf16>, %g: tensor<4xf32>) -> tensor<1x100x4x48xf16> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<1x100x4x48xf16>
  %e = tensor.empty() : tensor<1x4x48x48xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x48x48xf32>) -> tensor<1x4x48x48xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x100x4x48xf16>, tensor<1x100x4x48xf16>, tensor<1x100x4x48xf16>) log_decay(%g : tensor<4xf32>) outs(%o0, %s0 : tensor<1x100x4x48xf16>, tensor<1x4x48x48xf32>) {scale = 1.0 : f32} -> tensor<1x100x4x48xf16>, tensor<1x4x48x48xf32>
  return %o : tensor<1x100x4x48xf16>
}

// GLA: a vector gate over K, GQA (8 value heads share 2 query/key heads),
// head dims 192 (K) and 48 (V), a dynamic sequence length.
// CHECK-LABEL: func @linear_attention_gla_gqa
// CHECK: %[[T:.+]] = tensor.dim
// CHECK: %[[O0:.+]] = tensor.empty(%[[T]]) : tensor<1x?x8x48xbf16>
// CHECK: log_decay(%{{.*}} : tensor<1x?x8x192xbf16>) outs(%[[O0]], %{{.*}} : tensor<1x?x8x48xbf16>, tensor<1x8x192x48xf32>)
// CHECK-SAME: -> tensor<1x?x8x48xbf16>, tensor<1x8x192x48xf32>
func.func @linear_attention_gla_gqa(%q: tensor<1x?x2x192xbf16>, %k: tensor<1x?x2x192xbf16>, %v: tensor<1x?x8x48xbf16>, %g: tensor<1x?x8x192xbf16>, %s0: tensor<1x8x192x48xf32>) -> (tensor<1x?x8x48xbf16>, tensor<1x8x192x48xf32>) {
  %c1 = arith.constant 1 : index
  %T = tensor.dim %q, %c1 : tensor<1x?x2x192xbf16>
  %o0 = tensor.empty(%T) : tensor<1x?x8x48xbf16>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x?x2x192xbf16>, tensor<1x?x2x192xbf16>, tensor<1x?x8x48xbf16>) log_decay(%g : tensor<1x?x8x192xbf16>) outs(%o0, %s0 : tensor<1x?x8x48xbf16>, tensor<1x8x192x48xf32>) {scale = 0.0721687824 : f32} -> tensor<1x?x8x48xbf16>, tensor<1x8x192x48xf32>
  return %o, %s : tensor<1x?x8x48xbf16>, tensor<1x8x192x48xf32>
}

// Gated delta rule with l2 q/k normalisation (MoM's memory update), varlen
// with Mamba-2's state layout.
// CHECK-LABEL: func @linear_attention_gated_delta_varlen
// CHECK: log_decay(%{{.*}} : tensor<1x64x4xf32>) beta(%{{.*}} : tensor<1x64x4xf32>) cu_seqlens(%{{.*}} : tensor<4xi64>) outs(%{{.*}}, %{{.*}} : tensor<1x64x4x32xf32>, tensor<3x4x32x64xf32>)
// CHECK-SAME: qk_norm = #seqmix.qk_norm<l2>
// CHECK-SAME: state_layout = #seqmix.state_layout<vk>
func.func @linear_attention_gated_delta_varlen(%q: tensor<1x64x4x64xf32>, %k: tensor<1x64x4x64xf32>, %v: tensor<1x64x4x32xf32>, %g: tensor<1x64x4xf32>, %beta: tensor<1x64x4xf32>, %s0: tensor<3x4x32x64xf32>, %cu: tensor<4xi64>, %o0: tensor<1x64x4x32xf32>) -> (tensor<1x64x4x32xf32>, tensor<3x4x32x64xf32>) {
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x64x4x64xf32>, tensor<1x64x4x64xf32>, tensor<1x64x4x32xf32>) log_decay(%g : tensor<1x64x4xf32>) beta(%beta : tensor<1x64x4xf32>) cu_seqlens(%cu : tensor<4xi64>) outs(%o0, %s0 : tensor<1x64x4x32xf32>, tensor<3x4x32x64xf32>) {scale = 0.125 : f32, qk_norm = #seqmix.qk_norm<l2>, state_layout = #seqmix.state_layout<vk>} -> tensor<1x64x4x32xf32>, tensor<3x4x32x64xf32>
  return %o, %s : tensor<1x64x4x32xf32>, tensor<3x4x32x64xf32>
}

// A decode step (T = 1) with a state in and out.
// CHECK-LABEL: func @linear_attention_decode
// CHECK-SAME: %[[S0:[^:]+]]: tensor<2x4x64x64xf32>
// CHECK: outs(%{{.*}}, %[[S0]] : tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 1.250000e-01 : f32} -> tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>
func.func @linear_attention_decode(%q: tensor<2x1x4x64xf32>, %k: tensor<2x1x4x64xf32>, %v: tensor<2x1x4x64xf32>, %s0: tensor<2x4x64x64xf32>) -> (tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>) {
  %o0 = tensor.empty() : tensor<2x1x4x64xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<2x1x4x64xf32>, tensor<2x1x4x64xf32>, tensor<2x1x4x64xf32>) outs(%o0, %s0 : tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 0.125 : f32} -> tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>
  return %o, %s : tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>
}

// CHECK-LABEL: func @selective_scan_full
// CHECK: seqmix.selective_scan ins(
// CHECK-SAME: D(%{{.*}} : tensor<32xf32>) z(%{{.*}} : tensor<1x?x32xf32>) delta_bias(%{{.*}} : tensor<32xf32>) delta_threshold(%{{.*}} : tensor<32xf32>) cu_seqlens(%{{.*}} : tensor<3xi32>) outs(%{{.*}}, %{{.*}} : tensor<1x?x32xf32>, tensor<2x32x16xf32>) {delta_softplus} -> tensor<1x?x32xf32>, tensor<2x32x16xf32>
func.func @selective_scan_full(%u: tensor<1x?x32xf32>, %dt: tensor<1x?x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x?x4x16xf32>, %C: tensor<1x?x4x16xf32>, %D: tensor<32xf32>, %z: tensor<1x?x32xf32>, %bias: tensor<32xf32>, %thr: tensor<32xf32>, %s0: tensor<2x32x16xf32>, %cu: tensor<3xi32>, %y0: tensor<1x?x32xf32>) -> (tensor<1x?x32xf32>, tensor<2x32x16xf32>) {
  %y, %s = seqmix.selective_scan ins(%u, %dt, %A, %B, %C : tensor<1x?x32xf32>, tensor<1x?x32xf32>, tensor<32x16xf32>, tensor<1x?x4x16xf32>, tensor<1x?x4x16xf32>) D(%D : tensor<32xf32>) z(%z : tensor<1x?x32xf32>) delta_bias(%bias : tensor<32xf32>) delta_threshold(%thr : tensor<32xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x?x32xf32>, tensor<2x32x16xf32>) {delta_softplus} -> tensor<1x?x32xf32>, tensor<2x32x16xf32>
  return %y, %s : tensor<1x?x32xf32>, tensor<2x32x16xf32>
}

// Quamba: int8 inputs through MLIR's quant dialect, N = 1.
// CHECK-LABEL: func @selective_scan_int8
// CHECK: seqmix.selective_scan ins({{.*}} : tensor<1x64x32x!quant.uniform<i8:f32, 5.000000e-02>>
// CHECK-SAME: z(%{{.*}} : tensor<1x64x32x!quant.uniform<i8:f32, 2.500000e-02>>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x64x32xf16>, tensor<1x32x1xf32>)
func.func @selective_scan_int8(%u: tensor<1x64x32x!quant.uniform<i8:f32, 0.05>>, %dt: tensor<1x64x32x!quant.uniform<i8:f32, 0.01>>, %A: tensor<32x1xf32>, %B: tensor<1x64x1x1x!quant.uniform<i8:f32, 0.1>>, %C: tensor<1x64x1x1x!quant.uniform<i8:f32, 0.1>>, %z: tensor<1x64x32x!quant.uniform<i8:f32, 0.025>>, %y0: tensor<1x64x32xf16>, %s0: tensor<1x32x1xf32>) -> tensor<1x64x32xf16> {
  %y, %s = seqmix.selective_scan ins(%u, %dt, %A, %B, %C : tensor<1x64x32x!quant.uniform<i8:f32, 0.05>>, tensor<1x64x32x!quant.uniform<i8:f32, 0.01>>, tensor<32x1xf32>, tensor<1x64x1x1x!quant.uniform<i8:f32, 0.1>>, tensor<1x64x1x1x!quant.uniform<i8:f32, 0.1>>) z(%z : tensor<1x64x32x!quant.uniform<i8:f32, 0.025>>) outs(%y0, %s0 : tensor<1x64x32xf16>, tensor<1x32x1xf32>) {delta_softplus} -> tensor<1x64x32xf16>, tensor<1x32x1xf32>
  return %y : tensor<1x64x32xf16>
}

// CHECK-LABEL: func @ssd_full
// CHECK: seqmix.ssd ins(
// CHECK-SAME: D(%{{.*}} : tensor<4x16xf32>) z({{.*}}) dt_bias({{.*}}) delta_threshold({{.*}}) outs(%{{.*}}, %{{.*}} : tensor<1x100x4x16xbf16>, tensor<1x4x16x128xf32>)
// CHECK-SAME: {dt_limit = array<f32: 0.000000e+00, 1.000000e+01>, dt_softplus} -> tensor<1x100x4x16xbf16>, tensor<1x4x16x128xf32>
func.func @ssd_full(%x: tensor<1x100x4x16xbf16>, %dt: tensor<1x100x4xbf16>, %A: tensor<4xf32>, %B: tensor<1x100x2x128xbf16>, %C: tensor<1x100x2x128xbf16>, %D: tensor<4x16xf32>, %z: tensor<1x100x4x16xbf16>, %bias: tensor<4xf32>, %thr: tensor<4xf32>, %s0: tensor<1x4x16x128xf32>, %y0: tensor<1x100x4x16xbf16>) -> (tensor<1x100x4x16xbf16>, tensor<1x4x16x128xf32>) {
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %C : tensor<1x100x4x16xbf16>, tensor<1x100x4xbf16>, tensor<4xf32>, tensor<1x100x2x128xbf16>, tensor<1x100x2x128xbf16>) D(%D : tensor<4x16xf32>) z(%z : tensor<1x100x4x16xbf16>) dt_bias(%bias : tensor<4xf32>) delta_threshold(%thr : tensor<4xf32>) outs(%y0, %s0 : tensor<1x100x4x16xbf16>, tensor<1x4x16x128xf32>) {dt_softplus, dt_limit = array<f32: 0.0, 10.0>} -> tensor<1x100x4x16xbf16>, tensor<1x4x16x128xf32>
  return %y, %s : tensor<1x100x4x16xbf16>, tensor<1x4x16x128xf32>
}

// CHECK-LABEL: func @causal_conv1d
// CHECK: seqmix.causal_conv1d ins(%{{.*}}, %{{.*}} : tensor<1x?x64xf32>, tensor<64x4xf32>) bias(%{{.*}} : tensor<64xf32>) cu_seqlens(%{{.*}} : tensor<3xi32>) outs(%{{.*}}, %{{.*}} : tensor<1x?x64xf32>, tensor<2x3x64xf32>) {activation = #seqmix.activation<silu>} -> tensor<1x?x64xf32>, tensor<2x3x64xf32>
func.func @causal_conv1d(%x: tensor<1x?x64xf32>, %w: tensor<64x4xf32>, %b: tensor<64xf32>, %s0: tensor<2x3x64xf32>, %cu: tensor<3xi32>, %y0: tensor<1x?x64xf32>) -> (tensor<1x?x64xf32>, tensor<2x3x64xf32>) {
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x?x64xf32>, tensor<64x4xf32>) bias(%b : tensor<64xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x?x64xf32>, tensor<2x3x64xf32>) {activation = #seqmix.activation<silu>} -> tensor<1x?x64xf32>, tensor<2x3x64xf32>
  return %y, %s : tensor<1x?x64xf32>, tensor<2x3x64xf32>
}

// W = 1 has an empty state.
// CHECK-LABEL: func @causal_conv1d_width1
// CHECK: outs(%{{.*}}, %{{.*}} : tensor<2x8x16xf16>, tensor<2x0x16xf32>) -> tensor<2x8x16xf16>, tensor<2x0x16xf32>
func.func @causal_conv1d_width1(%x: tensor<2x8x16xf16>, %w: tensor<16x1xf16>) -> (tensor<2x8x16xf16>, tensor<2x0x16xf32>) {
  %y0 = tensor.empty() : tensor<2x8x16xf16>
  %s0 = tensor.empty() : tensor<2x0x16xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<2x8x16xf16>, tensor<16x1xf16>) outs(%y0, %s0 : tensor<2x8x16xf16>, tensor<2x0x16xf32>) -> tensor<2x8x16xf16>, tensor<2x0x16xf32>
  return %y, %s : tensor<2x8x16xf16>, tensor<2x0x16xf32>
}

// Mixture-of-Memories routing; segment_matmul and combine accumulate into
// their (zero) inits.
// CHECK-LABEL: func @mom_routing
// CHECK: %[[RW:.+]]:2 = seqmix.route ins(%{{.*}} : tensor<2x64x4xf32>) outs(%{{.*}}, %{{.*}} : tensor<2x64x2xi32>, tensor<2x64x2xf32>) {renormalize, top_k = 2 : i64} -> tensor<2x64x2xi32>, tensor<2x64x2xf32>
// CHECK: %[[D:.+]]:3 = seqmix.dispatch ins(%{{.*}}, %[[RW]]#0 : tensor<2x64x32xf32>, tensor<2x64x2xi32>) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<256x32xf32>, tensor<9xi32>, tensor<256xi32>) {num_memories = 4 : i64} -> tensor<256x32xf32>, tensor<9xi32>, tensor<256xi32>
// CHECK: %[[H:.+]] = seqmix.segment_matmul ins(%[[D]]#0, %{{.*}}, %[[D]]#1 : tensor<256x32xf32>, tensor<4x32x16xf32>, tensor<9xi32>) outs(%{{.*}} : tensor<256x16xf32>) -> tensor<256x16xf32>
// CHECK: seqmix.combine ins(%[[H]], %[[D]]#2, %[[RW]]#1 : tensor<256x16xf32>, tensor<256xi32>, tensor<2x64x2xf32>) outs(%{{.*}} : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
func.func @mom_routing(%logits: tensor<2x64x4xf32>, %x: tensor<2x64x32xf32>, %W: tensor<4x32x16xf32>) -> tensor<2x64x16xf32> {
  %zero = arith.constant 0.0 : f32
  %i0 = tensor.empty() : tensor<2x64x2xi32>
  %w0 = tensor.empty() : tensor<2x64x2xf32>
  %idx, %w = seqmix.route ins(%logits : tensor<2x64x4xf32>) outs(%i0, %w0 : tensor<2x64x2xi32>, tensor<2x64x2xf32>) {top_k = 2 : i64, renormalize} -> tensor<2x64x2xi32>, tensor<2x64x2xf32>
  %p0 = tensor.empty() : tensor<256x32xf32>
  %off0 = tensor.empty() : tensor<9xi32>
  %rows0 = tensor.empty() : tensor<256xi32>
  %p, %off, %rows = seqmix.dispatch ins(%x, %idx : tensor<2x64x32xf32>, tensor<2x64x2xi32>) outs(%p0, %off0, %rows0 : tensor<256x32xf32>, tensor<9xi32>, tensor<256xi32>) {num_memories = 4 : i64} -> tensor<256x32xf32>, tensor<9xi32>, tensor<256xi32>
  %he = tensor.empty() : tensor<256x16xf32>
  %h0 = linalg.fill ins(%zero : f32) outs(%he : tensor<256x16xf32>) -> tensor<256x16xf32>
  %h = seqmix.segment_matmul ins(%p, %W, %off : tensor<256x32xf32>, tensor<4x32x16xf32>, tensor<9xi32>) outs(%h0 : tensor<256x16xf32>) -> tensor<256x16xf32>
  %oe = tensor.empty() : tensor<2x64x16xf32>
  %o0 = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  %o = seqmix.combine ins(%h, %rows, %w : tensor<256x16xf32>, tensor<256xi32>, tensor<2x64x2xf32>) outs(%o0 : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %o : tensor<2x64x16xf32>
}

// Sigmoid scores, dynamic T, multi-axis features.
// CHECK-LABEL: func @mom_routing_dynamic
// CHECK: seqmix.route ins(%{{.*}} : tensor<1x?x8xf32>) outs({{.*}}) {score = #seqmix.score<sigmoid>, top_k = 1 : i64} -> tensor<1x?x1xi32>, tensor<1x?x1xf32>
// CHECK: seqmix.dispatch ins({{.*}} : tensor<1x?x4x16xbf16>, tensor<1x?x1xi64>) outs({{.*}}) {num_memories = 8 : i64} -> tensor<?x4x16xbf16>, tensor<9xi32>, tensor<?xi32>
// CHECK: seqmix.combine ins({{.*}} : tensor<?x4x16xbf16>, tensor<?xi32>, tensor<1x?x1xf32>) outs({{.*}}) -> tensor<1x?x4x16xbf16>
func.func @mom_routing_dynamic(%logits: tensor<1x?x8xf32>, %x: tensor<1x?x4x16xbf16>, %idx64: tensor<1x?x1xi64>, %i0: tensor<1x?x1xi32>, %w0: tensor<1x?x1xf32>, %p0: tensor<?x4x16xbf16>, %off0: tensor<9xi32>, %rows0: tensor<?xi32>, %o0: tensor<1x?x4x16xbf16>) -> tensor<1x?x4x16xbf16> {
  %idx, %w = seqmix.route ins(%logits : tensor<1x?x8xf32>) outs(%i0, %w0 : tensor<1x?x1xi32>, tensor<1x?x1xf32>) {top_k = 1 : i64, score = #seqmix.score<sigmoid>} -> tensor<1x?x1xi32>, tensor<1x?x1xf32>
  %p, %off, %rows = seqmix.dispatch ins(%x, %idx64 : tensor<1x?x4x16xbf16>, tensor<1x?x1xi64>) outs(%p0, %off0, %rows0 : tensor<?x4x16xbf16>, tensor<9xi32>, tensor<?xi32>) {num_memories = 8 : i64} -> tensor<?x4x16xbf16>, tensor<9xi32>, tensor<?xi32>
  %o = seqmix.combine ins(%p, %rows, %w : tensor<?x4x16xbf16>, tensor<?xi32>, tensor<1x?x1xf32>) outs(%o0 : tensor<1x?x4x16xbf16>) -> tensor<1x?x4x16xbf16>
  return %o : tensor<1x?x4x16xbf16>
}

// CHECK-LABEL: func @na1d
// CHECK: seqmix.neighborhood_attention ins({{.*}}) outs(%{{.*}} : tensor<2x64x4x64xf32>) {kernel_size = array<i64: 7>, scale = 1.250000e-01 : f32} -> tensor<2x64x4x64xf32>
func.func @na1d(%q: tensor<2x64x4x64xf32>, %k: tensor<2x64x4x64xf32>, %v: tensor<2x64x4x64xf32>, %o0: tensor<2x64x4x64xf32>) -> tensor<2x64x4x64xf32> {
  %o = seqmix.neighborhood_attention ins(%q, %k, %v : tensor<2x64x4x64xf32>, tensor<2x64x4x64xf32>, tensor<2x64x4x64xf32>) outs(%o0 : tensor<2x64x4x64xf32>) {kernel_size = array<i64: 7>, scale = 0.125 : f32} -> tensor<2x64x4x64xf32>
  return %o : tensor<2x64x4x64xf32>
}

// 2-D with rpb, dilation and stride, GQA and lse.
// CHECK-LABEL: func @na2d_rpb
// CHECK: rpb(%{{.*}} : tensor<4x13x5xf32>) outs(%{{.*}}, %{{.*}} : tensor<1x16x12x4x64xf32>, tensor<1x16x12x4xf32>) {dilation = array<i64: 2, 1>, kernel_size = array<i64: 7, 3>, scale = 1.250000e-01 : f32, stride = array<i64: 2, 3>} -> tensor<1x16x12x4x64xf32>, tensor<1x16x12x4xf32>
func.func @na2d_rpb(%q: tensor<1x16x12x4x64xf32>, %k: tensor<1x16x12x2x64xf32>, %v: tensor<1x16x12x2x64xf32>, %rpb: tensor<4x13x5xf32>, %o0: tensor<1x16x12x4x64xf32>, %l0: tensor<1x16x12x4xf32>) -> (tensor<1x16x12x4x64xf32>, tensor<1x16x12x4xf32>) {
  %o, %lse = seqmix.neighborhood_attention ins(%q, %k, %v : tensor<1x16x12x4x64xf32>, tensor<1x16x12x2x64xf32>, tensor<1x16x12x2x64xf32>) rpb(%rpb : tensor<4x13x5xf32>) outs(%o0, %l0 : tensor<1x16x12x4x64xf32>, tensor<1x16x12x4xf32>) {kernel_size = array<i64: 7, 3>, dilation = array<i64: 2, 1>, stride = array<i64: 2, 3>, scale = 0.125 : f32} -> tensor<1x16x12x4x64xf32>, tensor<1x16x12x4xf32>
  return %o, %lse : tensor<1x16x12x4x64xf32>, tensor<1x16x12x4xf32>
}

// 3-D, causal along the first (time) axis, Dv != Dqk.
// CHECK-LABEL: func @na3d_causal
// CHECK: is_causal = array<i1: true, false, false>
func.func @na3d_causal(%q: tensor<1x8x8x8x2x32xf16>, %k: tensor<1x8x8x8x2x32xf16>, %v: tensor<1x8x8x8x2x48xf16>) -> tensor<1x8x8x8x2x48xf16> {
  %o0 = tensor.empty() : tensor<1x8x8x8x2x48xf16>
  %o = seqmix.neighborhood_attention ins(%q, %k, %v : tensor<1x8x8x8x2x32xf16>, tensor<1x8x8x8x2x32xf16>, tensor<1x8x8x8x2x48xf16>) outs(%o0 : tensor<1x8x8x8x2x48xf16>) {kernel_size = array<i64: 3, 3, 3>, is_causal = array<i1: true, false, false>, scale = 0.176776695 : f32} -> tensor<1x8x8x8x2x48xf16>
  return %o : tensor<1x8x8x8x2x48xf16>
}

// CHECK-LABEL: func @swa
// CHECK: seqmix.sliding_window_attention ins({{.*}}) outs(%{{.*}}, %{{.*}} : tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>) {scale = 1.250000e-01 : f32, window_left = 128 : i64, window_right = 0 : i64} -> tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>
func.func @swa(%q: tensor<1x?x8x64xbf16>, %k: tensor<1x?x2x64xbf16>, %v: tensor<1x?x2x64xbf16>, %o0: tensor<1x?x8x64xbf16>, %l0: tensor<1x?x8xf32>) -> (tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>) {
  %o, %lse = seqmix.sliding_window_attention ins(%q, %k, %v : tensor<1x?x8x64xbf16>, tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16>) outs(%o0, %l0 : tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>) {window_left = 128 : i64, window_right = 0 : i64, scale = 0.125 : f32} -> tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>
  return %o, %lse : tensor<1x?x8x64xbf16>, tensor<1x?x8xf32>
}

// Decode-style Tq != Tk, unbounded window: full attention.
// CHECK-LABEL: func @swa_full
// CHECK: window_left = -1 : i64, window_right = -1 : i64
func.func @swa_full(%q: tensor<2x1x4x64xf32>, %k: tensor<2x300x4x64xf32>, %v: tensor<2x300x4x64xf32>, %o0: tensor<2x1x4x64xf32>) -> tensor<2x1x4x64xf32> {
  %o = seqmix.sliding_window_attention ins(%q, %k, %v : tensor<2x1x4x64xf32>, tensor<2x300x4x64xf32>, tensor<2x300x4x64xf32>) outs(%o0 : tensor<2x1x4x64xf32>) {window_left = -1 : i64, window_right = -1 : i64, scale = 0.125 : f32} -> tensor<2x1x4x64xf32>
  return %o : tensor<2x1x4x64xf32>
}

// CHECK-LABEL: func @hadamard
// CHECK: seqmix.hadamard ins(%{{.*}} : tensor<1x?x1536xf32>) outs(%{{.*}} : tensor<1x?x1536xf32>) -> tensor<1x?x1536xf32>
// CHECK: seqmix.hadamard ins(%{{.*}} : tensor<4x5120xf16>) outs(%{{.*}} : tensor<4x5120x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<4x5120x!quant.uniform<i8:f32, 1.000000e-01>>
// CHECK: seqmix.hadamard ins(%{{.*}} : tensor<28xf32>) outs(%{{.*}} : tensor<28xf32>) -> tensor<28xf32>
func.func @hadamard(%x: tensor<1x?x1536xf32>, %y: tensor<4x5120xf16>, %z: tensor<28xf32>, %a0: tensor<1x?x1536xf32>) -> (tensor<1x?x1536xf32>, tensor<4x5120x!quant.uniform<i8:f32, 0.1>>, tensor<28xf32>) {
  %b0 = tensor.empty() : tensor<4x5120x!quant.uniform<i8:f32, 0.1>>
  %c0 = tensor.empty() : tensor<28xf32>
  %a = seqmix.hadamard ins(%x : tensor<1x?x1536xf32>) outs(%a0 : tensor<1x?x1536xf32>) -> tensor<1x?x1536xf32>
  %b = seqmix.hadamard ins(%y : tensor<4x5120xf16>) outs(%b0 : tensor<4x5120x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x5120x!quant.uniform<i8:f32, 0.1>>
  %c = seqmix.hadamard ins(%z : tensor<28xf32>) outs(%c0 : tensor<28xf32>) -> tensor<28xf32>
  return %a, %b, %c : tensor<1x?x1536xf32>, tensor<4x5120x!quant.uniform<i8:f32, 0.1>>, tensor<28xf32>
}

// A minGRU-like recurrence written as a generic scan.
// CHECK-LABEL: func @scan_affine
// CHECK: seqmix.scan ins(%{{.*}}, %{{.*}} : tensor<2x?x8xf32>, tensor<2x?x8xf32>) init(%{{.*}} : tensor<2x8xf32>) outs(%{{.*}} : tensor<2x?x8xf32>) {
// CHECK: ^bb0(%{{.*}}: tensor<8xf32>, %{{.*}}: tensor<8xf32>, %{{.*}}: tensor<8xf32>):
// CHECK: seqmix.yield %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>
// CHECK: } -> tensor<2x8xf32>, tensor<2x?x8xf32>
func.func @scan_affine(%a: tensor<2x?x8xf32>, %x: tensor<2x?x8xf32>, %h0: tensor<2x8xf32>, %y0: tensor<2x?x8xf32>) -> (tensor<2x8xf32>, tensor<2x?x8xf32>) {
  %s, %y = seqmix.scan ins(%a, %x : tensor<2x?x8xf32>, tensor<2x?x8xf32>) init(%h0 : tensor<2x8xf32>) outs(%y0 : tensor<2x?x8xf32>) {
  ^bb0(%at: tensor<8xf32>, %xt: tensor<8xf32>, %h: tensor<8xf32>):
    %m = arith.mulf %at, %h : tensor<8xf32>
    %n = arith.addf %m, %xt : tensor<8xf32>
    seqmix.yield %n, %n : tensor<8xf32>, tensor<8xf32>
  } -> tensor<2x8xf32>, tensor<2x?x8xf32>
  return %s, %y : tensor<2x8xf32>, tensor<2x?x8xf32>
}

// Scalar steps (0-d slices), two states, varlen, no outputs.
// CHECK-LABEL: func @scan_varlen
// CHECK: cu_seqlens(%{{.*}} : tensor<3xi32>)
// CHECK: } -> tensor<2xf32>, tensor<2x4xf32>
func.func @scan_varlen(%x: tensor<1x10xf32>, %s0: tensor<2xf32>, %s1: tensor<2x4xf32>, %cu: tensor<3xi32>) -> (tensor<2xf32>, tensor<2x4xf32>) {
  %a, %b = seqmix.scan ins(%x : tensor<1x10xf32>) cu_seqlens(%cu : tensor<3xi32>) init(%s0, %s1 : tensor<2xf32>, tensor<2x4xf32>) {
  ^bb0(%xt: tensor<f32>, %p: tensor<f32>, %q: tensor<4xf32>):
    %n = arith.addf %p, %xt : tensor<f32>
    seqmix.yield %n, %q : tensor<f32>, tensor<4xf32>
  } -> tensor<2xf32>, tensor<2x4xf32>
  return %a, %b : tensor<2xf32>, tensor<2x4xf32>
}

// Block sizes in the IR: one size per loop and level, printed in a fixed
// order whatever order they were written in.
// CHECK-LABEL: func @tile_config
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [1, 2, 0, 0], cache = [0, 0, 0, 64], vector = [0, 0, 16, 0], chunk = 64>
// CHECK: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 16, 0], serial = [0, 0, 64], warps = 4, stages = 2, chunk = 1>
func.func @tile_config(%q: tensor<1x64x4x64xf32>, %u: tensor<1x64x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x64x1x16xf32>, %s0: tensor<1x4x64x64xf32>, %s1: tensor<1x32x16xf32>) -> (tensor<1x64x4x64xf32>, tensor<1x64x32xf32>) {
  %o0 = tensor.empty() : tensor<1x64x4x64xf32>
  %y0 = tensor.empty() : tensor<1x64x32xf32>
  %o, %so = seqmix.linear_attention ins(%q, %q, %q : tensor<1x64x4x64xf32>, tensor<1x64x4x64xf32>, tensor<1x64x4x64xf32>) outs(%o0, %s0 : tensor<1x64x4x64xf32>, tensor<1x4x64x64xf32>) {scale = 0.125 : f32, seqmix.tile = #seqmix.cpu_tiling<chunk = 64, vector = [0, 0, 16, 0], threads = [1, 2, 0, 0], cache = [0, 0, 0, 64]>} -> tensor<1x64x4x64xf32>, tensor<1x4x64x64xf32>
  %y, %sy = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x64x32xf32>, tensor<1x64x32xf32>, tensor<32x16xf32>, tensor<1x64x1x16xf32>, tensor<1x64x1x16xf32>) outs(%y0, %s1 : tensor<1x64x32xf32>, tensor<1x32x16xf32>) {seqmix.tile = #seqmix.gpu_tiling<warps = 4, blocks = [1, 16, 0], serial = [0, 0, 64], stages = 2, chunk = 1>} -> tensor<1x64x32xf32>, tensor<1x32x16xf32>
  return %o, %y : tensor<1x64x4x64xf32>, tensor<1x64x32xf32>
}

