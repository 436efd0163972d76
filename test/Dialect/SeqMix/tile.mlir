// RUN: seqmix-opt %s -split-input-file --seqmix-tile --canonicalize | FileCheck %s --enable-var-scope

// seqmix-tile applies each op's tiling config: the parallel level becomes
// an scf.forall, the serial level an scf.for inside it. The same op with
// another config gives other loops; the tiled op keeps the levels to come.

// CHECK-LABEL: func @threads_then_chunks
// CHECK: scf.forall (%[[H:.+]]) = (0) to (4) step (2) shared_outs
// CHECK: scf.for %[[T:.+]] = %c0 to %c64 step %c16 iter_args(%{{.+}} = %{{.+}}, %[[S:.+]] = %{{.+}}) -> (tensor<1x64x2x6xf32>, tensor<1x2x8x6xf32>)
// CHECK: seqmix.linear_attention {{.*}} outs(%{{.+}}, %[[S]] : tensor<1x16x2x6xf32>, tensor<1x2x8x6xf32>) {scale = 5.000000e-01 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 6, 0], chunk = 16>}
func.func @threads_then_chunks(%q: tensor<1x64x2x8xf32>, %k: tensor<1x64x2x8xf32>, %v: tensor<1x64x4x6xf32>, %s0: tensor<1x4x8x6xf32>) -> (tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {
  %e = tensor.empty() : tensor<1x64x4x6xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x64x2x8xf32>, tensor<1x64x2x8xf32>, tensor<1x64x4x6xf32>) outs(%e, %s0 : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {scale = 0.5 : f32, seqmix.tile = #seqmix.cpu_tiling<threads = [0, 2, 0, 0], cache = [0, 0, 0, 16], vector = [0, 0, 6, 0], chunk = 16>} -> tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
  return %o, %s : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
}

// -----

// CHECK-LABEL: func @value_columns_only
// CHECK-NOT: scf.for
// CHECK: scf.forall (%{{.+}}) = (0) to (6) step (3) shared_outs
// CHECK: seqmix.linear_attention
// CHECK-NOT: seqmix.tile
// CHECK-SAME: -> tensor<1x64x4x3xf32>, tensor<1x4x8x3xf32>
func.func @value_columns_only(%q: tensor<1x64x2x8xf32>, %k: tensor<1x64x2x8xf32>, %v: tensor<1x64x4x6xf32>, %s0: tensor<1x4x8x6xf32>) -> (tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {
  %e = tensor.empty() : tensor<1x64x4x6xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x64x2x8xf32>, tensor<1x64x2x8xf32>, tensor<1x64x4x6xf32>) outs(%e, %s0 : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>) {scale = 0.5 : f32, seqmix.tile = #seqmix.cpu_tiling<threads = [0, 0, 3, 0]>} -> tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
  return %o, %s : tensor<1x64x4x6xf32>, tensor<1x4x8x6xf32>
}

// -----

// A GPU config: thread blocks over channels, chunks of 32 tokens.
// CHECK-LABEL: func @gpu_blocks
// CHECK: scf.forall (%{{.+}}) = (0) to (32) step (16) shared_outs
// CHECK: scf.for %{{.+}} = %c0 to %c128 step %c32
// CHECK: seqmix.selective_scan {{.*}} {seqmix.tile = #seqmix.gpu_tiling<warps = 4>}
func.func @gpu_blocks(%u: tensor<1x128x32xf32>, %A: tensor<32x16xf32>, %B: tensor<1x128x1x16xf32>, %s0: tensor<1x32x16xf32>) -> (tensor<1x128x32xf32>, tensor<1x32x16xf32>) {
  %e = tensor.empty() : tensor<1x128x32xf32>
  %y, %s = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x128x32xf32>, tensor<1x128x32xf32>, tensor<32x16xf32>, tensor<1x128x1x16xf32>, tensor<1x128x1x16xf32>) outs(%e, %s0 : tensor<1x128x32xf32>, tensor<1x32x16xf32>) {seqmix.tile = #seqmix.gpu_tiling<blocks = [0, 16, 0], serial = [0, 0, 32], warps = 4>} -> tensor<1x128x32xf32>, tensor<1x32x16xf32>
  return %y, %s : tensor<1x128x32xf32>, tensor<1x32x16xf32>
}

// -----

// Fusion: the elementwise producer A = -exp(A_log), the fill of the initial
// state and an activation applied to the scan's output are computed per
// thread tile, inside the scf.forall, on the slices the tile reads and
// writes; the time loop of each tile (chunks of 8) carries the state.
// CHECK-LABEL: func @fused
// CHECK-SAME: %[[ALOG:[a-z0-9_]+]]: tensor<32x4xf32>
// CHECK: %[[LOOP:.+]] = scf.forall (%[[D:.+]]) = (0) to (32) step (16) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<1x64x32xf32>)
// CHECK: %[[ALOGT:.+]] = tensor.extract_slice %[[ALOG]][%[[D]], 0] [16, 4] [1, 1]
// CHECK: %[[AT:.+]] = linalg.generic {{.*}} ins(%[[ALOGT]] : tensor<16x4xf32>)
// CHECK: math.exp
// CHECK: arith.negf
// CHECK: %[[S0:.+]] = linalg.fill {{.*}} -> tensor<1x16x4xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c8 iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %[[S0]])
// CHECK: seqmix.selective_scan ins(%{{.+}}, %{{.+}}, %[[AT]], %{{.+}}, %{{.+}} : tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<16x4xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<1x64x16xf32>)
// CHECK: math.tanh
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.generic
// CHECK: return %[[LOOP]]
#m2 = affine_map<(d, n) -> (d, n)>
#m3 = affine_map<(b, t, d) -> (b, t, d)>
func.func @fused(%u: tensor<1x64x32xf32>, %A_log: tensor<32x4xf32>, %B: tensor<1x64x1x4xf32>) -> tensor<1x64x32xf32> {
  %zero = arith.constant 0.0 : f32
  %eA = tensor.empty() : tensor<32x4xf32>
  %A = linalg.generic {indexing_maps = [#m2, #m2], iterator_types = ["parallel", "parallel"]}
       ins(%A_log : tensor<32x4xf32>) outs(%eA : tensor<32x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    %n = arith.negf %ex : f32
    linalg.yield %n : f32
  } -> tensor<32x4xf32>
  %ey = tensor.empty() : tensor<1x64x32xf32>
  %es = tensor.empty() : tensor<1x32x4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%es : tensor<1x32x4xf32>) -> tensor<1x32x4xf32>
  %y, %s = seqmix.selective_scan ins(%u, %u, %A, %B, %B : tensor<1x64x32xf32>, tensor<1x64x32xf32>, tensor<32x4xf32>, tensor<1x64x1x4xf32>, tensor<1x64x1x4xf32>) outs(%ey, %s0 : tensor<1x64x32xf32>, tensor<1x32x4xf32>) {seqmix.tile = #seqmix.cpu_tiling<threads = [0, 16, 0], cache = [0, 0, 8], vector = [0, 16, 0]>} -> tensor<1x64x32xf32>, tensor<1x32x4xf32>
  %ea = tensor.empty() : tensor<1x64x32xf32>
  %act = linalg.generic {indexing_maps = [#m3, #m3], iterator_types = ["parallel", "parallel", "parallel"]}
       ins(%y : tensor<1x64x32xf32>) outs(%ea : tensor<1x64x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<1x64x32xf32>
  return %act : tensor<1x64x32xf32>
}
