// RUN: seqmix-opt %s -split-input-file --transform-interpreter --canonicalize | FileCheck %s --enable-var-scope

// Every op family tiles through upstream TilingInterface (the transform
// dialect's tile_using_for / tile_using_forall). Tiling the time loop of a
// recurrence by a chunk gives an scf.for over chunks that carries the state:
// each tile is the same op on one chunk, reading and writing the whole state.

// CHECK-LABEL: func @linear_attention_chunks
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<1x64x2x8xf32>, %{{.*}}: tensor<1x64x2x8xf32>, %{{.*}}: tensor<1x64x4x6xf32>, %{{.*}}: tensor<1x64x4xf32>, %[[S0:[a-z0-9]+]]: tensor<1x4x8x6xf32>
// CHECK: %[[R:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[O:.+]] = %{{.+}}, %[[S:.+]] = %[[S0]])
// CHECK: %[[QT:.+]] = tensor.extract_slice %[[Q]][0, %[[T]], 0, 0] [1, 16, 2, 8]
// CHECK: %[[OT:.+]] = tensor.extract_slice %[[O]][0, %[[T]], 0, 0] [1, 16, 4, 6]
// CHECK: %[[LA:.+]]:2 = seqmix.linear_attention ins(%[[QT]], {{.*}} outs(%[[OT]], %[[S]] : tensor<1x16x4x6xf32>, tensor<1x4x8x6xf32>)
// CHECK: %[[OI:.+]] = tensor.insert_slice %[[LA]]#0 into %[[O]][0, %[[T]], 0, 0]
// CHECK: scf.yield %[[OI]], %[[LA]]#1
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @linear_attention_chunks(%q: tensor<1x64x2x8xf32>, %k: tensor<1x64x2x8xf32>, %v: tensor<1x64x4x6xf32>, %g: tensor<1x64x4xf32>, %s0: tensor<1x4x8x6xf32>) -> (tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {
  %e = tensor.empty() : tensor<1x64x4x6xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x64x2x8xf32>, tensor<1x64x2x8xf32>, tensor<1x64x4x6xf32>) log_decay(%g : tensor<1x64x4xf32>) outs(%e, %s0 : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {scale = 0.5 : f32} -> tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
  return %o, %s : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["seqmix.linear_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l = transform.structured.tile_using_for %op tile_sizes [0, 0, 0, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Heads and value columns become threads. GQA: 2 value heads per query/key
// head, so a tile of 2 heads reads one query/key head.
// CHECK-LABEL: func @linear_attention_threads
// CHECK: scf.forall (%[[H:[a-z0-9]+]], %[[V:[a-z0-9]+]]) in (2, 2) shared_outs(%[[O:.+]] = %{{.+}}, %[[S:.+]] = %{{.+}})
// CHECK: tensor.extract_slice %{{.+}}[0, 0, %[[H]], 0] [1, 64, 1, 8]
// CHECK: tensor.extract_slice %[[S]][0, %{{.+}}, 0, %{{.+}}] [1, 2, 8, 3]
// CHECK: seqmix.linear_attention {{.*}} -> tensor<1x64x2x3xf32>, tensor<1x2x8x3xf32>
// CHECK: scf.forall.in_parallel
func.func @linear_attention_threads(%q: tensor<1x64x2x8xf32>, %k: tensor<1x64x2x8xf32>, %v: tensor<1x64x4x6xf32>, %s0: tensor<1x4x8x6xf32>) -> (tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {
  %e = tensor.empty() : tensor<1x64x4x6xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x64x2x8xf32>, tensor<1x64x2x8xf32>, tensor<1x64x4x6xf32>) outs(%e, %s0 : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {scale = 0.5 : f32} -> tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
  return %o, %s : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["seqmix.linear_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l = transform.structured.tile_using_forall %op tile_sizes [0, 2, 3, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Mamba-1: channels to threads, time in chunks of 32 carrying [Nseq, D, N].
// CHECK-LABEL: func @selective_scan_tiles
// CHECK: scf.forall (%[[D:.+]]) in (4) shared_outs(%[[Y:.+]] = %{{.+}}, %[[S:.+]] = %{{.+}})
// CHECK: scf.for %[[T:.+]] = {{.+}} iter_args(%[[YT:.+]] = %{{.+}}, %[[ST:.+]] = %{{.+}}) -> (tensor<1x100x8xf32>, tensor<1x8x16xf32>)
// CHECK: %[[TS:.+]] = affine.min #{{.+}}(%[[T]])
// CHECK: seqmix.selective_scan {{.*}} -> tensor<1x?x8xf32>, tensor<1x8x16xf32>
// CHECK: scf.yield
func.func @selective_scan_tiles(%u: tensor<1x100x32xf32>, %dt: tensor<1x100x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x100x1x16xf32>, %C: tensor<1x100x1x16xf32>, %s0: tensor<1x32x16xf32>) -> (tensor<1x100x32xf32>, tensor<1x32x16xf32>) {
  %e = tensor.empty() : tensor<1x100x32xf32>
  %y, %s = seqmix.selective_scan ins(%u, %dt, %A, %B, %C : tensor<1x100x32xf32>, tensor<1x100x32xf32>, tensor<32x16xf32>, tensor<1x100x1x16xf32>, tensor<1x100x1x16xf32>) outs(%e, %s0 : tensor<1x100x32xf32>, tensor<1x32x16xf32>) {delta_softplus} -> tensor<1x100x32xf32>, tensor<1x32x16xf32>
  return %y, %s : tensor<1x100x32xf32>, tensor<1x32x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["seqmix.selective_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %f = transform.structured.tile_using_forall %op tile_sizes [0, 8, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %t2, %l = transform.structured.tile_using_for %t tile_sizes [0, 0, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// The conv's state (the last W-1 inputs) is carried from chunk to chunk.
// CHECK-LABEL: func @causal_conv1d_chunks
// CHECK: scf.for {{.+}} iter_args(%[[Y:.+]] = %{{.+}}, %[[S:.+]] = %{{.+}}) -> (tensor<1x64x16xf32>, tensor<1x3x16xf32>)
// CHECK: seqmix.causal_conv1d {{.*}} outs(%{{.+}}, %[[S]] : tensor<1x16x16xf32>, tensor<1x3x16xf32>)
func.func @causal_conv1d_chunks(%x: tensor<1x64x16xf32>, %w: tensor<16x4xf32>, %s0: tensor<1x3x16xf32>) -> (tensor<1x64x16xf32>, tensor<1x3x16xf32>) {
  %e = tensor.empty() : tensor<1x64x16xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x64x16xf32>, tensor<16x4xf32>) outs(%e, %s0 : tensor<1x64x16xf32>, tensor<1x3x16xf32>) -> tensor<1x64x16xf32>, tensor<1x3x16xf32>
  return %y, %s : tensor<1x64x16xf32>, tensor<1x3x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["seqmix.causal_conv1d"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l = transform.structured.tile_using_for %op tile_sizes [0, 0, 16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// ssd: heads and head-dim rows to threads; groups follow heads.
// CHECK-LABEL: func @ssd_threads
// CHECK: scf.forall ({{.+}}) in (2, 4)
// CHECK: seqmix.ssd {{.*}} -> tensor<1x32x2x4xf32>, tensor<1x2x4x8xf32>
func.func @ssd_threads(%x: tensor<1x32x4x16xf32>, %dt: tensor<1x32x4xf32>, %A: tensor<4xf32>, %B: tensor<1x32x2x8xf32>, %C: tensor<1x32x2x8xf32>, %s0: tensor<1x4x16x8xf32>) -> (tensor<1x32x4x16xf32>, tensor<1x4x16x8xf32>) {
  %e = tensor.empty() : tensor<1x32x4x16xf32>
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %C : tensor<1x32x4x16xf32>, tensor<1x32x4xf32>, tensor<4xf32>, tensor<1x32x2x8xf32>, tensor<1x32x2x8xf32>) outs(%e, %s0 : tensor<1x32x4x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x32x4x16xf32>, tensor<1x4x16x8xf32>
  return %y, %s : tensor<1x32x4x16xf32>, tensor<1x4x16x8xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["seqmix.ssd"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %f = transform.structured.tile_using_forall %op tile_sizes [0, 2, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Routing: tokens to threads for route; combine scatters packed rows into
// tokens, a reduction over rows carried by scf.for; segment_matmul tiles
// its output columns.
// CHECK-LABEL: func @routing_tiles
// CHECK: scf.forall ({{.+}}) in (4) shared_outs
// CHECK: seqmix.route {{.*}} -> tensor<1x4x2xi32>, tensor<1x4x2xf32>
// CHECK: scf.for {{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<32x16xf32>)
// CHECK: seqmix.segment_matmul {{.*}} outs(%{{.+}} : tensor<32x4xf32>)
// CHECK: scf.for {{.+}} iter_args(%[[OUT:.+]] = %{{.+}}) -> (tensor<1x16x8xf32>)
// CHECK: seqmix.combine {{.*}} outs(%[[OUT]] : tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
func.func @routing_tiles(%logits: tensor<1x16x4xf32>, %p: tensor<32x8xf32>, %W: tensor<4x8x16xf32>, %off: tensor<5xi32>, %rows: tensor<32xi32>, %w: tensor<1x16x2xf32>, %acc: tensor<32x16xf32>, %out: tensor<1x16x8xf32>) -> (tensor<1x16x2xi32>, tensor<1x16x2xf32>, tensor<32x16xf32>, tensor<1x16x8xf32>) {
  %ei = tensor.empty() : tensor<1x16x2xi32>
  %ew = tensor.empty() : tensor<1x16x2xf32>
  %i, %rw = seqmix.route ins(%logits : tensor<1x16x4xf32>) outs(%ei, %ew : tensor<1x16x2xi32>, tensor<1x16x2xf32>) {top_k = 2 : i64} -> tensor<1x16x2xi32>, tensor<1x16x2xf32>
  %m = seqmix.segment_matmul ins(%p, %W, %off : tensor<32x8xf32>, tensor<4x8x16xf32>, tensor<5xi32>) outs(%acc : tensor<32x16xf32>) -> tensor<32x16xf32>
  %c = seqmix.combine ins(%p, %rows, %w : tensor<32x8xf32>, tensor<32xi32>, tensor<1x16x2xf32>) outs(%out : tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
  return %i, %rw, %m, %c : tensor<1x16x2xi32>, tensor<1x16x2xf32>, tensor<32x16xf32>, tensor<1x16x8xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %r = transform.structured.match ops{["seqmix.route"]} in %root : (!transform.any_op) -> !transform.any_op
    %t0, %f0 = transform.structured.tile_using_forall %r tile_sizes [0, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %m = transform.structured.match ops{["seqmix.segment_matmul"]} in %root : (!transform.any_op) -> !transform.any_op
    %t1, %l1 = transform.structured.tile_using_for %m tile_sizes [0, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %c = transform.structured.match ops{["seqmix.combine"]} in %root : (!transform.any_op) -> !transform.any_op
    %t2, %l2 = transform.structured.tile_using_for %c tile_sizes [8, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Windowed attention: batch and heads to threads, every query and key kept.
// CHECK-LABEL: func @attention_threads
// CHECK: scf.forall ({{.+}}) in (2)
// CHECK: seqmix.sliding_window_attention {{.*}} -> tensor<1x32x2x16xf32>
// CHECK: scf.forall ({{.+}}) in (2)
// CHECK: seqmix.neighborhood_attention {{.*}} -> tensor<1x8x8x2x16xf32>, tensor<1x8x8x2xf32>
func.func @attention_threads(%q: tensor<1x32x4x16xf32>, %k: tensor<1x32x2x16xf32>, %v: tensor<1x32x2x16xf32>, %nq: tensor<1x8x8x4x16xf32>, %nk: tensor<1x8x8x4x16xf32>) -> (tensor<1x32x4x16xf32>, tensor<1x8x8x4x16xf32>, tensor<1x8x8x4xf32>) {
  %e = tensor.empty() : tensor<1x32x4x16xf32>
  %o = seqmix.sliding_window_attention ins(%q, %k, %v : tensor<1x32x4x16xf32>, tensor<1x32x2x16xf32>, tensor<1x32x2x16xf32>) outs(%e : tensor<1x32x4x16xf32>) {window_left = 8 : i64, window_right = 0 : i64, scale = 0.25 : f32} -> tensor<1x32x4x16xf32>
  %en = tensor.empty() : tensor<1x8x8x4x16xf32>
  %el = tensor.empty() : tensor<1x8x8x4xf32>
  %no, %nl = seqmix.neighborhood_attention ins(%nq, %nk, %nk : tensor<1x8x8x4x16xf32>, tensor<1x8x8x4x16xf32>, tensor<1x8x8x4x16xf32>) outs(%en, %el : tensor<1x8x8x4x16xf32>, tensor<1x8x8x4xf32>) {kernel_size = array<i64: 3, 3>, scale = 0.25 : f32} -> tensor<1x8x8x4x16xf32>, tensor<1x8x8x4xf32>
  return %o, %no, %nl : tensor<1x32x4x16xf32>, tensor<1x8x8x4x16xf32>, tensor<1x8x8x4xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %s = transform.structured.match ops{["seqmix.sliding_window_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %t0, %f0 = transform.structured.tile_using_forall %s tile_sizes [0, 0, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %n = transform.structured.match ops{["seqmix.neighborhood_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %t1, %f1 = transform.structured.tile_using_forall %n tile_sizes [0, 0, 0, 2] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Hadamard rotates whole rows: rows to threads.
// CHECK-LABEL: func @hadamard_rows
// CHECK: scf.forall ({{.+}}) in (8)
// CHECK: seqmix.hadamard ins(%{{.+}} : tensor<1x8x64xf32>) outs(%{{.+}} : tensor<1x8x64xf32>)
func.func @hadamard_rows(%x: tensor<1x64x64xf32>) -> tensor<1x64x64xf32> {
  %e = tensor.empty() : tensor<1x64x64xf32>
  %y = seqmix.hadamard ins(%x : tensor<1x64x64xf32>) outs(%e : tensor<1x64x64xf32>) -> tensor<1x64x64xf32>
  return %y : tensor<1x64x64xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %h = transform.structured.match ops{["seqmix.hadamard"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %f = transform.structured.tile_using_forall %h tile_sizes [0, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// The generic scan: time in chunks of 8, carrying its state.
// CHECK-LABEL: func @scan_chunks
// CHECK: scf.for {{.+}} iter_args(%[[H:.+]] = %{{.+}}, %[[Y:.+]] = %{{.+}}) -> (tensor<2x8xf32>, tensor<2x32x8xf32>)
// CHECK: seqmix.scan ins({{.+}} : tensor<2x8x8xf32>) init(%[[H]] : tensor<2x8xf32>) outs(%{{.+}} : tensor<2x8x8xf32>)
func.func @scan_chunks(%x: tensor<2x32x8xf32>, %h0: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x32x8xf32>) {
  %e = tensor.empty() : tensor<2x32x8xf32>
  %s, %y = seqmix.scan ins(%x : tensor<2x32x8xf32>) init(%h0 : tensor<2x8xf32>) outs(%e : tensor<2x32x8xf32>) {
  ^bb0(%xt: tensor<8xf32>, %h: tensor<8xf32>):
    %n = arith.addf %h, %xt : tensor<8xf32>
    seqmix.yield %n, %n : tensor<8xf32>, tensor<8xf32>
  } -> tensor<2x8xf32>, tensor<2x32x8xf32>
  return %s, %y : tensor<2x8xf32>, tensor<2x32x8xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %h = transform.structured.match ops{["seqmix.scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l = transform.structured.tile_using_for %h tile_sizes [0, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
