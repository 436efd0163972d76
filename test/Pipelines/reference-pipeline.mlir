// RUN: seqmix-opt %s --seqmix-reference-pipeline | FileCheck %s

// The reference pipeline takes every seqmix op, quantized boundaries
// included, down to the LLVM dialect; transcendentals come from libm.
// CHECK-NOT: seqmix.
// CHECK-NOT: quant.
// CHECK-DAG: llvm.func @expf(f32) -> f32
// CHECK-DAG: llvm.func @log1pf(f32) -> f32
// CHECK-DAG: llvm.func @abort()
// CHECK: llvm.func @mamba_ish(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64, %{{.+}}: i64,
func.func @mamba_ish(%x: tensor<1x?x8x!quant.uniform<i8:f32, 0.05>>, %w: tensor<8x4xf32>, %dt: tensor<1x?x8xf32>, %A: tensor<8x4xf32>, %B: tensor<1x?x1x4xf32>, %cu: tensor<3xi32>) -> (tensor<1x?x8xf32>, tensor<2x8x4xf32>) {
  %xf = quant.dcast %x : tensor<1x?x8x!quant.uniform<i8:f32, 0.05>> to tensor<1x?x8xf32>
  %c = seqmix.causal_conv1d ins(%xf, %w : tensor<1x?x8xf32>, tensor<8x4xf32>) cu_seqlens(%cu : tensor<3xi32>) {activation = #seqmix.activation<silu>} -> tensor<1x?x8xf32>
  %y, %s = seqmix.selective_scan ins(%c, %dt, %A, %B, %B : tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8x4xf32>, tensor<1x?x1x4xf32>, tensor<1x?x1x4xf32>) cu_seqlens(%cu : tensor<3xi32>) {delta_softplus} -> tensor<1x?x8xf32>, tensor<2x8x4xf32>
  return %y, %s : tensor<1x?x8xf32>, tensor<2x8x4xf32>
}
