// RUN: seqmix-opt %s -split-input-file --seqmix-select-tile-config="threads=2 cpu=vector-bits=512" -verify-diagnostics | FileCheck %s

// A user's config is kept as written. `chunk` and `query` are read only by
// the register-tile builders, which need a vector level: a config that
// sets them without one gets a warning naming the level the cost model
// would choose (the op then runs its scalar body).
// CHECK-LABEL: func @chunk_without_vector
// CHECK: seqmix.tile = #seqmix.cpu_tiling<chunk = 4>
func.func @chunk_without_vector(%q: tensor<1x37x1x16xf32>, %v: tensor<1x37x2x32xf32>, %g: tensor<1x37x2xf32>, %b: tensor<1x37x2xf32>, %o0: tensor<1x37x2x32xf32>, %s0: tensor<1x2x16x32xf32>) -> tensor<1x37x2x32xf32> {
  // expected-warning @+1 {{'seqmix.tile' sets 'chunk' but has no 'vector' level: only the register-tile builders read 'chunk', so the op runs its scalar body; the cost model would give it vector = [0, 0, 16, 0]}}
  %o, %s = seqmix.linear_attention ins(%q, %q, %v : tensor<1x37x1x16xf32>, tensor<1x37x1x16xf32>, tensor<1x37x2x32xf32>) log_decay(%g : tensor<1x37x2xf32>) beta(%b : tensor<1x37x2xf32>) outs(%o0, %s0 : tensor<1x37x2x32xf32>, tensor<1x2x16x32xf32>) {scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<chunk = 4>} -> tensor<1x37x2x32xf32>, tensor<1x2x16x32xf32>
  return %o : tensor<1x37x2x32xf32>
}

// -----

// With the vector level, or with neither `chunk` nor `query`, no warning.
// CHECK-LABEL: func @complete_or_plain
// CHECK: seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 4>
// CHECK: seqmix.tile = #seqmix.cpu_tiling<threads = [0, 2, 0, 0]>
func.func @complete_or_plain(%q: tensor<1x37x1x16xf32>, %v: tensor<1x37x2x32xf32>, %g: tensor<1x37x2xf32>, %o0: tensor<1x37x2x32xf32>, %s0: tensor<1x2x16x32xf32>) -> (tensor<1x37x2x32xf32>, tensor<1x37x2x32xf32>) {
  %o, %s = seqmix.linear_attention ins(%q, %q, %v : tensor<1x37x1x16xf32>, tensor<1x37x1x16xf32>, tensor<1x37x2x32xf32>) log_decay(%g : tensor<1x37x2xf32>) outs(%o0, %s0 : tensor<1x37x2x32xf32>, tensor<1x2x16x32xf32>) {scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 4>} -> tensor<1x37x2x32xf32>, tensor<1x2x16x32xf32>
  %o2, %s2 = seqmix.linear_attention ins(%q, %q, %v : tensor<1x37x1x16xf32>, tensor<1x37x1x16xf32>, tensor<1x37x2x32xf32>) log_decay(%g : tensor<1x37x2xf32>) outs(%o0, %s0 : tensor<1x37x2x32xf32>, tensor<1x2x16x32xf32>) {scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<threads = [0, 2, 0, 0]>} -> tensor<1x37x2x32xf32>, tensor<1x2x16x32xf32>
  return %o, %o2 : tensor<1x37x2x32xf32>, tensor<1x37x2x32xf32>
}

// -----

// A query tile without a vector level: the same warning for windowed
// attention.
// CHECK-LABEL: func @query_without_vector
func.func @query_without_vector(%q: tensor<1x9x20x2x16xf32>, %o0: tensor<1x9x20x2x16xf32>) -> tensor<1x9x20x2x16xf32> {
  // expected-warning @+1 {{'seqmix.tile' sets 'query' but has no 'vector' level}}
  %o = seqmix.neighborhood_attention ins(%q, %q, %q : tensor<1x9x20x2x16xf32>, tensor<1x9x20x2x16xf32>, tensor<1x9x20x2x16xf32>) outs(%o0 : tensor<1x9x20x2x16xf32>) {kernel_size = array<i64: 3, 7>, scale = 0.25 : f32, seqmix.tile = #seqmix.cpu_tiling<query = [1, 4]>} -> tensor<1x9x20x2x16xf32>
  return %o : tensor<1x9x20x2x16xf32>
}
