// RUN: seqmix-opt %s -split-input-file --convert-seqmix-to-vector --canonicalize --cse | FileCheck %s --enable-var-scope

// selective_scan with a register tile of 16 channels: per block of channels,
// the N = 2 states are gathered into vectors (lanes over channels), carried
// by the time loop together with the next token's Δ and Δu, and stored back
// once. Inside, one vector exp per state and no horizontal reduction; y is
// stored as a vector. The 8 channels left over (D = 40) take the scalar body.
// CHECK-LABEL: func @scan
// CHECK-SAME: %[[U:[a-z0-9]+]]: memref<1x?x40xf32>, %[[DT:[a-z0-9]+]]: memref<1x?x40xf32>, %[[A:[a-z0-9]+]]: memref<40x2xf32>, %{{.*}}, %[[Y:[a-z0-9]+]]: memref<1x?x40xf32>, %[[S:[a-z0-9]+]]: memref<1x40x2xf32>
// CHECK: %[[T:.+]] = memref.dim %[[U]], %c1
// CHECK: scf.if
// CHECK: scf.for %[[D0:.+]] = %c0 to %c32 step %c16
// CHECK: vector.from_elements {{.*}} : vector<16xf32>
// CHECK: %[[LAST:.+]]:4 = scf.for %[[TI:.+]] = %c0 to %[[T]] step %c1 iter_args(%[[H0:.+]] = %{{.+}}, %[[H1:.+]] = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: memref.prefetch %[[U]]
// CHECK: vector.load %[[DT]][%c0, %{{.+}}, %[[D0]]] : memref<1x?x40xf32>, vector<16xf32>
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: vector.fma %{{.+}}, %[[H0]]
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: vector.fma %{{.+}}, %[[H1]]
// CHECK: vector.store %{{.+}}, %[[Y]][%c0, %[[TI]], %[[D0]]] : memref<1x?x40xf32>, vector<16xf32>
// CHECK: scf.yield
// CHECK: vector.extract %[[LAST]]#0[0]
// CHECK: memref.store %{{.+}}, %[[S]][%c0, %[[D0]], %c0]
// CHECK: scf.for %{{.+}} = %c32 to %c40 step %c1
// CHECK-NOT: vector
// CHECK: memref.store %{{.+}}, %[[Y]]
func.func @scan(%u: memref<1x?x40xf32>, %dt: memref<1x?x40xf32>, %A: memref<40x2xf32>, %B: memref<1x?x1x2xf32>, %y: memref<1x?x40xf32>, %s: memref<1x40x2xf32>) {
  seqmix.selective_scan ins(%u, %dt, %A, %B, %B : memref<1x?x40xf32>, memref<1x?x40xf32>, memref<40x2xf32>, memref<1x?x1x2xf32>, memref<1x?x1x2xf32>) outs(%y, %s : memref<1x?x40xf32>, memref<1x40x2xf32>) {delta_softplus, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 16, 0]>}
  return
}

// -----

// The same op with a register tile of 8 channels (an AVX2 target).
// CHECK-LABEL: func @scan_avx2
// CHECK: scf.for %{{.+}} = %c0 to %c40 step %c8
// CHECK: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
func.func @scan_avx2(%u: memref<1x?x40xf32>, %dt: memref<1x?x40xf32>, %A: memref<40x2xf32>, %B: memref<1x?x1x2xf32>, %y: memref<1x?x40xf32>, %s: memref<1x40x2xf32>) {
  seqmix.selective_scan ins(%u, %dt, %A, %B, %B : memref<1x?x40xf32>, memref<1x?x40xf32>, memref<40x2xf32>, memref<1x?x1x2xf32>, memref<1x?x1x2xf32>) outs(%y, %s : memref<1x?x40xf32>, memref<1x40x2xf32>) {delta_softplus, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 8, 0]>}
  return
}

// -----

// Without a vector level, or with packed sequences, the op is left for
// convert-seqmix-to-loops.
// CHECK-LABEL: func @left_alone
// CHECK: seqmix.selective_scan
// CHECK: seqmix.causal_conv1d
func.func @left_alone(%u: memref<1x?x40xf32>, %A: memref<40x2xf32>, %B: memref<1x?x1x2xf32>, %y: memref<1x?x40xf32>, %s: memref<1x40x2xf32>, %w: memref<40x4xf32>, %cu: memref<3xi32>, %cs: memref<2x3x40xf32>) {
  seqmix.selective_scan ins(%u, %u, %A, %B, %B : memref<1x?x40xf32>, memref<1x?x40xf32>, memref<40x2xf32>, memref<1x?x1x2xf32>, memref<1x?x1x2xf32>) outs(%y, %s : memref<1x?x40xf32>, memref<1x40x2xf32>) {seqmix.checked}
  seqmix.causal_conv1d ins(%u, %w : memref<1x?x40xf32>, memref<40x4xf32>) cu_seqlens(%cu : memref<3xi32>) outs(%y, %cs : memref<1x?x40xf32>, memref<2x3x40xf32>) {seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 16, 0]>}
  return
}

// -----

// linear_attention, recurrent form (chunk = 1), vector gate: per block of
// 64 tokens and head (heads inside, so a token's rows of all heads are read
// together), q (times the scale) times its decay, k and the decay
// are prepared once into f32 rows on the stack, with the score q.k.
// Then for each column vector (32 of V = 40 columns), the tile of K = 16
// key rows of state is loaded, carried by the token loop (per row, an FMA
// into the token's output from the old state, a multiply by the decay and
// an FMA of k v; no horizontal reduction) and stored once; the output block
// gets the score times v and goes to o. The 8 columns left take the scalar
// body.
// CHECK-LABEL: func @gla
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x?x1x16xf32>, %[[V:[a-z0-9]+]]: memref<1x?x2x40xf32>, %[[G:[a-z0-9]+]]: memref<1x?x2x16xf32>, %[[O:[a-z0-9]+]]: memref<1x?x2x40xf32>, %[[S:[a-z0-9]+]]: memref<1x2x16x40xf32>
// CHECK-DAG: %[[AS:.+]] = memref.alloca() : memref<64x1xf32>
// CHECK-DAG: %[[OB:.+]] = memref.alloca() : memref<64x16xf32>
// CHECK: scf.for %[[T0:.+]] = %c0 to %{{.+}} step %c64
// CHECK: scf.for %[[H:.+]] = %c0 to %c2 step %c1
// CHECK: memref.prefetch %[[Q]]
// CHECK: vector.load %[[Q]]{{.*}} : memref<1x?x1x16xf32>, vector<16xf32>
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK: memref.store %{{.+}}, %[[AS]]
// CHECK: scf.for %[[V0:.+]] = %c0 to %c32 step %c16
// CHECK: vector.load %[[S]][%c0, %[[H]], %c0, %[[V0]]] : memref<1x2x16x40xf32>, vector<16xf32>
// CHECK: scf.for %{{.+}} = %c0 to %{{.+}} step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %[[V]]
// CHECK: vector.fma
// CHECK: arith.mulf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: vector.fma
// CHECK-NOT: vector.reduction
// CHECK: vector.store %{{.+}}, %[[OB]]
// CHECK: scf.yield
// CHECK: vector.store %{{.+}}, %[[S]][%c0, %[[H]], %c0, %[[V0]]]
// CHECK: memref.load %[[AS]]
// CHECK: vector.store %{{.+}}, %[[O]]
// CHECK: scf.for %{{.+}} = %c32 to %c40 step %c1
// CHECK-NOT: vector
// CHECK: memref.store %{{.+}}, %[[O]]
func.func @gla(%q: memref<1x?x1x16xf32>, %v: memref<1x?x2x40xf32>, %g: memref<1x?x2x16xf32>, %o: memref<1x?x2x40xf32>, %s: memref<1x2x16x40xf32>) {
  seqmix.linear_attention ins(%q, %q, %v : memref<1x?x1x16xf32>, memref<1x?x1x16xf32>, memref<1x?x2x40xf32>) log_decay(%g : memref<1x?x2x16xf32>) outs(%o, %s : memref<1x?x2x40xf32>, memref<1x2x16x40xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  return
}

// -----

// The same op with chunk = 4: chunks of 4 tokens, then the tokens left over
// one by one (both when preparing and in the tile), with the 4 x 4
// intra-chunk scores (10 of them, causal) on the stack; a chunk's tile step
// carries the same 16 state rows.
// CHECK-LABEL: func @gla_chunk4
// CHECK-DAG: %[[AS:.+]] = memref.alloca() : memref<64x4xf32>
// CHECK: %[[FULL:.+]] = arith.muli %{{.+}}, %c4
// CHECK: scf.for %{{.+}} = %c0 to %[[FULL]] step %c4
// CHECK-COUNT-10: vector.reduction <add>
// CHECK: scf.for %{{.+}} = %[[FULL]] to %{{.+}} step %c1
// CHECK: scf.for %{{.+}} = %c0 to %[[FULL]] step %c4 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for %{{.+}} = %[[FULL]] to %{{.+}} step %c1 iter_args(
func.func @gla_chunk4(%q: memref<1x?x1x16xf32>, %v: memref<1x?x2x40xf32>, %g: memref<1x?x2x16xf32>, %o: memref<1x?x2x40xf32>, %s: memref<1x2x16x40xf32>) {
  seqmix.linear_attention ins(%q, %q, %v : memref<1x?x1x16xf32>, memref<1x?x1x16xf32>, memref<1x?x2x40xf32>) log_decay(%g : memref<1x?x2x16xf32>) outs(%o, %s : memref<1x?x2x40xf32>, memref<1x2x16x40xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 4>}
  return
}

// -----

// The delta rule, vk layout: the heads' states are transposed once into
// f32 [K, V] blocks (on the heap); each column vector's K rows are copied
// from them into an f32 block on the stack; per token, a pass over the rows sums k S
// (ungated, it only reads), u = beta (v - k S), and a second pass adds k u
// to the rows and sums q S into o.
// CHECK-LABEL: func @delta
// CHECK-SAME: %[[B:[a-z0-9]+]]: memref<1x?x2xf32>, %[[O:[a-z0-9]+]]: memref<1x?x2x32xf32>, %[[S:[a-z0-9]+]]: memref<1x2x32x16xf32>
// CHECK-DAG: %[[SH:.+]] = memref.alloc() : memref<2x16x32xf32>
// CHECK-DAG: %[[ST:.+]] = memref.alloca() : memref<16x16xf32>
// CHECK: memref.load %[[S]]
// CHECK: memref.store %{{.+}}, %[[SH]]
// CHECK: vector.load %[[SH]]
// CHECK: vector.store %{{.+}}, %[[ST]]
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NOT: vector.store
// CHECK: scf.yield
// CHECK: memref.load %[[B]]
// CHECK: arith.subf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.fma
// CHECK: vector.store %{{.+}}, %[[ST]]
// CHECK: scf.yield
// CHECK: vector.store %{{.+}}, %[[O]]
// CHECK: memref.store %{{.+}}, %[[S]]
func.func @delta(%q: memref<1x?x1x16xf32>, %v: memref<1x?x2x32xf32>, %b: memref<1x?x2xf32>, %o: memref<1x?x2x32xf32>, %s: memref<1x2x32x16xf32>) {
  seqmix.linear_attention ins(%q, %q, %v : memref<1x?x1x16xf32>, memref<1x?x1x16xf32>, memref<1x?x2x32xf32>) beta(%b : memref<1x?x2xf32>) outs(%o, %s : memref<1x?x2x32xf32>, memref<1x2x32x16xf32>) {scale = 0.25 : f32, state_layout = #seqmix.state_layout<vk>, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  return
}

// -----

// The gated delta rule in chunks of 2 (the UT form): per chunk, a first
// pass over the 16 state rows in L1 sums (k_t P_t) S and (q_t P_t) S for
// both tokens (four accumulators, two partial sums each, no store); u_0 =
// beta_0 (v_0 - k_0 S), u_1 = beta_1 (v_1 - k_1 S - a[1, 0] u_0) by
// forward substitution; o_t adds the q scores times u; a second pass
// decays each row once, adds k_0 u_0 and k_1 u_1 and stores it once. The
// token left over (T odd) takes the same form with one token.
// CHECK-LABEL: func @delta_chunks
// CHECK: %[[ST:.+]] = memref.alloca() : memref<16x16xf32>
// CHECK: scf.for %[[BASE:.+]] = %c0 to %{{.+}} step %c2 {
// CHECK: scf.for {{.*}} step %c2 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-NOT: vector.store
// CHECK-COUNT-8: vector.fma
// CHECK: scf.yield
// CHECK: %[[R0:.+]] = arith.subf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: %[[U0:.+]] = arith.mulf %{{.+}}, %[[R0]] : vector<16xf32>
// CHECK: %[[R1:.+]] = arith.subf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: %[[A10:.+]] = arith.mulf %{{.+}}, %[[U0]] : vector<16xf32>
// CHECK: %[[R1B:.+]] = arith.subf %[[R1]], %[[A10]] : vector<16xf32>
// CHECK: %[[U1:.+]] = arith.mulf %{{.+}}, %[[R1B]] : vector<16xf32>
// CHECK: vector.store
// CHECK: vector.store
// CHECK: scf.for
// CHECK: %[[ROW:.+]] = vector.load %[[ST]]
// CHECK: %[[DECAYED:.+]] = arith.mulf %[[ROW]], %{{.+}} : vector<16xf32>
// CHECK: %[[ONE:.+]] = vector.fma %{{.+}}, %[[U0]], %[[DECAYED]]
// CHECK: %[[TWO:.+]] = vector.fma %{{.+}}, %[[U1]], %[[ONE]]
// CHECK: vector.store %[[TWO]], %[[ST]]
func.func @delta_chunks(%q: memref<1x?x1x16xf32>, %v: memref<1x?x1x16xf32>, %g: memref<1x?x1xf32>, %b: memref<1x?x1xf32>, %o: memref<1x?x1x16xf32>, %s: memref<1x1x16x16xf32>) {
  seqmix.linear_attention ins(%q, %q, %v : memref<1x?x1x16xf32>, memref<1x?x1x16xf32>, memref<1x?x1x16xf32>) log_decay(%g : memref<1x?x1xf32>) beta(%b : memref<1x?x1xf32>) outs(%o, %s : memref<1x?x1x16xf32>, memref<1x1x16x16xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 2>}
  return
}

// -----

// A chunk above 8 (fla's 64) runs as register chunks of 8 (the GEMM-sized
// form is not built); K must be static: the second op is left for
// convert-seqmix-to-loops.
// CHECK-LABEL: func @la_left_alone
// CHECK: vector.fma
// CHECK: seqmix.linear_attention
// CHECK-NOT: seqmix.linear_attention
func.func @la_left_alone(%q: memref<1x?x1x16xf32>, %qd: memref<1x?x1x?xf32>, %v: memref<1x?x2x40xf32>, %o: memref<1x?x2x40xf32>, %s: memref<1x2x16x40xf32>, %sd: memref<1x2x?x40xf32>) {
  seqmix.linear_attention ins(%q, %q, %v : memref<1x?x1x16xf32>, memref<1x?x1x16xf32>, memref<1x?x2x40xf32>) outs(%o, %s : memref<1x?x2x40xf32>, memref<1x2x16x40xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 64>}
  seqmix.linear_attention ins(%qd, %qd, %v : memref<1x?x1x?xf32>, memref<1x?x1x?xf32>, memref<1x?x2x40xf32>) outs(%o, %sd : memref<1x?x2x40xf32>, memref<1x2x?x40xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  return
}

// -----

// causal_conv1d: the taps are packed once into contiguous rows; the first
// W-1 = 3 outputs read rows before the sequence from the state, the rest
// read input rows t-3..t in memory order (each line prefetched 4 rows
// ahead), vectorized over 16 channels, with
// bias and silu on the same registers. The new state is the last 3 rows of
// [state; x], written after the outputs.
// CHECK-LABEL: func @conv
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<1x?x32xf32>, %[[W:[a-z0-9]+]]: memref<32x4xf32>, %[[BIAS:[a-z0-9]+]]: memref<32xf32>, %[[Y:[a-z0-9]+]]: memref<1x?x32xf32>, %[[S:[a-z0-9]+]]: memref<1x3x32xf32>
// CHECK-COUNT-4: memref.alloca() : memref<32xf32>
// CHECK: %[[T:.+]] = memref.dim %[[X]], %c1
// CHECK: %[[HEAD:.+]] = arith.minsi %[[T]], %c3
// CHECK: scf.for %{{.+}} = %c0 to %[[HEAD]] step %c1
// CHECK: scf.if
// CHECK: vector.load %[[S]]
// CHECK: scf.for %[[TI:.+]] = %[[HEAD]] to %[[T]] step %c1
// CHECK: %[[AHEAD:.+]] = arith.minsi
// CHECK-NEXT: scf.for %[[D0:.+]] = %c0 to %c32 step %c16
// CHECK-NEXT: memref.prefetch %[[X]][%c0, %[[AHEAD]], %[[D0]]]
// CHECK: vector.load %[[BIAS]][%[[D0]]]
// CHECK-COUNT-4: vector.fma
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: arith.divf
// CHECK: vector.store %{{.+}}, %[[Y]][%c0, %[[TI]], %[[D0]]]
// CHECK: vector.store %{{.+}}, %[[S]][%c0, %c0, %{{.+}}]
func.func @conv(%x: memref<1x?x32xf32>, %w: memref<32x4xf32>, %b: memref<32xf32>, %y: memref<1x?x32xf32>, %s: memref<1x3x32xf32>) {
  seqmix.causal_conv1d ins(%x, %w : memref<1x?x32xf32>, memref<32x4xf32>) bias(%b : memref<32xf32>) outs(%y, %s : memref<1x?x32xf32>, memref<1x3x32xf32>) {activation = #seqmix.activation<silu>, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 16, 0]>}
  return
}

// -----

// Without seqmix.checked, the run-time checks come first.
// CHECK-LABEL: func @checked_first
// CHECK: cf.assert
// CHECK: vector.load
func.func @checked_first(%x: memref<1x?x32xf32>, %w: memref<32x4xf32>, %y: memref<1x?x32xf32>, %s: memref<1x3x32xf32>) {
  seqmix.causal_conv1d ins(%x, %w : memref<1x?x32xf32>, memref<32x4xf32>) outs(%y, %s : memref<1x?x32xf32>, memref<1x3x32xf32>) {seqmix.tile = #seqmix.cpu_tiling<vector = [0, 16, 0]>}
  return
}

// -----

// hadamard, N = 12 * 32: the row is loaded with the lane butterflies (a
// shuffle and an FMA with a ±1 vector per stage closer than 16 lanes), the
// stage of distance 16 pairs whole vectors of the row buffer, then the 12
// segments are mixed by H_12 with adds and subtracts, scaled by 1/sqrt(384)
// and stored.
// CHECK-LABEL: func @hadamard
// CHECK: memref.alloca() : memref<384xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c384 step %c16
// CHECK-COUNT-4: vector.shuffle
// CHECK: scf.for %{{.+}} = %c0 to %c384 step %c32
// CHECK: arith.subf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c32 step %c16
// CHECK-COUNT-12: vector.load
// CHECK: arith.mulf
// CHECK: vector.store
func.func @hadamard(%x: memref<2x384xf32>, %y: memref<2x384xf32>) {
  seqmix.hadamard ins(%x : memref<2x384xf32>) outs(%y : memref<2x384xf32>) {seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [16]>}
  return
}

// -----

// An elementwise consumer of hadamard's output that nothing else reads (the
// int8 quantization of a quantized destination) is applied on the registers
// and stored into its own output: no f32 row reaches memory.
// CHECK-LABEL: func @hadamard_int8
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<2x64xi8>
// CHECK-NOT: linalg.generic
// CHECK: arith.divf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: math.roundeven %{{.+}} : vector<16xf32>
// CHECK: arith.fptosi %{{.+}} : vector<16xf32> to vector<16xi8>
// CHECK: vector.store %{{.+}}, %[[Q]]
#id = affine_map<(r, c) -> (r, c)>
func.func @hadamard_int8(%x: memref<2x64xf32>, %q: memref<2x64xi8>) {
  %y = memref.alloc() : memref<2x64xf32>
  seqmix.hadamard ins(%x : memref<2x64xf32>) outs(%y : memref<2x64xf32>) {seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [16]>}
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : memref<2x64xf32>) outs(%q : memref<2x64xi8>) {
  ^bb0(%a: f32, %o: i8):
    %s = arith.constant 2.0e-02 : f32
    %d = arith.divf %a, %s : f32
    %r = math.roundeven %d : f32
    %i = arith.fptosi %r : f32 to i8
    linalg.yield %i : i8
  }
  return
}

// -----

// segment_matmul: per segment (offsets[s]..offsets[s+1]), the rows of packed
// and of the result and weight[s mod M] as views, then the matmul kernel:
// 8 x 2-vector micro-kernels over NR = 32 columns, K in blocks.
// CHECK-LABEL: func @segment_matmul
// CHECK-SAME: %[[P:[a-z0-9]+]]: memref<?x40xf32>, %[[W:[a-z0-9]+]]: memref<3x40x50xf32>, %[[OFF:[a-z0-9]+]]: memref<7xi64>, %[[C:[a-z0-9]+]]: memref<?x50xf32>
// CHECK: scf.for %[[S:.+]] = %c0 to %c6 step %c1
// CHECK: memref.load %[[OFF]][%[[S]]]
// CHECK: memref.subview %[[W]][%{{.+}}, 0, 0] [1, 40, 50] [1, 1, 1] : memref<3x40x50xf32> to memref<40x50xf32, strided<[50, 1], offset: ?>>
// CHECK: memref.subview %[[P]]
// CHECK: %[[CS:.+]] = memref.subview %[[C]]
// CHECK: scf.for {{.*}} step %c8
// CHECK: vector.load %[[CS]]{{.*}} vector<16xf32>
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.fma
func.func @segment_matmul(%p: memref<?x40xf32>, %w: memref<3x40x50xf32>, %off: memref<7xi64>, %c: memref<?x50xf32>) {
  seqmix.segment_matmul ins(%p, %w, %off : memref<?x40xf32>, memref<3x40x50xf32>, memref<7xi64>) outs(%c : memref<?x50xf32>) {seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 32]>}
  return
}

// -----

// ssd through the same builder: per token and head, Δ = softplus(dt) and
// exp(Δ A) while preparing (scalars, kept on the stack); in the tile, x
// scaled by Δ as it is loaded; when y is stored, D x and silu(z). No linalg
// op and no [B, T, H, P] temporary.
// CHECK-LABEL: func @ssd
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<1x?x2x16xf32>, %[[DT:[a-z0-9]+]]: memref<1x?x2xf32>, %{{.+}}, %{{.+}}, %{{.+}}, %[[Z:[a-z0-9]+]]: memref<1x?x2x16xf32>, %[[Y:[a-z0-9]+]]: memref<1x?x2x16xf32>
// CHECK-NOT: linalg
// CHECK-DAG: %[[DTS:.+]] = memref.alloca() : memref<64xf32>
// CHECK: memref.load %[[DT]]
// CHECK: math.log1p
// CHECK: memref.store %{{.+}}, %[[DTS]]
// CHECK: math.exp
// CHECK: scf.for {{.*}} iter_args
// CHECK: vector.load %[[X]]
// CHECK: memref.load %[[DTS]]
// CHECK: arith.mulf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: vector.load %[[Z]]
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: vector.store %{{.+}}, %[[Y]]
// CHECK-NOT: linalg
func.func @ssd(%x: memref<1x?x2x16xf32>, %dt: memref<1x?x2xf32>, %A: memref<2xf32>, %B: memref<1x?x1x8xf32>, %D: memref<2xf32>, %z: memref<1x?x2x16xf32>, %y: memref<1x?x2x16xf32>, %s: memref<1x2x16x8xf32>) {
  seqmix.ssd ins(%x, %dt, %A, %B, %B : memref<1x?x2x16xf32>, memref<1x?x2xf32>, memref<2xf32>, memref<1x?x1x8xf32>, memref<1x?x1x8xf32>) D(%D : memref<2xf32>) z(%z : memref<1x?x2x16xf32>) outs(%y, %s : memref<1x?x2x16xf32>, memref<1x2x16x8xf32>) {dt_softplus, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  return
}

// -----

// route, lanes over 16 tokens: each memory's logits gathered into a vector,
// the softmax and both top-k rounds on vectors (compares and selects, no
// horizontal step), picks and weights written lane by lane; the tokens left
// over take the scalar body.
// CHECK-LABEL: func @route
// CHECK-SAME: %[[L:[a-z0-9]+]]: memref<2x?x4xf32>, %[[I:[a-z0-9]+]]: memref<2x?x2xi32>, %[[W:[a-z0-9]+]]: memref<2x?x2xf32>
// CHECK: %[[FULL:.+]] = arith.muli %{{.+}}, %c16
// CHECK: scf.for %[[T0:.+]] = %c0 to %[[FULL]] step %c16
// CHECK: vector.from_elements {{.*}} : vector<16xf32>
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: arith.cmpf olt, %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<16xi1>, vector<16xindex>
// CHECK: arith.divf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: memref.store %{{.+}}, %[[I]][%{{.+}}, %[[T0]], %c0] : memref<2x?x2xi32>
// CHECK: memref.store %{{.+}}, %[[W]]
// CHECK: scf.for %{{.+}} = %[[FULL]] to %{{.+}} step %c1
func.func @route(%l: memref<2x?x4xf32>, %i: memref<2x?x2xi32>, %w: memref<2x?x2xf32>) {
  seqmix.route ins(%l : memref<2x?x4xf32>) outs(%i, %w : memref<2x?x2xi32>, memref<2x?x2xf32>) {top_k = 2 : i64, renormalize, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 16]>}
  return
}

// -----

// sliding_window_attention as online softmax on 16-key tiles: the head's
// keys transposed once, tile by tile ([tiles, D, 16], on the heap); a block
// of 4 query rows visits only the key tiles its windows touch, from the
// tile holding its first row's first key (c0 - 40, clipped at 0) to its last
// row's last key: fully masked tiles are never loaded. The tiles inside
// every row's window skip the mask: three loops, masked, unmasked, masked.
// Scores, the softmax reference and sum (lane by lane, summed once at the
// end) and the Dv = 32 accumulators (2 vectors per row) stay in registers;
// a tile moves a row's reference (a horizontal maximum and the rescaling)
// only where a score passes it by the slack, tested with one compare and a
// mask reduction. Rows left over (Tq not a multiple of 4) take a one-row
// block.
// CHECK-LABEL: func @swa
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x?x2x16xf32>, %[[K:[a-z0-9]+]]: memref<1x?x1x16xf32>, %[[V:[a-z0-9]+]]: memref<1x?x1x32xf32>, %[[O:[a-z0-9]+]]: memref<1x?x2x32xf32>, %[[LSE:[a-z0-9]+]]: memref<1x?x2xf32>
// CHECK-DAG: %[[TK:.+]] = memref.dim %[[K]], %c1
// CHECK-DAG: %[[KT:.+]] = memref.alloc(%{{.+}}) : memref<?x16x16xf32>
// CHECK: memref.store %{{.+}}, %[[KT]]
// CHECK: scf.for %[[I0:.+]] = %c0 to %{{.+}} step %c4
// CHECK: %[[C0:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK: %[[FROM:.+]] = arith.subi %[[C0]], %c40
// CHECK: %[[LO:.+]] = arith.maxsi %[[FROM]], %c0
// CHECK-COUNT-3: arith.minsi %{{.+}}, %[[TK]]
// CHECK: arith.minsi %{{.+}}, %[[TK]]
// CHECK-NEXT: %[[HI:.+]] = arith.maxsi %{{.+}}, %{{.+}} : index
// CHECK: %[[TILE:.+]] = arith.divui %[[LO]], %c16
// CHECK: %[[FIRST:.+]] = arith.muli %[[TILE]], %c16
// CHECK: %[[HEAD:.+]]:16 = scf.for %[[J0:.+]] = %[[FIRST]] to %[[IN_FROM:[^ ]+]] step %c16 iter_args({{.*}}) -> (f32, vector<16xf32>, f32, vector<16xf32>, f32, vector<16xf32>, f32, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %[[KT]]
// CHECK: vector.fma
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK: %[[ABOVE:.+]] = arith.cmpf ogt, %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK: %[[PASSES:.+]] = vector.reduction <or>, %[[ABOVE]] : vector<16xi1> into i1
// CHECK: scf.if %[[PASSES]] -> (f32, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.reduction <maximumf>
// CHECK: math.exp %{{.+}} : f32
// CHECK: } else {
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK-NOT: vector.reduction <add>
// CHECK: vector.load %[[V]]
// CHECK: scf.yield
// CHECK: %[[BODY:.+]]:16 = scf.for %{{.+}} = %[[IN_FROM]] to %[[IN_TO:[^ ]+]] step %c16 iter_args(%{{.+}} = %[[HEAD]]#0,
// CHECK-NOT: arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK: vector.reduction <or>
// CHECK-NOT: arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK: scf.yield
// CHECK: scf.for %{{.+}} = %[[IN_TO]] to %[[HI]] step %c16 iter_args(%{{.+}} = %[[BODY]]#0,
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK: scf.yield
// CHECK: vector.reduction <add>
// CHECK: vector.store %{{.+}}, %[[O]]
// CHECK: math.log
// CHECK: memref.store %{{.+}}, %[[LSE]]
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c1
func.func @swa(%q: memref<1x?x2x16xf32>, %k: memref<1x?x1x16xf32>, %v: memref<1x?x1x32xf32>, %o: memref<1x?x2x32xf32>, %lse: memref<1x?x2xf32>) {
  seqmix.sliding_window_attention ins(%q, %k, %v : memref<1x?x2x16xf32>, memref<1x?x1x16xf32>, memref<1x?x1x32xf32>) outs(%o, %lse : memref<1x?x2x32xf32>, memref<1x?x2xf32>) {window_left = 40 : i64, window_right = 0 : i64, scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16]>}
  return
}

// -----

// neighborhood_attention, 1-D without dilation, with a kernel wider than a
// vector, through the same builder: each row's window is NATTEN's (shifted
// at the borders), its rpb read for the lanes inside the window only.
// CHECK-LABEL: func @na1d
// CHECK-SAME: %[[RPB:[a-z0-9]+]]: memref<2x41xf32>
// CHECK: memref.alloc() : memref<3x16x16xf32>
// CHECK: scf.for {{.*}} step %c16 iter_args
// CHECK: vector.maskedload %[[RPB]]
// CHECK: math.exp %{{.+}} : vector<16xf32>
func.func @na1d(%q: memref<1x40x2x16xf32>, %rpb: memref<2x41xf32>, %o: memref<1x40x2x16xf32>) {
  seqmix.neighborhood_attention ins(%q, %q, %q : memref<1x40x2x16xf32>, memref<1x40x2x16xf32>, memref<1x40x2x16xf32>) rpb(%rpb : memref<2x41xf32>) outs(%o : memref<1x40x2x16xf32>) {kernel_size = array<i64: 21>, scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16]>}
  return
}

// -----

// neighborhood_attention in 2-D with a short kernel along the last axis
// (k <= the width) and no rpb: lanes over queries. The head's q, k and v are
// transposed row by row (a 16 x 16 block at a time: four rounds of
// two-source shuffles, each swapping the off-diagonal 8 x 8, 4 x 4, 2 x 2
// and 1 x 1 blocks) into a slab per row and vector of 16 queries, which
// for k and v holds the 8 positions on either side too. The last axis is
// NATTEN's plain rule, so a block of two rows of 16 queries walks the
// union of their windows' key rows and on each the kernel's 7 static
// steps: a step of a key line is one load at column 8 - 3 + j of the slab,
// serving both rows, and lanes at an image border take their window's key:
// at the left (x < 3, only in the vector at x = 0) lane 3's of the same
// load, by one permute; at the right (x >= 20 - 3) as a broadcast. Four variants of the block, by
// the borders its lanes touch; no lane masks, no offset ranges. Each
// lane's softmax is its own (no horizontal reduction of scores). q's slab
// holds the block's two rows alone (2 x 2 vectors x D = 16 lines); k and v
// a ring of rows whose size the walk over the blocks finds at run time.
// CHECK-LABEL: func @na2d_query_lanes
// CHECK-DAG: %[[QBUF:.+]] = memref.alloc() : memref<64x16xf32>
// CHECK-DAG: memref.alloc(%[[RING:.+]]) : memref<?x32xf32>
// CHECK-DAG: memref.alloc(%[[RING]]) : memref<?x32xf32>
// CHECK-COUNT-8: vector.shuffle %{{.+}}, %{{.+}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle %{{.+}}, %{{.+}} [0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30]
// CHECK: %[[LEFT:.+]] = arith.cmpi slt, %[[X0:.+]], %c3 : index
// CHECK: %[[END:.+]] = arith.addi %[[X0]], %c18 : index
// CHECK: %[[RIGHT:.+]] = arith.cmpi sge, %[[END]], %c20 : index
// CHECK: scf.if %[[LEFT]] {
// CHECK-NEXT: scf.if %[[RIGHT]] {
// CHECK-NOT: vector.reduction <minsi>
// CHECK: scf.for {{.*}} iter_args
// CHECK: %[[Q0:.+]] = vector.load %[[QBUF]][%{{.+}}, %c0] : memref<64x16xf32>, vector<16xf32>
// CHECK: %[[Q1:.+]] = vector.load %[[QBUF]][%{{.+}}, %c0] : memref<64x16xf32>, vector<16xf32>
// CHECK: %[[K:.+]] = vector.load %[[KT:.+]][%{{.+}}, %c5] : memref<?x32xf32>, vector<16xf32>
// CHECK: %[[K1:.+]] = vector.shuffle %[[K]], %[[K]] [3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
// CHECK: %[[KR:.+]] = memref.load %[[KT]][%{{.+}}, %c21]
// CHECK: %[[BR:.+]] = vector.broadcast %[[KR]]
// CHECK: %[[K2:.+]] = arith.select %{{.+}}, %[[BR]], %[[K1]]
// CHECK: vector.fma %[[Q0]], %[[K2]]
// CHECK: vector.fma %[[Q1]], %[[K2]]
// CHECK-NOT: vector.reduction <maximumf>
// CHECK: math.exp %{{.+}} : vector<16xf32>
// CHECK: vector.shuffle %{{.+}}, %{{.+}} [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
func.func @na2d_query_lanes(%q: memref<1x9x20x2x16xf32>, %o: memref<1x9x20x2x16xf32>) {
  seqmix.neighborhood_attention ins(%q, %q, %q : memref<1x9x20x2x16xf32>, memref<1x9x20x2x16xf32>, memref<1x9x20x2x16xf32>) outs(%o : memref<1x9x20x2x16xf32>) {kernel_size = array<i64: 3, 7>, scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16]>}
  return
}

// -----

// Dilated (2, 3): the same lanes over queries; key rows step by 2 and the
// offsets along the last axis by 3 (a lane's keys are every third position,
// and so are its offsets from them).
// CHECK-LABEL: func @na2d_dilated
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c2 iter_args
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c3 iter_args
// CHECK: vector.fma
func.func @na2d_dilated(%q: memref<1x11x20x2x16xf32>, %o: memref<1x11x20x2x16xf32>) {
  seqmix.neighborhood_attention ins(%q, %q, %q : memref<1x11x20x2x16xf32>, memref<1x11x20x2x16xf32>, memref<1x11x20x2x16xf32>) outs(%o : memref<1x11x20x2x16xf32>) {kernel_size = array<i64: 3, 5>, dilation = array<i64: 2, 3>, scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16]>}
  return
}

// -----

// With rpb, lanes over queries add one bias per key row and offset, the
// same for every lane: a scalar load, broadcast.
// CHECK-LABEL: func @na2d_rpb_query_lanes
// CHECK-SAME: %[[RPB:[a-z0-9]+]]: memref<2x5x13xf32>
// CHECK: %[[B:.+]] = memref.load %[[RPB]]
// CHECK: vector.broadcast %[[B]] : f32 to vector<16xf32>
func.func @na2d_rpb_query_lanes(%q: memref<1x9x20x2x16xf32>, %rpb: memref<2x5x13xf32>, %o: memref<1x9x20x2x16xf32>) {
  seqmix.neighborhood_attention ins(%q, %q, %q : memref<1x9x20x2x16xf32>, memref<1x9x20x2x16xf32>, memref<1x9x20x2x16xf32>) rpb(%rpb : memref<2x5x13xf32>) outs(%o : memref<1x9x20x2x16xf32>) {kernel_size = array<i64: 3, 7>, scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16]>}
  return
}

// -----

// combine, lanes over the last feature dimension: each packed row r finds
// its slot (b, t, j) from rows[r], loads the weight once and adds w x row to
// the token's features, 16 at a time; the features left over go one by one.
// CHECK-LABEL: func @combine
// CHECK-SAME: %[[P:[a-z0-9]+]]: memref<?x40xf32>, %[[R:[a-z0-9]+]]: memref<?xi32>, %[[W:[a-z0-9]+]]: memref<2x?x2xf32>, %[[O:[a-z0-9]+]]: memref<2x?x40xf32>
// CHECK: scf.for %[[ROW:.+]] = %c0 to %{{.+}} step %c1
// CHECK: memref.load %[[R]][%[[ROW]]]
// CHECK: %[[WT:.+]] = memref.load %[[W]]
// CHECK: %[[WV:.+]] = vector.broadcast %[[WT]] : f32 to vector<16xf32>
// CHECK: scf.for %[[F:.+]] = %c0 to %c32 step %c16
// CHECK: vector.load %[[O]][{{.+}}, %[[F]]] : memref<2x?x40xf32>, vector<16xf32>
// CHECK: vector.load %[[P]][%[[ROW]], %[[F]]] : memref<?x40xf32>, vector<16xf32>
// CHECK: arith.mulf %[[WV]]
// CHECK: vector.store
// CHECK: scf.for %{{.+}} = %c32 to %c40 step %c1
// CHECK-NOT: vector.
// CHECK: return
func.func @combine(%p: memref<?x40xf32>, %r: memref<?xi32>, %w: memref<2x?x2xf32>, %o: memref<2x?x40xf32>) {
  seqmix.combine ins(%p, %r, %w : memref<?x40xf32>, memref<?xi32>, memref<2x?x2xf32>) outs(%o : memref<2x?x40xf32>) {seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 16]>}
  return
}

// -----

// dispatch needs no config: the counting sort of each batch row on the
// calling thread (offsets and rows, with the memory-index check), then the
// rows copied in parallel, each from the slot that rows[r] names.
// CHECK-LABEL: func @dispatch
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<2x?x24xf32>, %[[I:[a-z0-9]+]]: memref<2x?x2xi32>, %[[P:[a-z0-9]+]]: memref<?x24xf32>, %[[OFF:[a-z0-9]+]]: memref<9xi32>, %[[R:[a-z0-9]+]]: memref<?xi32>
// CHECK: scf.for
// CHECK: cf.assert
// CHECK-NOT: memref.store %{{.+}}, %[[P]]
// CHECK: scf.parallel (%[[R0:.+]]) = (%c0) to (%{{.+}}) step (%c16)
// CHECK: scf.for %[[ROW:.+]] = %[[R0]]
// CHECK: memref.load %[[R]][%[[ROW]]]
// CHECK: scf.for %[[F:.+]] = %c0 to %c24 step %c1
// CHECK: %[[V:.+]] = memref.load %[[X]]
// CHECK: memref.store %[[V]], %[[P]][%[[ROW]], %[[F]]]
func.func @dispatch(%x: memref<2x?x24xf32>, %i: memref<2x?x2xi32>, %p: memref<?x24xf32>, %off: memref<9xi32>, %r: memref<?xi32>) {
  seqmix.dispatch ins(%x, %i : memref<2x?x24xf32>, memref<2x?x2xi32>) outs(%p, %off, %r : memref<?x24xf32>, memref<9xi32>, memref<?xi32>) {num_memories = 4 : i64, seqmix.checked}
  return
}

// -----

// linalg.matmul with a CPU config: row blocks on threads; in each, row
// sub-blocks whose A block (512 rows x KC = 16) stays in cache, K blocks,
// 8 x 2-vector micro-kernels on the 32-column panel, then one 16-lane
// vector (columns 32..47) and one 4-lane vector (48..51): no column is left
// to scalar code.
// CHECK-LABEL: func @matmul
// CHECK: scf.parallel (%[[I0:.+]]) = (%c0) to (%{{.+}}) step (%c64)
// CHECK: scf.for %[[S0:.+]] = %[[I0]] to %{{.+}} step %c512
// CHECK: scf.for %[[K0:.+]] = %c0 to %c40 step %c16
// CHECK: scf.for %{{.+}} = %[[S0]] to %{{.+}} step %c8
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %{{.+}}[%{{.+}}, %c32] : memref<40x52xf32>, vector<16xf32>
// CHECK: vector.load %{{.+}}[%{{.+}}, %c48] : memref<40x52xf32>, vector<4xf32>
// CHECK: vector.fma %{{.+}} : vector<4xf32>
// CHECK-NOT: arith.mulf
// CHECK: return
func.func @matmul(%a: memref<?x40xf32>, %b: memref<40x52xf32>, %c: memref<?x52xf32>) {
  linalg.matmul {seqmix.tile = #seqmix.cpu_tiling<threads = [64, 0, 0], cache = [0, 0, 16], vector = [8, 32, 0]>} ins(%a, %b : memref<?x40xf32>, memref<40x52xf32>) outs(%c : memref<?x52xf32>)
  return
}

// -----

// The config's query tile sets the rows of a block: query = [3, 16] gives
// three rows of 16 queries, three q loads per D and each key load feeding
// three FMAs.
// CHECK-LABEL: func @na2d_query_tile
// CHECK: scf.for {{.*}} iter_args
// CHECK: %[[Q0:.+]] = vector.load %[[QT:.+]][%{{.+}}, %c0] : memref<96x16xf32>, vector<16xf32>
// CHECK: %[[Q1:.+]] = vector.load %[[QT]][%{{.+}}, %c0]
// CHECK: %[[Q2:.+]] = vector.load %[[QT]][%{{.+}}, %c0]
// CHECK: %[[KL:.+]] = arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<16xi1>, vector<16xf32>
// CHECK: %[[K:.+]] = arith.select %{{.+}}, %{{.+}}, %[[KL]] : vector<16xi1>, vector<16xf32>
// CHECK: vector.fma %[[Q0]], %[[K]]
// CHECK: vector.fma %[[Q1]], %[[K]]
// CHECK: vector.fma %[[Q2]], %[[K]]
func.func @na2d_query_tile(%q: memref<1x9x20x2x16xf32>, %o: memref<1x9x20x2x16xf32>) {
  seqmix.neighborhood_attention ins(%q, %q, %q : memref<1x9x20x2x16xf32>, memref<1x9x20x2x16xf32>, memref<1x9x20x2x16xf32>) outs(%o : memref<1x9x20x2x16xf32>) {kernel_size = array<i64: 3, 7>, scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 0, 16], query = [3, 16]>}
  return
}
