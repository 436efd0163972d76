// RUN: seqmix-opt %s --convert-seqmix-to-vector | FileCheck %s

// One builder serves every linear recurrence: each gate kind, both rules,
// both state layouts, the register chunk and ssd reach the same entry
// with different parameters, which it records on the batch loop it emits.
// A chunk of 64 (fla's) runs as register chunks of 8.
// CHECK-LABEL: func @gates_and_rules
// CHECK: seqmix.builder = "linear_recurrence<rule = additive, gate = none, chunk = 1, rows = 16, layout = kv>"
// CHECK: seqmix.builder = "linear_recurrence<rule = additive, gate = constant, chunk = 1, rows = 16, layout = kv>"
// CHECK: seqmix.builder = "linear_recurrence<rule = additive, gate = scalar, chunk = 2, rows = 16, layout = kv>"
// CHECK: seqmix.builder = "linear_recurrence<rule = additive, gate = vector, chunk = 4, rows = 16, layout = vk>"
// CHECK: seqmix.builder = "linear_recurrence<rule = delta, gate = none, chunk = 1, rows = 16, layout = kv>"
// CHECK: seqmix.builder = "linear_recurrence<rule = delta, gate = vector, chunk = 1, rows = 16, layout = vk>"
// CHECK: seqmix.builder = "linear_recurrence<rule = delta, gate = scalar, chunk = 4, rows = 16, layout = kv>"
// CHECK: seqmix.builder = "linear_recurrence<rule = additive, gate = scalar, chunk = 8, rows = 8, layout = kv>"
// CHECK: seqmix.builder = "linear_recurrence<rule = additive, gate = ssd, chunk = 2, rows = 8, layout = vk>"
// CHECK-NOT: seqmix.linear_attention
// CHECK-NOT: seqmix.ssd
func.func @gates_and_rules(%q: memref<2x?x1x16xf32>, %v: memref<2x?x2x32xf32>, %gc: memref<2xf32>, %gs: memref<2x?x2xf32>, %gv: memref<2x?x2x16xf32>, %b: memref<2x?x2xf32>, %o: memref<2x?x2x32xf32>, %s: memref<2x2x16x32xf32>, %svk: memref<2x2x32x16xf32>,
                           %x: memref<2x?x2x32xf32>, %A: memref<2xf32>, %B: memref<2x?x1x8xf32>, %s8: memref<2x2x32x8xf32>) {
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) outs(%o, %s : memref<2x?x2x32xf32>, memref<2x2x16x32xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) log_decay(%gc : memref<2xf32>) outs(%o, %s : memref<2x?x2x32xf32>, memref<2x2x16x32xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) log_decay(%gs : memref<2x?x2xf32>) outs(%o, %s : memref<2x?x2x32xf32>, memref<2x2x16x32xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 2>}
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) log_decay(%gv : memref<2x?x2x16xf32>) outs(%o, %svk : memref<2x?x2x32xf32>, memref<2x2x32x16xf32>) {scale = 0.25 : f32, state_layout = #seqmix.state_layout<vk>, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 4>}
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) beta(%b : memref<2x?x2xf32>) outs(%o, %s : memref<2x?x2x32xf32>, memref<2x2x16x32xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) log_decay(%gv : memref<2x?x2x16xf32>) beta(%b : memref<2x?x2xf32>) outs(%o, %svk : memref<2x?x2x32xf32>, memref<2x2x32x16xf32>) {scale = 0.25 : f32, qk_norm = #seqmix.qk_norm<l2>, state_layout = #seqmix.state_layout<vk>, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 1>}
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) log_decay(%gs : memref<2x?x2xf32>) beta(%b : memref<2x?x2xf32>) outs(%o, %s : memref<2x?x2x32xf32>, memref<2x2x16x32xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 4>}
  seqmix.linear_attention ins(%q, %q, %v : memref<2x?x1x16xf32>, memref<2x?x1x16xf32>, memref<2x?x2x32xf32>) log_decay(%gs : memref<2x?x2xf32>) outs(%o, %s : memref<2x?x2x32xf32>, memref<2x2x16x32xf32>) {scale = 0.25 : f32, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 64>}
  seqmix.ssd ins(%x, %gs, %A, %B, %B : memref<2x?x2x32xf32>, memref<2x?x2xf32>, memref<2xf32>, memref<2x?x1x8xf32>, memref<2x?x1x8xf32>) outs(%o, %s8 : memref<2x?x2x32xf32>, memref<2x2x32x8xf32>) {dt_softplus, seqmix.checked, seqmix.tile = #seqmix.cpu_tiling<vector = [0, 0, 16, 0], chunk = 2>}
  return
}
