// REQUIRES: numpy
// Routing values out of range stop the compiled code before any
// out-of-bounds access, on both pipelines (the cpu pipeline checks before
// its threads start): a memory index outside [0, num_memories) given to
// dispatch, and a slot outside [0, B*T*k) given to combine. Exit code 2,
// nothing on stdout.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((1, 4, 32), np.float32)); np.save('%t.idx.npy', np.array([[[0, 1], [2, 3], [4, 0], [1, 2]]], np.int32)); np.save('%t.h.npy', np.ones((8, 32), np.float32)); np.save('%t.rows.npy', np.array([0, 1, 2, 3, 4, 5, 6, 8], np.int32)); np.save('%t.w.npy', np.ones((1, 4, 2), np.float32))"
// RUN: for p in reference cpu; do \
// RUN:   sh -c "seqmix-run %s --entry=dispatch --pipeline=$p --input=%t.x.npy --input=%t.idx.npy >%t.d.out 2>&1; echo exit \$?"; \
// RUN:   sh -c "seqmix-run %s --entry=combine --pipeline=$p --input=%t.h.npy --input=%t.rows.npy --input=%t.w.npy >%t.c.out 2>&1; echo exit \$?"; \
// RUN: done | FileCheck %s
// CHECK: exit 2
// CHECK: exit 2
// CHECK: exit 2
// CHECK: exit 2
// RUN: not seqmix-run %s --entry=dispatch --pipeline=cpu --input=%t.x.npy --input=%t.idx.npy 2>&1 | FileCheck %s --check-prefix=DISPATCH
// DISPATCH: seqmix-run: run-time check failed: seqmix.dispatch: operand 'indices' holds a memory index outside [0, num_memories = 4)
// RUN: not seqmix-run %s --entry=combine --pipeline=cpu --input=%t.h.npy --input=%t.rows.npy --input=%t.w.npy 2>&1 | FileCheck %s --check-prefix=COMBINE
// COMBINE: seqmix-run: run-time check failed: seqmix.combine: operand 'rows' holds a slot outside [0, B*T*k)

func.func @dispatch(%x: tensor<1x4x32xf32>, %idx: tensor<1x4x2xi32>) -> tensor<8x32xf32> {
  %p0 = tensor.empty() : tensor<8x32xf32>
  %o0 = tensor.empty() : tensor<5xi32>
  %r0 = tensor.empty() : tensor<8xi32>
  %p, %o, %r = seqmix.dispatch ins(%x, %idx : tensor<1x4x32xf32>, tensor<1x4x2xi32>) outs(%p0, %o0, %r0 : tensor<8x32xf32>, tensor<5xi32>, tensor<8xi32>) {num_memories = 4 : i64} -> tensor<8x32xf32>, tensor<5xi32>, tensor<8xi32>
  return %p : tensor<8x32xf32>
}

func.func @combine(%h: tensor<8x32xf32>, %rows: tensor<8xi32>, %w: tensor<1x4x2xf32>) -> tensor<1x4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x32xf32>) -> tensor<1x4x32xf32>
  %o = seqmix.combine ins(%h, %rows, %w : tensor<8x32xf32>, tensor<8xi32>, tensor<1x4x2xf32>) outs(%z : tensor<1x4x32xf32>) -> tensor<1x4x32xf32>
  return %o : tensor<1x4x32xf32>
}
