// --bench prints time, the work from the cost model (FLOPs, bytes, exps),
// GFLOP/s, GB/s, the roofline share, which limit bounds it and the least
// time it allows; --machine gives measured rates; --profile adds the time
// of each op and of the rest. Values are not checked: tests never assert
// timings.
// RUN: seqmix-run %s --random-inputs=1 --bench=2 | FileCheck %s
// RUN: seqmix-run %S/Inputs/conv-varlen4.mlir --random-inputs=1 --bench=2 --threads=2 --profile --machine=peak-gflops=100,dram-gbs=10,exp-gps=2 | FileCheck %s --check-prefix=THREADS
// RUN: not seqmix-run %s --random-inputs=1 --bench=2 --machine=dram=3 2>&1 | FileCheck %s --check-prefix=BAD
// CHECK: bench: median_ms={{[0-9.e+-]+}} min_ms={{[0-9.e+-]+}} flop={{[0-9.e+-]+}} bytes={{[0-9.e+-]+}} exp={{[0-9.e+-]+}} GFLOP/s={{[0-9.e+-]+}} GB/s={{[0-9.e+-]+}} roofline={{[0-9.e+-]+}}% limit={{fma|exp|dram}} bound_ms={{[0-9.e+-]+}}
// THREADS: bench: {{.*}} roofline={{.*}}% limit={{.*}} threads=2
// THREADS-NEXT: profile: seqmix.causal_conv1d#0 ms={{[0-9.e+-]+}} share={{[0-9.]+}}%
// THREADS-NEXT: profile: rest ms=
// BAD: seqmix-run: --machine: bad target description entry 'dram=3'
func.func @main(%q: tensor<1x16x2x8xf32>, %g: tensor<1x16x2xf32>) -> tensor<1x16x2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %o0 = tensor.empty() : tensor<1x16x2x8xf32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %o, %s = seqmix.linear_attention ins(%q, %q, %q : tensor<1x16x2x8xf32>, tensor<1x16x2x8xf32>, tensor<1x16x2x8xf32>) log_decay(%g : tensor<1x16x2xf32>) outs(%o0, %s0 : tensor<1x16x2x8xf32>, tensor<1x2x8x8xf32>) {scale = 0.5 : f32} -> tensor<1x16x2x8xf32>, tensor<1x2x8x8xf32>
  return %o : tensor<1x16x2x8xf32>
}
