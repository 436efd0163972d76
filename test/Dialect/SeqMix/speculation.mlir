// RUN: seqmix-opt %s --loop-invariant-code-motion | FileCheck %s --enable-var-scope

// seqmix.scan is recursively speculatable with recursive memory effects: a
// scan whose body is pure and whose operands are loop-invariant is hoisted
// out of a loop like any pure op.
// CHECK-LABEL: func @hoist_scan
// CHECK: %[[S:.+]]:2 = seqmix.scan
// CHECK: scf.for
// CHECK-NOT: seqmix.scan
// CHECK: arith.addf %{{.+}}, %[[S]]#0
func.func @hoist_scan(%x: tensor<2x8x4xf32>, %h0: tensor<2x4xf32>, %y0: tensor<2x8x4xf32>, %n: index) -> tensor<2x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> tensor<2x4xf32> {
    %s, %y = seqmix.scan ins(%x : tensor<2x8x4xf32>) init(%h0 : tensor<2x4xf32>) outs(%y0 : tensor<2x8x4xf32>) {
    ^bb0(%xt: tensor<4xf32>, %h: tensor<4xf32>):
      %m = arith.addf %h, %xt : tensor<4xf32>
      seqmix.yield %m, %m : tensor<4xf32>, tensor<4xf32>
    } -> tensor<2x4xf32>, tensor<2x8x4xf32>
    %next = arith.addf %acc, %s : tensor<2x4xf32>
    scf.yield %next : tensor<2x4xf32>
  }
  return %r : tensor<2x4xf32>
}
