// RUN: seqmix-opt %s --seqmix-cpu-pipeline=threads=2 | FileCheck %s
// RUN: seqmix-opt %s --seqmix-reference-pipeline | FileCheck %s

// A decode step updates its donated state in place and returns that very
// buffer: no copy of the state, before or after the update. Only the
// step's output is allocated.
// CHECK-LABEL: llvm.func @step
// CHECK-NOT: llvm.intr.memcpy
// CHECK: llvm.call @malloc
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.intr.memcpy
// CHECK: llvm.return
func.func @step(%q: tensor<1x1x4x32xf32>, %k: tensor<1x1x4x32xf32>, %v: tensor<1x1x4x32xf32>, %g: tensor<1x1x4xf32>, %s0: tensor<1x4x32x32xf32> {bufferization.writable = true}) -> (tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>) {
  %e = tensor.empty() : tensor<1x1x4x32xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x1x4x32xf32>, tensor<1x1x4x32xf32>, tensor<1x1x4x32xf32>) log_decay(%g : tensor<1x1x4xf32>) outs(%e, %s0 : tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>) {scale = 1.0 : f32} -> tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>
  return %o, %s : tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>
}

// Without the attribute the argument is read-only: the state is copied once
// into a new buffer, which is updated and returned.
// CHECK-LABEL: llvm.func @step_read_only
// CHECK: llvm.intr.memcpy
// CHECK: llvm.return
func.func @step_read_only(%q: tensor<1x1x4x32xf32>, %k: tensor<1x1x4x32xf32>, %v: tensor<1x1x4x32xf32>, %g: tensor<1x1x4xf32>, %s0: tensor<1x4x32x32xf32>) -> (tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>) {
  %e = tensor.empty() : tensor<1x1x4x32xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %v : tensor<1x1x4x32xf32>, tensor<1x1x4x32xf32>, tensor<1x1x4x32xf32>) log_decay(%g : tensor<1x1x4xf32>) outs(%e, %s0 : tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>) {scale = 1.0 : f32} -> tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>
  return %o, %s : tensor<1x1x4x32xf32>, tensor<1x4x32x32xf32>
}
