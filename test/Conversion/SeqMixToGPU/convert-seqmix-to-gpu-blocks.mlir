// RUN: seqmix-opt %s -split-input-file --convert-seqmix-to-gpu-blocks --canonicalize --cse | FileCheck %s --enable-var-scope

// Chunked linear attention in one block of 2 warps (64 threads), chunks of
// 16 tokens: GQA (head h reads q/k head h / 2), a scalar gate, bf16 values
// and output. The block's code is one no_inline region; the buffers it
// allocates outside its thread loops are its shared memory: q and k rows,
// values, scores, the state tile, and the cumulative gates as two floats.
// Every phase is an scf.parallel over the 64 threads, each thread taking
// points tid, tid + 64, ...
// CHECK-LABEL: func @gla
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x37x2x48xf32>, %[[K:[a-z0-9]+]]: memref<1x37x2x48xf32>, %[[V:[a-z0-9]+]]: memref<1x37x4x32xbf16>, %[[G:[a-z0-9]+]]: memref<1x37x4xf32>, %[[O:[a-z0-9]+]]: memref<1x37x4x32xbf16>, %[[S:[a-z0-9]+]]: memref<1x4x48x32xf32>
// CHECK: scf.execute_region no_inline {
// CHECK-DAG: %[[QS:.+]] = memref.alloca() : memref<16x48xf32>
// CHECK-DAG: %[[KS:.+]] = memref.alloca() : memref<16x48xf32>
// CHECK-DAG: %[[VS:.+]] = memref.alloca() : memref<16x32xf32>
// CHECK-DAG: %[[AS:.+]] = memref.alloca() : memref<16x16xf32>
// CHECK-DAG: %[[SS:.+]] = memref.alloca() : memref<48x32xf32>
// CHECK: scf.for %[[H:.+]] = %c0 to %c4 step %c1 {
// CHECK: %[[HQ:.+]] = arith.divui %[[H]], %c2
// The state tile in.
// CHECK: scf.parallel (%[[TID:.+]]) = (%c0) to (%c64) step (%c1) {
// CHECK: scf.for %{{.+}} = %[[TID]] to %c1536 step %c64 {
// CHECK: memref.load %[[S]][%c0, %[[H]],
// CHECK: memref.store %{{.+}}, %[[SS]]
// CHECK: } {seqmix.block_threads = 64 : i64}
// The chunks; the last is 37 - 32 = 5 tokens.
// CHECK: scf.for %[[T0:.+]] = %c0 to %c37 step %c16 {
// CHECK: %[[L:.+]] = arith.minsi %{{.+}}, %c16
// CHECK: memref.load %[[Q]][%c0, %{{.+}}, %[[HQ]],
// CHECK: memref.store %{{.+}}, %[[QS]]
// CHECK: memref.load %[[K]][%c0, %{{.+}}, %[[HQ]],
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK: memref.load %[[G]][%c0, %{{.+}}, %[[H]]]
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK: memref.load %[[V]]
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: } {seqmix.block_threads = 64 : i64}
// The compensated prefix sum of the gates.
// CHECK: scf.for %{{.+}} iter_args(%{{.+}} = %cst, %{{.+}} = %cst) -> (f32, f32)
// CHECK: } {seqmix.block_threads = 64 : i64}
// Scores, lower triangle only.
// CHECK: arith.cmpi ule
// CHECK: scf.if
// CHECK: math.exp
// CHECK: memref.store %{{.+}}, %[[AS]]
// CHECK: } {seqmix.block_threads = 64 : i64}
// Outputs: q S, then the chunk's rows up to r.
// CHECK: memref.load %[[SS]]
// CHECK: memref.load %[[AS]]
// CHECK: memref.load %[[VS]]
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: memref.store %{{.+}}, %[[O]][%c0, %{{.+}}, %[[H]], %{{.+}}]
// CHECK: } {seqmix.block_threads = 64 : i64}
// The state after the chunk.
// CHECK: memref.store %{{.+}}, %[[SS]]
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK: }
// The state tile out.
// CHECK: memref.store %{{.+}}, %[[S]][%c0, %[[H]],
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK-NOT: seqmix.linear_attention
func.func @gla(%q: memref<1x37x2x48xf32>, %k: memref<1x37x2x48xf32>,
               %v: memref<1x37x4x32xbf16>, %g: memref<1x37x4xf32>,
               %o: memref<1x37x4x32xbf16>, %s: memref<1x4x48x32xf32>) {
  seqmix.linear_attention ins(%q, %k, %v : memref<1x37x2x48xf32>,
      memref<1x37x2x48xf32>, memref<1x37x4x32xbf16>)
      log_decay(%g : memref<1x37x4xf32>)
      outs(%o, %s : memref<1x37x4x32xbf16>, memref<1x4x48x32xf32>)
      {scale = 0.125 : f32, seqmix.tile = #seqmix.gpu_tiling<warps = 2, chunk = 16>}
  return
}

// -----

// A final state the program drops: bufferization gave the op a fresh buffer
// filled from the initial state. The block reads the initial state where it
// is and writes no state; the buffer and its copy go. The chunk of 64 is
// halved twice, to 16, to fit 48 KiB (K = V = 64, vector gate: 37 KiB).
// CHECK-LABEL: func @dropped_state
// CHECK-SAME: %[[S0:[a-z0-9]+]]: memref<1x1x64x64xf32>
// CHECK-NOT: memref.alloc(
// CHECK-NOT: memref.copy
// CHECK: memref.alloca() : memref<16x64xf32>
// CHECK: memref.load %[[S0]]
// CHECK-NOT: memref.store %{{.+}}, %[[S0]]
// CHECK: return
func.func @dropped_state(%q: memref<1x70x1x64xf32>, %v: memref<1x70x1x64xf32>,
                         %g: memref<1x70x1x64xf32>, %o: memref<1x70x1x64xf32>,
                         %s0: memref<1x1x64x64xf32>) {
  %s = memref.alloc() : memref<1x1x64x64xf32>
  memref.copy %s0, %s : memref<1x1x64x64xf32> to memref<1x1x64x64xf32>
  seqmix.linear_attention ins(%q, %q, %v : memref<1x70x1x64xf32>,
      memref<1x70x1x64xf32>, memref<1x70x1x64xf32>)
      log_decay(%g : memref<1x70x1x64xf32>)
      outs(%o, %s : memref<1x70x1x64xf32>, memref<1x1x64x64xf32>)
      {scale = 0.125 : f32, seqmix.tile = #seqmix.gpu_tiling<chunk = 64>}
  return
}

// -----

// The delta rule takes the same builder in its UT form: β of each row and
// the chunk's k k^T (strictly lower) in shared memory; the values become
// v - k S, then u by substitution down the chunk, a thread per column
// (an scf.for over the rows, each a sum over the earlier ones); then the
// additive rule's chunk with u for v.
// CHECK-LABEL: func @delta
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x8x1x16xf32>, %[[V:[a-z0-9]+]]: memref<1x8x1x16xf32>, %[[B:[a-z0-9]+]]: memref<1x8x1xf32>
// CHECK: scf.execute_region no_inline
// CHECK: %[[BS:.+]] = memref.alloca() : memref<16xf32>
// CHECK: memref.load %[[B]]
// CHECK: memref.store %{{.+}}, %[[BS]]
// CHECK: } {seqmix.block_threads = 128 : i64}
// CHECK: memref.store %{{.+}}, %[[KK:[a-z0-9_]+]][%{{.+}}, %{{.+}}] : memref<16x16xf32>
// CHECK: } {seqmix.block_threads = 128 : i64}
// CHECK: arith.subf
// CHECK: memref.store %{{.+}}, %[[VS:[a-z0-9_]+]][
// CHECK: } {seqmix.block_threads = 128 : i64}
// CHECK: scf.for %[[R:.+]] = %c0 to %{{.+}} step %c1 {
// CHECK: scf.for %{{.+}} = %c0 to %[[R]] step %c1 iter_args
// CHECK: memref.load %[[KK]]
// CHECK: memref.load %[[BS]][%[[R]]]
// CHECK: memref.store %{{.+}}, %[[VS]][%[[R]], %{{.+}}]
// CHECK: } {seqmix.block_threads = 128 : i64}
// CHECK-NOT: seqmix.linear_attention
func.func @delta(%q: memref<1x8x1x16xf32>, %v: memref<1x8x1x16xf32>,
                 %b: memref<1x8x1xf32>, %o: memref<1x8x1x16xf32>,
                 %s: memref<1x1x16x16xf32>) {
  seqmix.linear_attention ins(%q, %q, %v : memref<1x8x1x16xf32>,
      memref<1x8x1x16xf32>, memref<1x8x1x16xf32>)
      beta(%b : memref<1x8x1xf32>)
      outs(%o, %s : memref<1x8x1x16xf32>, memref<1x1x16x16xf32>)
      {scale = 0.25 : f32, seqmix.tile = #seqmix.gpu_tiling<chunk = 16>}
  return
}

// -----

// ssd (Mamba-2) takes the same builder: q = C and k = B of the head's group,
// per row Δ = softplus(dt + bias) and the gate Δ·A, values Δ·x, a vk state
// ([P, N] per head); y = o + D x, times silu(z), when stored.
// CHECK-LABEL: func @ssd
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<1x20x2x8xf32>, %[[DT:[a-z0-9]+]]: memref<1x20x2xf32>, %[[A:[a-z0-9]+]]: memref<2xf32>, %{{.+}}: memref<1x20x1x16xf32>, %{{.+}}: memref<1x20x1x16xf32>, %[[D:[a-z0-9]+]]: memref<2xf32>, %[[Z:[a-z0-9]+]]: memref<1x20x2x8xf32>, %{{.+}}: memref<1x20x2x8xf32>, %[[S:[a-z0-9]+]]: memref<1x2x8x16xf32>
// CHECK: scf.execute_region no_inline
// CHECK-DAG: %[[DS:.+]] = memref.alloca() : memref<16xf32>
// CHECK: memref.load %[[S]][%c0, %{{.+}}, %[[P:.+]], %[[N:.+]]] : memref<1x2x8x16xf32>
// CHECK: memref.load %[[DT]]
// CHECK: math.log1p
// CHECK: memref.store %{{.+}}, %[[DS]]
// CHECK: memref.load %[[A]]
// CHECK: } {seqmix.block_threads = 128 : i64}
// CHECK: memref.load %[[X]]
// CHECK: memref.load %[[DS]]
// CHECK: } {seqmix.block_threads = 128 : i64}
// CHECK: memref.load %[[D]]
// CHECK: memref.load %[[X]]
// CHECK: memref.load %[[Z]]
// CHECK: } {seqmix.block_threads = 128 : i64}
func.func @ssd(%x: memref<1x20x2x8xf32>, %dt: memref<1x20x2xf32>,
               %A: memref<2xf32>, %B: memref<1x20x1x16xf32>,
               %C: memref<1x20x1x16xf32>, %D: memref<2xf32>,
               %z: memref<1x20x2x8xf32>, %y: memref<1x20x2x8xf32>,
               %s: memref<1x2x8x16xf32>) {
  seqmix.ssd ins(%x, %dt, %A, %B, %C : memref<1x20x2x8xf32>, memref<1x20x2xf32>,
      memref<2xf32>, memref<1x20x1x16xf32>, memref<1x20x1x16xf32>)
      D(%D : memref<2xf32>) z(%z : memref<1x20x2x8xf32>)
      outs(%y, %s : memref<1x20x2x8xf32>, memref<1x2x8x16xf32>)
      {dt_softplus, seqmix.tile = #seqmix.gpu_tiling<chunk = 16>}
  return
}

// -----

// bf16 inputs: the chunk's products run as warp products (tensor cores
// on a GPU). q, k and x are staged in bf16; the scores C k^T come out in
// f32, are masked and decayed by the rows' gates and times Δ of the key's
// row into a bf16 copy; the outputs accumulate C S then A x in f32; the
// keys are decayed to the chunk's end (times Δ) in place, and the state
// accumulates k^T x in f32 with a bf16 copy for the next chunk.
// CHECK-LABEL: func @ssd_bf16
// CHECK: scf.execute_region no_inline
// CHECK-DAG: %[[QS:.+]] = memref.alloca() : memref<16x32xbf16>
// CHECK-DAG: %[[VS:.+]] = memref.alloca() : memref<16x16xbf16>
// CHECK-DAG: %[[AS:.+]] = memref.alloca() : memref<16x16xf32>
// CHECK-DAG: %[[SS:.+]] = memref.alloca() : memref<32x16xf32>
// CHECK-DAG: %[[AE:.+]] = memref.alloca() : memref<16x16xbf16>
// CHECK-DAG: %[[SE:.+]] = memref.alloca() : memref<32x16xbf16>
// CHECK-DAG: %[[OS:.+]] = memref.alloca() : memref<16x16xf32>
// Scores: two k steps of 16 from zeros.
// CHECK: gpu.warp_execute_on_lane_0(%{{.+}})[32] {
// CHECK: scf.for
// CHECK: vector.transfer_read %[[QS]]
// CHECK: vector.contract
// CHECK: vector.contract
// CHECK: vector.transfer_write %{{.+}}, %[[AS]]
// CHECK: memref.store %{{.+}}, %[[AE]]
// Outputs: C S (S read [k, n]), then A x accumulated.
// CHECK: gpu.warp_execute_on_lane_0
// CHECK: vector.transfer_read %[[SE]]{{.+}}permutation_map = #{{.+}}
// CHECK: vector.transfer_write %{{.+}}, %[[OS]]
// CHECK: gpu.warp_execute_on_lane_0
// CHECK: vector.transfer_read %[[OS]]
// CHECK: vector.transfer_read %[[AE]]
// CHECK: vector.transfer_write %{{.+}}, %[[OS]]
// CHECK: memref.load %[[OS]]
// The state: k^T (read [k, m]) x accumulated, then its bf16 copy.
// CHECK: gpu.warp_execute_on_lane_0
// CHECK: vector.transfer_read %[[SS]]
// CHECK: vector.transfer_write %{{.+}}, %[[SS]]
// CHECK: memref.load %[[SS]]
// CHECK: memref.store %{{.+}}, %[[SE]]
func.func @ssd_bf16(%x: memref<1x40x2x16xbf16>, %dt: memref<1x40x2xf32>,
                    %A: memref<2xf32>, %B: memref<1x40x1x32xbf16>,
                    %C: memref<1x40x1x32xbf16>, %y: memref<1x40x2x16xf32>,
                    %s: memref<1x2x16x32xf32>) {
  seqmix.ssd ins(%x, %dt, %A, %B, %C : memref<1x40x2x16xbf16>,
      memref<1x40x2xf32>, memref<2xf32>, memref<1x40x1x32xbf16>,
      memref<1x40x1x32xbf16>)
      outs(%y, %s : memref<1x40x2x16xf32>, memref<1x2x16x32xf32>)
      {dt_softplus, seqmix.tile = #seqmix.gpu_tiling<chunk = 16>}
  return
}

// -----

// Sliding-window attention, flash-style: a grid over (batch, blocks of 64
// queries, head), a thread per query. Each thread's q row, 16 accumulators,
// the tile's scores and its max and sum are its own ([64, 32 + 16 + 64 + 2]);
// the keys of the block's windows come in tiles of 64 k and v rows (and
// their coordinates) in shared memory, each thread taking the keys of a
// tile in its window (GQA: head h reads k/v head h / 2).
// CHECK-LABEL: func @swa
// CHECK-SAME: %[[Q:[a-z0-9]+]]: memref<1x100x4x32xf32>, %[[K:[a-z0-9]+]]: memref<1x100x2x32xf32>, %[[V:[a-z0-9]+]]: memref<1x100x2x16xf32>, %[[O:[a-z0-9]+]]: memref<1x100x4x16xf32>, %[[LSE:[a-z0-9]+]]: memref<1x100x4xf32>
// The grid of 1 x 2 x 4 blocks (canonicalization drops the batch of one).
// CHECK: scf.parallel (%[[QB:.+]], %[[H:.+]]) = (%c0, %c0) to (%c2, %c4)
// CHECK: scf.execute_region no_inline
// CHECK-DAG: %[[KS:.+]] = memref.alloca() : memref<64x32xf32>
// CHECK-DAG: %[[VS:.+]] = memref.alloca() : memref<64x16xf32>
// CHECK-DAG: %[[OWN:.+]] = memref.alloca() {seqmix.thread_private} : memref<64x114xf32>
// CHECK: scf.parallel (%[[TID:.+]]) = (%c0) to (%c64) step (%c1)
// CHECK: memref.load %[[Q]]
// CHECK: memref.store %{{.+}}, %[[OWN]][%[[TID]], %{{.+}}]
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK: scf.for %{{.+}} step %c64 {
// CHECK: memref.load %[[K]]
// CHECK: memref.store %{{.+}}, %[[KS]]
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK: memref.load %[[V]]
// CHECK: memref.store %{{.+}}, %[[VS]]
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK: math.exp
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK: }
// CHECK: memref.store %{{.+}}, %[[O]]
// CHECK: math.log
// CHECK: memref.store %{{.+}}, %[[LSE]]
// CHECK: } {seqmix.block_threads = 64 : i64}
// CHECK-NOT: seqmix.sliding_window_attention
func.func @swa(%q: memref<1x100x4x32xf32>, %k: memref<1x100x2x32xf32>,
               %v: memref<1x100x2x16xf32>, %o: memref<1x100x4x16xf32>,
               %lse: memref<1x100x4xf32>) {
  seqmix.sliding_window_attention ins(%q, %k, %v : memref<1x100x4x32xf32>,
      memref<1x100x2x32xf32>, memref<1x100x2x16xf32>)
      outs(%o, %lse : memref<1x100x4x16xf32>, memref<1x100x4xf32>)
      {window_left = 20 : i64, window_right = 3 : i64, scale = 0.1767767 : f32,
       seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 64, 1], warps = 2>}
  return
}

// -----

// Neighborhood attention takes the same builder: a block of 2 x 8 queries
// (16 threads) of a 5 x 8 image, one head; its key box is the union of the
// blocks' windows per axis (3 x 3 kernels, shifted at the borders), walked
// in tiles of 64 keys whose coordinates are staged with the rows. A key of
// the tile counts for a thread where it lies in the thread's window; rpb
// adds its bias there.
// CHECK-LABEL: func @na2d
// CHECK-SAME: %[[RPB:[a-z0-9]+]]: memref<1x5x5xf32>
// CHECK: scf.parallel
// CHECK: %[[BOX:.+]]:2 = scf.for
// CHECK: scf.execute_region no_inline
// CHECK-DAG: memref.alloca() : memref<64x2xindex>
// CHECK-DAG: memref.alloca() {seqmix.thread_private} : memref<16x{{[0-9]+}}xf32>
// CHECK: } {seqmix.block_threads = 16 : i64}
// CHECK: scf.for
// CHECK: memref.store %{{.+}}, %{{.+}}[%{{.+}}, %c1] : memref<64x2xindex>
// CHECK: } {seqmix.block_threads = 16 : i64}
// CHECK: scf.if %{{.+}} -> (f32) {
// CHECK: memref.load %[[RPB]]
// CHECK: } else {
// CHECK: scf.yield %cst{{.*}} : f32
func.func @na2d(%q: memref<1x5x8x1x16xf32>, %k: memref<1x5x8x1x16xf32>,
                %v: memref<1x5x8x1x16xf32>, %rpb: memref<1x5x5xf32>,
                %o: memref<1x5x8x1x16xf32>) {
  seqmix.neighborhood_attention ins(%q, %k, %v : memref<1x5x8x1x16xf32>,
      memref<1x5x8x1x16xf32>, memref<1x5x8x1x16xf32>)
      rpb(%rpb : memref<1x5x5xf32>)
      outs(%o : memref<1x5x8x1x16xf32>)
      {kernel_size = array<i64: 3, 3>, scale = 0.25 : f32,
       seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 2, 8, 1], warps = 1>}
  return
}

// -----

// bf16 sliding-window attention: the products on tensor cores. The block's
// 64 q rows, a tile of 64 keys (k and v rows, bf16), the tile's scores
// (f32) and probabilities (bf16) and the f32 accumulators are shared;
// per tile S = q k^T (warp products), each thread's online-softmax step on
// its row, then O += P v (v read [k, n]).
// CHECK-LABEL: func @swa_bf16
// CHECK: scf.execute_region no_inline
// CHECK-DAG: %[[VS:.+]] = memref.alloca() : memref<64x16xbf16>
// CHECK-DAG: %[[SS:.+]] = memref.alloca() : memref<64x64xf32>
// CHECK-DAG: %[[PS:.+]] = memref.alloca() : memref<64x64xbf16>
// CHECK-DAG: %[[OS:.+]] = memref.alloca() : memref<64x16xf32>
// CHECK: scf.for
// CHECK: gpu.warp_execute_on_lane_0
// CHECK: vector.contract
// CHECK: vector.transfer_write %{{.+}}, %[[SS]]
// CHECK: math.exp
// CHECK: memref.store %{{.+}}, %[[PS]]
// CHECK: memref.store %{{.+}}, %[[OS]]
// CHECK: gpu.warp_execute_on_lane_0
// CHECK: vector.transfer_read %[[OS]]
// CHECK: vector.transfer_read %[[PS]]
// CHECK: vector.transfer_read %[[VS]]{{.+}}permutation_map = #{{.+}}
// CHECK: vector.transfer_write %{{.+}}, %[[OS]]
// CHECK: memref.load %[[OS]]
func.func @swa_bf16(%q: memref<1x100x4x32xbf16>, %k: memref<1x100x2x32xbf16>,
                    %v: memref<1x100x2x16xbf16>, %o: memref<1x100x4x16xf32>,
                    %lse: memref<1x100x4xf32>) {
  seqmix.sliding_window_attention ins(%q, %k, %v : memref<1x100x4x32xbf16>,
      memref<1x100x2x32xbf16>, memref<1x100x2x16xbf16>)
      outs(%o, %lse : memref<1x100x4x16xf32>, memref<1x100x4xf32>)
      {window_left = 20 : i64, window_right = 3 : i64, scale = 0.1767767 : f32,
       seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 64, 1], warps = 2>}
  return
}
