// REQUIRES: numpy
// Bad cu_seqlens values stop the compiled code before any out-of-bounds
// access: the check's message, then exit code 2.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((1, 8, 4), np.float32)); np.save('%t.w.npy', np.ones((4, 3), np.float32)); np.save('%t.start.npy', np.array([1, 4, 8], np.int32)); np.save('%t.dec.npy', np.array([0, 6, 4, 8], np.int32)); np.save('%t.end.npy', np.array([0, 4, 9], np.int32))"
// RUN: sh -c 'seqmix-run %s --input=%t.x.npy --input=%t.w.npy --input=%t.start.npy; echo "exit $?"' 2>&1 | FileCheck %s --check-prefix=START
// RUN: sh -c 'seqmix-run %S/Inputs/conv-varlen4.mlir --input=%t.x.npy --input=%t.w.npy --input=%t.dec.npy; echo "exit $?"' 2>&1 | FileCheck %s --check-prefix=DEC
// RUN: sh -c 'seqmix-run %s --input=%t.x.npy --input=%t.w.npy --input=%t.end.npy; echo "exit $?"' 2>&1 | FileCheck %s --check-prefix=END
// START: seqmix.causal_conv1d: operand 'cu_seqlens' must start at 0
// START: seqmix-run: the compiled code stopped on a failed runtime check
// START: exit 2
// DEC: seqmix.causal_conv1d: operand 'cu_seqlens' must be non-decreasing
// DEC: exit 2
// END: seqmix.causal_conv1d: operand 'cu_seqlens' must end at T
// END: exit 2
func.func @main(%x: tensor<1x8x4xf32>, %w: tensor<4x3xf32>, %cu: tensor<3xi32>) -> tensor<1x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x8x4xf32>
  %e = tensor.empty() : tensor<2x2x4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x4xf32>, tensor<4x3xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x8x4xf32>, tensor<2x2x4xf32>) -> tensor<1x8x4xf32>, tensor<2x2x4xf32>
  return %y : tensor<1x8x4xf32>
}
