// RUN: seqmix-opt %s -split-input-file --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s --enable-var-scope

// One-Shot Bufferize runs on the ops themselves: each destination becomes
// the buffer the op writes, with no hand-made buffer casts.

// A decode step whose state argument is donated (writable) updates the
// state buffer in place: no allocation and no copy for it; only the output,
// whose initial contents are never read, gets a fresh buffer.
// CHECK-LABEL: func @decode_in_place
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<2x1x4x64xf32>, %[[K:[a-z0-9]+]]: memref<2x1x4x64xf32>, %[[V:[a-z0-9]+]]: memref<2x1x4x64xf32>, %[[S:[a-z0-9]+]]: memref<2x4x64x64xf32>
// CHECK-NOT: memref.copy
// CHECK: %[[O:.+]] = memref.alloc() {{.*}} : memref<2x1x4x64xf32>
// CHECK-NOT: memref.copy
// CHECK: seqmix.linear_attention ins(%[[Q]], %[[K]], %[[V]] : {{.*}}) outs(%[[O]], %[[S]] : memref<2x1x4x64xf32>, memref<2x4x64x64xf32>)
// CHECK-NOT: memref.copy
// CHECK: return %[[O]], %[[S]]
func.func @decode_in_place(%q: tensor<2x1x4x64xf32>, %k: tensor<2x1x4x64xf32>, %v: tensor<2x1x4x64xf32>, %s0: tensor<2x4x64x64xf32> {bufferization.writable = true}) -> (tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>) {
  %e = tensor.empty() : tensor<2x1x4x64xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<2x1x4x64xf32>, tensor<2x1x4x64xf32>, tensor<2x1x4x64xf32>) outs(%e, %s0 : tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>) {scale = 0.125 : f32} -> tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>
  return %o, %s : tensor<2x1x4x64xf32>, tensor<2x4x64x64xf32>
}

// -----

// A state that the caller keeps (not writable) is copied once, then
// updated: the state is read, so its contents must survive.
// CHECK-LABEL: func @state_kept
// CHECK: %[[ST:.+]] = memref.alloc() {{.*}} : memref<1x8x16xf32>
// CHECK: memref.copy %{{.+}}, %[[ST]]
// CHECK: seqmix.selective_scan {{.*}} outs(%{{.+}}, %[[ST]] : memref<1x10x8xf32>, memref<1x8x16xf32>)
func.func @state_kept(%u: tensor<1x10x8xf32>, %dt: tensor<1x10x8xf32>, %A: tensor<8x16xf32>, %B: tensor<1x10x1x16xf32>, %C: tensor<1x10x1x16xf32>, %s0: tensor<1x8x16xf32> {bufferization.writable = false}) -> (tensor<1x10x8xf32>, tensor<1x8x16xf32>) {
  %e = tensor.empty() : tensor<1x10x8xf32>
  %y, %s = seqmix.selective_scan ins(%u, %dt, %A, %B, %C : tensor<1x10x8xf32>, tensor<1x10x8xf32>, tensor<8x16xf32>, tensor<1x10x1x16xf32>, tensor<1x10x1x16xf32>) outs(%e, %s0 : tensor<1x10x8xf32>, tensor<1x8x16xf32>) -> tensor<1x10x8xf32>, tensor<1x8x16xf32>
  return %y, %s : tensor<1x10x8xf32>, tensor<1x8x16xf32>
}

// -----

// Every other op: routing, windowed attention, Hadamard, the conv and ssd.
// CHECK-LABEL: func @every_op
// CHECK-NOT: tensor<
// CHECK: seqmix.causal_conv1d {{.*}} outs({{.*}} : memref<1x16x8xf32>, memref<1x3x8xf32>)
// CHECK: seqmix.ssd {{.*}} outs({{.*}} : memref<1x16x2x4xf32>, memref<1x2x4x8xf32>)
// CHECK: seqmix.route {{.*}} outs({{.*}} : memref<1x16x2xi32>, memref<1x16x2xf32>)
// CHECK: seqmix.dispatch {{.*}} outs({{.*}} : memref<32x8xf32>, memref<5xi32>, memref<32xi32>)
// CHECK: seqmix.segment_matmul {{.*}} outs({{.*}} : memref<32x8xf32>)
// CHECK: seqmix.combine {{.*}} outs({{.*}} : memref<1x16x8xf32>)
// CHECK: seqmix.sliding_window_attention {{.*}} outs({{.*}} : memref<1x16x2x4xf32>, memref<1x16x2xf32>)
// CHECK: seqmix.neighborhood_attention {{.*}} outs({{.*}} : memref<1x4x4x2x4xf32>)
// CHECK: seqmix.hadamard {{.*}} outs({{.*}} : memref<1x16x8xf32>)
func.func @every_op(%x: tensor<1x16x8xf32>, %w: tensor<8x4xf32>, %cs: tensor<1x3x8xf32>,
                    %hx: tensor<1x16x2x4xf32>, %dt: tensor<1x16x2xf32>, %A: tensor<2xf32>, %B: tensor<1x16x1x8xf32>, %ss: tensor<1x2x4x8xf32>,
                    %logits: tensor<1x16x4xf32>, %W: tensor<4x8x8xf32>, %acc: tensor<32x8xf32>, %out: tensor<1x16x8xf32>,
                    %q: tensor<1x16x2x4xf32>, %nq: tensor<1x4x4x2x4xf32>)
    -> (tensor<1x16x8xf32>, tensor<1x16x2x4xf32>, tensor<32x8xf32>, tensor<1x16x8xf32>, tensor<1x16x2x4xf32>, tensor<1x16x2xf32>, tensor<1x4x4x2x4xf32>, tensor<1x16x8xf32>) {
  %ey = tensor.empty() : tensor<1x16x8xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x16x8xf32>, tensor<8x4xf32>) outs(%ey, %cs : tensor<1x16x8xf32>, tensor<1x3x8xf32>) -> tensor<1x16x8xf32>, tensor<1x3x8xf32>
  %eh = tensor.empty() : tensor<1x16x2x4xf32>
  %hy, %hs = seqmix.ssd ins(%hx, %dt, %A, %B, %B : tensor<1x16x2x4xf32>, tensor<1x16x2xf32>, tensor<2xf32>, tensor<1x16x1x8xf32>, tensor<1x16x1x8xf32>) outs(%eh, %ss : tensor<1x16x2x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x16x2x4xf32>, tensor<1x2x4x8xf32>
  %ei = tensor.empty() : tensor<1x16x2xi32>
  %ew = tensor.empty() : tensor<1x16x2xf32>
  %i, %rw = seqmix.route ins(%logits : tensor<1x16x4xf32>) outs(%ei, %ew : tensor<1x16x2xi32>, tensor<1x16x2xf32>) {top_k = 2 : i64} -> tensor<1x16x2xi32>, tensor<1x16x2xf32>
  %ep = tensor.empty() : tensor<32x8xf32>
  %eo = tensor.empty() : tensor<5xi32>
  %er = tensor.empty() : tensor<32xi32>
  %p, %off, %rows = seqmix.dispatch ins(%y, %i : tensor<1x16x8xf32>, tensor<1x16x2xi32>) outs(%ep, %eo, %er : tensor<32x8xf32>, tensor<5xi32>, tensor<32xi32>) {num_memories = 4 : i64} -> tensor<32x8xf32>, tensor<5xi32>, tensor<32xi32>
  %m = seqmix.segment_matmul ins(%p, %W, %off : tensor<32x8xf32>, tensor<4x8x8xf32>, tensor<5xi32>) outs(%acc : tensor<32x8xf32>) -> tensor<32x8xf32>
  %c = seqmix.combine ins(%m, %rows, %rw : tensor<32x8xf32>, tensor<32xi32>, tensor<1x16x2xf32>) outs(%out : tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
  %eq = tensor.empty() : tensor<1x16x2x4xf32>
  %el = tensor.empty() : tensor<1x16x2xf32>
  %o, %lse = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x16x2x4xf32>, tensor<1x16x2x4xf32>, tensor<1x16x2x4xf32>) outs(%eq, %el : tensor<1x16x2x4xf32>, tensor<1x16x2xf32>) {window_left = 4 : i64, window_right = 0 : i64, scale = 0.5 : f32} -> tensor<1x16x2x4xf32>, tensor<1x16x2xf32>
  %en = tensor.empty() : tensor<1x4x4x2x4xf32>
  %no = seqmix.neighborhood_attention ins(%nq, %nq, %nq : tensor<1x4x4x2x4xf32>, tensor<1x4x4x2x4xf32>, tensor<1x4x4x2x4xf32>) outs(%en : tensor<1x4x4x2x4xf32>) {kernel_size = array<i64: 3, 3>, scale = 0.5 : f32} -> tensor<1x4x4x2x4xf32>
  %hh = seqmix.hadamard ins(%y : tensor<1x16x8xf32>) outs(%ey : tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
  return %y, %hy, %m, %c, %o, %lse, %no, %hh : tensor<1x16x8xf32>, tensor<1x16x2x4xf32>, tensor<32x8xf32>, tensor<1x16x8xf32>, tensor<1x16x2x4xf32>, tensor<1x16x2xf32>, tensor<1x4x4x2x4xf32>, tensor<1x16x8xf32>
}
