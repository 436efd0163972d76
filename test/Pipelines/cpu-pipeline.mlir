// RUN: seqmix-opt %s --seqmix-cpu-pipeline=threads=2 | FileCheck %s

// The CPU pipeline checks the inputs once, before anything is tiled, then
// runs the tiles of the thread loop on OpenMP threads.
// CHECK-LABEL: llvm.func @conv
// CHECK-DAG: llvm.call @abort
// CHECK-DAG: omp.parallel
// CHECK-DAG: omp.wsloop
func.func @conv(%x: tensor<1x?x64xf32>, %w: tensor<64x4xf32>, %cu: tensor<3xi32>, %s0: tensor<2x3x64xf32>) -> (tensor<1x?x64xf32>, tensor<2x3x64xf32>) {
  %c1 = arith.constant 1 : index
  %T = tensor.dim %x, %c1 : tensor<1x?x64xf32>
  %e = tensor.empty(%T) : tensor<1x?x64xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x?x64xf32>, tensor<64x4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%e, %s0 : tensor<1x?x64xf32>, tensor<2x3x64xf32>) -> tensor<1x?x64xf32>, tensor<2x3x64xf32>
  return %y, %s : tensor<1x?x64xf32>, tensor<2x3x64xf32>
}
