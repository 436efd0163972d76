// RUN: seqmix-opt %s -split-input-file --convert-seqmix-to-loops --canonicalize --cse | FileCheck %s --enable-var-scope

// The reference lowering: buffer-form ops become their run-time checks, then
// one scf.for per loop of the iteration domain (in domain order), whose body
// is the op's scalar implementation.

// linear_attention: loops (b, h, v, t) with T dynamic, nested in its
// reference order (b, h, t, v) so that each step sweeps the head's state;
// the body walks the value columns itself (sharing the step's gates and
// norms): the additive rule updates the state row by row in place, then
// reads each output column out as a reduction over K.
// CHECK-LABEL: func @linear_attention
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x?x2x8xf32>, %[[K:[a-z0-9]+]]: memref<1x?x2x8xf32>, %[[V:[a-z0-9]+]]: memref<1x?x4x6xf32>, %[[O:[a-z0-9]+]]: memref<1x?x4x6xf32>, %[[S:[a-z0-9]+]]: memref<1x4x8x6xf32>
// CHECK: %[[T:.+]] = memref.dim %[[Q]], %c1
// CHECK: %[[TK:.+]] = memref.dim %[[K]], %c1
// CHECK: %[[OKK:.+]] = arith.cmpi eq, %[[TK]], %[[T]]
// CHECK: cf.assert %[[OKK]], "seqmix.linear_attention: operand #1 dimension 1 must equal the t size of the other operands"
// CHECK: scf.for %[[H:.+]] = %c0 to %c4
// CHECK-NEXT: scf.for %[[TI:.+]] = %c0 to %[[T]]
// CHECK-NEXT: %[[HQ:.+]] = arith.divui %[[H]], %c2
// CHECK-NEXT: scf.for %[[I:.+]] = %c0 to %c8
// CHECK-NEXT: %[[KI:.+]] = memref.load %[[K]][%c0, %[[TI]], %[[HQ]], %[[I]]]
// CHECK-NEXT: scf.for %[[J:.+]] = %c0 to %c6
// CHECK-NEXT: %[[SIJ:.+]] = memref.load %[[S]][%c0, %[[H]], %[[I]], %[[J]]]
// CHECK-NEXT: %[[VJ:.+]] = memref.load %[[V]][%c0, %[[TI]], %[[H]], %[[J]]]
// CHECK-NEXT: %[[KV:.+]] = arith.mulf %[[KI]], %[[VJ]]
// CHECK-NEXT: %[[NEW:.+]] = arith.addf %[[SIJ]], %[[KV]]
// CHECK-NEXT: memref.store %[[NEW]], %[[S]][%c0, %[[H]], %[[I]], %[[J]]]
// CHECK: scf.for %[[J2:.+]] = %c0 to %c6
// CHECK-NEXT: %[[DOT:.+]] = scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%[[ACC:.+]] = %{{.+}}) -> (f32)
// CHECK: scf.yield
// CHECK: %[[OV:.+]] = arith.mulf %[[DOT]], %{{.+}}
// CHECK: memref.store %[[OV]], %[[O]][%c0, %[[TI]], %[[H]], %[[J2]]]
func.func @linear_attention(%q: memref<1x?x2x8xf32>, %k: memref<1x?x2x8xf32>, %v: memref<1x?x4x6xf32>, %o: memref<1x?x4x6xf32>, %s: memref<1x4x8x6xf32>) {
  seqmix.linear_attention ins(%q, %k, %v : memref<1x?x2x8xf32>, memref<1x?x2x8xf32>, memref<1x?x4x6xf32>) outs(%o, %s : memref<1x?x4x6xf32>, memref<1x4x8x6xf32>) {scale = 0.5 : f32}
  return
}

// -----

// Packed sequences: cu_seqlens is checked (batch of 1, starts at 0, never
// decreases, ends at T, one state row per sequence) before the loops; each
// token finds its state row by counting the offsets at or before it.
// CHECK-LABEL: func @selective_scan_varlen
// CHECK-SAME: %{{[a-z0-9]+}}: memref<1x?x8xf32>, {{.*}}, %[[CU:[a-z0-9]+]]: memref<4xi32>, %[[Y:[a-z0-9]+]]: memref<1x?x8xf32>, %[[S:[a-z0-9]+]]: memref<3x8x4xf32>
// CHECK: cf.assert %{{.+}}, "seqmix.selective_scan: operand 'cu_seqlens' must start at 0"
// CHECK: scf.for
// CHECK: cf.assert %{{.+}}, "seqmix.selective_scan: operand 'cu_seqlens' must be non-decreasing"
// CHECK: cf.assert %{{.+}}, "seqmix.selective_scan: operand 'cu_seqlens' must end at T"
// CHECK: scf.for %[[D:.+]] = %c0 to %c8
// CHECK-NEXT: scf.for %[[T:.+]] = %c0 to
// CHECK: %[[N:.+]] = scf.for %[[I:.+]] = %c1 to %c3 step %c1 iter_args(%[[CNT:.+]] = %c0) -> (index)
// CHECK: memref.load %[[CU]][%[[I]]]
// CHECK: %[[YT:.+]] = scf.for %[[NS:.+]] = %c0 to %c4 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (f32)
// CHECK: memref.store %{{.+}}, %[[S]][%[[N]], %[[D]], %[[NS]]]
// CHECK: memref.store %[[YT]], %[[Y]][%c0, %[[T]], %[[D]]]
func.func @selective_scan_varlen(%u: memref<1x?x8xf32>, %dt: memref<1x?x8xf32>, %A: memref<8x4xf32>, %B: memref<1x?x1x4xf32>, %C: memref<1x?x1x4xf32>, %cu: memref<4xi32>, %y: memref<1x?x8xf32>, %s: memref<3x8x4xf32>) {
  seqmix.selective_scan ins(%u, %dt, %A, %B, %C : memref<1x?x8xf32>, memref<1x?x8xf32>, memref<8x4xf32>, memref<1x?x1x4xf32>, memref<1x?x1x4xf32>) cu_seqlens(%cu : memref<4xi32>) outs(%y, %s : memref<1x?x8xf32>, memref<3x8x4xf32>)
  return
}

// -----

// route carries the previous pick (logit, index) and the running weight sum
// across its k rounds; each round scans the memories carrying the best.
// CHECK-LABEL: func @route
// CHECK: scf.for %[[B:.+]] = %c0 to %c2
// CHECK-NEXT: scf.for %[[T:.+]] = %c0 to %c5
// CHECK: %[[R:.+]]:3 = scf.for %[[J:.+]] = %c0 to %c2 step %c1 iter_args(%[[PL:.+]] = %{{.+}}, %[[PM:.+]] = %{{.+}}, %[[SUM:.+]] = %{{.+}}) -> (f32, index, f32)
// CHECK: %[[BEST:.+]]:2 = scf.for %{{.+}} = %c0 to %c4 step %c1 iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (f32, index)
// CHECK: memref.store %{{.+}}, %{{.+}}[%[[B]], %[[T]], %[[J]]] : memref<2x5x2xi32>
// CHECK: scf.yield %[[BEST]]#0, %[[BEST]]#1, %{{.+}} : f32, index, f32
func.func @route(%logits: memref<2x5x4xf32>, %i: memref<2x5x2xi32>, %w: memref<2x5x2xf32>) {
  seqmix.route ins(%logits : memref<2x5x4xf32>) outs(%i, %w : memref<2x5x2xi32>, memref<2x5x2xf32>) {top_k = 2 : i64, score = #seqmix.score<sigmoid>}
  return
}

// -----

// seqmix.scan has a body on tensors: it is lowered on tensors, a loop over
// batch rows carrying the destinations and, inside, a loop over time
// carrying the step state (in a buffer of its own, not a strided slice)
// and the stacked output.
// CHECK-LABEL: func @scan
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x7x4xf32>, %[[H0:[a-z0-9]+]]: tensor<2x4xf32>, %[[Y0:[a-z0-9]+]]: tensor<2x7x4xf32>
// CHECK: %[[R:.+]]:2 = scf.for %[[B:.+]] = %c0 to %c2 step %c1 iter_args(%[[HS:.+]] = %[[H0]], %[[YS:.+]] = %[[Y0]])
// CHECK: %[[H:.+]] = tensor.extract_slice %[[HS]][%[[B]], 0] [1, 4] [1, 1] : tensor<2x4xf32> to tensor<4xf32>
// CHECK: %[[HB:.+]] = bufferization.alloc_tensor() copy(%[[H]]) : tensor<4xf32>
// CHECK: %[[IN:.+]]:2 = scf.for %[[T:.+]] = %c0 to %c7 step %c1 iter_args(%[[HT:.+]] = %[[HB]], %[[YT:.+]] = %[[YS]])
// CHECK: %[[XT:.+]] = tensor.extract_slice %[[X]][%[[B]], %[[T]], 0] [1, 1, 4] [1, 1, 1] : tensor<2x7x4xf32> to tensor<4xf32>
// CHECK: %[[N:.+]] = arith.addf %[[HT]], %[[XT]]
// CHECK: %[[YI:.+]] = tensor.insert_slice %[[N]] into %[[YT]][%[[B]], %[[T]], 0]
// CHECK: scf.yield %[[N]], %[[YI]]
// CHECK: %[[HI:.+]] = tensor.insert_slice %[[IN]]#0 into %[[HS]][%[[B]], 0]
// CHECK: scf.yield %[[HI]], %[[IN]]#1
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @scan(%x: tensor<2x7x4xf32>, %h0: tensor<2x4xf32>, %y0: tensor<2x7x4xf32>) -> (tensor<2x4xf32>, tensor<2x7x4xf32>) {
  %s, %y = seqmix.scan ins(%x : tensor<2x7x4xf32>) init(%h0 : tensor<2x4xf32>) outs(%y0 : tensor<2x7x4xf32>) {
  ^bb0(%xt: tensor<4xf32>, %h: tensor<4xf32>):
    %n = arith.addf %h, %xt : tensor<4xf32>
    seqmix.yield %n, %n : tensor<4xf32>, tensor<4xf32>
  } -> tensor<2x4xf32>, tensor<2x7x4xf32>
  return %s, %y : tensor<2x4xf32>, tensor<2x7x4xf32>
}

// -----

// Ops on tensors other than scan are left for after bufferization.
// CHECK-LABEL: func @tensors_wait
// CHECK: seqmix.hadamard ins(%{{.+}} : tensor<2x8xf32>)
func.func @tensors_wait(%x: tensor<2x8xf32>, %y0: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = seqmix.hadamard ins(%x : tensor<2x8xf32>) outs(%y0 : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
