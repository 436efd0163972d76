// --bench prints time, GFLOP/s from the cost model, GB/s, the roofline
// share and what it is a share of (the FMA peak or the DRAM bound, in
// GFLOP/s); values are not checked: tests never assert timings.
// RUN: seqmix-run %s --random-inputs=1 --bench=2 | FileCheck %s
// RUN: seqmix-run %S/Inputs/conv-varlen4.mlir --random-inputs=1 --bench=2 --threads=2 | FileCheck %s --check-prefix=THREADS
// CHECK: bench: median_ms={{[0-9.e+-]+}} min_ms={{[0-9.e+-]+}} GFLOP/s={{[0-9.e+-]+}} GB/s={{[0-9.e+-]+}} roofline={{[0-9.e+-]+}}% of={{fma|dram}}:{{[0-9.e+-]+}}GFLOP/s
// THREADS: bench: {{.*}} roofline={{.*}}% of={{.*}} threads=2
func.func @main(%q: tensor<1x16x2x8xf32>, %g: tensor<1x16x2xf32>) -> tensor<1x16x2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<1x16x2x8xf32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x8xf32>, tensor<1x16x2x8xf32>, tensor<1x16x2x8xf32>) log_decay(%g : tensor<1x16x2xf32>) outs(%o0, %s0 : tensor<1x16x2x8xf32>, tensor<1x2x8x8xf32>) {scale = 0.5 : f32} -> tensor<1x16x2x8xf32>, tensor<1x2x8x8xf32>
  return %o : tensor<1x16x2x8xf32>
}
