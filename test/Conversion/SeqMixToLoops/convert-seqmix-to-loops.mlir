// RUN: seqmix-opt %s -split-input-file --convert-seqmix-to-loops --cse | FileCheck %s --enable-var-scope

// Gated delta rule with l2 q/k norm, varlen: offsets are asserted before use,
// each head keeps an f32 [K, V] state in scratch, time is the inner loop.
// CHECK-LABEL: func @gated_delta
// CHECK-DAG: %[[Q:.+]] = bufferization.to_buffer %arg0 read_only
// CHECK-DAG: %[[O:.+]] = memref.alloc() : memref<1x20x4x8xf32>
// CHECK-DAG: %[[S:.+]] = memref.alloc() : memref<16x8xf32>
// CHECK: cf.assert %{{.+}}, "seqmix: cu_seqlens must start at 0"
// CHECK: cf.assert %{{.+}}, "seqmix: cu_seqlens must be non-decreasing"
// CHECK: cf.assert %{{.+}}, "seqmix: cu_seqlens must end at T"
// CHECK: scf.for %[[N:.+]] = %{{.+}} to %{{.+}}
// CHECK: scf.for %[[H:.+]] = %{{.+}} to %{{.+}}
// CHECK: scf.for %[[T:.+]] = %[[START:.+]] to %[[END:.+]] step
// CHECK: math.sqrt
// CHECK: math.exp
// CHECK: arith.subf
// CHECK: memref.store %{{.+}}, %[[O]][%{{.+}}, %[[T]], %[[H]], %{{.+}}]
// CHECK: bufferization.to_tensor %[[O]] restrict writable
func.func @gated_delta(%q: tensor<1x20x2x16xf32>, %k: tensor<1x20x2x16xf32>, %v: tensor<1x20x4x8xf32>, %g: tensor<1x20x4xf32>, %beta: tensor<1x20x4xf32>, %cu: tensor<3xi32>) -> (tensor<1x20x4x8xf32>, tensor<2x4x16x8xf32>) {
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x20x2x16xf32>, tensor<1x20x2x16xf32>, tensor<1x20x4x8xf32>) log_decay(%g : tensor<1x20x4xf32>) beta(%beta : tensor<1x20x4xf32>) cu_seqlens(%cu : tensor<3xi32>) {scale = 0.25 : f32, qk_norm = #seqmix.qk_norm<l2>} -> tensor<1x20x4x8xf32>, tensor<2x4x16x8xf32>
  return %o, %s : tensor<1x20x4x8xf32>, tensor<2x4x16x8xf32>
}

// -----

// Quamba: int8 operands are read through their storage and dequantized.
// CHECK-LABEL: func @selective_scan_int8
// CHECK: %[[U8:.+]] = quant.scast %arg0 : tensor<1x8x4x!quant.uniform<i8:f32, 5.000000e-02>> to tensor<1x8x4xi8>
// CHECK: %[[U:.+]] = bufferization.to_buffer %[[U8]] read_only : tensor<1x8x4xi8> to memref<1x8x4xi8
// CHECK: %[[Y:.+]] = memref.alloc() : memref<1x8x4xf16>
// CHECK: scf.for
// CHECK: %[[RAW:.+]] = memref.load %[[U]]
// CHECK: %[[F:.+]] = arith.sitofp %[[RAW]] : i8 to f32
// CHECK: arith.mulf %[[F]], %{{.+}} : f32
// CHECK: math.log1p
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @selective_scan_int8(%u: tensor<1x8x4x!quant.uniform<i8:f32, 0.05>>, %dt: tensor<1x8x4xf32>, %A: tensor<4x2xf32>, %B: tensor<1x8x1x2xf32>, %z: tensor<1x8x4xf32>) -> tensor<1x8x4xf16> {
  %y = seqmix.selective_scan ins(%u, %dt, %A, %B, %B : tensor<1x8x4x!quant.uniform<i8:f32, 0.05>>, tensor<1x8x4xf32>, tensor<4x2xf32>, tensor<1x8x1x2xf32>, tensor<1x8x1x2xf32>) z(%z : tensor<1x8x4xf32>) {delta_softplus} -> tensor<1x8x4xf16>
  return %y : tensor<1x8x4xf16>
}

// -----

// ssd is lowered directly from its recurrence (no linear_attention).
// CHECK-LABEL: func @ssd
// CHECK-NOT: seqmix.linear_attention
// CHECK: memref.alloc() : memref<4x8xf32>
// CHECK: math.exp
// CHECK: bufferization.to_tensor
func.func @ssd(%x: tensor<1x8x2x4xf32>, %dt: tensor<1x8x2xf32>, %A: tensor<2xf32>, %B: tensor<1x8x1x8xf32>) -> tensor<1x8x2x4xf32> {
  %y = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x8x2x4xf32>, tensor<1x8x2xf32>, tensor<2xf32>, tensor<1x8x1x8xf32>, tensor<1x8x1x8xf32>) -> tensor<1x8x2x4xf32>
  return %y : tensor<1x8x2x4xf32>
}

// -----

// The conv reads history from initial_state when the tap is before the start.
// CHECK-LABEL: func @conv
// CHECK: %[[X:.+]] = bufferization.to_buffer %arg0
// CHECK: %[[INIT:.+]] = bufferization.to_buffer %arg2
// CHECK: scf.if %{{.+}} -> (f32) {
// CHECK: memref.load %[[X]]
// CHECK: } else {
// CHECK: memref.load %[[INIT]]
// CHECK: arith.divf
func.func @conv(%x: tensor<2x8x4xf32>, %w: tensor<4x3xf32>, %s0: tensor<2x2x4xf32>) -> (tensor<2x8x4xf32>, tensor<2x2x4xf32>) {
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<2x8x4xf32>, tensor<4x3xf32>) initial_state(%s0 : tensor<2x2x4xf32>) {activation = #seqmix.activation<silu>} -> tensor<2x8x4xf32>, tensor<2x2x4xf32>
  return %y, %s : tensor<2x8x4xf32>, tensor<2x2x4xf32>
}

// -----

// CHECK-LABEL: func @routing
// route: strict > keeps ties on the lower index
// CHECK: arith.cmpf ogt
// dispatch: memory indices are bounds-checked
// CHECK: cf.assert %{{.+}}, "seqmix.dispatch: memory index out of [0, num_memories)"
// segment_matmul: offsets are checked
// CHECK: cf.assert %{{.+}}, "seqmix: segment_matmul offsets must start at 0"
// CHECK: arith.remui
// combine: row indices are checked
// CHECK: cf.assert %{{.+}}, "seqmix.combine: row index out of [0, B*T*k)"
func.func @routing(%l: tensor<1x6x3xf32>, %x: tensor<1x6x4xf32>, %W: tensor<3x4x2xf32>) -> tensor<1x6x2xf32> {
  %i, %w = seqmix.route %l {top_k = 2 : i64} : tensor<1x6x3xf32>
  %p, %off, %rows = seqmix.dispatch %x, %i {num_memories = 3 : i64} : tensor<1x6x4xf32>, tensor<1x6x2xi32>
  %h = seqmix.segment_matmul %p, %W, %off : tensor<12x4xf32>, tensor<3x4x2xf32>, tensor<4xi32>
  %o = seqmix.combine %h, %rows, %w : tensor<12x2xf32>, tensor<12xi32>, tensor<1x6x2xf32>
  return %o : tensor<1x6x2xf32>
}

// -----

// NA windows: clamped and shifted per axis, keys at group + j * dilation.
// CHECK-LABEL: func @na
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: arith.select
// CHECK: math.exp
// CHECK: math.log
func.func @na(%q: tensor<1x9x2x4xf32>) -> (tensor<1x9x2x4xf32>, tensor<1x9x2xf32>) {
  %o, %l = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x9x2x4xf32>, tensor<1x9x2x4xf32>, tensor<1x9x2x4xf32>) {kernel_size = array<i64: 3>, dilation = array<i64: 2>, scale = 0.5 : f32} -> tensor<1x9x2x4xf32>, tensor<1x9x2xf32>
  return %o, %l : tensor<1x9x2x4xf32>, tensor<1x9x2xf32>
}

// -----

// Fully masked rows give 0 and lse = -inf.
// CHECK-LABEL: func @swa
// CHECK: arith.cmpi slt
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: arith.select %{{.+}}, %{{.+}}, %[[NEGINF]] : f32
func.func @swa(%q: tensor<1x4x1x8xf32>, %k: tensor<1x9x1x8xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x4x1xf32>) {
  %o, %l = seqmix.sliding_window_attention ins(%q, %k, %k : tensor<1x4x1x8xf32>, tensor<1x9x1x8xf32>, tensor<1x9x1x8xf32>) {window_left = 2 : i64, window_right = 0 : i64, scale = 0.5 : f32} -> tensor<1x4x1x8xf32>, tensor<1x4x1xf32>
  return %o, %l : tensor<1x4x1x8xf32>, tensor<1x4x1xf32>
}

// -----

// Hadamard with int8 output: the 12x12 Paley base is a constant, the
// Sylvester sign is a parity of index bits, the result rounds half to even
// and clamps before the cast.
// CHECK-LABEL: func @hadamard_int8
// CHECK: arith.constant dense<{{.+}}> : tensor<12x12xf32>
// CHECK: arith.xori
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptosi %{{.+}} : f32 to i8
// CHECK: quant.scast %{{.+}} : tensor<2x48xi8> to tensor<2x48x!quant.uniform<i8:f32, 1.000000e-01>>
func.func @hadamard_int8(%x: tensor<2x48xf32>) -> tensor<2x48x!quant.uniform<i8:f32, 0.1>> {
  %y = seqmix.hadamard %x : tensor<2x48xf32> -> tensor<2x48x!quant.uniform<i8:f32, 0.1>>
  return %y : tensor<2x48x!quant.uniform<i8:f32, 0.1>>
}

// -----

// seqmix.scan: sequences carry final states and outputs, time carries the
// step state; the body is inlined on tensor slices. The initial states are
// copied first: they may be the caller's buffers.
// CHECK-LABEL: func @scan
// CHECK: %[[INIT:.+]] = bufferization.alloc_tensor() copy(%arg2) : tensor<2x8xf32>
// CHECK: %[[R:.+]]:2 = scf.for %[[B:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[FS:.+]] = %[[INIT]], %[[YS:.+]] = %{{.+}})
// CHECK: %[[S0:.+]] = tensor.extract_slice %[[FS]][%[[B]], 0] [1, 8] [1, 1] : tensor<2x8xf32> to tensor<8xf32>
// CHECK: scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ST:.+]] = %[[S0]], %[[Y:.+]] = %[[YS]])
// CHECK: %[[AT:.+]] = tensor.extract_slice %arg0[%[[B]], %[[T]], 0] [1, 1, 8] [1, 1, 1] : tensor<2x5x8xf32> to tensor<8xf32>
// CHECK: %[[M:.+]] = arith.mulf %[[AT]], %[[ST]] : tensor<8xf32>
// CHECK: tensor.insert_slice %{{.+}} into %[[Y]][%[[B]], %[[T]], 0] [1, 1, 8] [1, 1, 1]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @scan(%a: tensor<2x5x8xf32>, %x: tensor<2x5x8xf32>, %h0: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x5x8xf32>) {
  %s, %y = seqmix.scan ins(%a, %x : tensor<2x5x8xf32>, tensor<2x5x8xf32>) init(%h0 : tensor<2x8xf32>) {
  ^bb0(%at: tensor<8xf32>, %xt: tensor<8xf32>, %h: tensor<8xf32>):
    %m = arith.mulf %at, %h : tensor<8xf32>
    %n = arith.addf %m, %xt : tensor<8xf32>
    seqmix.yield %n, %n : tensor<8xf32>, tensor<8xf32>
  } -> tensor<2x8xf32>, tensor<2x5x8xf32>
  return %s, %y : tensor<2x8xf32>, tensor<2x5x8xf32>
}
