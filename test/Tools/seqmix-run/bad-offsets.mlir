// REQUIRES: numpy
// Bad cu_seqlens values stop the compiled code before any out-of-bounds
// access. The failed check comes back to seqmix-run as an error: one
// "seqmix-run: run-time check failed: ..." line on stderr naming the op and
// the operand, nothing on stdout, exit code 2.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.ones((1, 8, 4), np.float32)); np.save('%t.w.npy', np.ones((4, 3), np.float32)); np.save('%t.start.npy', np.array([1, 4, 8], np.int32)); np.save('%t.dec.npy', np.array([0, 6, 4, 8], np.int32)); np.save('%t.end.npy', np.array([0, 4, 9], np.int32))"
// RUN: sh -c 'seqmix-run %s --input=%t.x.npy --input=%t.w.npy --input=%t.start.npy >%t.start.out 2>%t.start.err; echo "exit $?"' | FileCheck %s --check-prefix=EXIT
// RUN: FileCheck %s --check-prefix=START --input-file=%t.start.err
// RUN: count 0 < %t.start.out
// RUN: sh -c 'seqmix-run %S/Inputs/conv-varlen4.mlir --input=%t.x.npy --input=%t.w.npy --input=%t.dec.npy >%t.dec.out 2>%t.dec.err; echo "exit $?"' | FileCheck %s --check-prefix=EXIT
// RUN: FileCheck %s --check-prefix=DEC --input-file=%t.dec.err
// RUN: count 0 < %t.dec.out
// RUN: sh -c 'seqmix-run %s --input=%t.x.npy --input=%t.w.npy --input=%t.end.npy --check=reference --bench=3 >%t.end.out 2>%t.end.err; echo "exit $?"' | FileCheck %s --check-prefix=EXIT
// RUN: FileCheck %s --check-prefix=END --input-file=%t.end.err
// RUN: count 0 < %t.end.out
// EXIT: exit 2
// START: seqmix-run: run-time check failed: seqmix.causal_conv1d: operand 'cu_seqlens' must start at 0 (found 1, which must be == 0) (the inputs are invalid)
// START-NOT: {{.}}
// DEC: seqmix-run: run-time check failed: seqmix.causal_conv1d: operand 'cu_seqlens' must be non-decreasing (found 6, which must be <= 4) (the inputs are invalid)
// DEC-NOT: {{.}}
// END: seqmix-run: run-time check failed: seqmix.causal_conv1d: operand 'cu_seqlens' must end at T (found 9, which must be == 8) (the inputs are invalid)
// END-NOT: {{.}}

// The same module runs on good offsets.
// RUN: %python -c "import numpy as np; np.save('%t.good.npy', np.array([0, 4, 8], np.int32))"
// RUN: seqmix-run %s --input=%t.x.npy --input=%t.w.npy --input=%t.good.npy | FileCheck %s --check-prefix=GOOD
// GOOD: out0: tensor<1x8x4xf32> min=1 max=3 mean=2.25

func.func @main(%x: tensor<1x8x4xf32>, %w: tensor<4x3xf32>, %cu: tensor<3xi32>) -> tensor<1x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x8x4xf32>
  %e = tensor.empty() : tensor<2x2x4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x4xf32>, tensor<4x3xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x8x4xf32>, tensor<2x2x4xf32>) -> tensor<1x8x4xf32>, tensor<2x2x4xf32>
  return %y : tensor<1x8x4xf32>
}
