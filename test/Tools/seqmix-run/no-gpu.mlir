// --pipeline=gpu on a machine without a usable CUDA device: one line that
// says why, exit code 2.
// UNSUPPORTED: cuda-gpu
// RUN: sh -c 'seqmix-run %s --pipeline=gpu --random-inputs=1 2>&1; echo "exit $?"' | FileCheck %s
// CHECK: seqmix-run: no GPU: {{no CUDA driver|no CUDA device|cannot open CUDA device}}
// CHECK-NEXT: exit 2

func.func @main(%x: tensor<1x8x4xf32>, %w: tensor<4x3xf32>) -> tensor<1x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %y0 = tensor.empty() : tensor<1x8x4xf32>
  %e = tensor.empty() : tensor<1x2x4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %y, %s = seqmix.causal_conv1d ins(%x, %w : tensor<1x8x4xf32>, tensor<4x3xf32>)
           outs(%y0, %s0 : tensor<1x8x4xf32>, tensor<1x2x4xf32>)
         -> tensor<1x8x4xf32>, tensor<1x2x4xf32>
  return %y : tensor<1x8x4xf32>
}
