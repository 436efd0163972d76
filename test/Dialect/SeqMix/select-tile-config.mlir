// RUN: seqmix-opt %s -split-input-file --seqmix-select-tile-config="threads=2 cpu=vector-bits=512,l2=2M" | FileCheck %s --enable-var-scope
// RUN: seqmix-opt %s -split-input-file --seqmix-select-tile-config="threads=8 cpu=vector-bits=512,l2=2M" | FileCheck %s --check-prefix=EIGHT --enable-var-scope
// RUN: seqmix-opt %s -split-input-file --seqmix-select-tile-config="threads=2 cpu=vector-bits=256,l2=256K" | FileCheck %s --check-prefix=AVX2 --enable-var-scope
// RUN: not seqmix-opt %s -split-input-file --seqmix-select-tile-config="cpu=vector-bits=300" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not seqmix-opt %s -split-input-file --seqmix-select-tile-config="target=tpu" 2>&1 | FileCheck %s --check-prefix=BAD-TARGET
// RUN: not seqmix-opt %s -split-input-file --seqmix-select-tile-config="target=gpu chip=sm_70" 2>&1 | FileCheck %s --check-prefix=BAD-CHIP
// RUN: seqmix-opt %s -split-input-file --seqmix-select-tile-config="target=gpu chip=sm_80" | FileCheck %s --check-prefix=GPU

// BAD: bad target description entry 'vector-bits=300'
// BAD-TARGET: unknown target 'tpu' (expected cpu or gpu)
// BAD-CHIP: unknown GPU chip 'sm_70' (expected sm_80 or sm_90)

// On a GPU (target=gpu): one block per point of the parallel loops that
// may be tiled, except on the thread loop (the loop the CPU builders
// vectorize), where a block takes up to 128 points, one per thread, in
// whole warps; time loops stay whole. A user's config still wins.
// GPU-LABEL: func.func @mamba1
// GPU: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 128, 0], warps = 4>
// Linear attention (both rules) runs chunked in blocks of 4 warps: value
// tiles and chunks that fit the static shared memory.
// GPU-LABEL: func.func @gla
// GPU: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 64, 0], warps = 4, chunk = 32>
// GPU-LABEL: func.func @gated
// GPU: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 64, 0], warps = 4, chunk = 16>
// GPU: beta
// GPU-SAME: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 1, 64, 0], warps = 4, chunk = 16>
// GPU-LABEL: func.func @route
// GPU: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 128], warps = 4>
// GPU-LABEL: func.func @narrow
// GPU: seqmix.tile = #seqmix.gpu_tiling<blocks = [1, 12, 0], warps = 1>
// GPU-LABEL: func.func @user_config_wins
// GPU: seqmix.tile = #seqmix.cpu_tiling<cache = [0, 0, 64]>

// The widest parallel loop that may be tiled is spread over the threads:
// channels for Mamba-1 (D = 1536), one tile per thread. The scan's register
// tile is a vector of channels (16 with AVX-512, 8 with AVX2), and its time
// loop is chunked so that a chunk of rows stays in L2 while the channel
// blocks sweep it: a smaller L2 takes smaller chunks. A user's config wins;
// dispatch and combine stay whole.

// CHECK-LABEL: func @mamba1
// CHECK: seqmix.selective_scan {{.*}}seqmix.tile = #seqmix.cpu_tiling<threads = [0, 768, 0], cache = [0, 0, 128], vector = [0, 16, 0]>
// EIGHT-LABEL: func @mamba1
// EIGHT: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 192, 0], cache = [0, 0, 512], vector = [0, 16, 0]>
// AVX2-LABEL: func @mamba1
// AVX2: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 768, 0], cache = [0, 0, 16], vector = [0, 8, 0]>
func.func @mamba1(%u: tensor<1x?x1536xf32>, %A: tensor<1536x16xf32>, %B: tensor<1x?x1x16xf32>, %y0: tensor<1x?x1536xf32>, %s0: tensor<1x1536x16xf32>) -> tensor<1x?x1536xf32> {
  %y, %s = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x?x1536xf32>, tensor<1x?x1536xf32>, tensor<1536x16xf32>, tensor<1x?x1x16xf32>, tensor<1x?x1x16xf32>) outs(%y0, %s0 : tensor<1x?x1536xf32>, tensor<1x1536x16xf32>) -> tensor<1x?x1536xf32>, tensor<1x1536x16xf32>
  return %y : tensor<1x?x1536xf32>
}

// -----

// GLA with 8 value heads sharing 2 query/key heads, in the recurrent form
// (chunk = 1): the register tile is a vector of value columns, and the
// threads split the heads, not the columns, although the columns (64) are
// more: each thread then prepares q, k and the gate of its own heads only.
// CHECK-LABEL: func @gla
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 4, 0, 0], vector = [0, 0, 16, 0], chunk = 1>
// EIGHT-LABEL: func @gla
// EIGHT: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 1, 0, 0], vector = [0, 0, 16, 0], chunk = 1>
// AVX2-LABEL: func @gla
// AVX2: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 4, 0, 0], vector = [0, 0, 8, 0], chunk = 1>
func.func @gla(%q: tensor<1x?x2x64xf32>, %v: tensor<1x?x8x64xf32>, %o0: tensor<1x?x8x64xf32>, %s0: tensor<1x8x64x64xf32>) -> tensor<1x?x8x64xf32> {
  %o, %s = seqmix.linear_attention ins(%q, %q, %v : tensor<1x?x2x64xf32>, tensor<1x?x2x64xf32>, tensor<1x?x8x64xf32>) outs(%o0, %s0 : tensor<1x?x8x64xf32>, tensor<1x8x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x?x8x64xf32>, tensor<1x8x64x64xf32>
  return %o : tensor<1x?x8x64xf32>
}

// -----

// Gated, the additive rule runs in register chunks of 2 tokens (one
// multiply by the decay per 2 tokens); the delta rule in chunks of 4 (two
// passes over the state per chunk instead of per token).
// CHECK-LABEL: func @gated
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 8, 0, 0], vector = [0, 0, 16, 0], chunk = 2>
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 8, 0, 0], vector = [0, 0, 16, 0], chunk = 4>
func.func @gated(%q: tensor<1x?x16x64xf32>, %g: tensor<1x?x16x64xf32>, %b: tensor<1x?x16xf32>, %o0: tensor<1x?x16x64xf32>, %s0: tensor<1x16x64x64xf32>) -> (tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>) {
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>) log_decay(%g : tensor<1x?x16x64xf32>) outs(%o0, %s0 : tensor<1x?x16x64xf32>, tensor<1x16x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x?x16x64xf32>, tensor<1x16x64x64xf32>
  %o2, %s2 = seqmix.linear_attention ins(%q, %q, %q : tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>) log_decay(%g : tensor<1x?x16x64xf32>) beta(%b : tensor<1x?x16xf32>) outs(%o0, %s0 : tensor<1x?x16x64xf32>, tensor<1x16x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x?x16x64xf32>, tensor<1x16x64x64xf32>
  return %o, %o2 : tensor<1x?x16x64xf32>, tensor<1x?x16x64xf32>
}

// -----

// ssd takes linear_attention's register tile (a gated rule: chunks of 2)
// on its loop p, threads over heads.
// CHECK-LABEL: func @ssd
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 12, 0, 0], vector = [0, 0, 16, 0], chunk = 2>
func.func @ssd(%x: tensor<1x?x24x64xf32>, %dt: tensor<1x?x24xf32>, %A: tensor<24xf32>, %B: tensor<1x?x1x128xf32>, %y0: tensor<1x?x24x64xf32>, %s0: tensor<1x24x64x128xf32>) -> tensor<1x?x24x64xf32> {
  %y, %s = seqmix.ssd ins(%x, %dt, %A, %B, %B : tensor<1x?x24x64xf32>, tensor<1x?x24xf32>, tensor<24xf32>, tensor<1x?x1x128xf32>, tensor<1x?x1x128xf32>) outs(%y0, %s0 : tensor<1x?x24x64xf32>, tensor<1x24x64x128xf32>) {dt_softplus} -> tensor<1x?x24x64xf32>, tensor<1x24x64x128xf32>
  return %y : tensor<1x?x24x64xf32>
}

// -----

// sliding_window_attention: threads over heads (its query loop is taken
// whole), key tiles one vector wide (the width sits on its last loop), and
// query tiles of as many rows as 16 output accumulators hold (Dv / width
// each), up to 4.
// CHECK-LABEL: func @swa
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 4], vector = [0, 0, 16], query = [4]>
// AVX2-LABEL: func @swa
// AVX2: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 4], vector = [0, 0, 8], query = [2]>
func.func @swa(%q: tensor<1x?x8x64xf32>, %o0: tensor<1x?x8x64xf32>) -> tensor<1x?x8x64xf32> {
  %o = seqmix.sliding_window_attention ins(%q, %q, %q : tensor<1x?x8x64xf32>, tensor<1x?x8x64xf32>, tensor<1x?x8x64xf32>) outs(%o0 : tensor<1x?x8x64xf32>) {window_left = 511 : i64, window_right = 0 : i64, scale = 0.125 : f32} -> tensor<1x?x8x64xf32>
  return %o : tensor<1x?x8x64xf32>
}

// -----

// neighborhood_attention with a short last-axis kernel: lanes over
// queries, a query tile of two image rows of one vector each (sharing the
// loads of their key rows); the rows of a 3-D tile are along the axis
// before the last, and a dilated axis keeps one row.
// CHECK-LABEL: func @na_query_tiles
// CHECK: seqmix.neighborhood_attention {{.*}}seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 0, 2], vector = [0, 0, 0, 16], query = [2, 16]>
// CHECK: seqmix.neighborhood_attention {{.*}}seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 0, 0, 2], vector = [0, 0, 0, 0, 16], query = [1, 2, 16]>
// CHECK: seqmix.neighborhood_attention {{.*}}seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 0, 2], vector = [0, 0, 0, 16], query = [1, 16]>
func.func @na_query_tiles(%q2: tensor<1x56x56x4x32xf32>, %q3: tensor<1x16x32x32x4x32xf32>) -> (tensor<1x56x56x4x32xf32>, tensor<1x16x32x32x4x32xf32>, tensor<1x56x56x4x32xf32>) {
  %o2e = tensor.empty() : tensor<1x56x56x4x32xf32>
  %o2 = seqmix.neighborhood_attention ins(%q2, %q2, %q2 : tensor<1x56x56x4x32xf32>, tensor<1x56x56x4x32xf32>, tensor<1x56x56x4x32xf32>) outs(%o2e : tensor<1x56x56x4x32xf32>) {kernel_size = array<i64: 7, 7>, scale = 0.125 : f32} -> tensor<1x56x56x4x32xf32>
  %o3e = tensor.empty() : tensor<1x16x32x32x4x32xf32>
  %o3 = seqmix.neighborhood_attention ins(%q3, %q3, %q3 : tensor<1x16x32x32x4x32xf32>, tensor<1x16x32x32x4x32xf32>, tensor<1x16x32x32x4x32xf32>) outs(%o3e : tensor<1x16x32x32x4x32xf32>) {kernel_size = array<i64: 3, 7, 7>, scale = 0.125 : f32} -> tensor<1x16x32x32x4x32xf32>
  %o4 = seqmix.neighborhood_attention ins(%q2, %q2, %q2 : tensor<1x56x56x4x32xf32>, tensor<1x56x56x4x32xf32>, tensor<1x56x56x4x32xf32>) outs(%o2e : tensor<1x56x56x4x32xf32>) {kernel_size = array<i64: 7, 7>, dilation = array<i64: 2, 1>, scale = 0.125 : f32} -> tensor<1x56x56x4x32xf32>
  return %o2, %o3, %o4 : tensor<1x56x56x4x32xf32>, tensor<1x16x32x32x4x32xf32>, tensor<1x56x56x4x32xf32>
}

// -----

// route: a vector of tokens (whole vectors per thread).
// CHECK-LABEL: func @route
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 2048], vector = [0, 16]>
// AVX2-LABEL: func @route
// AVX2: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 2048], vector = [0, 8]>
func.func @route(%l: tensor<1x4096x8xf32>, %i: tensor<1x4096x2xi32>, %w: tensor<1x4096x2xf32>) -> tensor<1x4096x2xi32> {
  %ri, %rw = seqmix.route ins(%l : tensor<1x4096x8xf32>) outs(%i, %w : tensor<1x4096x2xi32>, tensor<1x4096x2xf32>) {top_k = 2 : i64} -> tensor<1x4096x2xi32>, tensor<1x4096x2xf32>
  return %ri : tensor<1x4096x2xi32>
}

// -----

// segment_matmul: its rows are taken whole (segments), its output columns
// go to the threads in whole NR panels, and NR (2 vectors with AVX-512, 3
// with AVX2) is its vector level.
// CHECK-LABEL: func @segment_matmul
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 64], vector = [0, 32]>
// AVX2-LABEL: func @segment_matmul
// AVX2: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 72], vector = [0, 24]>
func.func @segment_matmul(%p: tensor<?x256xf32>, %w: tensor<4x256x128xf32>, %off: tensor<5xi32>, %c: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %r = seqmix.segment_matmul ins(%p, %w, %off : tensor<?x256xf32>, tensor<4x256x128xf32>, tensor<5xi32>) outs(%c : tensor<?x128xf32>) -> tensor<?x128xf32>
  return %r : tensor<?x128xf32>
}

// -----

// The convolution streams rows in memory order: no time chunks.
// CHECK-LABEL: func @conv
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 32, 0], vector = [0, 16, 0]>
// EIGHT-LABEL: func @conv
// EIGHT: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 16, 0], vector = [0, 16, 0]>
// AVX2-LABEL: func @conv
// AVX2: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 32, 0], vector = [0, 8, 0]>
func.func @conv(%x: tensor<1x?x64xf32>, %w: tensor<64x4xf32>, %y0: tensor<1x?x64xf32>, %s0: tensor<1x3x64xf32>) -> tensor<1x?x64xf32> {
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x?x64xf32>, tensor<64x4xf32>) outs(%y0, %s0 : tensor<1x?x64xf32>, tensor<1x3x64xf32>) {activation = #seqmix.activation<silu>} -> tensor<1x?x64xf32>, tensor<1x3x64xf32>
  return %y : tensor<1x?x64xf32>
}

// -----

// Twelve channels: narrower than a 16-lane vector, so the register tile is
// half a vector; a thread tile would hold less than one vector.
// CHECK-LABEL: func @narrow
// CHECK: seqmix.tile = #seqmix.cpu_tiling<vector = [0, 8, 0]>
// AVX2-LABEL: func @narrow
// AVX2: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 8, 0], vector = [0, 8, 0]>
func.func @narrow(%x: tensor<1x?x12xf32>, %w: tensor<12x4xf32>, %y0: tensor<1x?x12xf32>, %s0: tensor<1x3x12xf32>) -> tensor<1x?x12xf32> {
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x?x12xf32>, tensor<12x4xf32>) outs(%y0, %s0 : tensor<1x?x12xf32>, tensor<1x3x12xf32>) -> tensor<1x?x12xf32>, tensor<1x3x12xf32>
  return %y : tensor<1x?x12xf32>
}

// -----

// CHECK-LABEL: func @user_config_wins
// CHECK: seqmix.tile = #seqmix.cpu_tiling<cache = [0, 0, 64]>
func.func @user_config_wins(%x: tensor<1x128x64xf32>, %w: tensor<64x4xf32>, %y0: tensor<1x128x64xf32>, %s0: tensor<1x3x64xf32>) -> tensor<1x128x64xf32> {
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x128x64xf32>, tensor<64x4xf32>) outs(%y0, %s0 : tensor<1x128x64xf32>, tensor<1x3x64xf32>) {seqmix.tile = #seqmix.cpu_tiling<cache = [0, 0, 64]>} -> tensor<1x128x64xf32>, tensor<1x3x64xf32>
  return %y : tensor<1x128x64xf32>
}

// -----

// combine with fewer features than a vector keeps its scalar body, whole;
// with more, lanes over the last feature dimension and threads splitting
// the features (never the rows, which add into shared tokens).
// CHECK-LABEL: func @combine_whole
// CHECK-NOT: seqmix.tile
// CHECK-LABEL: func @combine_features
// CHECK: seqmix.combine {{.*}} {seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 64], vector = [0, 0, 16]>}
func.func @combine_whole(%p: tensor<32x8xf32>, %rows: tensor<32xi32>, %w: tensor<1x16x2xf32>, %out: tensor<1x16x8xf32>) -> tensor<1x16x8xf32> {
  %c = seqmix.combine ins(%p, %rows, %w : tensor<32x8xf32>, tensor<32xi32>, tensor<1x16x2xf32>) outs(%out : tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
  return %c : tensor<1x16x8xf32>
}
func.func @combine_features(%p: tensor<32x4x128xf32>, %rows: tensor<32xi32>, %w: tensor<1x16x2xf32>, %out: tensor<1x16x4x128xf32>) -> tensor<1x16x4x128xf32> {
  %c = seqmix.combine ins(%p, %rows, %w : tensor<32x4x128xf32>, tensor<32xi32>, tensor<1x16x2xf32>) outs(%out : tensor<1x16x4x128xf32>) -> tensor<1x16x4x128xf32>
  return %c : tensor<1x16x4x128xf32>
}
