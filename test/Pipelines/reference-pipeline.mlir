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
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %xf = quant.dcast %x : tensor<1x?x8x!quant.uniform<i8:f32, 0.05>> to tensor<1x?x8xf32>
  %T = tensor.dim %xf, %c1 : tensor<1x?x8xf32>
  %c0 = tensor.empty(%T) : tensor<1x?x8xf32>
  %cs = tensor.empty() : tensor<2x3x8xf32>
  %cs0 = linalg.fill ins(%zero : f32) outs(%cs : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  %c, %cfinal = seqmix.causal_conv1d ins(%xf, %w : tensor<1x?x8xf32>, tensor<8x4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%c0, %cs0 : tensor<1x?x8xf32>, tensor<2x3x8xf32>) {activation = #seqmix.activation<silu>} -> tensor<1x?x8xf32>, tensor<2x3x8xf32>
  %y0 = tensor.empty(%T) : tensor<1x?x8xf32>
  %ss = tensor.empty() : tensor<2x8x4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%ss : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  %y, %s = seqmix.selective_scan ins(%c, %dt, %A, %B, %B : tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8x4xf32>, tensor<1x?x1x4xf32>, tensor<1x?x1x4xf32>) cu_seqlens(%cu : tensor<3xi32>) outs(%y0, %s0 : tensor<1x?x8xf32>, tensor<2x8x4xf32>) {delta_softplus} -> tensor<1x?x8xf32>, tensor<2x8x4xf32>
  return %y, %s : tensor<1x?x8xf32>, tensor<2x8x4xf32>
}
