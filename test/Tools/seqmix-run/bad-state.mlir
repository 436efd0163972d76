// REQUIRES: numpy
// A state or size that depends on run-time shapes is checked before any
// access: a wrong one stops with exit 2 and a message on stderr naming the
// op, the operand and the values found, never a write past a buffer.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; z = np.zeros; np.save('%t/q8.npy', z((1, 8, 2, 4), np.float32)); np.save('%t/q7.npy', z((1, 7, 2, 4), np.float32)); np.save('%t/cu.npy', np.array([0, 3, 8], np.int32)); np.save('%t/s2.npy', z((2, 2, 4, 4), np.float32)); np.save('%t/s3.npy', z((3, 2, 4, 4), np.float32))"

// One state row per sequence: 3 rows for 2 sequences.
// RUN: sh -c 'seqmix-run %s --input=%t/q8.npy --input=%t/q8.npy --input=%t/cu.npy --input=%t/s3.npy 2>%t/rows.err; echo "exit $?"' | FileCheck %s --check-prefix=EXIT
// RUN: FileCheck %s --check-prefix=ROWS --input-file=%t/rows.err
// ROWS: seqmix-run: run-time check failed: seqmix.linear_attention: init #1 (a state) must have one row per sequence (the length of 'cu_seqlens' minus 1) (found 3, which must be == 2)

// q and k must share T.
// RUN: sh -c 'seqmix-run %s --input=%t/q8.npy --input=%t/q7.npy --input=%t/cu.npy --input=%t/s2.npy 2>%t/t.err; echo "exit $?"' | FileCheck %s --check-prefix=EXIT
// RUN: FileCheck %s --check-prefix=TLEN --input-file=%t/t.err
// TLEN: seqmix-run: {{.*}}seqmix.linear_attention: operand #1 dimension 1 must equal the t size of the other operands (found 7, which must be == 8)

// The right inputs run.
// RUN: sh -c 'seqmix-run %s --input=%t/q8.npy --input=%t/q8.npy --input=%t/cu.npy --input=%t/s2.npy >/dev/null; echo "exit $?"' | FileCheck %s --check-prefix=OK
// EXIT: exit 2
// OK: exit 0

func.func @main(%q: tensor<1x?x2x4xf32>, %k: tensor<1x?x2x4xf32>, %cu: tensor<3xi32>, %s0: tensor<?x2x4x4xf32>) -> (tensor<1x?x2x4xf32>, tensor<?x2x4x4xf32>) {
  %c1 = arith.constant 1 : index
  %T = tensor.dim %q, %c1 : tensor<1x?x2x4xf32>
  %o0 = tensor.empty(%T) : tensor<1x?x2x4xf32>
  %o, %s = seqmix.linear_attention ins(%q, %k, %q : tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%o0, %s0 : tensor<1x?x2x4xf32>, tensor<?x2x4x4xf32>) {scale = 0.5 : f32} -> tensor<1x?x2x4xf32>, tensor<?x2x4x4xf32>
  return %o, %s : tensor<1x?x2x4xf32>, tensor<?x2x4x4xf32>
}
